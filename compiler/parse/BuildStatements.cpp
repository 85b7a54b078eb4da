#include "compiler/parse/AstBuilder.h"
#include "compiler/support/Unreachable.h"

#include <set>

namespace lamina::parse_detail {

using namespace lamina::ast;

std::unique_ptr<Module> AstBuilder::build(P::ModuleContext *ctx) {
  module_ = std::make_unique<Module>();
  module_->comments = lexed_.comments;
  try {
    buildItems(ctx);
  } catch (const NodeLimitReached &) {
    return nullptr;
  }
  if (!ok_)
    return nullptr;
  return std::move(module_);
}

// module : sep* (item (sep+ item)*)? sep* EOF ;
// item   : funcDef | statement ;
void AstBuilder::buildItems(P::ModuleContext *ctx) {
  const Lambda *lambda = nullptr;
  for (P::ItemContext *item : ctx->item()) {
    Node *node = item->funcDef() ? static_cast<Node *>(buildFuncDef(item->funcDef()))
                                 : buildStatement(item->statement(), /*topLevel=*/true);
    if (lambda)
      error(DiagKind::LambdaNotLast, node->range);
    else if (auto *l = dyn<Lambda>(node))
      lambda = l;
    module_->items.push_back(node);
    if (diags_.limitReached())
      return;
  }
}

// funcDef : DEF NAME LPAREN paramList? RPAREN (ARROW returnType=test)? COLON sep*
//           (statement sep+)* returnStmt ;
// returnStmt : RETURN testList ;
Def *AstBuilder::buildFuncDef(P::FuncDefContext *ctx) {
  Def *def = make<Def>(ctx);
  def->name = ctx->NAME()->getText();
  def->nameRange = range(ctx->NAME());
  def->params = buildParams(ctx->paramList());
  checkParams(def->params);
  if (ctx->returnType)
    def->returnAnnotation = buildTest(ctx->returnType);
  for (P::StatementContext *stmt : ctx->statement())
    def->body.push_back(buildStatement(stmt, /*topLevel=*/false));
  P::ReturnStmtContext *ret = ctx->returnStmt();
  Return *node = make<Return>(ret);
  node->value = buildTestList(ret->testList());
  def->body.push_back(node);
  return def;
}

// paramList : param (COMMA param)* COMMA? ;
// param     : NAME (COLON annotation=test)? (ASSIGN defaultValue=test)? ;
std::vector<Param *> AstBuilder::buildParams(P::ParamListContext *ctx) {
  std::vector<Param *> params;
  if (!ctx)
    return params;
  for (P::ParamContext *p : ctx->param()) {
    Param *param = make<Param>(p);
    param->name = p->NAME()->getText();
    if (p->annotation)
      param->annotation = buildTest(p->annotation);
    if (p->defaultValue)
      param->defaultValue = buildTest(p->defaultValue);
    params.push_back(param);
  }
  return params;
}

// lambdaDef    : LAMBDA lambdaParams? COLON body=test ;
// lambdaParams : lambdaParam (COMMA lambdaParam)* COMMA? ;
// lambdaParam  : NAME (ASSIGN defaultValue=test)? ;
Lambda *AstBuilder::buildLambda(P::LambdaDefContext *ctx) {
  Lambda *lambda = make<Lambda>(ctx);
  if (P::LambdaParamsContext *list = ctx->lambdaParams()) {
    for (P::LambdaParamContext *p : list->lambdaParam()) {
      Param *param = make<Param>(p);
      param->name = p->NAME()->getText();
      if (p->defaultValue)
        param->defaultValue = buildTest(p->defaultValue);
      lambda->params.push_back(param);
    }
  }
  checkParams(lambda->params);
  lambda->body = buildTest(ctx->body);
  return lambda;
}

void AstBuilder::checkParams(const std::vector<Param *> &params) {
  std::set<std::string> seen;
  bool sawDefault = false;
  for (const Param *p : params) {
    SourceRange nameRange{p->range.begin, p->range.begin + static_cast<uint32_t>(p->name.size())};
    if (!seen.insert(p->name).second)
      error(DiagKind::DuplicateParameter, nameRange, p->name);
    if (p->defaultValue)
      sawDefault = true;
    else if (sawDefault)
      error(DiagKind::NonDefaultAfterDefault, nameRange, p->name);
  }
}

// statement : testList (assignOp testList)? ;
Stmt *AstBuilder::buildStatement(P::StatementContext *ctx, bool topLevel) {
  if (P::AssignOpContext *op = ctx->assignOp())
    return op->ASSIGN() ? buildAssign(ctx) : buildAugAssign(ctx);
  P::TestListContext *list = ctx->testList(0);
  // The one place a lambda may stand: alone, as a whole top-level item.
  if (topLevel && list->test().size() == 1 && list->COMMA().empty() && list->test(0)->lambdaDef())
    return buildLambda(list->test(0)->lambdaDef());
  ExprStmt *stmt = make<ExprStmt>(ctx);
  stmt->value = buildTestList(list);
  return stmt;
}

namespace {
/// "a call", "a number": what an expression is, for "cannot assign to …".
std::string describeTarget(const Node *node) {
  switch (node->kind) {
  case NodeKind::Call:
    return "a call";
  case NodeKind::Attribute:
    return "an attribute";
  case NodeKind::Subscript:
    return "a subscript: tensors cannot be changed in place";
  case NodeKind::Number:
  case NodeKind::String:
  case NodeKind::Bool:
  case NodeKind::NoneLit:
  case NodeKind::EllipsisLit:
    return "a literal";
  case NodeKind::Tuple:
  case NodeKind::List:
    return "a list that is not a list of names";
  case NodeKind::Name:
  case NodeKind::Unary:
  case NodeKind::BinaryChain:
  case NodeKind::Compare:
  case NodeKind::IfExpr:
  case NodeKind::Slice:
  case NodeKind::Lambda:
  case NodeKind::Assign:
  case NodeKind::AugAssign:
  case NodeKind::ExprStmt:
  case NodeKind::Return:
  case NodeKind::Keyword:
  case NodeKind::Param:
  case NodeKind::Def:
    return "an expression";
  }
  LAMINA_UNREACHABLE("not a node kind");
}
} // namespace

// statement : testList ASSIGN testList ;
// Targets: names, names separated by commas, or such a list in brackets: `(a, b) = t`.
Stmt *AstBuilder::buildAssign(P::StatementContext *ctx) {
  Assign *assign = make<Assign>(ctx);
  P::TestListContext *targets = ctx->testList(0);
  std::vector<Expr *> exprs;
  for (P::TestContext *t : targets->test())
    exprs.push_back(buildTest(t));
  assign->unpack = exprs.size() > 1 || !targets->COMMA().empty();
  if (exprs.size() == 1 &&
      (exprs[0]->kind == NodeKind::Tuple || exprs[0]->kind == NodeKind::List)) {
    const auto &elements = exprs[0]->kind == NodeKind::Tuple
                               ? static_cast<Tuple *>(exprs[0])->elements
                               : static_cast<List *>(exprs[0])->elements;
    if (!elements.empty()) {
      exprs = elements;
      assign->unpack = true;
    }
  }
  for (Expr *target : exprs) {
    if (auto *name = dyn<Name>(target))
      assign->targets.push_back(name);
    else
      error(DiagKind::InvalidAssignTarget, target->range, describeTarget(target));
  }
  assign->value = buildTestList(ctx->testList(1));
  return assign;
}

// statement : testList assignOp testList ;   (`x += e`: one name)
Stmt *AstBuilder::buildAugAssign(P::StatementContext *ctx) {
  AugAssign *aug = make<AugAssign>(ctx);
  P::AssignOpContext *op = ctx->assignOp();
  aug->op = op->PLUS_ASSIGN()      ? BinaryOp::Add
            : op->MINUS_ASSIGN()   ? BinaryOp::Sub
            : op->STAR_ASSIGN()    ? BinaryOp::Mul
            : op->SLASH_ASSIGN()   ? BinaryOp::Div
            : op->DSLASH_ASSIGN()  ? BinaryOp::FloorDiv
            : op->PERCENT_ASSIGN() ? BinaryOp::Mod
            : op->DSTAR_ASSIGN()   ? BinaryOp::Pow
            : op->AMP_ASSIGN()     ? BinaryOp::BitAnd
            : op->PIPE_ASSIGN()    ? BinaryOp::BitOr
            : op->CARET_ASSIGN()   ? BinaryOp::BitXor
            : op->LSHIFT_ASSIGN()  ? BinaryOp::LShift
            : op->RSHIFT_ASSIGN()  ? BinaryOp::RShift
                                   : BinaryOp::MatMul;
  Expr *target = buildTestList(ctx->testList(0));
  aug->target = dyn<Name>(target);
  if (!aug->target) {
    error(DiagKind::InvalidAugAssignTarget, target->range,
          target->kind == NodeKind::Tuple ? "a list of names" : describeTarget(target));
    aug->target = make<Name>(target->range); // keeps the node well-formed; the module is dropped
  }
  aug->value = buildTestList(ctx->testList(1));
  return aug;
}

} // namespace lamina::parse_detail
