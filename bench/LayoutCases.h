#pragma once

// The layout cases (../shared/bench/layouts/probe.py's 28 and more): each a lamina source, its
// inputs, and the loop a C++ programmer would write for it (LayoutLoops.cpp, built like the
// suite's references: -O3 -march=native -ffast-math), or OpenBLAS for the large products.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace lamina::bench {

enum class Elem : uint8_t { F32, F64, F16, I32, I64 };

struct LayoutInput {
  const char *name;
  std::vector<int64_t> shape;
  Elem elem = Elem::F32;
  int64_t indexRange = 0; // integers in [0, indexRange) when > 0 (indices), else data
};

/// What a reference loop reads and writes: the inputs' data and shapes, the output's data.
struct LayoutBuffers {
  std::vector<const void *> in;
  std::vector<std::vector<int64_t>> shapes;
  void *out = nullptr;
};
using LayoutLoop = void (*)(const LayoutBuffers &);

struct LayoutCase {
  std::string id, name, source;
  std::vector<LayoutInput> inputs;
  LayoutLoop loop = nullptr; // null where the machine lacks what it needs (f16 without F16C)
  const char *reference = "loop";
};

/// The cases at problem size `n` (elements of the main input, as the probe sizes them).
std::vector<LayoutCase> layoutCases(int64_t n);

} // namespace lamina::bench
