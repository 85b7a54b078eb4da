#include "compiler/codegen/Schedule.h"

#include <fmt/format.h>

#include <algorithm>

namespace lamina::codegen {

using ir::Op;
using transforms::Stage;
using transforms::StageKind;

namespace {

std::string axisName(const Shape &shape, size_t a) {
  return fmt::format("axis {} ({})", a, shape[a].str());
}

bool isArg(Op op) { return op == Op::ArgMax || op == Op::ArgMin; }

} // namespace

Schedule scheduleOf(const transforms::KernelPlan &plan, const Stage &s,
                    const CodegenOptions &options) {
  Schedule out;
  unsigned w = options.vectorWidth;
  const ir::Instr &root = plan.fn.instrs[s.root];
  const Shape &domain = s.domain;
  size_t n = domain.size();
  auto threads = [&] {
    if (s.splitReduced)
      return std::string("chunks of the operand's axis 0, joined in chunk order");
    if (s.withPrevious)
      return std::string("blocks of axis 0, with the stage before");
    if (!s.parallel || n == 0)
      return std::string("one thread");
    return std::string("ranges of axis 0");
  };
  out.threads = threads();
  if (s.copyOnly || s.kind == StageKind::Loop) {
    for (size_t a = 0; a < n; ++a)
      out.loops.push_back(axisName(domain, a) + (a + 1 == s.rowDepth && !s.rowReductions.empty()
                                                     ? ", then its row reductions"
                                                     : ""));
    out.vectors =
        n ? fmt::format("along axis {}, then a scalar tail", n - 1) : "none (one element)";
    return out;
  }
  if (s.kind == StageKind::Reduce) {
    const Shape &operand = plan.fn.typeOf(root.operands[0]).shape;
    for (size_t a = 0; a < n; ++a)
      out.loops.push_back(axisName(domain, a) + " of the result");
    std::vector<int64_t> axes = root.get<ir::ReduceAttrs>().axes;
    std::sort(axes.begin(), axes.end());
    for (int64_t a : axes)
      out.loops.push_back(fmt::format("reduced {}", axisName(operand, size_t(a))));
    if (s.columns && w > 1) {
      bool arg = isArg(root.op);
      out.tile = w >= 16 ? (arg ? 8 : 16) : (arg ? 4 : 8);
      if (auto extent = domain.back().asConstant()) // the whole row, even when split
        out.tile = unsigned(std::clamp<int64_t>(*extent / int64_t(w), 1, out.tile));
      out.vectors =
          fmt::format("along the kept last axis, {} vectors of partial results per pass over "
                      "the reduced axes",
                      out.tile);
    } else if (isArg(root.op)) {
      bool contiguous = size_t(root.get<ir::ReduceAttrs>().axes[0]) + 1 == operand.size() && w > 1;
      out.vectors = contiguous ? "along the reduced last axis, lanes combined as a tree" : "none";
    } else {
      out.vectors = w > 1 ? fmt::format("along the innermost reduced axis, up to {} accumulators",
                                        options.reductionUnroll)
                          : "none";
    }
    return out;
  }
  if (s.kind == StageKind::Scan) {
    size_t axis = size_t(root.get<ir::AxisAttrs>().axis);
    for (size_t a = 0; a < n; ++a)
      out.loops.push_back(axisName(domain, a) + (a == axis ? ", in order" : ""));
    out.vectors = axis + 1 < n && w > 1
                      ? fmt::format("along axis {}, a row at a time along axis {}", n - 1, axis)
                      : "independent scans in the lanes";
    return out;
  }
  // Products.
  const Shape &lhs = plan.fn.typeOf(root.operands[0]).shape;
  for (size_t a = 0; a < n; ++a)
    out.loops.push_back(axisName(domain, a));
  out.loops.push_back(fmt::format("the summed axis ({})", lhs.back().str()));
  if (s.blas) {
    out.vectors = "OpenBLAS's own";
    return out;
  }
  bool blocked = root.type.dtype != DType::Bool && w > 1;
  if (!blocked) {
    out.vectors = "none";
    return out;
  }
  // Register blocks of rows x vectors of sums, as many as the registers hold beside the
  // right operand's vectors and a broadcast: 24 of AVX-512's 32 registers, 12 of 16 below
  // it; a vector of 64-bit lanes takes two. As wide as the columns need (at most 4 vectors),
  // then as many rows as fit (at most 16): narrow products get tall blocks, so there are
  // always enough independent sums to hide the multiply-add latency.
  DType t = root.type.dtype;
  unsigned lanesBits = (t == DType::F16 || t == DType::BF16 ? 4 : byteSize(t)) * 8;
  unsigned perVector = lanesBits > 32 ? 2 : 1, registers = w >= 16 ? 24 : 12;
  unsigned maxVecs = w >= 16 ? 4 : 2;
  auto vectorsFor = [&](int64_t columns) {
    return unsigned(std::clamp<int64_t>((columns + w - 1) / int64_t(w), 1, maxVecs));
  };
  // Rows of a known count (a batch's matrices; the rows of a 2-D product are split over
  // threads) in equal blocks: 16 rows as 8 + 8, not 12 + 3 + 1.
  int64_t height = n > 2 ? domain[n - 2].asConstant().value_or(0) : 0;
  auto rowsFor = [&](unsigned vecs) {
    unsigned most = std::min(16u, registers / (vecs * perVector));
    if (height <= 0)
      return most;
    int64_t blocks = (height + most - 1) / most;
    return unsigned((height + blocks - 1) / blocks);
  };
  std::optional<int64_t> columns = domain.back().asConstant(), k = lhs.back().asConstant();
  unsigned vecs = columns ? vectorsFor(*columns) : maxVecs;
  // The packed panel: (a block of) K rows x vecs vectors of the compute type, in L1. Products
  // stored in their compute type block K when it is deeper than a panel (or unknown); f16
  // and bf16, whose partial sums would round, narrow the panel instead, or are not packed.
  int64_t vectorBytes = int64_t(w) * (lanesBits / 8);
  bool exactPartials = t != DType::F16 && t != DType::BF16;
  if (exactPartials) {
    int64_t panelRows = kMaxPanelBytes / (vecs * vectorBytes);
    out.packed = !k || *k > 0;
    out.depthBlock = !k || *k > panelRows ? panelRows : 0;
  } else {
    while (k && vecs > 1 && *k * vecs * vectorBytes > kMaxPanelBytes)
      --vecs;
    out.packed = k && *k > 0 && *k * vecs * vectorBytes <= kMaxPanelBytes;
  }
  out.tile = vecs;
  out.rows = rowsFor(vecs);
  out.tailTile = vecs;
  if (columns && *columns % (vecs * w))
    out.tailTile = vectorsFor(*columns % (vecs * w));
  out.tailRows = rowsFor(out.tailTile);
  out.vectors = fmt::format(
      "along the last axis, register blocks of {} rows x {} vectors (smaller at the edges)",
      out.rows, out.tile);
  if (out.packed)
    out.vectors += fmt::format("; the right operand packed in panels of {} x {} columns, "
                               "computed once per panel, the last one zero-padded{}",
                               out.depthBlock ? out.depthBlock : *k, vecs * w,
                               out.depthBlock ? "; K in blocks of that many rows, partial sums "
                                                "kept in the output"
                                              : "");
  if (s.epilogue)
    out.vectors += fmt::format("; the epilogue %{} from the sums in registers", *s.epilogue);
  return out;
}

std::string printSchedules(const transforms::KernelPlan &plan, const CodegenOptions &options) {
  std::string text = fmt::format("; schedules ({}-lane vectors):\n", options.vectorWidth);
  for (size_t k = 0; k < plan.stages.size(); ++k) {
    Schedule s = scheduleOf(plan, plan.stages[k], options);
    std::string loops;
    for (const std::string &l : s.loops)
      loops += (loops.empty() ? "" : " > ") + l;
    text += fmt::format(";   stage {}: loops {}; vectors: {}; threads: {}\n", k,
                        loops.empty() ? "none" : loops, s.vectors, s.threads);
  }
  return text;
}

} // namespace lamina::codegen
