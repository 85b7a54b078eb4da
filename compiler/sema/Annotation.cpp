// Type annotations: `f32[B, 256]`, `float32[None, 3]`, `i64` (a scalar). Dimensions are
// integers, symbols (names) or None (the batch symbol).

#include "compiler/sema/Evaluator.h"

#include "compiler/types/TypeSpec.h"

namespace lamina::sema {

std::optional<TensorType> parseAnnotation(Context &ctx, const ast::Expr *annotation) {
  const ast::Expr *head = annotation;
  const std::vector<ast::Expr *> *dims = nullptr;
  if (auto *s = ast::dyn<ast::Subscript>(annotation)) {
    head = s->object;
    dims = &s->indices;
  }
  auto *name = ast::dyn<ast::Name>(head);
  std::optional<DType> dtype = name ? parseDType(name->id) : std::nullopt;
  if (!dtype && name && isComplexDTypeName(name->id)) {
    ctx.fail(DiagKind::ComplexDType, name->range, name->id);
    return std::nullopt;
  }
  if (!dtype) {
    ctx.fail(DiagKind::BadAnnotation, annotation->range,
             ctx.file->text().substr(annotation->range.begin,
                                     annotation->range.end - annotation->range.begin));
    return std::nullopt;
  }
  TensorType type{*dtype, {}};
  if (!dims)
    return type;
  for (const ast::Expr *d : *dims) {
    std::string_view text = ctx.file->text();
    switch (d->kind) {
    case ast::NodeKind::Number:
      if (auto &n = static_cast<const ast::Number &>(*d); n.isInteger && n.intValue >= 0) {
        type.shape.push_back(n.intValue);
        continue;
      }
      break;
    case ast::NodeKind::Name:
      type.shape.push_back(Dim::symbol(static_cast<const ast::Name &>(*d).id));
      continue;
    case ast::NodeKind::NoneLit:
      type.shape.push_back(noneSymbol(type.shape.size()));
      continue;
    case ast::NodeKind::String:
    case ast::NodeKind::Bool:
    case ast::NodeKind::EllipsisLit:
    case ast::NodeKind::Unary:
    case ast::NodeKind::BinaryChain:
    case ast::NodeKind::Compare:
    case ast::NodeKind::IfExpr:
    case ast::NodeKind::Call:
    case ast::NodeKind::Attribute:
    case ast::NodeKind::Subscript:
    case ast::NodeKind::Slice:
    case ast::NodeKind::List:
    case ast::NodeKind::Tuple:
    case ast::NodeKind::Lambda:
    case ast::NodeKind::Assign:
    case ast::NodeKind::AugAssign:
    case ast::NodeKind::ExprStmt:
    case ast::NodeKind::Return:
    case ast::NodeKind::Keyword:
    case ast::NodeKind::Param:
    case ast::NodeKind::Def:
      break;
    }
    ctx.fail(DiagKind::BadAnnotation, d->range,
             text.substr(d->range.begin, d->range.end - d->range.begin));
    return std::nullopt;
  }
  if (!ctx.checkShape(type.shape, annotation->range))
    return std::nullopt;
  return type;
}

} // namespace lamina::sema
