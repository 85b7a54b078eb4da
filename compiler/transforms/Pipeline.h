#pragma once

// The optimization pipeline: the passes of Passes.h in one fixed order, then fusion. It can
// print the function after every pass and time each one (`lamina emit --print-after-all`,
// `--time-passes`).

#include "compiler/transforms/Fusion.h"

#include <ostream>

namespace lamina::transforms {

struct PipelineOptions {
  bool printAfterAll = false;
  bool timePasses = false;
  std::ostream *log = nullptr; // where the two above write; nothing is written without it
#ifdef NDEBUG
  bool verifyAfterEach = false;
#else
  /// Debug builds (the sanitizer CI job among them) check the IR after every pass: a pass
  /// that breaks an invariant stops at once, named, instead of miscompiling later.
  bool verifyAfterEach = true;
#endif
};

KernelPlan optimize(ir::Function fn, const PipelineOptions &options = {});

/// The pass names, in order (for documentation and tests).
std::vector<std::string> passNames();

} // namespace lamina::transforms
