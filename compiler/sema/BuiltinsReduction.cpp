// Reductions (docs/language.md, "Reductions"): `axis=None|int|tuple`, `keepdims=False`. Global
// reductions give 0-d results. Composite ones (mean, var, logsumexp, l2_normalize) are written
// as their formulas over the primitive reductions.

#include "compiler/sema/Compose.h"

#include <cmath>

namespace lamina::sema {
namespace {

using ir::Op;
using namespace compose;

// The common front of every reduction: the tensor, its axes and keepdims.
struct Reduction {
  Value x;
  std::vector<int64_t> axes;
  bool keepdims = false;
};

std::optional<Reduction> reductionArgs(Context &ctx, const CallArgs &a, size_t axisSlot = 1,
                                       size_t keepdimsSlot = 2) {
  Value x = tensorOf(ctx, a[0]);
  if (x.isError())
    return std::nullopt;
  auto axes = axesArg(ctx, a, axisSlot, ctx.typeOf(x.tensor).rank());
  auto keep = boolArg(ctx, a, keepdimsSlot);
  if (!axes || !keep)
    return std::nullopt;
  return Reduction{x, *axes, *keep};
}

template <Op O> Value plain(Context &ctx, const CallArgs &a) {
  auto red = reductionArgs(ctx, a);
  if (!red)
    return Value::error(a.range);
  Value x = red->x;
  DType t = ctx.typeOf(x.tensor).dtype;
  if ((O == Op::ReduceSum || O == Op::ReduceProd) && t == DType::Bool)
    x = Value::ofTensor(ctx.cast(x.tensor, DType::I64, a.range), a.range);
  if ((O == Op::ReduceAny || O == Op::ReduceAll) && t != DType::Bool)
    x = ew(ctx, Op::Ne, {x, num(0, a.range)}, a.range);
  return reduce(ctx, O, x, red->axes, red->keepdims, a.range);
}

// What NumPy sums and multiplies `x` in: the `dtype` argument (slot `dtypeSlot`) when given;
// else NumPy's platform integer of the same signedness: int64 for bools and signed integers,
// uint64 for unsigned ones (np.sum of u16 is u64).
Value numpyAccumulator(Context &ctx, const Value &x, const CallArgs &a, size_t dtypeSlot) {
  DType t = ctx.typeOf(x.tensor).dtype;
  DType fallback = isFloat(t) ? t : isUnsigned(t) ? DType::U64 : DType::I64;
  auto to = dtypeArg(ctx, a, dtypeSlot, fallback);
  return to ? Value::ofTensor(ctx.cast(x.tensor, *to, a.range), a.range) : Value::error(a.range);
}

template <Op O> Value numpyPlain(Context &ctx, const CallArgs &a) {
  auto red = reductionArgs(ctx, a, 1, 3);
  if (!red)
    return Value::error(a.range);
  Value x = numpyAccumulator(ctx, red->x, a, 2);
  return x.isError() ? x : reduce(ctx, O, x, red->axes, red->keepdims, a.range);
}

Value meanOf(Context &ctx, const Reduction &red, SourceRange r) {
  Value x = toFloat(ctx, red.x, r);
  Value sum = reduce(ctx, Op::ReduceSum, x, red.axes, red.keepdims, r);
  return ew(ctx, Op::Div, {sum, countOf(ctx, red.x, red.axes, r)}, r);
}

Value mean(Context &ctx, const CallArgs &a) {
  auto red = reductionArgs(ctx, a);
  return red ? meanOf(ctx, *red, a.range) : Value::error(a.range);
}

// The reduction of NumPy's mean, var and std: in `dtype` when given, else integers and
// bools in float64.
std::optional<Reduction> numpyFloatReduction(Context &ctx, const CallArgs &a) {
  auto red = reductionArgs(ctx, a, 1, 3);
  if (!red)
    return std::nullopt;
  DType t = ctx.typeOf(red->x.tensor).dtype;
  auto to = dtypeArg(ctx, a, 2, isFloat(t) ? t : DType::F64);
  if (!to)
    return std::nullopt;
  red->x = Value::ofTensor(ctx.cast(red->x.tensor, *to, a.range), a.range);
  return red;
}

Value numpyMean(Context &ctx, const CallArgs &a) {
  auto red = numpyFloatReduction(ctx, a);
  return red ? meanOf(ctx, *red, a.range) : Value::error(a.range);
}

// tf.reduce_mean (and Keras 2's K.mean) of integers is an integer: the sum divided by the
// count, truncated toward zero, in the input's dtype. Bools are refused, as TensorFlow does.
Value tensorFlowMean(Context &ctx, const CallArgs &a) {
  auto red = reductionArgs(ctx, a);
  if (!red)
    return Value::error(a.range);
  SourceRange r = a.range;
  DType t = ctx.typeOf(red->x.tensor).dtype;
  if (isFloat(t))
    return meanOf(ctx, *red, r);
  if (t == DType::Bool)
    return ctx.fail(DiagKind::WrongKind, a[0].range, argName(a, 0),
                    "a number tensor (TensorFlow "
                    "has no mean of bools; cast first)",
                    ctx.describe(red->x));
  // TensorFlow sums narrower integers in 64 bits (an i8 mean of 100s is 100, not wrapped).
  Value wide = Value::ofTensor(ctx.cast(red->x.tensor, DType::I64, r), r);
  Value sum = reduce(ctx, Op::ReduceSum, wide, red->axes, red->keepdims, r);
  Value sum64 = Value::ofTensor(ctx.cast(sum.tensor, DType::F64, r), r);
  Value q =
      fun(ctx, Op::Trunc, ew(ctx, Op::Div, {sum64, countOf(ctx, red->x, red->axes, r)}, r), r);
  return q.isError() ? q : Value::ofTensor(ctx.cast(q.tensor, t, r), r);
}

// Keras 2's K.mean: bools cast to floatx first (an accuracy written as a mean of equals), else
// TensorFlow's mean.
Value keras2Mean(Context &ctx, const CallArgs &a) {
  MaybeId x = tensorArg(ctx, a, 0);
  if (!x || ctx.typeOf(*x).dtype != DType::Bool)
    return x ? tensorFlowMean(ctx, a) : Value::error(a.range);
  CallArgs cast = a;
  cast.values[0] = Value::ofTensor(ctx.cast(*x, kDefaultFloat, a.range), a[0].range);
  return tensorFlowMean(ctx, cast);
}

// var = mean(|x - mean(x)|^2) / (n - ddof) * n; written as sum(d * d) / (n - ddof).
Value varianceOf(Context &ctx, const Reduction &given, int64_t ddof, SourceRange r) {
  Reduction red = given;
  red.x = toFloat(ctx, red.x, r); // integers: the default float, as mean
  Reduction keep = red;
  keep.keepdims = true;
  Value m = meanOf(ctx, keep, r);
  Value d = ew(ctx, Op::Sub, {red.x, m}, r);
  Value sum = reduce(ctx, Op::ReduceSum, ew(ctx, Op::Mul, {d, d}, r), red.axes, red.keepdims, r);
  Value n = countOf(ctx, red.x, red.axes, r);
  if (ddof != 0)
    n = binaryOp(ctx, ast::BinaryOp::Sub, n, Value::integer(ddof, r), r);
  return ew(ctx, Op::Div, {sum, n}, r);
}

template <bool Root> Value numpyVar(Context &ctx, const CallArgs &a) {
  auto red = numpyFloatReduction(ctx, a);
  auto ddof = intArg(ctx, a, 4);
  if (!red || !ddof)
    return Value::error(a.range);
  Value v = varianceOf(ctx, *red, *ddof, a.range);
  return Root ? fun(ctx, Op::Sqrt, v, a.range) : v;
}

Value var(Context &ctx, const CallArgs &a) {
  auto red = reductionArgs(ctx, a);
  auto ddof = intArg(ctx, a, 3);
  return red && ddof ? varianceOf(ctx, *red, *ddof, a.range) : Value::error(a.range);
}

Value stdDev(Context &ctx, const CallArgs &a) {
  auto red = reductionArgs(ctx, a);
  auto ddof = intArg(ctx, a, 3);
  if (!red || !ddof)
    return Value::error(a.range);
  return fun(ctx, Op::Sqrt, varianceOf(ctx, *red, *ddof, a.range), a.range);
}

// tf.nn.moments: (mean, variance) over the given axes, both from the same centred values.
Value moments(Context &ctx, const CallArgs &a) {
  auto red = reductionArgs(ctx, a, 1, 3);
  if (!red)
    return Value::error(a.range);
  return Value::seq({meanOf(ctx, *red, a.range), varianceOf(ctx, *red, 0, a.range)}, true, a.range);
}

// tf.math.reduce_euclidean_norm: sqrt(sum(x^2)). Integers stay integers, as in TensorFlow
// (the root computed in f64 and truncated).
Value euclideanNorm(Context &ctx, const CallArgs &a) {
  auto red = reductionArgs(ctx, a);
  if (!red)
    return Value::error(a.range);
  SourceRange r = a.range;
  DType t = ctx.typeOf(red->x.tensor).dtype;
  Value x = isFloat(t) ? red->x : Value::ofTensor(ctx.cast(red->x.tensor, DType::F64, r), r);
  Value root =
      fun(ctx, Op::Sqrt,
          reduce(ctx, Op::ReduceSum, ew(ctx, Op::Mul, {x, x}, r), red->axes, red->keepdims, r), r);
  if (isFloat(t) || root.isError())
    return root;
  return Value::ofTensor(ctx.cast(fun(ctx, Op::Trunc, root, r).tensor, t, r), r);
}

// logsumexp = m + log(sum(exp(x - m))) with m the max, replaced by 0 where it is infinite so
// that a row of -inf gives -inf rather than NaN.
Value logsumexp(Context &ctx, const CallArgs &a) {
  auto red = reductionArgs(ctx, a);
  if (!red)
    return Value::error(a.range);
  SourceRange r = a.range;
  Value x = toFloat(ctx, red->x, r);
  Value m = reduce(ctx, Op::ReduceMax, x, red->axes, true, r);
  Value finite = ew(ctx, Op::Select, {fun(ctx, Op::IsFinite, m, r), m, num(0, r)}, r);
  Value s = reduce(ctx, Op::ReduceSum, fun(ctx, Op::Exp, ew(ctx, Op::Sub, {x, finite}, r), r),
                   red->axes, true, r);
  Value out = ew(ctx, Op::Add, {fun(ctx, Op::Log, s, r), finite}, r);
  return red->keepdims ? out : squeezeAxes(ctx, out, red->axes, r);
}

// count_nonzero gives i64 (NumPy, TensorFlow); Keras 3's ops.count_nonzero gives i32.
template <DType Count> Value countNonzero(Context &ctx, const CallArgs &a) {
  auto red = reductionArgs(ctx, a);
  if (!red)
    return Value::error(a.range);
  Value nz = ew(ctx, Op::Ne, {red->x, num(0, a.range)}, a.range);
  Value asInt = Value::ofTensor(ctx.cast(nz.tensor, Count, a.range), a.range);
  return reduce(ctx, Op::ReduceSum, asInt, red->axes, red->keepdims, a.range);
}

// norm(x, ord): 2 (the default, also 'fro' and 'euclidean'), 1 or inf over the given axes.
Value norm(Context &ctx, const CallArgs &a) {
  auto red = reductionArgs(ctx, a, 2, 3);
  if (!red)
    return Value::error(a.range);
  SourceRange r = a.range;
  Value x = toFloat(ctx, red->x, r);
  const Value &ord = a[1];
  bool two = ord.kind == Value::Kind::None ||
             (ord.kind == Value::Kind::String && (ord.s == "fro" || ord.s == "euclidean")) ||
             (ord.isNumber() && !ord.isSeq() &&
              ((ord.kind == Value::Kind::Int && ord.i == Dim(2)) ||
               (ord.kind == Value::Kind::Float && ord.f == 2.0)));
  if (two)
    return fun(ctx, Op::Sqrt,
               reduce(ctx, Op::ReduceSum, ew(ctx, Op::Mul, {x, x}, r), red->axes, red->keepdims, r),
               r);
  Value ax = tensorValue(ctx.unary(Op::Abs, x.tensor, r), r);
  if ((ord.kind == Value::Kind::Int && ord.i == Dim(1)) ||
      (ord.kind == Value::Kind::Float && ord.f == 1.0))
    return reduce(ctx, Op::ReduceSum, ax, red->axes, red->keepdims, r);
  if (ord.kind == Value::Kind::Float && std::isinf(ord.f) && ord.f > 0)
    return reduce(ctx, Op::ReduceMax, ax, red->axes, red->keepdims, r);
  return ctx.fail(DiagKind::Unsupported, ord.range, "this `ord`",
                  "lamina supports 1, 2, inf, 'fro' and 'euclidean'");
}

// TensorFlow's formula: x * rsqrt(max(sum(x^2), epsilon)).
Value l2Normalize(Context &ctx, const CallArgs &a) {
  Value x = tensorOf(ctx, a[0]);
  if (x.isError())
    return x;
  auto axes = axesArg(ctx, a, 1, ctx.typeOf(x.tensor).rank());
  auto eps = floatArg(ctx, a, 2);
  if (!axes || !eps)
    return Value::error(a.range);
  SourceRange r = a.range;
  x = toFloat(ctx, x, r);
  Value sq = reduce(ctx, Op::ReduceSum, ew(ctx, Op::Mul, {x, x}, r), *axes, true, r);
  Value inv = ew(ctx, Op::Div,
                 {num(1, r), fun(ctx, Op::Sqrt, ew(ctx, Op::Max, {sq, num(*eps, r)}, r), r)}, r);
  return ew(ctx, Op::Mul, {x, inv}, r);
}

// argmax/argmin over one axis; None flattens first (NumPy).
template <Op O> Value argReduce(Context &ctx, const CallArgs &a) {
  Value x = tensorOf(ctx, a[0]);
  if (x.isError())
    return x;
  auto keep = boolArg(ctx, a, 2);
  auto dtype = dtypeArg(ctx, a, 3, DType::I64);
  if (!keep || !dtype)
    return Value::error(a.range);
  if (!isInteger(*dtype))
    return ctx.fail(DiagKind::WrongKind, a[3].range, argName(a, 3), "an integer dtype",
                    ctx.describe(a[3]));
  size_t rank = ctx.typeOf(x.tensor).rank();
  Value out;
  if (a.isNone(1)) {
    out = reduce(ctx, O, flat(ctx, x, a.range), {0}, false, a.range);
    if (*keep && !out.isError())
      out = tensorValue(ctx.reshape(out.tensor, Shape(rank, Dim(1)), a.range), a.range);
  } else {
    auto axis = axisArg(ctx, a, 1, rank);
    out = axis ? reduce(ctx, O, x, {*axis}, *keep, a.range) : Value::error(a.range);
  }
  return out.isError() ? out : Value::ofTensor(ctx.cast(out.tensor, *dtype, a.range), a.range);
}

// A running sum or product along `axis` of `a` (None flattens first), with TensorFlow's
// options: `reverse` scans from the end, `exclusive` leaves each element out of its own sum
// (the first is 0, or 1 for a product).
template <Op O>
Value scanOf(Context &ctx, Value x, const CallArgs &a, bool exclusive, bool reversed) {
  if (a.isNone(1))
    x = flat(ctx, x, a.range);
  if (x.isError())
    return x;
  auto axis =
      a.isNone(1) ? std::optional<int64_t>(0) : axisArg(ctx, a, 1, ctx.typeOf(x.tensor).rank());
  if (!axis)
    return Value::error(a.range);
  if (reversed)
    x = reverseAxes(ctx, x, {*axis}, a.range);
  ir::Instr in{O, ctx.typeOf(x.tensor), {x.tensor}, a.range, ir::AxisAttrs{*axis}};
  Value out = Value::ofTensor(ctx.append(std::move(in)), a.range);
  if (exclusive)
    out = shiftAlong(ctx, out, *axis, O == Op::CumProd ? 1 : 0, a.range);
  return reversed ? reverseAxes(ctx, out, {*axis}, a.range) : out;
}

// cumsum(x, axis, *, exclusive, reverse): bools count as i64.
template <Op O> Value scan(Context &ctx, const CallArgs &a) {
  Value x = tensorOf(ctx, a[0]);
  auto exclusive = boolArg(ctx, a, 2);
  auto reversed = boolArg(ctx, a, 3);
  if (x.isError() || !exclusive || !reversed)
    return Value::error(a.range);
  if (ctx.typeOf(x.tensor).dtype == DType::Bool)
    x = Value::ofTensor(ctx.cast(x.tensor, DType::I64, a.range), a.range);
  return scanOf<O>(ctx, x, a, *exclusive, *reversed);
}

// NumPy's cumsum(a, axis, dtype): in dtype when given, else as numpyAccumulator: bools and
// signed integers as i64, unsigned ones as u64.
template <Op O> Value numpyScan(Context &ctx, const CallArgs &a) {
  Value x = tensorOf(ctx, a[0]);
  if (x.isError())
    return x;
  x = numpyAccumulator(ctx, x, a, 2);
  return x.isError() ? x : scanOf<O>(ctx, x, a, false, false);
}

constexpr std::string_view kReduce = "x, axis|dim=None, keepdims|keep_dims=False";
constexpr std::string_view kNumPyReduce = "a|x, axis=None, dtype=None, *, keepdims=False";

constexpr BuiltinDef kReductions[] = {
    {"sum", kReduce, plain<Op::ReduceSum>, "sum; bool counts as i64"},
    {"prod", kReduce, plain<Op::ReduceProd>, "product; bool counts as i64"},
    {"max", kReduce, plain<Op::ReduceMax>, "maximum; NaN if any element is NaN"},
    {"min", kReduce, plain<Op::ReduceMin>, "minimum; NaN if any element is NaN"},
    {"any", kReduce, plain<Op::ReduceAny>, "bool: some element is nonzero"},
    {"all", kReduce, plain<Op::ReduceAll>, "bool: every element is nonzero"},
    {"mean", kReduce, mean, "arithmetic mean; integers give the default float"},
    {"var", "x, axis|dim=None, keepdims|keep_dims=False, ddof=0", var,
     "variance, divided by n - ddof"},
    {"std", "x, axis|dim=None, keepdims|keep_dims=False, ddof=0", stdDev, "standard deviation"},
    {"logsumexp", kReduce, logsumexp, "`log(sum(exp(x)))` without overflow"},
    {"count_nonzero", kReduce, countNonzero<DType::I64>, "number of nonzero elements, as i64"},
    {"norm", "x, ord=None, axis=None, keepdims=False", norm,
     "vector norm: ord 2 (default, 'fro', 'euclidean'), 1 or inf"},
    {"l2_normalize", "x, axis|dim=None, epsilon=1e-12", l2Normalize,
     "`x / sqrt(max(sum(x ** 2, axis), epsilon))`"},
    {"moments", "x, axes|axis, shift=None, keepdims|keep_dims=False", moments,
     "(mean, variance) over axes (tf.nn.moments; shift is ignored)"},
    {"reduce_euclidean_norm", kReduce, euclideanNorm,
     "`sqrt(sum(x ** 2))`; integers stay integers (TensorFlow)"},
    {"argmax", "x, axis=None, keepdims=False, *, output_type|dtype=None", argReduce<Op::ArgMax>,
     "index of the first maximum, as i64 (or output_type); a NaN counts as the maximum"},
    {"argmin", "x, axis=None, keepdims=False, *, output_type|dtype=None", argReduce<Op::ArgMin>,
     "index of the first minimum, as i64 (or output_type); a NaN counts as the minimum"},
    {"cumsum", "x, axis=None, *, exclusive=False, reverse=False", scan<Op::CumSum>,
     "running sum; None flattens first; TensorFlow's exclusive and reverse"},
    {"cumprod", "x, axis=None, *, exclusive=False, reverse=False", scan<Op::CumProd>,
     "running product; None flattens first; TensorFlow's exclusive and reverse"},
    // The spellings whose API gives other dtypes (Aliases.cpp).
    {"_np_sum", kNumPyReduce, numpyPlain<Op::ReduceSum>,
     "sum; bools, signed integers as i64, unsigned as u64 (NumPy)"},
    {"_np_prod", kNumPyReduce, numpyPlain<Op::ReduceProd>,
     "product; bools, signed integers as i64, unsigned as u64 (NumPy)"},
    {"_np_mean", kNumPyReduce, numpyMean, "mean; integers in f64 unless dtype says (NumPy)"},
    {"_np_var", "a|x, axis=None, dtype=None, *, keepdims=False, ddof=0", numpyVar<false>,
     "variance; integers in f64 unless dtype says (NumPy)"},
    {"_np_std", "a|x, axis=None, dtype=None, *, keepdims=False, ddof=0", numpyVar<true>,
     "standard deviation; integers in f64 unless dtype says (NumPy)"},
    {"_np_cumsum", "a|x, axis=None, dtype=None", numpyScan<Op::CumSum>,
     "running sum; bools, signed integers as i64, unsigned as u64 (NumPy)"},
    {"_np_cumprod", "a|x, axis=None, dtype=None", numpyScan<Op::CumProd>,
     "running product; bools, signed integers as i64, unsigned as u64 (NumPy)"},
    {"_tf_mean", kReduce, tensorFlowMean, "mean; integers truncated, in their dtype (TensorFlow)"},
    {"_keras2_mean", kReduce, keras2Mean, "mean; bools as floatx, integers truncated (Keras 2)"},
    {"_keras_count_nonzero", kReduce, countNonzero<DType::I32>,
     "number of nonzero elements, as i32 (Keras 3)"},
};

} // namespace

std::span<const BuiltinDef> reductionBuiltins() { return kReductions; }

} // namespace lamina::sema
