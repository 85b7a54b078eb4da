// Elementwise builtins (docs/language.md, "Elementwise"): math functions, comparisons by name,
// where, clip, cast. Binary ones promote their operands like the operators do.

#include "compiler/sema/Compose.h"

#include <fmt/format.h>

#include <limits>

namespace lamina::sema {
namespace {

using ir::Op;
using namespace compose;

template <Op O> Value floatUnary(Context &ctx, const CallArgs &a) {
  return applyFloatUnary(ctx, O, a[0], a.range);
}

template <Op O> Value binary(Context &ctx, const CallArgs &a) {
  return applyElementwise(ctx, O, {a[0], a[1]}, a.calledAs, a.range);
}

template <Op O> Value logical(Context &ctx, const CallArgs &a) {
  return applyLogical(ctx, O, {a[0], a[1]}, a.calledAs, a.range);
}

// abs, sign, negative keep integer types; bool has no sign.
template <Op O> Value sameTypeUnary(Context &ctx, const CallArgs &a) {
  auto dtype = promoteValues(ctx, {a[0]}, a.calledAs, true, a.range);
  MaybeId t = dtype ? toTensor(ctx, a[0], *dtype) : std::nullopt;
  return tensorValue(t ? ctx.unary(O, *t, a.range) : std::nullopt, a.range);
}

// isnan, isinf, isfinite: integers are converted to float first (and are always finite).
template <Op O> Value predicate(Context &ctx, const CallArgs &a) {
  auto dtype = promoteValues(ctx, {a[0]}, a.calledAs, false, a.range);
  if (!dtype)
    return Value::error(a.range);
  MaybeId t = toTensor(ctx, a[0], ctx.floatFor(*dtype));
  return tensorValue(t ? ctx.unary(O, *t, a.range) : std::nullopt, a.range);
}

Value square(Context &ctx, const CallArgs &a) {
  return applyElementwise(ctx, Op::Mul, {a[0], a[0]}, a.calledAs, a.range);
}

Value rsqrt(Context &ctx, const CallArgs &a) {
  Value root = applyFloatUnary(ctx, Op::Sqrt, a[0], a.range);
  return applyElementwise(ctx, Op::Div, {Value::real(1.0, a.range), root}, a.calledAs, a.range);
}

Value reciprocal(Context &ctx, const CallArgs &a) {
  return applyElementwise(ctx, Op::Div, {Value::real(1.0, a.range), a[0]}, a.calledAs, a.range);
}

// K.sqrt: Keras 2's backend clips at 0 first, so a negative gives 0 (NaN stays NaN).
Value backendSqrt(Context &ctx, const CallArgs &a) {
  Value x = tensorOf(ctx, a[0]);
  if (x.isError())
    return x;
  Value clipped = ew(ctx, Op::Max, {toFloat(ctx, x, a.range), num(0, a.range)}, a.range);
  return applyFloatUnary(ctx, Op::Sqrt, clipped, a.range);
}

Value identity(Context &ctx, const CallArgs &a) {
  if (!isTensorLike(a[0]))
    return ctx.fail(DiagKind::ExpectedTensor, a[0].range, ctx.describe(a[0]));
  return a[0];
}

Value logicalNot(Context &ctx, const CallArgs &a) {
  return unaryOp(ctx, ast::UnaryOp::Not, a[0], a.range);
}

Value invert(Context &ctx, const CallArgs &a) {
  return unaryOp(ctx, ast::UnaryOp::Invert, a[0], a.range);
}

Value where(Context &ctx, const CallArgs &a) {
  if (a.isNone(1) && a.isNone(2))
    return ctx.fail(DiagKind::Unsupported, a.range,
                    fmt::format("`{}` with only a condition", a.calledAs),
                    "it gives the positions where the condition holds, whose number depends on "
                    "the data; `where(condition, x, y)` keeps the shape");
  return applyElementwise(ctx, Op::Select, {a[0], a[1], a[2]}, a.calledAs, a.range);
}

// clip(x, lo, hi) = min(max(x, lo), hi): NaN in x propagates (NumPy).
Value clip(Context &ctx, const CallArgs &a) {
  Value out = a[0];
  if (!a.isNone(1))
    out = applyElementwise(ctx, Op::Max, {out, a[1]}, a.calledAs, a.range);
  if (!a.isNone(2))
    out = applyElementwise(ctx, Op::Min, {out, a[2]}, a.calledAs, a.range);
  return out;
}

// TensorFlow's squared_difference: `(x - y) ** 2`, in the promoted type.
Value squaredDifference(Context &ctx, const CallArgs &a) {
  Value d = applyElementwise(ctx, Op::Sub, {a[0], a[1]}, a.calledAs, a.range);
  return ew(ctx, Op::Mul, {d, d}, a.range);
}

// TensorFlow's divide_no_nan: 0 wherever the divisor is 0, whatever the dividend (even NaN).
Value divideNoNan(Context &ctx, const CallArgs &a) {
  SourceRange r = a.range;
  Value q = applyElementwise(ctx, Op::Div, {a[0], a[1]}, a.calledAs, r);
  if (q.isError())
    return q;
  return ew(ctx, Op::Select, {ew(ctx, Op::Eq, {a[1], num(0, r)}, r), num(0, r), q}, r);
}

// The sign bit of a float: set for negative numbers and -0.0 (1 / -0.0 is -inf). A NaN's sign
// bit is not visible to arithmetic, so signbit(NaN) is False whatever its bits.
Value signBitOf(Context &ctx, const Value &x, SourceRange r) {
  Value negZero = ew(ctx, Op::And,
                     {ew(ctx, Op::Eq, {x, num(0, r)}, r),
                      ew(ctx, Op::Lt, {ew(ctx, Op::Div, {num(1, r), x}, r), num(0, r)}, r)},
                     r);
  return ew(ctx, Op::Or, {ew(ctx, Op::Lt, {x, num(0, r)}, r), negZero}, r);
}

Value signBit(Context &ctx, const CallArgs &a) {
  Value x = tensorOf(ctx, a[0]);
  return x.isError() ? x : signBitOf(ctx, toFloat(ctx, x, a.range), a.range);
}

// copysign(x, y): |x| with the sign of y (NumPy).
Value copySign(Context &ctx, const CallArgs &a) {
  SourceRange r = a.range;
  auto xy = floatPair(ctx, a);
  if (!xy)
    return Value::error(r);
  Value ax = fun(ctx, Op::Abs, xy->first, r);
  return ew(ctx, Op::Select, {signBitOf(ctx, xy->second, r), ew(ctx, Op::Neg, {ax}, r), ax}, r);
}

// hypot(x, y) = sqrt(x^2 + y^2) without overflow or underflow in between: the larger
// magnitude times sqrt(1 + (smaller / larger)^2); inf if either is infinite, even beside NaN.
Value hypot(Context &ctx, const CallArgs &a) {
  SourceRange r = a.range;
  auto xy = floatPair(ctx, a);
  if (!xy)
    return Value::error(r);
  Value x = fun(ctx, Op::Abs, xy->first, r), y = fun(ctx, Op::Abs, xy->second, r);
  Value big = ew(ctx, Op::Max, {x, y}, r), small = ew(ctx, Op::Min, {x, y}, r);
  Value q = ew(ctx, Op::Div, {small, big}, r);
  Value scaled = ew(
      ctx, Op::Mul,
      {big, fun(ctx, Op::Sqrt, ew(ctx, Op::Add, {num(1, r), ew(ctx, Op::Mul, {q, q}, r)}, r), r)},
      r);
  Value finite = ew(ctx, Op::Select, {ew(ctx, Op::Eq, {big, num(0, r)}, r), num(0, r), scaled}, r);
  Value inf = num(std::numeric_limits<double>::infinity(), r);
  Value anyInf = ew(ctx, Op::Or, {fun(ctx, Op::IsInf, x, r), fun(ctx, Op::IsInf, y, r)}, r);
  return ew(ctx, Op::Select, {anyInf, inf, finite}, r);
}

// Real tensors as complex ones with no imaginary part (NumPy's .real, .imag, conj).
Value realPart(Context &ctx, const CallArgs &a) { return tensorOf(ctx, a[0]); }

Value imagPart(Context &ctx, const CallArgs &a) {
  Value x = tensorOf(ctx, a[0]);
  if (x.isError())
    return x;
  const TensorType t = ctx.typeOf(x.tensor); // a copy: the IR grows below
  return tensorValue(ctx.broadcastTo(ctx.scalarInt(t.dtype, 0, a.range), t.shape, a.range),
                     a.range);
}

Value castTo(Context &ctx, const CallArgs &a) {
  auto dtype = dtypeArg(ctx, a, 1, std::nullopt);
  MaybeId t = dtype ? tensorArg(ctx, a, 0) : std::nullopt;
  return tensorValue(t ? std::optional(ctx.cast(*t, *dtype, a.range)) : std::nullopt, a.range);
}

constexpr BuiltinDef kElementwise[] = {
    {"abs", "x", sameTypeUnary<Op::Abs>, "absolute value; keeps integer types"},
    {"sign", "x", sameTypeUnary<Op::Sign>, "-1, 0 or 1 (NaN for NaN)"},
    {"negative", "x", sameTypeUnary<Op::Neg>, "`-x`"},
    {"square", "x", square, "`x * x`"},
    {"sqrt", "x", floatUnary<Op::Sqrt>, "square root; NaN below 0"},
    {"_backend_sqrt", "x", backendSqrt, "`sqrt(maximum(x, 0))`: 0 below 0 (Keras 2's backend)"},
    {"rsqrt", "x", rsqrt, "`1 / sqrt(x)`"},
    {"reciprocal", "x", reciprocal, "`1 / x`"},
    {"exp", "x", floatUnary<Op::Exp>, "e to the x"},
    {"expm1", "x", floatUnary<Op::Expm1>, "`exp(x) - 1`, accurate near 0"},
    {"log", "x", floatUnary<Op::Log>, "natural logarithm; -inf at 0, NaN below"},
    {"log1p", "x", floatUnary<Op::Log1p>, "`log(1 + x)`, accurate near 0"},
    {"log2", "x", floatUnary<Op::Log2>, "base-2 logarithm"},
    {"log10", "x", floatUnary<Op::Log10>, "base-10 logarithm"},
    {"sin", "x", floatUnary<Op::Sin>, "sine"},
    {"cos", "x", floatUnary<Op::Cos>, "cosine"},
    {"tan", "x", floatUnary<Op::Tan>, "tangent"},
    {"asin", "x", floatUnary<Op::Asin>, "arcsine; NaN outside [-1, 1]"},
    {"acos", "x", floatUnary<Op::Acos>, "arccosine; NaN outside [-1, 1]"},
    {"atan", "x", floatUnary<Op::Atan>, "arctangent"},
    {"atan2", "y, x", binary<Op::Atan2>, "angle of (x, y), as C's atan2"},
    {"sinh", "x", floatUnary<Op::Sinh>, "hyperbolic sine"},
    {"cosh", "x", floatUnary<Op::Cosh>, "hyperbolic cosine"},
    {"tanh", "x", floatUnary<Op::Tanh>, "hyperbolic tangent"},
    {"asinh", "x", floatUnary<Op::Asinh>, "inverse hyperbolic sine"},
    {"acosh", "x", floatUnary<Op::Acosh>, "inverse hyperbolic cosine; NaN below 1"},
    {"atanh", "x", floatUnary<Op::Atanh>, "inverse hyperbolic tangent; NaN outside [-1, 1]"},
    {"erf", "x", floatUnary<Op::Erf>, "error function"},
    {"erfc", "x", floatUnary<Op::Erfc>, "`1 - erf(x)`, accurate for large x"},
    {"floor", "x", floatUnary<Op::Floor>, "round down"},
    {"ceil", "x", floatUnary<Op::Ceil>, "round up"},
    {"round", "x", floatUnary<Op::Round>, "round half to even (NumPy)"},
    {"trunc", "x", floatUnary<Op::Trunc>, "round toward zero"},
    {"isnan", "x", predicate<Op::IsNan>, "bool: x is NaN"},
    {"isinf", "x", predicate<Op::IsInf>, "bool: x is +inf or -inf"},
    {"isfinite", "x", predicate<Op::IsFinite>, "bool: x is neither NaN nor infinite"},
    {"minimum", "x, y", binary<Op::Min>, "elementwise minimum; NaN if either is NaN"},
    {"maximum", "x, y", binary<Op::Max>, "elementwise maximum; NaN if either is NaN"},
    {"clip", "x, min|a_min|clip_value_min|x_min, max|a_max|clip_value_max|x_max", clip,
     "`minimum(maximum(x, min), max)`; None leaves a side open"},
    {"pow", "x, y", binary<Op::Pow>, "`x ** y`"},
    {"mod", "x, y", binary<Op::Mod>, "`x % y`: the remainder has the divisor's sign"},
    {"add", "x, y", binary<Op::Add>, "`x + y`"},
    {"subtract", "x, y", binary<Op::Sub>, "`x - y`"},
    {"multiply", "x, y", binary<Op::Mul>, "`x * y`"},
    {"divide", "x, y", binary<Op::Div>, "`x / y`; integers give the default float"},
    {"floor_divide", "x, y", binary<Op::FloorDiv>, "`x // y`"},
    {"equal", "x, y", binary<Op::Eq>, "`x == y`"},
    {"not_equal", "x, y", binary<Op::Ne>, "`x != y`"},
    {"less", "x, y", binary<Op::Lt>, "`x < y`"},
    {"less_equal", "x, y", binary<Op::Le>, "`x <= y`"},
    {"greater", "x, y", binary<Op::Gt>, "`x > y`"},
    {"greater_equal", "x, y", binary<Op::Ge>, "`x >= y`"},
    {"logical_and", "x, y", logical<Op::And>, "`x and y` on bool tensors"},
    {"logical_or", "x, y", logical<Op::Or>, "`x or y` on bool tensors"},
    {"logical_xor", "x, y", logical<Op::Xor>, "exclusive or on bool tensors"},
    {"logical_not", "x", logicalNot, "`not x` on bool tensors"},
    {"bitwise_and", "x, y", binary<Op::And>, "`x & y`: and of the bits; logical and on bool"},
    {"bitwise_or", "x, y", binary<Op::Or>, "`x | y`: or of the bits; logical or on bool"},
    {"bitwise_xor", "x, y", binary<Op::Xor>, "`x ^ y`: xor of the bits; logical xor on bool"},
    {"invert", "x", invert, "`~x`: every bit flipped; logical not on bool"},
    {"left_shift", "x, y", binary<Op::Shl>,
     "`x << y` on integers; a count outside [0, bits) gives 0 (NumPy)"},
    {"right_shift", "x, y", binary<Op::Shr>,
     "`x >> y` on integers, arithmetic when signed; past the width 0 or -1 (NumPy)"},
    {"squared_difference", "x, y", squaredDifference, "`(x - y) ** 2`"},
    {"divide_no_nan", "x, y", divideNoNan, "`x / y`, and 0 wherever y is 0"},
    {"hypot", "x1|x, x2|y", hypot, "`sqrt(x ** 2 + y ** 2)` without overflow"},
    {"copysign", "x1|x, x2|y", copySign, "|x| with the sign of y (-0.0 counts as negative)"},
    {"signbit", "x", signBit, "bool: x < 0 or x is -0.0 (False for NaN)"},
    {"real", "x|val|input", realPart, "x itself: lamina's tensors are real"},
    {"imag", "x|val|input", imagPart, "zeros like x: lamina's tensors are real"},
    {"conj", "x|input", realPart, "x itself: lamina's tensors are real"},
    {"where", "condition, x=None, y=None", where, "x where the bool condition holds, else y"},
    {"cast", "x, dtype", castTo, "convert to dtype (see Conversions)"},
    {"stop_gradient", "x", identity, "x itself (lamina has no gradients yet)"},
    {"identity", "x", identity, "x itself"},
};

} // namespace

std::span<const BuiltinDef> elementwiseBuiltins() { return kElementwise; }

} // namespace lamina::sema
