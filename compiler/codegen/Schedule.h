#pragma once

// The schedule of each stage's loop nest, as data: the loop order, what the vector lanes run
// along and how wide, the register tiles, and how the runtime shares the work among threads.
// The plan (transforms::Stage) decides the kind of loop nest from strides and sizes; the
// schedule adds what depends on the target's vector width. Stages.cpp emits from it, and
// `lamina emit --stage ir-opt` prints it, so what is printed is what runs.

#include "compiler/codegen/Codegen.h"

#include <string>
#include <vector>

namespace lamina::codegen {

struct Schedule {
  std::vector<std::string> loops; // outer to inner
  std::string vectors;            // what the lanes run along
  unsigned tile = 1;              // vectors per register block (columns, products)
  unsigned rows = 1;              // rows per register block (products)
  /// Products: the right operand is packed, a panel of K rows by `tile` vectors at a time
  /// (K known and the panel small enough for L1), its producers computed once per panel;
  /// the last panel, zero-padded, has `tailTile` vectors and blocks of `tailRows` rows.
  bool packed = false;
  unsigned tailTile = 1, tailRows = 1;
  /// Packed: K in blocks of this many rows, each block continuing the sums the one before
  /// stored in the output (products whose dtype is their compute type: f32, f64, integers);
  /// 0 when one panel holds all of K.
  int64_t depthBlock = 0;
  std::string threads; // how the work is split over threads
};

/// The largest packed panel of a product's right operand, in bytes: it stays in L1 while
/// every block of rows reads it.
inline constexpr int64_t kMaxPanelBytes = 32 * 1024;

Schedule scheduleOf(const transforms::KernelPlan &plan, const transforms::Stage &stage,
                    const CodegenOptions &options);

/// Each stage's schedule, one `;` line each, for the plan's printout.
std::string printSchedules(const transforms::KernelPlan &plan, const CodegenOptions &options);

} // namespace lamina::codegen
