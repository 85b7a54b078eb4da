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

} // namespace lamina::sema::compose
