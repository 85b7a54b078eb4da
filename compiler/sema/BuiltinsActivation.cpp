// Activations (docs/language.md, "Activations"), each written as its formula. NaN flows through
// every one of them: `relu(NaN)` is NaN because `max` propagates NaN and `NaN > 0` is false.

#include "compiler/sema/Compose.h"

#include <cmath>
#include <numbers>

namespace lamina::sema {
namespace {

using ir::Op;
using namespace compose;

Value relu6Of(Context &ctx, const Value &x, SourceRange r) {
  return ew(ctx, Op::Min, {ew(ctx, Op::Max, {x, num(0, r)}, r), num(6, r)}, r);
}

Value sigmoidOf(Context &ctx, const Value &x, SourceRange r) {
  Value e = fun(ctx, Op::Exp, ew(ctx, Op::Sub, {num(0, r), x}, r), r);
  return ew(ctx, Op::Div, {num(1, r), ew(ctx, Op::Add, {num(1, r), e}, r)}, r);
}

// softplus = max(x, 0) + log1p(exp(-|x|)): never overflows.
Value softplusOf(Context &ctx, const Value &x, SourceRange r) {
  Value ax = fun(ctx, Op::Abs, x, r);
  Value tail = fun(ctx, Op::Log1p, fun(ctx, Op::Exp, ew(ctx, Op::Sub, {num(0, r), ax}, r), r), r);
  return ew(ctx, Op::Add, {ew(ctx, Op::Max, {x, num(0, r)}, r), tail}, r);
}

// relu(x, negative_slope=0, max_value=None, threshold=0), Keras's signature.
Value relu(Context &ctx, const CallArgs &a) {
  Value x = floatInput(ctx, a);
  auto slope = floatArg(ctx, a, 1);
  auto threshold = floatArg(ctx, a, 3);
  if (x.isError() || !slope || !threshold)
    return Value::error(a.range);
  SourceRange r = a.range;
  Value out;
  if (*slope == 0 && *threshold == 0) {
    out = ew(ctx, Op::Max, {x, num(0, r)}, r);
  } else {
    Value below =
        ew(ctx, Op::Mul, {num(*slope, r), ew(ctx, Op::Sub, {x, num(*threshold, r)}, r)}, r);
    out = ew(ctx, Op::Select, {ew(ctx, Op::Lt, {x, num(*threshold, r)}, r), below, x}, r);
  }
  if (!a.isNone(2)) {
    auto maxValue = floatArg(ctx, a, 2);
    if (!maxValue)
      return Value::error(r);
    out = ew(ctx, Op::Min, {out, num(*maxValue, r)}, r);
  }
  return out;
}

Value relu6(Context &ctx, const CallArgs &a) { return relu6Of(ctx, floatInput(ctx, a), a.range); }

Value leakyRelu(Context &ctx, const CallArgs &a) {
  Value x = floatInput(ctx, a);
  auto slope = floatArg(ctx, a, 1);
  if (x.isError() || !slope)
    return Value::error(a.range);
  SourceRange r = a.range;
  return ew(ctx, Op::Select,
            {ew(ctx, Op::Lt, {x, num(0, r)}, r), ew(ctx, Op::Mul, {x, num(*slope, r)}, r), x}, r);
}

Value eluOf(Context &ctx, const Value &x, double alpha, SourceRange r) {
  Value neg = ew(ctx, Op::Mul, {num(alpha, r), fun(ctx, Op::Expm1, x, r)}, r);
  return ew(ctx, Op::Select, {ew(ctx, Op::Gt, {x, num(0, r)}, r), x, neg}, r);
}

Value elu(Context &ctx, const CallArgs &a) {
  Value x = floatInput(ctx, a);
  auto alpha = floatArg(ctx, a, 1);
  return x.isError() || !alpha ? Value::error(a.range) : eluOf(ctx, x, *alpha, a.range);
}

Value selu(Context &ctx, const CallArgs &a) {
  constexpr double kAlpha = 1.6732632423543772848170429916717;
  constexpr double kScale = 1.0507009873554804934193349852946;
  Value x = floatInput(ctx, a);
  if (x.isError())
    return x;
  return ew(ctx, Op::Mul, {num(kScale, a.range), eluOf(ctx, x, kAlpha, a.range)}, a.range);
}

Value gelu(Context &ctx, const CallArgs &a) {
  Value x = floatInput(ctx, a);
  auto approximate = boolArg(ctx, a, 1);
  if (x.isError() || !approximate)
    return Value::error(a.range);
  SourceRange r = a.range;
  Value inner;
  if (*approximate) { // tanh(sqrt(2/pi) * (x + 0.044715 x^3))
    Value cube = ew(ctx, Op::Mul, {ew(ctx, Op::Mul, {x, x}, r), x}, r);
    Value poly = ew(ctx, Op::Add, {x, ew(ctx, Op::Mul, {num(0.044715, r), cube}, r)}, r);
    double k = std::sqrt(2.0 / std::numbers::pi);
    inner = fun(ctx, Op::Tanh, ew(ctx, Op::Mul, {num(k, r), poly}, r), r);
  } else { // erf(x / sqrt(2))
    inner = fun(ctx, Op::Erf, ew(ctx, Op::Mul, {x, num(1 / std::numbers::sqrt2, r)}, r), r);
  }
  Value half = ew(ctx, Op::Mul, {num(0.5, r), x}, r);
  return ew(ctx, Op::Mul, {half, ew(ctx, Op::Add, {num(1, r), inner}, r)}, r);
}

Value sigmoid(Context &ctx, const CallArgs &a) {
  return sigmoidOf(ctx, floatInput(ctx, a), a.range);
}

// Keras 3: relu6(x + 3) / 6.
Value hardSigmoid(Context &ctx, const CallArgs &a) {
  SourceRange r = a.range;
  Value x = floatInput(ctx, a);
  return ew(ctx, Op::Div, {relu6Of(ctx, ew(ctx, Op::Add, {x, num(3, r)}, r), r), num(6, r)}, r);
}

// Keras 2 (`K.hard_sigmoid`): clip(0.2 x + 0.5, 0, 1).
Value hardSigmoidKeras2(Context &ctx, const CallArgs &a) {
  SourceRange r = a.range;
  Value x = floatInput(ctx, a);
  Value lin = ew(ctx, Op::Add, {ew(ctx, Op::Mul, {num(0.2, r), x}, r), num(0.5, r)}, r);
  return ew(ctx, Op::Min, {ew(ctx, Op::Max, {lin, num(0, r)}, r), num(1, r)}, r);
}

Value softplus(Context &ctx, const CallArgs &a) {
  return softplusOf(ctx, floatInput(ctx, a), a.range);
}

Value softsign(Context &ctx, const CallArgs &a) {
  SourceRange r = a.range;
  Value x = floatInput(ctx, a);
  return ew(ctx, Op::Div, {x, ew(ctx, Op::Add, {num(1, r), fun(ctx, Op::Abs, x, r)}, r)}, r);
}

Value silu(Context &ctx, const CallArgs &a) {
  Value x = floatInput(ctx, a);
  return ew(ctx, Op::Mul, {x, sigmoidOf(ctx, x, a.range)}, a.range);
}

Value hardSwish(Context &ctx, const CallArgs &a) {
  SourceRange r = a.range;
  Value x = floatInput(ctx, a);
  Value gate =
      ew(ctx, Op::Div, {relu6Of(ctx, ew(ctx, Op::Add, {x, num(3, r)}, r), r), num(6, r)}, r);
  return ew(ctx, Op::Mul, {x, gate}, r);
}

Value mish(Context &ctx, const CallArgs &a) {
  Value x = floatInput(ctx, a);
  return ew(ctx, Op::Mul, {x, fun(ctx, Op::Tanh, softplusOf(ctx, x, a.range), a.range)}, a.range);
}

// softmax and log_softmax subtract the row maximum first, so large inputs do not overflow.
std::optional<std::pair<Value, std::vector<int64_t>>> shifted(Context &ctx, const CallArgs &a) {
  Value x = floatInput(ctx, a);
  if (x.isError())
    return std::nullopt;
  auto axes = axesArg(ctx, a, 1, ctx.typeOf(x.tensor).rank());
  if (!axes)
    return std::nullopt;
  Value m = reduce(ctx, Op::ReduceMax, x, *axes, true, a.range);
  return std::pair{ew(ctx, Op::Sub, {x, m}, a.range), *axes};
}

Value softmax(Context &ctx, const CallArgs &a) {
  auto s = shifted(ctx, a);
  if (!s)
    return Value::error(a.range);
  Value e = fun(ctx, Op::Exp, s->first, a.range);
  return ew(ctx, Op::Div, {e, reduce(ctx, Op::ReduceSum, e, s->second, true, a.range)}, a.range);
}

Value logSoftmax(Context &ctx, const CallArgs &a) {
  auto s = shifted(ctx, a);
  if (!s)
    return Value::error(a.range);
  Value e = fun(ctx, Op::Exp, s->first, a.range);
  Value lse = fun(ctx, Op::Log, reduce(ctx, Op::ReduceSum, e, s->second, true, a.range), a.range);
  return ew(ctx, Op::Sub, {s->first, lse}, a.range);
}

// Keras 3's newer activations, each as keras.ops writes it.
Value logSigmoid(Context &ctx, const CallArgs &a) {
  SourceRange r = a.range;
  Value x = floatInput(ctx, a);
  return x.isError() ? x : ew(ctx, Op::Neg, {softplusOf(ctx, ew(ctx, Op::Neg, {x}, r), r)}, r);
}

Value celu(Context &ctx, const CallArgs &a) { // max(x, 0) + alpha * expm1(min(x, 0) / alpha)
  SourceRange r = a.range;
  Value x = floatInput(ctx, a);
  auto alpha = floatArg(ctx, a, 1);
  if (x.isError() || !alpha)
    return Value::error(r);
  Value below = ew(ctx, Op::Div, {ew(ctx, Op::Min, {x, num(0, r)}, r), num(*alpha, r)}, r);
  return ew(ctx, Op::Add,
            {ew(ctx, Op::Max, {x, num(0, r)}, r),
             ew(ctx, Op::Mul, {num(*alpha, r), fun(ctx, Op::Expm1, below, r)}, r)},
            r);
}

Value hardTanh(Context &ctx, const CallArgs &a) {
  SourceRange r = a.range;
  Value x = floatInput(ctx, a);
  return ew(ctx, Op::Min, {ew(ctx, Op::Max, {x, num(-1, r)}, r), num(1, r)}, r);
}

Value hardShrink(Context &ctx, const CallArgs &a) { // x where |x| > threshold, else 0
  SourceRange r = a.range;
  Value x = floatInput(ctx, a);
  auto t = floatArg(ctx, a, 1);
  if (x.isError() || !t)
    return Value::error(r);
  Value keep = ew(ctx, Op::Gt, {fun(ctx, Op::Abs, x, r), num(*t, r)}, r);
  return ew(ctx, Op::Select, {keep, x, num(0, r)}, r);
}

Value softShrink(Context &ctx, const CallArgs &a) { // x -+ threshold outside it, else 0
  SourceRange r = a.range;
  Value x = floatInput(ctx, a);
  auto t = floatArg(ctx, a, 1);
  if (x.isError() || !t)
    return Value::error(r);
  Value below = ew(
      ctx, Op::Select,
      {ew(ctx, Op::Lt, {x, num(-*t, r)}, r), ew(ctx, Op::Add, {x, num(*t, r)}, r), num(0, r)}, r);
  return ew(ctx, Op::Select,
            {ew(ctx, Op::Gt, {x, num(*t, r)}, r), ew(ctx, Op::Sub, {x, num(*t, r)}, r), below}, r);
}

Value tanhShrink(Context &ctx, const CallArgs &a) {
  Value x = floatInput(ctx, a);
  return ew(ctx, Op::Sub, {x, fun(ctx, Op::Tanh, x, a.range)}, a.range);
}

Value squareplus(Context &ctx, const CallArgs &a) { // (x + sqrt(x^2 + b)) / 2
  SourceRange r = a.range;
  Value x = floatInput(ctx, a);
  auto b = floatArg(ctx, a, 1);
  if (x.isError() || !b)
    return Value::error(r);
  Value root =
      fun(ctx, Op::Sqrt, ew(ctx, Op::Add, {ew(ctx, Op::Mul, {x, x}, r), num(*b, r)}, r), r);
  return ew(ctx, Op::Div, {ew(ctx, Op::Add, {x, root}, r), num(2, r)}, r);
}

// sparse_plus: 0 at or below -1, x at or above 1, (x + 1)^2 / 4 between.
Value sparsePlus(Context &ctx, const CallArgs &a) {
  SourceRange r = a.range;
  Value x = floatInput(ctx, a);
  Value x1 = ew(ctx, Op::Add, {x, num(1, r)}, r);
  Value mid = ew(ctx, Op::Mul, {num(0.25, r), ew(ctx, Op::Mul, {x1, x1}, r)}, r);
  Value upper = ew(ctx, Op::Select, {ew(ctx, Op::Lt, {x, num(1, r)}, r), mid, x}, r);
  return ew(ctx, Op::Select, {ew(ctx, Op::Le, {x, num(-1, r)}, r), num(0, r), upper}, r);
}

// sparse_sigmoid: 0 at or below -1, 1 at or above 1, (x + 1) / 2 between.
Value sparseSigmoid(Context &ctx, const CallArgs &a) {
  SourceRange r = a.range;
  Value x = floatInput(ctx, a);
  Value mid = ew(ctx, Op::Mul, {num(0.5, r), ew(ctx, Op::Add, {x, num(1, r)}, r)}, r);
  Value upper = ew(ctx, Op::Select, {ew(ctx, Op::Ge, {x, num(1, r)}, r), num(1, r), mid}, r);
  return ew(ctx, Op::Select, {ew(ctx, Op::Le, {x, num(-1, r)}, r), num(0, r), upper}, r);
}

Value threshold(Context &ctx, const CallArgs &a) { // x above threshold, else default_value
  SourceRange r = a.range;
  Value x = floatInput(ctx, a);
  auto t = floatArg(ctx, a, 1), fill = floatArg(ctx, a, 2);
  if (x.isError() || !t || !fill)
    return Value::error(r);
  return ew(ctx, Op::Select, {ew(ctx, Op::Gt, {x, num(*t, r)}, r), x, num(*fill, r)}, r);
}

// glu(x, axis=-1): the first half along axis times the sigmoid of the second.
Value glu(Context &ctx, const CallArgs &a) {
  SourceRange r = a.range;
  Value x = floatInput(ctx, a);
  if (x.isError())
    return x;
  const TensorType t = ctx.typeOf(x.tensor);
  auto axis = axisArg(ctx, a, 1, t.rank());
  if (!axis)
    return Value::error(r);
  std::optional<int64_t> size = t.shape[size_t(*axis)].asConstant();
  if (!size)
    return ctx.fail(DiagKind::NeedsKnownDim, r, "`glu`'s axis", t.shape[size_t(*axis)].str());
  if (*size % 2 != 0)
    return ctx.fail(DiagKind::SplitMismatch, r, *size, "two halves");
  Shape half = t.shape;
  half[size_t(*axis)] = Dim(*size / 2);
  std::vector<Dim> begin(t.rank(), Dim(0));
  std::vector<int64_t> steps(t.rank(), 1);
  Value first = Value::ofTensor(ctx.slice(x.tensor, begin, steps, half, r), r);
  begin[size_t(*axis)] = Dim(*size / 2);
  Value second = Value::ofTensor(ctx.slice(x.tensor, begin, steps, half, r), r);
  return ew(ctx, Op::Mul, {first, sigmoidOf(ctx, second, r)}, r);
}

constexpr BuiltinDef kActivations[] = {
    {"relu", "x, negative_slope|alpha=0.0, max_value=None, threshold=0.0", relu,
     "`max(x, 0)`; Keras's slope, cap and threshold options"},
    {"relu6", "x", relu6, "`min(max(x, 0), 6)`"},
    {"leaky_relu", "x, negative_slope|alpha=0.2", leakyRelu, "x, or `negative_slope * x` below 0"},
    {"elu", "x, alpha=1.0", elu, "x, or `alpha * expm1(x)` at or below 0"},
    {"selu", "x", selu, "scaled elu with the self-normalizing constants"},
    {"gelu", "x, approximate=False", gelu, "`x * Phi(x)`; the tanh form when approximate"},
    {"sigmoid", "x", sigmoid, "`1 / (1 + exp(-x))`"},
    {"hard_sigmoid", "x", hardSigmoid, "`relu6(x + 3) / 6` (Keras 3)"},
    {"softplus", "x", softplus, "`log(1 + exp(x))` without overflow"},
    {"softsign", "x", softsign, "`x / (1 + abs(x))`"},
    {"silu", "x", silu, "`x * sigmoid(x)`"},
    {"swish", "x", silu, "same as silu"},
    {"hard_swish", "x", hardSwish, "`x * relu6(x + 3) / 6`"},
    {"hard_silu", "x", hardSwish, "same as hard_swish"},
    {"mish", "x", mish, "`x * tanh(softplus(x))`"},
    {"softmax", "x, axis|dim=-1", softmax, "`exp(x) / sum(exp(x))` along axis, max-shifted"},
    {"log_softmax", "x, axis|dim=-1", logSoftmax, "`x - logsumexp(x)` along axis"},
    {"_hard_sigmoid_keras2", "x", hardSigmoidKeras2, "`clip(0.2 * x + 0.5, 0, 1)` (Keras 2)"},
    {"log_sigmoid", "x", logSigmoid, "`-softplus(-x)`"},
    {"celu", "x, alpha=1.0", celu, "`max(x, 0) + alpha * expm1(min(x, 0) / alpha)`"},
    {"glu", "x, axis=-1", glu, "first half along axis times the sigmoid of the second"},
    {"hard_tanh", "x", hardTanh, "`clip(x, -1, 1)`"},
    {"hard_shrink", "x, threshold=0.5", hardShrink, "x where `abs(x) > threshold`, else 0"},
    {"soft_shrink", "x, threshold=0.5", softShrink, "x moved threshold toward 0; 0 within it"},
    {"tanh_shrink", "x", tanhShrink, "`x - tanh(x)`"},
    {"squareplus", "x, b=4", squareplus, "`(x + sqrt(x ** 2 + b)) / 2`"},
    {"sparse_plus", "x", sparsePlus, "0 below -1, x above 1, `(x + 1) ** 2 / 4` between"},
    {"sparse_sigmoid", "x", sparseSigmoid, "0 below -1, 1 above 1, `(x + 1) / 2` between"},
    {"threshold", "x, threshold, default_value", threshold,
     "x above threshold, else default_value"},
};

} // namespace

std::span<const BuiltinDef> activationBuiltins() { return kActivations; }

} // namespace lamina::sema
