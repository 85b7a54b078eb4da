#pragma once

// Fusion: how an optimized function becomes loop nests (stages). Every value is either
// computed inside the loop that needs it (fused: no temporary, recomputed from its operands at
// the element being computed) or stored in a buffer (inputs, variables, outputs and the
// temporaries listed here). Shape operations - slice, transpose, reshape, broadcast, concat,
// pad, gather - are always fused: they become index arithmetic in their consumer.
//
// A reduction over the trailing axes of its consumer's domain is a row reduction: the stage
// loops over rows (the leading `rowDepth` axes) and computes it once per row, before the
// loops that use it, so softmax, l2_normalize and the antirectifier make one pass over each
// row per reduction plus one for the result, while the row is in cache. Any other reduction is
// stored as a temporary by a stage of its own; `reason` says why.

#include "compiler/ir/Ir.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lamina::transforms {

enum class StageKind : uint8_t {
  Loop,   // elementwise over `domain` (row reductions first, per row)
  Reduce, // the root is a reduction; `domain` is its result shape
  Scan,   // cumsum/cumprod: sequential along its axis
  MatMul, // [..., M, K] @ [..., K, N]
};

struct Stage {
  StageKind kind = StageKind::Loop;
  ir::ValueId root = 0;
  Shape domain;
  size_t rowDepth = 0;                    // Loop: axes [0, rowDepth) are per-row loops
  std::vector<ir::ValueId> rowReductions; // Loop: computed once per row, in this order
  bool splitConcat = false;               // Loop: root is a concat, one loop per part
  /// Reduce: the operand's last (contiguous) axis is kept, so the output's last axis is the
  /// vector axis and each lane accumulates its own column over the reduced axes, in order.
  bool columns = false;
  /// Loop: values a row reduction computes and the loops after it read again at the same
  /// element (softmax's exp): kept in a row buffer rather than computed twice. Only for rows
  /// of known size up to kMaxRowBuffer elements, so the buffer lives on the stack.
  std::vector<ir::ValueId> rowBuffered;
  /// MatMul: a large row-major product [..., M, K] @ [K, N] of stored operands, computed by
  /// OpenBLAS for each block of rows (blasProduct() says which products qualify).
  bool blas = false;
  /// MatMul (not OpenBLAS): the value its one reader computes from it elementwise, at the
  /// product's own elements (a bias, an activation, a scale), and writes to `output`. The
  /// stage computes it from the sums in registers; the product itself is never stored.
  std::optional<ir::ValueId> epilogue;
  bool parallel = true; // axis 0 of the domain may be split over threads
  /// Reduce: the operand's axis 0 is reduced and the result has no rows to split (rank 0, one
  /// vector row of columns, or a kept axis of 1). The runtime may then cut that axis into
  /// chunks whose length depends on the sizes only (never on the thread count), reduce each
  /// chunk on any thread into partial results, and combine them in chunk order.
  bool splitReduced = false;
  /// Runs with the stage before it, a block of axis 0 at a time (chainStages()): it reads what
  /// the earlier stages of its group store only at its own index of axis 0, so each block's
  /// intermediate rows are still in cache when the next stage reads them.
  bool withPrevious = false;
  bool copyOnly = false; // writes an output that is an input, a constant, or repeated
  int64_t output = -1;   // the output position it writes, or -1: the temporary of `root`
};

// The largest row buffer, in elements: 16 KiB of f32, 32 KiB of f64, on the calling thread's
// stack (a host's threads may have small ones).
inline constexpr int64_t kMaxRowBuffer = 4096;

enum class Storage : uint8_t { Fused, Input, Variable, Constant, Output, Temp };

struct KernelPlan {
  ir::Function fn;
  std::vector<Stage> stages;
  std::vector<Storage> storage; // per value
  std::vector<ir::ValueId> temps;
  /// Stored values kept in an output's buffer instead of a temporary (by output position):
  /// the output's stage is their one reader and reads each element at its own index.
  std::map<ir::ValueId, int64_t> inOutput;
  std::vector<std::string> reasons; // per value: why it is stored, when it is not an output
};

KernelPlan planFusion(ir::Function fn);

/// Whether a product goes to OpenBLAS: f32 or f64, a matrix on the right ([K, N], any number
/// of leading axes on the left) or a batch of them ([B, M, K] @ [B, K, N], one call per
/// matrix), no operand a constant, and both deep and wide - the one shape where OpenBLAS is
/// measurably faster than lamina's packed kernel (3-7% in f32, up to 25% in f64: its panels
/// hold fewer f64 columns; docs/performance.md, "Products"): a row of the right operand longer
/// than kBlasMinDepthBytes, at least kBlasMinSize columns. Its operands are then stored, so
/// the library reads plain rows.
inline constexpr int64_t kBlasMinDepthBytes = 512;
/// ... and a batch's matrices at least kBlasBatchMinWork multiply-adds each.
inline constexpr int64_t kBlasMinSize = 256, kBlasBatchMinWork = int64_t(1) << 15;
bool blasProduct(const ir::Function &fn, const ir::Instr &product);

/// The plan as `lamina emit --stage ir-opt` shows it, after the function.
std::string print(const KernelPlan &plan);

} // namespace lamina::transforms
