#pragma once

// How a compiled kernel receives its data (no LLVM here: the runtime fills these in).
//
// Every stage is a function `void stage(void **buffers, const int64_t *symbols, int64_t begin,
// int64_t end)` computing rows [begin, end) of axis 0 of its domain. `buffers` holds, in
// order, the inputs (ir::Function::inputs), the variables, the outputs (one per
// ir::Function::outputs position) and the temporaries (KernelPlan::temps); `symbols` the sizes
// of the symbols of the input types, in `symbols` order.

#include "compiler/transforms/Fusion.h"

#include <string>
#include <vector>

namespace lamina::codegen {

struct KernelLayout {
  std::vector<std::string> symbols; // sorted
  size_t inputs = 0, variables = 0, outputs = 0, temps = 0;

  size_t bufferCount() const { return inputs + variables + outputs + temps; }
  size_t outputBuffer(size_t position) const { return inputs + variables + position; }
  size_t tempBuffer(size_t index) const { return inputs + variables + outputs + index; }
};

KernelLayout layoutOf(const transforms::KernelPlan &plan);

/// The buffer holding a stored value (not for Constant or Fused values).
size_t bufferOf(const transforms::KernelPlan &plan, const KernelLayout &layout, ir::ValueId v);

} // namespace lamina::codegen
