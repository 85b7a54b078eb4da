// `--arg` values: parsed with lamina's own parser (so positions and errors are the usual
// ones), then folded from literals only: no names but JSON's true/false/null.

#include "compiler/sema/ConstValue.h"

namespace lamina {
namespace {

std::optional<ConstValue> fold(const ast::Expr *e, const SourceFile &file,
                               DiagnosticEngine &diags) {
  using ast::NodeKind;
  switch (e->kind) {
  case NodeKind::Number: {
    auto *n = static_cast<const ast::Number *>(e);
    return n->isInteger ? ConstValue::integer(n->intValue) : ConstValue::real(n->floatValue);
  }
  case NodeKind::String:
    return ConstValue::string(static_cast<const ast::String *>(e)->value);
  case NodeKind::Bool:
    return ConstValue::boolean(static_cast<const ast::Bool *>(e)->value);
  case NodeKind::NoneLit:
    return ConstValue::none();
  case NodeKind::Name: {
    const std::string &id = static_cast<const ast::Name *>(e)->id;
    if (id == "true" || id == "false")
      return ConstValue::boolean(id == "true");
    if (id == "null")
      return ConstValue::none();
    break;
  }
  case NodeKind::Unary: {
    auto *u = static_cast<const ast::Unary *>(e);
    auto v = fold(u->operand, file, diags);
    if (!v || u->op == ast::UnaryOp::Not)
      break;
    if (u->op == ast::UnaryOp::Pos)
      return v;
    if (u->op == ast::UnaryOp::Invert) {
      if (v->kind == ConstValue::Kind::Int)
        return ConstValue::integer(~v->i);
      break;
    }
    if (v->kind == ConstValue::Kind::Int && v->i != INT64_MIN)
      return ConstValue::integer(-v->i);
    if (v->kind == ConstValue::Kind::Float)
      return ConstValue::real(-v->f);
    break;
  }
  case NodeKind::List:
  case NodeKind::Tuple: {
    bool isList = e->kind == NodeKind::List;
    const auto &elements = isList ? static_cast<const ast::List *>(e)->elements
                                  : static_cast<const ast::Tuple *>(e)->elements;
    ConstValue out;
    out.kind = isList ? ConstValue::Kind::List : ConstValue::Kind::Tuple;
    for (const ast::Expr *x : elements) {
      auto v = fold(x, file, diags);
      if (!v)
        return std::nullopt;
      out.elements.push_back(std::move(*v));
    }
    return out;
  }
  case NodeKind::EllipsisLit:
  case NodeKind::BinaryChain:
  case NodeKind::Compare:
  case NodeKind::IfExpr:
  case NodeKind::Call:
  case NodeKind::Attribute:
  case NodeKind::Subscript:
  case NodeKind::Slice:
  case NodeKind::Lambda:
  case NodeKind::Assign:
  case NodeKind::AugAssign:
  case NodeKind::ExprStmt:
  case NodeKind::Return:
  case NodeKind::Keyword:
  case NodeKind::Param:
  case NodeKind::Def:
    break;
  }
  diags.report(DiagKind::ExpectedConstant, file, e->range, "an argument value",
               "an expression; write a number, string, bool, None or a list of those");
  return std::nullopt;
}

} // namespace

std::optional<ConstValue> foldConstValue(const ast::Module &module, const SourceFile &file,
                                         DiagnosticEngine &diags) {
  if (module.items.size() != 1 || !ast::dyn<ast::ExprStmt>(module.items[0])) {
    diags.report(DiagKind::ExpectedConstant, file, SourceRange{0, uint32_t(file.text().size())},
                 "an argument value", "something else");
    return std::nullopt;
  }
  return fold(static_cast<const ast::ExprStmt *>(module.items[0])->value, file, diags);
}

} // namespace lamina
