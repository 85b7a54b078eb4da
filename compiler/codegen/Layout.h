#pragma once

// How a compiled kernel receives its data (no LLVM here: the runtime fills these in).
//
// Every stage is a function `void stage(void **buffers, const int64_t *symbols, int64_t begin,
// int64_t end)` computing rows [begin, end) of axis 0 of its domain. `buffers` holds, in
// order, the inputs (ir::Function::inputs), the variables, the outputs (one per
// ir::Function::outputs position), the temporaries (KernelPlan::temps) and two scratch
// buffers per split reduction; `symbols` the sizes of the symbols of the input types, in
// `symbols` order, then each split reduction's chunk length.
//
// A split reduction (Stage::splitReduced) has two more functions of the same type: its
// partial one reduces chunks [begin, end) of its operand's axis 0 (chunk c covers rows
// [c * length, min((c + 1) * length, extent))) into row c of its scratch buffers (the
// accumulators in their compute type; argmax/argmin: the value in the first, the index in the
// second), and its join one combines rows [0, end) of them in order into the result.

#include "compiler/transforms/Fusion.h"

#include <string>
#include <vector>

namespace lamina::codegen {

struct KernelLayout {
  std::vector<std::string> symbols; // sorted
  size_t inputs = 0, variables = 0, outputs = 0, temps = 0;
  std::vector<int> split; // per stage: its place among the split reductions, or -1
  size_t splits = 0;

  size_t bufferCount() const { return inputs + variables + outputs + temps + 2 * splits; }
  size_t outputBuffer(size_t position) const { return inputs + variables + position; }
  size_t tempBuffer(size_t index) const { return inputs + variables + outputs + index; }
  /// Scratch buffer `plane` (0 or 1) of split reduction `place`.
  size_t scratchBuffer(size_t place, size_t plane) const {
    return inputs + variables + outputs + temps + 2 * place + plane;
  }
  /// Where the chunk length of split reduction `place` is in the symbols array.
  size_t chunkSymbol(size_t place) const { return symbols.size() + place; }
};

KernelLayout layoutOf(const transforms::KernelPlan &plan);

/// The buffer holding a stored value (not for Constant or Fused values).
size_t bufferOf(const transforms::KernelPlan &plan, const KernelLayout &layout, ir::ValueId v);

} // namespace lamina::codegen
