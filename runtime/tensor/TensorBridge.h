#pragma once

// Between the runtime's Tensor and the compiler's types: the interpreter and the .npy/.npz
// code work on Arrays (owning, C order), the JIT on TensorRefs (borrowed pointers).

#include "compiler/types/Array.h"
#include "lamina/Tensor.h"

#include <vector>

namespace lamina {

Array toArray(const Tensor &t);
std::vector<Array> toArrays(const std::vector<Tensor> &ts);
Tensor fromArray(const Array &a);
/// Borrowed views of contiguous tensors (the caller keeps them alive).
std::vector<TensorRef> refs(const std::vector<Tensor> &ts);

} // namespace lamina
