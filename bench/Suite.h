#pragma once

// The expression suite of docs/performance.md (the same ten lamina sources as
// ../shared/bench/peers/suite.json), with the hand-written fused C++ loops and the Eigen
// versions it is measured against.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace lamina::bench {

/// Inputs and output of one case: elementwise cases have `n` elements per input; row cases
/// are [rows, cols].
struct Buffers {
  std::vector<const float *> in;
  float *out = nullptr;
  size_t rows = 0, cols = 0, n = 0;
};

/// A reference kernel over items [lo, hi) (elements, or rows for row cases); E10 returns its
/// partial sum.
using Reference = double (*)(const Buffers &, size_t lo, size_t hi);

struct Case {
  const char *id;
  const char *name;
  const char *source;
  std::vector<const char *> inputs;
  bool rows;
  size_t outputCols; // row cases: columns of the output (E8 doubles them)
  Reference handWritten;
  Reference eigen;
};

const std::vector<Case> &suite();

} // namespace lamina::bench
