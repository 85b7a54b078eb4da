// Branches a compile-time condition skips are not evaluated - `where(mask, x, 0.0) if mask is
// not None else x` must not evaluate `where` on None - but a typo inside one must not wait for
// the day the branch is taken. So a skipped branch is walked without evaluating it: every name
// must resolve, every dotted builtin must exist, and every call of a builtin or a helper def
// must bind its arguments (counts and keyword names). Types are not checked: they depend on the
// values the branch would see.

#include "compiler/ast/Children.h"
#include "compiler/sema/Builtins.h"
#include "compiler/sema/Evaluator.h"

namespace lamina::sema {

using K = Value::Kind;

std::optional<Value> Evaluator::resolveStatically(const ast::Expr *expr) {
  if (auto *name = ast::dyn<ast::Name>(expr))
    return lookup(*name);
  if (auto *attr = ast::dyn<ast::Attribute>(expr)) {
    std::optional<Value> object = resolveStatically(attr->object);
    if (object && object->kind == K::Namespace)
      return attribute(*attr); // only looks names up: tf.math.reduce_sum
    if (object && object->isError())
      return object;
    if (!object)
      checkUntaken(attr->object);
    return std::nullopt;
  }
  checkUntaken(expr);
  return std::nullopt;
}

void Evaluator::checkUntaken(const ast::Expr *expr) {
  if (!expr || ctx_.tooLarge)
    return;
  if (ast::dyn<ast::Name>(expr) || ast::dyn<ast::Attribute>(expr)) {
    resolveStatically(expr);
    return;
  }
  auto *call = ast::dyn<ast::Call>(expr);
  if (!call) {
    for (const ast::Child &child : ast::children(*expr))
      if (child.node->kind != ast::NodeKind::Lambda && ast::isExpr(child.node->kind))
        checkUntaken(static_cast<const ast::Expr *>(child.node));
    return;
  }
  std::optional<Value> callee = resolveStatically(call->callee);
  // Placeholders stand for the arguments: binding needs their count and names only.
  std::vector<Value> positional;
  std::vector<std::pair<std::string, Value>> keywords;
  for (const ast::Expr *arg : call->args) {
    checkUntaken(arg);
    positional.push_back(Value::none(arg->range));
  }
  for (const ast::Keyword *kw : call->keywords) {
    checkUntaken(kw->value);
    keywords.emplace_back(kw->name, Value::none(kw->range));
  }
  if (!callee)
    return;
  if (callee->kind == K::Builtin)
    bindCall(ctx_, *callee->builtin, textOf(call->callee->range), std::move(positional),
             std::move(keywords), call->range);
  else if (callee->kind == K::Function)
    bindDef(*callee->def, std::move(positional), std::move(keywords), call->range);
}

} // namespace lamina::sema
