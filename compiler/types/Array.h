#pragma once

// A concrete n-dimensional array: what the reference interpreter computes on and what the
// `.npy` reader and writer exchange. Always C-contiguous and owning; the layer runtime's
// Tensor (strided views, aligned pooled storage) is built on top of it later.

#include "compiler/types/DType.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace lamina {

struct Array {
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  std::vector<std::byte> bytes; // elementCount() * byteSize(dtype), C order, little-endian

  int64_t elementCount() const {
    int64_t n = 1;
    for (int64_t d : shape)
      n *= d;
    return n;
  }
};

/// A tensor someone else owns, borrowed for a call: C-contiguous, `shape` elements of `dtype`
/// at `data`. Compiled kernels run on these; the runtime's Tensors and Arrays lend them.
struct TensorRef {
  DType dtype = DType::F32;
  std::span<const int64_t> shape;
  void *data = nullptr;
};

} // namespace lamina
