// Sorting (docs/language.md, "Sorting"): sort, argsort and top_k along an axis of known size.
// Each element's place is counted, not found by a sorting loop: its rank is the number of
// elements that come before it (ties broken by position, so the order is stable), and the
// output at rank r picks the element whose rank is r. That is n * n comparisons per row,
// elementwise and fused like any other kernel, so sizes are capped at kMaxSorted.

#include "compiler/sema/Compose.h"
#include "compiler/types/Elements.h"

#include <fmt/format.h>

#include <limits>

namespace lamina::sema {
namespace {

using ir::Op;
using namespace compose;

constexpr int64_t kMaxSorted = 4096;

// NumPy's order: NaN after every number (descending: before).
Value before(Context &ctx, const Value &a, const Value &b, bool descending, SourceRange r) {
  if (!isFloat(ctx.typeOf(a.tensor).dtype))
    return ew(ctx, descending ? Op::Gt : Op::Lt, {a, b}, r);
  Value nanA = fun(ctx, Op::IsNan, a, r), nanB = fun(ctx, Op::IsNan, b, r);
  Value numbers = ew(ctx, descending ? Op::Gt : Op::Lt, {a, b}, r);
  // ascending: a number before NaN; descending: NaN first
  Value nanOrder = descending ? ew(ctx, Op::And, {nanA, ew(ctx, Op::Not, {nanB}, r)}, r)
                              : ew(ctx, Op::And, {nanB, ew(ctx, Op::Not, {nanA}, r)}, r);
  return ew(ctx, Op::Or, {numbers, nanOrder}, r);
}

Value same(Context &ctx, const Value &a, const Value &b, SourceRange r) {
  Value eq = ew(ctx, Op::Eq, {a, b}, r);
  if (!isFloat(ctx.typeOf(a.tensor).dtype))
    return eq;
  return ew(ctx, Op::Or,
            {eq, ew(ctx, Op::And, {fun(ctx, Op::IsNan, a, r), fun(ctx, Op::IsNan, b, r)}, r)}, r);
}

struct Ranked {
  Value x;    // the operand, its sorted axis last
  Value rank; // i64, x's shape: where each element goes
  int64_t n;  // the sorted axis's size
  int64_t axis;
};

// The rank of every element of `x` along `axis` (moved last).
std::optional<Ranked> rankAlong(Context &ctx, Value x, int64_t axis, bool descending, SourceRange r,
                                const CallArgs &a) {
  size_t rank = ctx.typeOf(x.tensor).rank();
  if (rank == 0) {
    ctx.fail(DiagKind::RankMismatch, a[0].range, fmt::format("`{}`", a.calledAs),
             "a tensor of rank 1 or more", 0);
    return std::nullopt;
  }
  if (axis != int64_t(rank) - 1) {
    std::vector<int64_t> perm;
    for (int64_t i = 0; i < int64_t(rank); ++i)
      if (i != axis)
        perm.push_back(i);
    perm.push_back(axis);
    x = Value::ofTensor(ctx.transpose(x.tensor, perm, r), r);
  }
  if (ctx.typeOf(x.tensor).dtype == DType::Bool)
    x = Value::ofTensor(ctx.cast(x.tensor, DType::I8, r), r);
  Shape s = ctx.typeOf(x.tensor).shape;
  if (!s.back().isConstant()) {
    ctx.fail(DiagKind::NeedsKnownDim, a.range, fmt::format("`{}`", a.calledAs), s.back().str());
    return std::nullopt;
  }
  int64_t n = s.back().constant();
  if (n > kMaxSorted) {
    ctx.fail(DiagKind::Unsupported, a.range, fmt::format("sorting {} elements", n),
             fmt::format("lamina sorts up to {} along an axis", kMaxSorted));
    return std::nullopt;
  }
  Shape rows = s, cols = s;
  rows.insert(rows.end() - 1, Dim(1)); // x_j along the last axis
  cols.push_back(Dim(1));              // x_i along the one before
  MaybeId xj = ctx.reshape(x.tensor, rows, r), xi = ctx.reshape(x.tensor, cols, r);
  if (!xj || !xi)
    return std::nullopt;
  Value vj = Value::ofTensor(*xj, r), vi = Value::ofTensor(*xi, r);
  Value j = Value::ofTensor(ctx.iota({Dim(n), Dim(n)}, 1, DType::I64, r), r);
  Value i = Value::ofTensor(ctx.iota({Dim(n), Dim(n)}, 0, DType::I64, r), r);
  Value earlierTie = ew(ctx, Op::And, {same(ctx, vj, vi, r), ew(ctx, Op::Lt, {j, i}, r)}, r);
  Value ahead = ew(ctx, Op::Or, {before(ctx, vj, vi, descending, r), earlierTie}, r);
  Value count =
      reduce(ctx, Op::ReduceSum, Value::ofTensor(ctx.cast(ahead.tensor, DType::I64, r), r),
             {int64_t(s.size())}, false, r);
  if (count.isError())
    return std::nullopt;
  return Ranked{x, count, n, axis};
}

// The values (or positions) placed at ranks 0 .. k-1, the sorted axis back where it was.
Value placed(Context &ctx, const Ranked &ranked, int64_t k, bool positions, SourceRange r) {
  Shape s = ctx.typeOf(ranked.x.tensor).shape;
  size_t last = s.size() - 1;
  Shape byRank = s;
  byRank.insert(byRank.end() - 1, Dim(1)); // [..., 1, n(i)]
  MaybeId rk = ctx.reshape(ranked.rank.tensor, byRank, r);
  Value source =
      positions ? Value::ofTensor(ctx.iota(s, int64_t(last), DType::I64, r), r) : ranked.x;
  MaybeId src = ctx.reshape(source.tensor, byRank, r);
  if (!rk || !src)
    return Value::error(r);
  Value target = Value::ofTensor(ctx.iota({Dim(k), Dim(1)}, 0, DType::I64, r), r); // [k, 1]
  Value hit = ew(ctx, Op::Eq, {Value::ofTensor(*rk, r), target}, r);
  DType t = ctx.typeOf(source.tensor).dtype;
  // One element has each rank: a max over the row against the lowest value keeps it exactly
  // (its NaN, its -0.0).
  Value lowest =
      isFloat(t) ? Value::ofTensor(ctx.scalar(t, -std::numeric_limits<double>::infinity(), r), r)
                 : Value::ofTensor(ctx.scalarInt(t, lowestInt(t), r), r);
  Value out =
      reduce(ctx, Op::ReduceMax, ew(ctx, Op::Select, {hit, Value::ofTensor(*src, r), lowest}, r),
             {int64_t(s.size())}, false, r);
  if (out.isError() || ranked.axis == int64_t(last))
    return out;
  std::vector<int64_t> perm;
  for (int64_t i = 0; i < int64_t(last); ++i) {
    if (i == ranked.axis)
      perm.push_back(int64_t(last));
    perm.push_back(i);
  }
  if (ranked.axis == int64_t(last))
    perm.push_back(int64_t(last));
  return Value::ofTensor(ctx.transpose(out.tensor, perm, r), r);
}

std::optional<bool> descendingArg(Context &ctx, const CallArgs &a, size_t slot) {
  static constexpr std::string_view kDirections[] = {"ASCENDING", "DESCENDING"};
  auto d = stringArg(ctx, a, slot, kDirections);
  return d ? std::optional(*d == "DESCENDING") : std::nullopt;
}

template <bool Positions, DType IndexType = DType::I64>
Value sortOrArgsort(Context &ctx, const CallArgs &a) {
  Value x = tensorOf(ctx, a[0]);
  auto descending = descendingArg(ctx, a, 2);
  if (x.isError() || !descending)
    return Value::error(a.range);
  auto axis = axisArg(ctx, a, 1, ctx.typeOf(x.tensor).rank());
  auto ranked = axis ? rankAlong(ctx, x, *axis, *descending, a.range, a) : std::nullopt;
  if (!ranked)
    return Value::error(a.range);
  Value out = placed(ctx, *ranked, ranked->n, Positions, a.range);
  if (!Positions || out.isError())
    return out;
  return Value::ofTensor(ctx.cast(out.tensor, IndexType, a.range), a.range);
}

// top_k(x, k, sorted): the k largest along the last axis, largest first, and their indices
// (i32, as TensorFlow); ties keep the earlier element first.
Value topK(Context &ctx, const CallArgs &a) {
  Value x = tensorOf(ctx, a[0]);
  auto k = intArg(ctx, a, 1);
  auto sorted = boolArg(ctx, a, 2);
  if (x.isError() || !k || !sorted)
    return Value::error(a.range);
  size_t rank = ctx.typeOf(x.tensor).rank();
  auto ranked = rank ? rankAlong(ctx, x, int64_t(rank) - 1, true, a.range, a) : std::nullopt;
  if (!ranked)
    return rank ? Value::error(a.range)
                : ctx.fail(DiagKind::RankMismatch, a[0].range, "`top_k`",
                           "a tensor of rank 1 or more", 0);
  if (*k < 0 || *k > ranked->n)
    return ctx.failWithLabel(fmt::format("k must be from 0 to {}", ranked->n), DiagKind::DoesNotFit,
                             a[1].range, fmt::format("`k` = {}", *k),
                             fmt::format("a last axis of size {}", ranked->n));
  Value values = placed(ctx, *ranked, *k, false, a.range);
  Value indices = placed(ctx, *ranked, *k, true, a.range);
  if (values.isError() || indices.isError())
    return Value::error(a.range);
  Value out =
      Value::seq({values, Value::ofTensor(ctx.cast(indices.tensor, DType::I32, a.range), a.range)},
                 true, a.range);
  static const auto kFields = std::make_shared<const std::vector<std::string>>(
      std::vector<std::string>{"values", "indices"}); // TensorFlow's TopKV2
  out.fields = kFields;
  return out;
}

constexpr BuiltinDef kSorting[] = {
    {"sort", "x|a|values, axis=-1, direction='ASCENDING', kind=None", sortOrArgsort<false>,
     "sorted along axis, NaN last (stable)"},
    {"argsort", "x|a|values, axis=-1, direction='ASCENDING', kind=None", sortOrArgsort<true>,
     "the positions that sort along axis, as i64 (stable)"},
    {"_tf_argsort", "values|x, axis=-1, direction='ASCENDING', kind=None",
     sortOrArgsort<true, DType::I32>, "argsort; the positions as i32 (TensorFlow)"},
    {"top_k", "x|input, k=1, sorted=True", topK,
     "(values, indices): the k largest along the last axis, largest first; indices i32"},
};

} // namespace

std::span<const BuiltinDef> sortBuiltins() { return kSorting; }

} // namespace lamina::sema
