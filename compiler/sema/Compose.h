#pragma once

// Small helpers for builtins that are compositions of other operations (softmax, var,
// l2_normalize, the activations): each reads like the formula it implements.

#include "compiler/sema/Builtins.h"
#include "compiler/sema/Operators.h"

namespace lamina::sema::compose {

inline Value num(double v, SourceRange r) { return Value::real(v, r); }

inline Value ew(Context &ctx, ir::Op op, std::vector<Value> values, SourceRange r) {
  return applyElementwise(ctx, op, values, ir::spelling(op), r);
}

inline Value fun(Context &ctx, ir::Op op, const Value &v, SourceRange r) {
  return applyFloatUnary(ctx, op, v, r);
}

/// A reduction over normalized `axes`; the result keeps reduced axes as 1 when `keepdims`.
Value reduce(Context &ctx, ir::Op op, const Value &x, const std::vector<int64_t> &axes,
             bool keepdims, SourceRange r);

/// The number of elements `axes` of `x` cover, as a (possibly symbolic) weak int.
Value countOf(Context &ctx, const Value &x, const std::vector<int64_t> &axes, SourceRange r);

/// `x` reshaped to one dimension.
Value flat(Context &ctx, const Value &x, SourceRange r);

/// `x` with the order of the listed axes reversed (negative-step slices).
Value reverseAxes(Context &ctx, const Value &x, const std::vector<int64_t> &axes, SourceRange r);

/// `x` moved one place along `axis`: the first element becomes `fill`, the last is dropped
/// (an exclusive scan from an inclusive one).
Value shiftAlong(Context &ctx, const Value &x, int64_t axis, double fill, SourceRange r);

/// Drops the axes listed (which must have size 1).
Value squeezeAxes(Context &ctx, const Value &x, const std::vector<int64_t> &axes, SourceRange r);

inline size_t rankOf(Context &ctx, const Value &x) {
  return x.kind == Value::Kind::Tensor ? ctx.typeOf(x.tensor).rank() : 0;
}

/// `x` (a tensor) converted to the float a float function computes it in (Context::floatFor)
/// unless it already is a float.
inline Value toFloat(Context &ctx, const Value &x, SourceRange r) {
  if (x.isError() || isFloat(ctx.typeOf(x.tensor).dtype))
    return x;
  return Value::ofTensor(ctx.cast(x.tensor, ctx.floatFor(ctx.typeOf(x.tensor).dtype), r), r);
}

/// Argument `i` as a float tensor (toFloat), or an error value.
Value floatInput(Context &ctx, const CallArgs &a, size_t i = 0);

/// The first two arguments of a float function of two, promoted together; integers and bools
/// give the float Context::floatFor says.
std::optional<std::pair<Value, Value>> floatPair(Context &ctx, const CallArgs &a);

/// A tensor argument as a Value (converted), or an error value.
inline Value tensorOf(Context &ctx, const Value &v) {
  if (v.isError())
    return v;
  MaybeId t = toTensor(ctx, v);
  return tensorValue(t, v.range);
}

} // namespace lamina::sema::compose
