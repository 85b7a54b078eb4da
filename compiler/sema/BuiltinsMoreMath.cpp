// Elementwise functions NumPy, TensorFlow and Keras have beyond the basic ones (docs/language.md,
// "More math"), each composed from lamina's operations as the library defines it: fmod and
// logaddexp as NumPy's C code computes them, xlogy and multiply_no_nan as TensorFlow's kernels.

#include "compiler/sema/Compose.h"

#include <cmath>
#include <limits>
#include <numbers>

namespace lamina::sema {
namespace {

using ir::Op;
using namespace compose;

Value select(Context &ctx, const Value &c, const Value &x, const Value &y, SourceRange r) {
  return ew(ctx, Op::Select, {c, x, y}, r);
}

// fmod: C's remainder, with the dividend's sign. Floats: the floored `%` of the magnitudes
// (equal signs, so `%` is C's exact fmod there) given x's sign. Integers: from `%` of x and y,
// one divisor back where the signs differ and the remainder is not 0 (exact in integers).
Value fmod(Context &ctx, const CallArgs &a) {
  SourceRange r = a.range;
  Value m = applyElementwise(ctx, Op::Mod, {a[0], a[1]}, a.calledAs, r);
  if (m.isError())
    return m;
  DType t = ctx.typeOf(m.tensor).dtype;
  MaybeId x = toTensor(ctx, a[0], t), y = toTensor(ctx, a[1], t);
  if (!x || !y)
    return Value::error(r);
  Value vx = Value::ofTensor(*x, r), vy = Value::ofTensor(*y, r);
  Value negative = ew(ctx, Op::Lt, {vx, num(0, r)}, r);
  if (isFloat(t)) {
    Value mag = ew(ctx, Op::Mod, {fun(ctx, Op::Abs, vx, r), fun(ctx, Op::Abs, vy, r)}, r);
    return select(ctx, negative, ew(ctx, Op::Neg, {mag}, r), mag, r);
  }
  Value differ = ew(ctx, Op::Ne, {ew(ctx, Op::Lt, {m, num(0, r)}, r), negative}, r);
  Value step = ew(ctx, Op::And, {ew(ctx, Op::Ne, {m, num(0, r)}, r), differ}, r);
  return select(ctx, step, ew(ctx, Op::Sub, {m, vy}, r), m, r);
}

// cbrt: |x| ** (1/3) with x's sign, then one Newton step (pow's 1/3 is not exactly a third);
// 0, infinities and NaN are their own cube roots.
Value cbrt(Context &ctx, const CallArgs &a) {
  SourceRange r = a.range;
  Value x = floatInput(ctx, a);
  if (x.isError())
    return x;
  Value root = ew(ctx, Op::Pow, {fun(ctx, Op::Abs, x, r), num(1.0 / 3.0, r)}, r);
  root = ew(ctx, Op::Mul, {fun(ctx, Op::Sign, x, r), root}, r);
  Value cube = ew(ctx, Op::Mul, {ew(ctx, Op::Mul, {root, root}, r), root}, r);
  Value slope = ew(ctx, Op::Mul, {num(3, r), ew(ctx, Op::Mul, {root, root}, r)}, r);
  Value refined =
      ew(ctx, Op::Sub, {root, ew(ctx, Op::Div, {ew(ctx, Op::Sub, {cube, x}, r), slope}, r)}, r);
  Value nonFinite = ew(ctx, Op::Or, {fun(ctx, Op::IsInf, x, r), fun(ctx, Op::IsNan, x, r)}, r);
  Value itself = ew(ctx, Op::Or, {ew(ctx, Op::Eq, {x, num(0, r)}, r), nonFinite}, r);
  return select(ctx, itself, x, refined, r);
}

Value exp2(Context &ctx, const CallArgs &a) {
  Value x = floatInput(ctx, a);
  return x.isError() ? x : ew(ctx, Op::Pow, {num(2, a.range), x}, a.range);
}

template <int Numerator, int Denominator> Value scaled(Context &ctx, const CallArgs &a) {
  // deg2rad is x * (pi / 180) and rad2deg x * (180 / pi), as NumPy multiplies.
  double factor = Numerator == 1 ? std::numbers::pi / 180.0 : 180.0 / std::numbers::pi;
  Value x = floatInput(ctx, a);
  return x.isError() ? x : ew(ctx, Op::Mul, {x, num(factor, a.range)}, a.range);
}

Value fabs(Context &ctx, const CallArgs &a) {
  Value x = floatInput(ctx, a);
  return x.isError() ? x : fun(ctx, Op::Abs, x, a.range);
}

// fmax and fmin: NaN only when both are NaN (maximum and minimum propagate it).
template <Op O> Value nanIgnoring(Context &ctx, const CallArgs &a) {
  SourceRange r = a.range;
  Value m = applyElementwise(ctx, O, {a[0], a[1]}, a.calledAs, r);
  if (m.isError() || !isFloat(ctx.typeOf(m.tensor).dtype))
    return m;
  DType t = ctx.typeOf(m.tensor).dtype;
  MaybeId x = toTensor(ctx, a[0], t), y = toTensor(ctx, a[1], t);
  if (!x || !y)
    return Value::error(r);
  Value vx = Value::ofTensor(*x, r), vy = Value::ofTensor(*y, r);
  return select(ctx, fun(ctx, Op::IsNan, vy, r), vx,
                select(ctx, fun(ctx, Op::IsNan, vx, r), vy, m, r), r);
}

// logaddexp(x, y) = log(exp(x) + exp(y)) as NumPy computes it: the larger plus
// log1p(exp(-|x - y|)), and x + log(2) when they are equal (so two infinities stay infinite).
// Base 2: log2(2^x + 2^y), with log1p(2^-d) / log(2).
template <bool Base2> Value logAddExp(Context &ctx, const CallArgs &a) {
  SourceRange r = a.range;
  auto xy = floatPair(ctx, a);
  if (!xy)
    return Value::error(r);
  auto [x, y] = *xy;
  Value negGap = ew(ctx, Op::Neg, {fun(ctx, Op::Abs, ew(ctx, Op::Sub, {x, y}, r), r)}, r);
  Value tail = Base2 ? ew(ctx, Op::Div,
                          {fun(ctx, Op::Log1p, ew(ctx, Op::Pow, {num(2, r), negGap}, r), r),
                           num(std::numbers::ln2, r)},
                          r)
                     : fun(ctx, Op::Log1p, fun(ctx, Op::Exp, negGap, r), r);
  Value apart = ew(ctx, Op::Add, {ew(ctx, Op::Max, {x, y}, r), tail}, r);
  Value equal = ew(ctx, Op::Add, {x, num(Base2 ? 1.0 : std::numbers::ln2, r)}, r);
  return select(ctx, ew(ctx, Op::Eq, {x, y}, r), equal, apart, r);
}

// heaviside(x1, x2): 0 below 0, 1 above, x2 at 0; NaN stays NaN.
Value heaviside(Context &ctx, const CallArgs &a) {
  SourceRange r = a.range;
  auto xy = floatPair(ctx, a);
  if (!xy)
    return Value::error(r);
  auto [x, h] = *xy;
  Value step = select(ctx, ew(ctx, Op::Lt, {x, num(0, r)}, r), num(0, r),
                      select(ctx, ew(ctx, Op::Gt, {x, num(0, r)}, r), num(1, r), h, r), r);
  return select(ctx, fun(ctx, Op::IsNan, x, r), x, step, r);
}

// sinc(x) = sin(pi x) / (pi x), NumPy's way: x = 0 is replaced by 1e-20 first.
Value sinc(Context &ctx, const CallArgs &a) {
  SourceRange r = a.range;
  Value x = floatInput(ctx, a);
  if (x.isError())
    return x;
  Value safe = select(ctx, ew(ctx, Op::Eq, {x, num(0, r)}, r), num(1e-20, r), x, r);
  Value y = ew(ctx, Op::Mul, {num(std::numbers::pi, r), safe}, r);
  return ew(ctx, Op::Div, {fun(ctx, Op::Sin, y, r), y}, r);
}

// The largest finite value of a float type (nan_to_num's default for infinities).
double largestFinite(DType t) {
  switch (t) {
  case DType::F16:
    return 65504.0;
  case DType::BF16:
    return 3.3895313892515355e38;
  case DType::F32:
    return double(std::numeric_limits<float>::max());
  default:
    return std::numeric_limits<double>::max();
  }
}

// nan_to_num(x, copy, nan=0.0, posinf=None, neginf=None): integers unchanged.
Value nanToNum(Context &ctx, const CallArgs &a) {
  SourceRange r = a.range;
  Value x = tensorOf(ctx, a[0]);
  auto nan = floatArg(ctx, a, 2);
  if (x.isError() || !nan)
    return Value::error(r);
  DType t = ctx.typeOf(x.tensor).dtype;
  if (!isFloat(t))
    return x;
  double big = largestFinite(t);
  auto posinf = a.isNone(3) ? std::optional(big) : floatArg(ctx, a, 3);
  auto neginf = a.isNone(4) ? std::optional(-big) : floatArg(ctx, a, 4);
  if (!posinf || !neginf)
    return Value::error(r);
  double inf = std::numeric_limits<double>::infinity();
  Value out = select(ctx, fun(ctx, Op::IsNan, x, r), num(*nan, r), x, r);
  out = select(ctx, ew(ctx, Op::Eq, {x, num(inf, r)}, r), num(*posinf, r), out, r);
  return select(ctx, ew(ctx, Op::Eq, {x, num(-inf, r)}, r), num(*neginf, r), out, r);
}

// isclose(a, b, rtol=1e-5, atol=1e-8, equal_nan=False): NumPy's asymmetric test
// |a - b| <= atol + rtol * |b| for finite values; infinities are close only to themselves.
Value isCloseOf(Context &ctx, const CallArgs &a) {
  SourceRange r = a.range;
  auto xy = floatPair(ctx, a);
  auto rtol = floatArg(ctx, a, 2), atol = floatArg(ctx, a, 3);
  auto equalNan = boolArg(ctx, a, 4);
  if (!xy || !rtol || !atol || !equalNan)
    return Value::error(r);
  auto [x, y] = *xy;
  Value gap = fun(ctx, Op::Abs, ew(ctx, Op::Sub, {x, y}, r), r);
  Value bound =
      ew(ctx, Op::Add,
         {num(*atol, r), ew(ctx, Op::Mul, {num(*rtol, r), fun(ctx, Op::Abs, y, r)}, r)}, r);
  Value finite = ew(ctx, Op::And, {fun(ctx, Op::IsFinite, x, r), fun(ctx, Op::IsFinite, y, r)}, r);
  Value close =
      select(ctx, finite, ew(ctx, Op::Le, {gap, bound}, r), ew(ctx, Op::Eq, {x, y}, r), r);
  if (*equalNan)
    close =
        ew(ctx, Op::Or,
           {close, ew(ctx, Op::And, {fun(ctx, Op::IsNan, x, r), fun(ctx, Op::IsNan, y, r)}, r)}, r);
  return close;
}

Value allClose(Context &ctx, const CallArgs &a) {
  Value close = isCloseOf(ctx, a);
  if (close.isError())
    return close;
  std::vector<int64_t> axes;
  for (size_t k = 0; k < ctx.typeOf(close.tensor).rank(); ++k)
    axes.push_back(int64_t(k));
  return reduce(ctx, Op::ReduceAll, close, axes, false, a.range);
}

// float_power: the power computed in float64, whatever the inputs (NumPy).
Value floatPower(Context &ctx, const CallArgs &a) {
  SourceRange r = a.range;
  MaybeId x = toTensor(ctx, a[0], DType::F64), y = toTensor(ctx, a[1], DType::F64);
  if (!x || !y)
    return Value::error(r);
  return ew(ctx, Op::Pow, {Value::ofTensor(*x, r), Value::ofTensor(*y, r)}, r);
}

// TensorFlow's x-weighted functions: 0 wherever x is 0, whatever y (even 0 or NaN).
template <Op O> Value xWeighted(Context &ctx, const CallArgs &a) {
  SourceRange r = a.range;
  auto xy = floatPair(ctx, a);
  if (!xy)
    return Value::error(r);
  auto [x, y] = *xy;
  Value v = O == Op::Div   ? ew(ctx, Op::Div, {x, y}, r)
            : O == Op::Log ? ew(ctx, Op::Mul, {x, fun(ctx, Op::Log, y, r)}, r)
                           : ew(ctx, Op::Mul, {x, fun(ctx, Op::Log1p, y, r)}, r);
  return select(ctx, ew(ctx, Op::Eq, {x, num(0, r)}, r), num(0, r), v, r);
}

// multiply_no_nan(x, y): 0 wherever y is 0, even where x is NaN or infinite (TensorFlow).
Value multiplyNoNan(Context &ctx, const CallArgs &a) {
  SourceRange r = a.range;
  Value p = applyElementwise(ctx, Op::Mul, {a[0], a[1]}, a.calledAs, r);
  if (p.isError())
    return p;
  return select(ctx, ew(ctx, Op::Eq, {a[1], num(0, r)}, r), num(0, r), p, r);
}

// reciprocal_no_nan(x): 1 / x, and 0 where x is 0 (TensorFlow).
Value reciprocalNoNan(Context &ctx, const CallArgs &a) {
  SourceRange r = a.range;
  Value x = floatInput(ctx, a);
  if (x.isError())
    return x;
  return select(ctx, ew(ctx, Op::Eq, {x, num(0, r)}, r), num(0, r),
                ew(ctx, Op::Div, {num(1, r), x}, r), r);
}

constexpr BuiltinDef kMoreMath[] = {
    {"fmod", "x1|x, x2|y", fmod, "C's remainder: the sign of x (`%` has the sign of y)"},
    {"cbrt", "x", cbrt, "cube root, negative for negative x"},
    {"exp2", "x", exp2, "`2 ** x`"},
    {"deg2rad", "x", scaled<1, 180>, "`x * pi / 180`"},
    {"rad2deg", "x", scaled<180, 1>, "`x * 180 / pi`"},
    {"fabs", "x", fabs, "absolute value as a float"},
    {"fmax", "x1|x, x2|y", nanIgnoring<Op::Max>, "maximum that ignores a NaN beside a number"},
    {"fmin", "x1|x, x2|y", nanIgnoring<Op::Min>, "minimum that ignores a NaN beside a number"},
    {"logaddexp", "x1|x, x2|y", logAddExp<false>, "`log(exp(x) + exp(y))` without overflow"},
    {"logaddexp2", "x1|x, x2|y", logAddExp<true>, "`log2(2 ** x + 2 ** y)` without overflow"},
    {"heaviside", "x1|x, x2|y", heaviside, "0 below 0, 1 above, x2 at 0"},
    {"sinc", "x", sinc, "`sin(pi * x) / (pi * x)`, 1 at 0"},
    {"nan_to_num", "x, copy=True, nan=0.0, posinf=None, neginf=None", nanToNum,
     "NaN and infinities replaced (by default: 0 and the largest finite values)"},
    {"isclose", "a|x, b|y, rtol=1e-05, atol=1e-08, equal_nan=False", isCloseOf,
     "bool: `abs(a - b) <= atol + rtol * abs(b)`; infinities equal only to themselves"},
    {"allclose", "a|x, b|y, rtol=1e-05, atol=1e-08, equal_nan=False", allClose,
     "bool scalar: isclose everywhere"},
    {"float_power", "x1|x, x2|y", floatPower, "`x ** y` computed in f64"},
    {"xlogy", "x, y", xWeighted<Op::Log>, "`x * log(y)`, and 0 where x is 0"},
    {"xlog1py", "x, y", xWeighted<Op::Log1p>, "`x * log1p(y)`, and 0 where x is 0"},
    {"xdivy", "x, y", xWeighted<Op::Div>, "`x / y`, and 0 where x is 0"},
    {"multiply_no_nan", "x, y", multiplyNoNan, "`x * y`, and 0 where y is 0 (even for NaN x)"},
    {"reciprocal_no_nan", "x", reciprocalNoNan, "`1 / x`, and 0 where x is 0"},
};

} // namespace

std::span<const BuiltinDef> moreMathBuiltins() { return kMoreMath; }

} // namespace lamina::sema
