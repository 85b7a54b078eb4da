#pragma once

// Internal to the JIT: what a compiled kernel holds, shared by Engine.cpp (which makes it) and
// Kernel.cpp (which runs it).

#include "compiler/codegen/Layout.h"
#include "compiler/jit/Jit.h"

#include <map>
#include <memory>
#include <mutex>

namespace lamina::jit {

using StageFunction = void (*)(void **buffers, const int64_t *symbols, int64_t begin, int64_t end);

/// Sizes derived from one set of symbol values, after the run-time shape checks passed.
struct BoundShapes {
  std::vector<std::vector<int64_t>> outputs;
  std::vector<uint64_t> tempBytes;
  std::vector<std::vector<int64_t>> variables;
  std::vector<int64_t> stageRows;      // extent of each stage's axis 0 (1 for rank 0)
  std::vector<uint64_t> stageElements; // elements of each stage's domain
};

struct Kernel::Impl {
  transforms::KernelPlan plan;
  codegen::KernelLayout layout;
  std::vector<StageFunction> stages;
  uint64_t weight = 1;        // rough operations per element, for the threading decision
  std::shared_ptr<void> code; // owns the JITDylib holding the machine code

  // The checks and sizes of recently seen symbol values (a few batch sizes in a row).
  mutable std::mutex boundMutex;
  mutable std::map<std::vector<int64_t>, std::shared_ptr<const BoundShapes>> bound;
};

} // namespace lamina::jit
