// Branches a compile-time condition skips are not evaluated - `where(mask, x, 0.0) if mask is
// not None else x` must not evaluate `where` on None - but a typo inside one must not wait for
// the day the branch is taken. So a skipped branch is walked without evaluating it: every name
// must resolve, every dotted builtin must exist, and every call of a builtin or a helper def
// must bind its arguments (counts and keyword names).
//
// Types are checked where the branch's inputs are known: when the condition reads only literals
// and the caller's compile-time arguments (`x * 2 if training else x + bad`), and the branch
// reads none of the condition's names, the branch would see these very inputs under other
// arguments. It is then evaluated on the side - its IR dropped, its errors captured - and a
// failure is warning W0001, not an error: a config may choose its arguments precisely so that
// a branch never runs. A condition on the inputs (`x if ndim(x) == 2 else x[:, :, 0]`, `mask
// is not None`) decides for these inputs, so its skipped branch gets no such check.

#include "compiler/ast/Children.h"
#include "compiler/sema/Builtins.h"
#include "compiler/sema/Evaluator.h"

#include <set>

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

namespace {

void namesIn(const ast::Node *node, std::set<std::string> &out) {
  if (auto *name = ast::dyn<ast::Name>(node))
    out.insert(name->id);
  for (const ast::Child &child : ast::children(*node))
    namesIn(child.node, out);
}

} // namespace

void Evaluator::skipBranch(std::vector<const ast::Expr *> conditions, const ast::Expr *branch) {
  checkUntaken(branch);
  if (!branch || ctx_.tooLarge || ctx_.diags.hasErrors())
    return;
  std::set<std::string> read, branchReads;
  for (const ast::Expr *c : conditions)
    namesIn(c, read);
  namesIn(branch, branchReads);
  for (const std::string &name : read) {
    bool local = (frame_ && frame_->count(name)) || globals.count(name);
    if ((local && !arguments.count(name)) || branchReads.count(name))
      return; // the condition depends on the inputs, or the branch on the condition
  }
  ir::Function saved = ctx_.fn;
  std::set<std::string> savedVariables = ctx_.variableNames;
  std::vector<Diagnostic> captured;
  ctx_.diags.capture(&captured);
  eval(branch);
  ctx_.diags.capture(nullptr);
  ctx_.fn = std::move(saved);
  ctx_.variableNames = std::move(savedVariables);
  ctx_.tooLarge = false;
  for (const Diagnostic &d : captured)
    if (d.info().severity == Severity::Error) {
      Diagnostic warning =
          makeDiagnostic(DiagKind::UntakenBranchFails, *ctx_.file, d.range, d.message);
      warning.label = d.label;
      warning.notes = d.notes;
      SourceRange condition{conditions.front()->range.begin, conditions.back()->range.end};
      warning.withNote(condition, "the branch is skipped because this is known when checked");
      ctx_.diags.emit(std::move(warning));
      return;
    }
}

} // namespace lamina::sema
