#include "compiler/ast/Children.h"

#include "compiler/ast/Literals.h"
#include "compiler/support/Unreachable.h"

namespace lamina::ast {

namespace {

void addAll(std::vector<Child> &out, const auto &nodes) {
  for (const Node *n : nodes)
    out.push_back({"", n});
}

void addIf(std::vector<Child> &out, std::string_view role, const Node *n) {
  if (n)
    out.push_back({role, n});
}

std::string joinOps(const auto &ops) {
  std::string out;
  for (auto op : ops) {
    if (!out.empty())
      out += ' ';
    out += spelling(op);
  }
  return out;
}

std::string paramNames(const std::vector<Param *> &params) {
  std::string out;
  for (const Param *p : params)
    out += (out.empty() ? "" : ", ") + p->name;
  return "(" + out + ")";
}

} // namespace

std::vector<Child> children(const Node &node) {
  std::vector<Child> out;
  switch (node.kind) {
  case NodeKind::Name:
  case NodeKind::Number:
  case NodeKind::String:
  case NodeKind::Bool:
  case NodeKind::NoneLit:
  case NodeKind::EllipsisLit:
    break;
  case NodeKind::Unary:
    out.push_back({"", static_cast<const Unary &>(node).operand});
    break;
  case NodeKind::BinaryChain:
    addAll(out, static_cast<const BinaryChain &>(node).operands);
    break;
  case NodeKind::Compare:
    addAll(out, static_cast<const Compare &>(node).operands);
    break;
  case NodeKind::IfExpr: {
    const auto &n = static_cast<const IfExpr &>(node);
    out = {{"then", n.thenValue}, {"if", n.condition}, {"else", n.elseValue}};
    break;
  }
  case NodeKind::Call: {
    const auto &n = static_cast<const Call &>(node);
    out.push_back({"callee", n.callee});
    addAll(out, n.args);
    addAll(out, n.keywords);
    break;
  }
  case NodeKind::Attribute:
    out.push_back({"object", static_cast<const Attribute &>(node).object});
    break;
  case NodeKind::Subscript: {
    const auto &n = static_cast<const Subscript &>(node);
    out.push_back({"object", n.object});
    addAll(out, n.indices);
    break;
  }
  case NodeKind::Slice: {
    const auto &n = static_cast<const Slice &>(node);
    addIf(out, "lower", n.lower);
    addIf(out, "upper", n.upper);
    addIf(out, "step", n.step);
    break;
  }
  case NodeKind::List:
    addAll(out, static_cast<const List &>(node).elements);
    break;
  case NodeKind::Tuple:
    addAll(out, static_cast<const Tuple &>(node).elements);
    break;
  case NodeKind::Lambda: {
    const auto &n = static_cast<const Lambda &>(node);
    addAll(out, n.params);
    out.push_back({"body", n.body});
    break;
  }
  case NodeKind::Assign: {
    const auto &n = static_cast<const Assign &>(node);
    addAll(out, n.targets);
    out.push_back({"value", n.value});
    break;
  }
  case NodeKind::AugAssign: {
    const auto &n = static_cast<const AugAssign &>(node);
    out = {{"target", n.target}, {"value", n.value}};
    break;
  }
  case NodeKind::ExprStmt:
    out.push_back({"", static_cast<const ExprStmt &>(node).value});
    break;
  case NodeKind::Return:
    out.push_back({"", static_cast<const Return &>(node).value});
    break;
  case NodeKind::Keyword:
    out.push_back({"", static_cast<const Keyword &>(node).value});
    break;
  case NodeKind::Param: {
    const auto &n = static_cast<const Param &>(node);
    addIf(out, "annotation", n.annotation);
    addIf(out, "default", n.defaultValue);
    break;
  }
  case NodeKind::Def: {
    const auto &n = static_cast<const Def &>(node);
    addAll(out, n.params);
    addIf(out, "returns", n.returnAnnotation);
    addAll(out, n.body);
    break;
  }
  }
  return out;
}

std::string attributes(const Node &node) {
  switch (node.kind) {
  case NodeKind::Name:
    return static_cast<const Name &>(node).id;
  case NodeKind::Number: {
    const auto &n = static_cast<const Number &>(node);
    return n.isInteger ? "int " + formatInteger(n.intValue) : "float " + formatFloat(n.floatValue);
  }
  case NodeKind::String:
    return quoteString(static_cast<const String &>(node).value);
  case NodeKind::Bool:
    return static_cast<const Bool &>(node).value ? "True" : "False";
  case NodeKind::Unary:
    return std::string(spelling(static_cast<const Unary &>(node).op));
  case NodeKind::BinaryChain:
    return joinOps(static_cast<const BinaryChain &>(node).ops);
  case NodeKind::Compare:
    return joinOps(static_cast<const Compare &>(node).ops);
  case NodeKind::Attribute:
    return "." + static_cast<const Attribute &>(node).name;
  case NodeKind::Lambda:
    return paramNames(static_cast<const Lambda &>(node).params);
  case NodeKind::Assign:
    return static_cast<const Assign &>(node).unpack ? "unpack" : "";
  case NodeKind::AugAssign:
    return std::string(spelling(static_cast<const AugAssign &>(node).op)) + "=";
  case NodeKind::Keyword:
    return static_cast<const Keyword &>(node).name;
  case NodeKind::Param:
    return static_cast<const Param &>(node).name;
  case NodeKind::Def: {
    const auto &n = static_cast<const Def &>(node);
    return n.name + paramNames(n.params);
  }
  case NodeKind::NoneLit:
  case NodeKind::EllipsisLit:
  case NodeKind::IfExpr:
  case NodeKind::Call:
  case NodeKind::Subscript:
  case NodeKind::Slice:
  case NodeKind::List:
  case NodeKind::Tuple:
  case NodeKind::ExprStmt:
  case NodeKind::Return:
    return ""; // no attribute text
  }
  LAMINA_UNREACHABLE("not a node kind");
}

} // namespace lamina::ast
