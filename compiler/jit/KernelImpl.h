#pragma once

// Internal to the JIT: what a compiled kernel holds, shared by Jit.cpp (which makes it) and
// Kernel.cpp (which runs it).

#include "compiler/codegen/Layout.h"
#include "compiler/jit/Jit.h"
#include "compiler/support/LruCache.h"

#include <algorithm>
#include <memory>
#include <mutex>
#include <span>

namespace lamina::jit {

using StageFunction = void (*)(void **buffers, const int64_t *symbols, int64_t begin, int64_t end);

/// Sizes derived from one set of symbol values, after the run-time shape checks passed.
struct BoundShapes {
  std::vector<std::vector<int64_t>> outputs;
  std::vector<uint64_t> tempBytes;
  /// The language's per-call budget: the values the caller's checked function defines, as
  /// interp_detail::footprint counts them; the interpreter applies the same rule.
  std::vector<std::pair<SourceRange, uint64_t>> footprint;
  std::vector<std::vector<int64_t>> variables;
  std::vector<int64_t> stageRows;      // extent of each stage's axis 0 (1 for rank 0)
  std::vector<uint64_t> stageElements; // elements of each stage's domain
  std::vector<uint64_t> stageWork;     // elements each stage reads or computes
  std::vector<uint64_t> stageTouched;  // elements each stage reads and writes, once each
  /// Split reductions: the extent of the operand's axis 0 and the operand's elements (what
  /// the chunking follows), and the result's elements (0 elsewhere).
  std::vector<int64_t> splitRows;
  std::vector<uint64_t> splitElements, splitResults;
};

/// How one input axis binds, decided from the signature once: a known size, a symbol's slot in
/// the symbols array, or a compound size (`2*B`) checked once every symbol is bound.
struct AxisBinding {
  int64_t size = -1; // the known size, or -1
  int slot = -1;     // the symbol's slot, or -1
};

/// The machine code and plan of one optimized function: shared by every Kernel whose checked
/// function optimizes to it, and cached by the Jit.
struct Kernel::Impl {
  transforms::KernelPlan plan;
  codegen::KernelLayout layout;
  std::vector<std::vector<AxisBinding>> inputAxes; // per input, per axis (bindingsOf)
  std::vector<StageFunction> stages;
  std::vector<StageFunction> partials, joins; // split reductions' (Layout.h); null elsewhere
  uint64_t weight = 1;        // rough operations per element, for the threading decision
  std::shared_ptr<void> code; // owns the JITDylib holding the machine code
};

std::vector<std::vector<AxisBinding>> bindingsOf(const ir::Function &fn,
                                                 const codegen::KernelLayout &layout);

/// Orders symbol values: cached vectors and the span a call binds, without copying it.
struct SymbolsLess {
  using is_transparent = void;
  bool operator()(std::span<const int64_t> a, std::span<const int64_t> b) const {
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end());
  }
};

/// One caller's function as sema checked it, with its own source ranges: the run-time shape
/// checks and the budget are applied to it, so their diagnostics point into the caller's
/// source, never into whichever source compiled the shared code first.
struct Kernel::Checks {
  Checks(ir::Function checked, size_t capacity) : fn(std::move(checked)), bound(capacity) {}
  ir::Function fn;
  // The checks and sizes of recently seen symbol values (a few batch sizes in a row).
  mutable std::mutex boundMutex;
  mutable LruCache<std::vector<int64_t>, std::shared_ptr<const BoundShapes>, SymbolsLess> bound;
};

} // namespace lamina::jit
