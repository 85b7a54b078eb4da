#include "compiler/parse/AstBuilder.h"

#include <set>

namespace lamina::parse_detail {

using namespace lamina::ast;

/// One BinaryChain for `operands[0] ops[0] operands[1] …`, or the operand alone. A first
/// operand that is itself a parenthesised chain of the same level is merged, since
/// `(a + b) + c` is `a + b + c`; later operands never are (`a - (b + c)`).
Expr *AstBuilder::chain(antlr4::ParserRuleContext *ctx, std::vector<Expr *> operands,
                        std::vector<BinaryOp> ops) {
  if (ops.empty())
    return operands.front();
  BinaryChain *node = make<BinaryChain>(ctx);
  if (auto *first = dyn<BinaryChain>(operands.front());
      first && levelOf(first->ops.front()) == levelOf(ops.front()) &&
      ops.front() != BinaryOp::Pow) {
    node->operands = first->operands;
    node->ops = first->ops;
  } else {
    node->operands.push_back(operands.front());
  }
  node->operands.insert(node->operands.end(), operands.begin() + 1, operands.end());
  node->ops.insert(node->ops.end(), ops.begin(), ops.end());
  return node;
}

// testList : test (COMMA test)* COMMA? ;   (a comma makes a tuple)
Expr *AstBuilder::buildTestList(P::TestListContext *ctx) {
  if (ctx->COMMA().empty())
    return buildTest(ctx->test(0));
  Tuple *tuple = make<Tuple>(ctx);
  for (P::TestContext *t : ctx->test())
    tuple->elements.push_back(buildTest(t));
  return tuple;
}

// test : value=orTest (IF condition=orTest ELSE orElse=test)? | lambdaDef ;
Expr *AstBuilder::buildTest(P::TestContext *ctx) {
  if (P::LambdaDefContext *lambda = ctx->lambdaDef()) {
    error(DiagKind::NestedLambda, range(lambda->LAMBDA()));
    return buildLambda(lambda);
  }
  Expr *value = buildOrTest(ctx->value);
  if (!ctx->IF())
    return value;
  IfExpr *node = make<IfExpr>(ctx);
  node->thenValue = value;
  node->condition = buildOrTest(ctx->condition);
  node->elseValue = buildTest(ctx->orElse);
  return node;
}

// orTest : andTest (OR andTest)* ;
Expr *AstBuilder::buildOrTest(P::OrTestContext *ctx) {
  std::vector<Expr *> operands;
  for (P::AndTestContext *operand : ctx->andTest())
    operands.push_back(buildAndTest(operand));
  return chain(ctx, std::move(operands), std::vector(ctx->OR().size(), BinaryOp::Or));
}

// andTest : notTest (AND notTest)* ;
Expr *AstBuilder::buildAndTest(P::AndTestContext *ctx) {
  std::vector<Expr *> operands;
  for (P::NotTestContext *operand : ctx->notTest())
    operands.push_back(buildNotTest(operand));
  return chain(ctx, std::move(operands), std::vector(ctx->AND().size(), BinaryOp::And));
}

// notTest : NOT notTest | comparison ;
Expr *AstBuilder::buildNotTest(P::NotTestContext *ctx) {
  if (!ctx->NOT())
    return buildComparison(ctx->comparison());
  Unary *node = make<Unary>(ctx);
  node->op = UnaryOp::Not;
  node->operand = buildNotTest(ctx->notTest());
  return node;
}

// comparison : bitOr (compOp bitOr)* ;
Expr *AstBuilder::buildComparison(P::ComparisonContext *ctx) {
  if (ctx->compOp().empty())
    return buildBitOr(ctx->bitOr(0));
  Compare *node = make<Compare>(ctx);
  for (P::BitOrContext *operand : ctx->bitOr())
    node->operands.push_back(buildBitOr(operand));
  for (P::CompOpContext *op : ctx->compOp())
    node->ops.push_back(op->LT()    ? CompareOp::Lt
                        : op->GT()  ? CompareOp::Gt
                        : op->EQ()  ? CompareOp::Eq
                        : op->NE()  ? CompareOp::Ne
                        : op->LE()  ? CompareOp::Le
                        : op->GE()  ? CompareOp::Ge
                        : op->NOT() ? CompareOp::IsNot
                                    : CompareOp::Is);
  return node;
}

// bitOr : bitXor (PIPE bitXor)* ;
Expr *AstBuilder::buildBitOr(P::BitOrContext *ctx) {
  std::vector<Expr *> operands;
  for (P::BitXorContext *operand : ctx->bitXor())
    operands.push_back(buildBitXor(operand));
  return chain(ctx, std::move(operands), std::vector(ctx->PIPE().size(), BinaryOp::BitOr));
}

// bitXor : bitAnd (CARET bitAnd)* ;
Expr *AstBuilder::buildBitXor(P::BitXorContext *ctx) {
  std::vector<Expr *> operands;
  for (P::BitAndContext *operand : ctx->bitAnd())
    operands.push_back(buildBitAnd(operand));
  return chain(ctx, std::move(operands), std::vector(ctx->CARET().size(), BinaryOp::BitXor));
}

// bitAnd : shift (AMP shift)* ;
Expr *AstBuilder::buildBitAnd(P::BitAndContext *ctx) {
  std::vector<Expr *> operands;
  for (P::ShiftContext *operand : ctx->shift())
    operands.push_back(buildShift(operand));
  return chain(ctx, std::move(operands), std::vector(ctx->AMP().size(), BinaryOp::BitAnd));
}

// shift : arith (shiftOp arith)* ;
Expr *AstBuilder::buildShift(P::ShiftContext *ctx) {
  std::vector<Expr *> operands;
  for (P::ArithContext *operand : ctx->arith())
    operands.push_back(buildArith(operand));
  std::vector<BinaryOp> ops;
  for (P::ShiftOpContext *op : ctx->shiftOp())
    ops.push_back(op->LSHIFT() ? BinaryOp::LShift : BinaryOp::RShift);
  return chain(ctx, std::move(operands), std::move(ops));
}

// arith : term (arithOp term)* ;
Expr *AstBuilder::buildArith(P::ArithContext *ctx) {
  std::vector<Expr *> operands;
  for (P::TermContext *operand : ctx->term())
    operands.push_back(buildTerm(operand));
  std::vector<BinaryOp> ops;
  for (P::ArithOpContext *op : ctx->arithOp())
    ops.push_back(op->PLUS() ? BinaryOp::Add : BinaryOp::Sub);
  return chain(ctx, std::move(operands), std::move(ops));
}

// term : factor (termOp factor)* ;
Expr *AstBuilder::buildTerm(P::TermContext *ctx) {
  std::vector<Expr *> operands;
  for (P::FactorContext *operand : ctx->factor())
    operands.push_back(buildFactor(operand));
  std::vector<BinaryOp> ops;
  for (P::TermOpContext *op : ctx->termOp())
    ops.push_back(op->STAR()      ? BinaryOp::Mul
                  : op->SLASH()   ? BinaryOp::Div
                  : op->DSLASH()  ? BinaryOp::FloorDiv
                  : op->PERCENT() ? BinaryOp::Mod
                                  : BinaryOp::MatMul);
  return chain(ctx, std::move(operands), std::move(ops));
}

// factor : (PLUS | MINUS | TILDE) factor | power ;
Expr *AstBuilder::buildFactor(P::FactorContext *ctx) {
  if (ctx->power())
    return buildPower(ctx->power());
  // `-9223372036854775808` is the smallest int64, as in Python, though its digits alone do not
  // fit: fold exactly that literal into one Number (and nothing else, so trees stay as written).
  if (P::PowerContext *power = ctx->factor()->power(); ctx->MINUS() && power && !power->DSTAR())
    if (P::AtomExprContext *atomExpr = power->atomExpr(); atomExpr->trailer().empty())
      if (antlr4::tree::TerminalNode *digits = atomExpr->atom()->NUMBER();
          digits && digits->getText() == "9223372036854775808") {
        Number *number = make<Number>(ctx);
        number->isInteger = true;
        number->intValue = INT64_MIN;
        return number;
      }
  Unary *node = make<Unary>(ctx);
  node->op = ctx->MINUS() ? UnaryOp::Neg : ctx->TILDE() ? UnaryOp::Invert : UnaryOp::Pos;
  node->operand = buildFactor(ctx->factor());
  return node;
}

// power : atomExpr (DSTAR factor)? ;
Expr *AstBuilder::buildPower(P::PowerContext *ctx) {
  Expr *base = buildAtomExpr(ctx->atomExpr());
  if (!ctx->DSTAR())
    return base;
  return chain(ctx, {base, buildFactor(ctx->factor())}, {BinaryOp::Pow});
}

// atomExpr : atom trailer* ;
Expr *AstBuilder::buildAtomExpr(P::AtomExprContext *ctx) {
  Expr *expr = buildAtom(ctx->atom());
  for (P::TrailerContext *trailer : ctx->trailer())
    expr = buildTrailer(expr, trailer);
  return expr;
}

// trailer : LPAREN argList? RPAREN | LBRACK subscriptList RBRACK | DOT NAME ;
Expr *AstBuilder::buildTrailer(Expr *object, P::TrailerContext *ctx) {
  if (ctx->LPAREN())
    return buildCall(object, ctx);
  if (ctx->LBRACK())
    return buildSubscript(object, ctx);
  Attribute *node = make<Attribute>(SourceRange::join(object->range, range(ctx)));
  node->object = object;
  node->name = ctx->NAME()->getText();
  node->nameRange = range(ctx->NAME());
  return node;
}

// argList  : argument (COMMA argument)* COMMA? ;
// argument : NAME ASSIGN test | test ;
Expr *AstBuilder::buildCall(Expr *callee, P::TrailerContext *ctx) {
  Call *call = make<Call>(SourceRange::join(callee->range, range(ctx)));
  call->callee = callee;
  P::ArgListContext *args = ctx->argList();
  if (!args)
    return call;
  std::set<std::string> seen;
  for (P::ArgumentContext *arg : args->argument()) {
    if (!arg->ASSIGN()) {
      Expr *value = buildTest(arg->test());
      if (!call->keywords.empty())
        error(DiagKind::PositionalAfterKeyword, value->range);
      call->args.push_back(value);
      continue;
    }
    Keyword *keyword = make<Keyword>(arg);
    keyword->name = arg->NAME()->getText();
    keyword->nameRange = range(arg->NAME());
    keyword->value = buildTest(arg->test());
    if (!seen.insert(keyword->name).second)
      error(DiagKind::DuplicateKeyword, keyword->nameRange, keyword->name);
    call->keywords.push_back(keyword);
  }
  return call;
}

// subscriptList : subscript (COMMA subscript)* COMMA? ;
// subscript     : index=test | lower=test? COLON upper=test? (COLON step=test?)? ;
Expr *AstBuilder::buildSubscript(Expr *object, P::TrailerContext *ctx) {
  Subscript *node = make<Subscript>(SourceRange::join(object->range, range(ctx)));
  node->object = object;
  for (P::SubscriptContext *s : ctx->subscriptList()->subscript()) {
    if (s->index) {
      node->indices.push_back(buildTest(s->index));
      continue;
    }
    Slice *slice = make<Slice>(s);
    if (s->lower)
      slice->lower = buildTest(s->lower);
    if (s->upper)
      slice->upper = buildTest(s->upper);
    if (s->step)
      slice->step = buildTest(s->step);
    node->indices.push_back(slice);
  }
  return node;
}

// atom : LPAREN testList? RPAREN | LBRACK testList? RBRACK
//      | NAME | NUMBER | STRING+ | ELLIPSIS | NONE | TRUE | FALSE ;
Expr *AstBuilder::buildAtom(P::AtomContext *ctx) {
  if (ctx->LPAREN()) {
    P::TestListContext *list = ctx->testList();
    if (list && list->COMMA().empty())
      return buildTest(list->test(0)); // parentheses only group
    Tuple *tuple = make<Tuple>(ctx);
    if (list)
      for (P::TestContext *t : list->test())
        tuple->elements.push_back(buildTest(t));
    return tuple;
  }
  if (ctx->LBRACK()) {
    List *node = make<List>(ctx);
    if (P::TestListContext *list = ctx->testList())
      for (P::TestContext *t : list->test())
        node->elements.push_back(buildTest(t));
    return node;
  }
  if (ctx->NAME()) {
    Name *name = make<Name>(ctx);
    name->id = ctx->NAME()->getText();
    return name;
  }
  if (ctx->NUMBER())
    return buildNumber(ctx->NUMBER());
  if (!ctx->STRING().empty())
    return buildStrings(ctx);
  if (ctx->ELLIPSIS())
    return make<EllipsisLit>(ctx);
  if (ctx->NONE())
    return make<NoneLit>(ctx);
  Bool *b = make<Bool>(ctx);
  b->value = ctx->TRUE() != nullptr;
  return b;
}

} // namespace lamina::parse_detail
