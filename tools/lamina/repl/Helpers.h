#pragma once

// The REPL's helpers for making tensors to try things on. The language already has zeros,
// ones, full, eye, arange, linspace and tensor literals; what it lacks is random tensors
// outside a layer's variables, so the REPL adds `randn` and `rand` as lamina defs over the
// language's own random initialisers (a variable made once, from its seed). Their generator
// is the interpreter's (Interpreter.h): SplitMix64 seeded with `seed`, uniform doubles from
// its top 53 bits, normals by Box-Muller; without a seed, the FNV-1a hash of the variable's
// name (`variable`, `variable_1`, ... within one input) seeds it, so a session replays.

#include "compiler/diag/SourceFile.h"

#include <memory>
#include <string>
#include <vector>

namespace lamina::cli::repl {

/// The helpers' source (`<repl helpers>`): one def per helper.
std::shared_ptr<const SourceFile> helperSource();
/// The names it defines.
const std::vector<std::string> &helperNames();

} // namespace lamina::cli::repl
