#pragma once

// Keras initializers for Dense's kernel and bias, drawn with the interpreter's documented
// generator (compiler/interp: SplitMix64 and Box-Muller), so a seeded initializer gives the
// same weights on every machine. Without a seed the weight's name seeds it: repeatable, and
// different for every weight.

#include "lamina/Layers.h"

#include <optional>
#include <string>

namespace lamina {

/// A tensor of `dtype` and `shape`, fans as Keras computes them (kerasFans: a 2-D kernel's
/// rows in and columns out, times the receptive field for higher ranks).
Tensor initialize(const Initializer &init, DType dtype, const TensorShape &shape,
                  const std::string &weightName);
/// Whether lamina knows this initializer name.
bool knownInitializer(const std::string &name);
const std::vector<std::string> &initializerNames();

} // namespace lamina
