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

Value floatInput(Context &ctx, const CallArgs &a) {
  Value x = tensorOf(ctx, a[0]);
  return x.isError() ? x : toFloat(ctx, x, a.range);
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
};

} // namespace

std::span<const BuiltinDef> activationBuiltins() { return kActivations; }

} // namespace lamina::sema
