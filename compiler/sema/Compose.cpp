#include "compiler/sema/Compose.h"

#include <algorithm>

namespace lamina::sema::compose {

Value reduce(Context &ctx, ir::Op op, const Value &x, const std::vector<int64_t> &axes,
             bool keepdims, SourceRange r) {
  if (x.isError())
    return x;
  return Value::ofTensor(ctx.reduce(op, x.tensor, axes, keepdims, r), r);
}

Value countOf(Context &ctx, const Value &x, const std::vector<int64_t> &axes, SourceRange r) {
  Dim n = 1;
  for (int64_t a : axes)
    n = Dim::mul(n, ctx.typeOf(x.tensor).shape[size_t(a)]).value_or(Dim(0));
  return Value::integer(n, r);
}

Value flat(Context &ctx, const Value &x, SourceRange r) {
  if (x.isError())
    return x;
  auto n = elementCount(ctx.typeOf(x.tensor).shape);
  if (!n)
    return ctx.fail(DiagKind::ShapeOverflow, r, "element count");
  return tensorValue(ctx.reshape(x.tensor, {*n}, r), r);
}

Value reverseAxes(Context &ctx, const Value &x, const std::vector<int64_t> &axes, SourceRange r) {
  if (x.isError())
    return x;
  const Shape &in = ctx.typeOf(x.tensor).shape;
  std::vector<Dim> begins(in.size(), Dim(0));
  std::vector<int64_t> steps(in.size(), 1);
  for (int64_t axis : axes) {
    begins[size_t(axis)] = Dim::sub(in[size_t(axis)], Dim(1)).value_or(Dim(0));
    steps[size_t(axis)] = -1;
  }
  return Value::ofTensor(ctx.slice(x.tensor, begins, steps, in, r), r);
}

Value shiftAlong(Context &ctx, const Value &x, int64_t axis, double fill, SourceRange r) {
  if (x.isError())
    return x;
  const TensorType t = ctx.typeOf(x.tensor); // a copy: the IR grows below
  Shape kept = t.shape, edge = t.shape;
  auto n = Dim::sub(kept[size_t(axis)], Dim(1));
  if (!n || (n->isConstant() && n->constant() < 0))
    return x; // an empty axis stays empty
  kept[size_t(axis)] = *n;
  edge[size_t(axis)] = Dim(1);
  ValueId head = ctx.slice(x.tensor, std::vector<Dim>(t.shape.size(), Dim(0)),
                           std::vector<int64_t>(t.shape.size(), 1), kept, r);
  MaybeId first = ctx.broadcastTo(ctx.scalar(t.dtype, fill, r), edge, r);
  MaybeId out = first ? ctx.concat({*first, head}, axis, r) : std::nullopt;
  return tensorValue(out, r);
}

Value squeezeAxes(Context &ctx, const Value &x, const std::vector<int64_t> &axes, SourceRange r) {
  if (x.isError())
    return x;
  Shape shape;
  const Shape &in = ctx.typeOf(x.tensor).shape;
  for (size_t i = 0; i < in.size(); ++i)
    if (std::find(axes.begin(), axes.end(), int64_t(i)) == axes.end())
      shape.push_back(in[i]);
  return tensorValue(ctx.reshape(x.tensor, shape, r), r);
}

Value floatInput(Context &ctx, const CallArgs &a, size_t i) {
  Value x = tensorOf(ctx, a[i]);
  return x.isError() ? x : toFloat(ctx, x, a.range);
}

std::optional<std::pair<Value, Value>> floatPair(Context &ctx, const CallArgs &a) {
  auto dtype = promoteValues(ctx, {a[0], a[1]}, a.calledAs, false, a.range);
  if (!dtype)
    return std::nullopt;
  DType t = ctx.floatFor(*dtype);
  MaybeId x = toTensor(ctx, a[0], t), y = toTensor(ctx, a[1], t);
  if (!x || !y)
    return std::nullopt;
  return std::pair{Value::ofTensor(*x, a[0].range), Value::ofTensor(*y, a[1].range)};
}

} // namespace lamina::sema::compose
