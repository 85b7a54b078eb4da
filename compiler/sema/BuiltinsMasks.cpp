// Builtins that make masks from positions (docs/language.md, "Masks"): the triangles and bands
// of a matrix (causal attention masks), sequence masks from lengths, and one-hot rows. Each
// compares iotas, so nothing is stored: the comparison fuses into its reader.

#include "compiler/sema/Compose.h"

#include <fmt/format.h>

namespace lamina::sema {
namespace {

using ir::Op;
using namespace compose;

// `x` where the diagonal offset `j - i` of the last two axes lies in [lowest, highest], else 0.
Value keepDiagonals(Context &ctx, const CallArgs &a, std::optional<int64_t> lowest,
                    std::optional<int64_t> highest) {
  SourceRange r = a.range;
  Value x = tensorOf(ctx, a[0]);
  if (x.isError())
    return x;
  const Shape shape = ctx.typeOf(x.tensor).shape;
  if (shape.size() < 2)
    return ctx.fail(DiagKind::RankMismatch, a[0].range, fmt::format("`{}`", a.calledAs),
                    "a matrix or a batch of them", shape.size());
  Shape matrix{shape[shape.size() - 2], shape.back()};
  Value rows = Value::ofTensor(ctx.iota(matrix, 0, DType::I64, r), r);
  Value cols = Value::ofTensor(ctx.iota(matrix, 1, DType::I64, r), r);
  Value offset = ew(ctx, Op::Sub, {cols, rows}, r);
  Value keep = Value::boolean(true, r);
  if (lowest)
    keep = ew(ctx, Op::Ge, {offset, Value::integer(*lowest, r)}, r);
  if (highest) {
    Value below = ew(ctx, Op::Le, {offset, Value::integer(*highest, r)}, r);
    keep = lowest ? ew(ctx, Op::And, {keep, below}, r) : below;
  }
  Value zero = Value::ofTensor(ctx.scalarInt(ctx.typeOf(x.tensor).dtype, 0, r), r);
  return ew(ctx, Op::Select, {keep, x, zero}, r);
}

// np.tril(m, k): zero above the k-th diagonal.
Value tril(Context &ctx, const CallArgs &a) {
  auto k = intArg(ctx, a, 1);
  return k ? keepDiagonals(ctx, a, std::nullopt, *k) : Value::error(a.range);
}

// np.triu(m, k): zero below the k-th diagonal.
Value triu(Context &ctx, const CallArgs &a) {
  auto k = intArg(ctx, a, 1);
  return k ? keepDiagonals(ctx, a, *k, std::nullopt) : Value::error(a.range);
}

// tf.linalg.band_part(x, num_lower, num_upper): keep num_lower diagonals below the main one
// and num_upper above; a negative count keeps the whole triangle.
Value bandPart(Context &ctx, const CallArgs &a) {
  auto lower = intArg(ctx, a, 1), upper = intArg(ctx, a, 2);
  if (!lower || !upper)
    return Value::error(a.range);
  return keepDiagonals(ctx, a, *lower < 0 ? std::nullopt : std::optional(-*lower),
                       *upper < 0 ? std::nullopt : std::optional(*upper));
}

// tf.sequence_mask(lengths, maxlen, dtype): mask[..., j] = j < lengths[...].
Value sequenceMask(Context &ctx, const CallArgs &a) {
  SourceRange r = a.range;
  Value lengths = tensorOf(ctx, a[0]);
  if (lengths.isError())
    return lengths;
  if (a.isNone(1))
    return ctx.fail(DiagKind::Unsupported, r, "`sequence_mask` without `maxlen`",
                    "its width would be max(lengths), known only from the data; pass maxlen "
                    "(e.g. `maxlen=x.shape[1]`)");
  auto dtype = dtypeArg(ctx, a, 2, DType::Bool);
  if (!dtype)
    return Value::error(r);
  const Value &maxlen = a[1];
  if (maxlen.kind != Value::Kind::Int)
    return ctx.fail(DiagKind::ExpectedConstant, maxlen.range, argName(a, 1), ctx.describe(maxlen));
  const TensorType t = ctx.typeOf(lengths.tensor);
  Shape expanded = t.shape;
  expanded.push_back(Dim(1));
  MaybeId column = ctx.reshape(lengths.tensor, expanded, r);
  if (!column)
    return Value::error(r);
  Value positions = Value::ofTensor(ctx.iota({maxlen.i}, 0, DType::I64, r), r);
  Value mask = ew(ctx, Op::Lt, {positions, Value::ofTensor(*column, r)}, r);
  return mask.isError() ? mask : Value::ofTensor(ctx.cast(mask.tensor, *dtype, r), r);
}

// one_hot(indices, depth, on_value=1, off_value=0, axis=-1, dtype): TensorFlow's meaning. The
// dtype is the given one, else on/off_value's (a Python int is i32, as TF converts it), else
// the default float.
Value oneHot(Context &ctx, const CallArgs &a) {
  SourceRange r = a.range;
  Value idx = tensorOf(ctx, a[0]);
  auto depth = intArg(ctx, a, 1);
  if (idx.isError() || !depth)
    return Value::error(r);
  const TensorType ti = ctx.typeOf(idx.tensor); // a copy: the IR grows below
  if (!isInteger(ti.dtype))
    return ctx.fail(DiagKind::WrongKind, a[0].range, argName(a, 0), "integer indices",
                    ctx.describe(idx));
  std::optional<DType> fallback = kDefaultFloat;
  for (size_t slot : {2, 3}) {
    const Value &v = a[slot];
    if (v.kind == Value::Kind::Tensor)
      fallback = ctx.typeOf(v.tensor).dtype;
    else if (v.kind == Value::Kind::Int)
      fallback = DType::I32;
    else if (v.kind == Value::Kind::Bool)
      fallback = DType::Bool;
  }
  auto dtype = dtypeArg(ctx, a, 5, fallback);
  if (!dtype)
    return Value::error(r);
  size_t rank = ti.rank() + 1;
  std::optional<int64_t> axis = int64_t(rank) - 1;
  if (!a.isNone(4)) {
    axis = intArg(ctx, a, 4);
    if (!axis)
      return Value::error(r);
    if (*axis < -int64_t(rank) || *axis >= int64_t(rank))
      return ctx.fail(DiagKind::AxisOutOfRange, a[4].range, *axis, rank);
    if (*axis < 0)
      *axis += int64_t(rank);
  }
  Shape expanded = ti.shape;
  expanded.push_back(1);
  // Compared as i64: a depth beyond the index type's range must not wrap (u8 index, depth 300).
  MaybeId e = ctx.reshape(ctx.cast(idx.tensor, DType::I64, r), expanded, r);
  if (!e)
    return Value::error(r);
  Value hot = ew(
      ctx, Op::Eq,
      {Value::ofTensor(*e, r), Value::ofTensor(ctx.iota({Dim(*depth)}, 0, DType::I64, r), r)}, r);
  Value on = a.isNone(2) ? Value::integer(1, r) : a[2];
  Value off = a.isNone(3) ? Value::integer(0, r) : a[3];
  MaybeId onT = toTensor(ctx, on, *dtype), offT = toTensor(ctx, off, *dtype);
  if (hot.isError() || !onT || !offT)
    return Value::error(r);
  Value out = ew(ctx, Op::Select, {hot, Value::ofTensor(*onT, r), Value::ofTensor(*offT, r)}, r);
  if (out.isError() || *axis == int64_t(rank) - 1)
    return out;
  std::vector<int64_t> perm;
  for (int64_t i = 0; i + 1 < int64_t(rank); ++i) {
    if (i == *axis)
      perm.push_back(int64_t(rank) - 1);
    perm.push_back(i);
  }
  return Value::ofTensor(ctx.transpose(out.tensor, perm, r), r);
}

constexpr BuiltinDef kMasks[] = {
    {"tril", "x|m, k=0", tril, "zero above the k-th diagonal of the last two axes"},
    {"triu", "x|m, k=0", triu, "zero below the k-th diagonal of the last two axes"},
    {"band_part", "input|x, num_lower, num_upper", bandPart,
     "keep num_lower diagonals below and num_upper above (negative: all)"},
    {"sequence_mask", "lengths, maxlen=None, dtype=None", sequenceMask,
     "`arange(maxlen) < lengths[..., None]` as dtype (default bool)"},
    {"one_hot", "indices, depth|num_classes, on_value=None, off_value=None, axis=None, dtype=None",
     oneHot, "on_value (1) where `indices[..., None] == arange(depth)`, else off_value (0)"},
};

} // namespace

std::span<const BuiltinDef> maskBuiltins() { return kMasks; }

} // namespace lamina::sema
