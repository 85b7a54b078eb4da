#pragma once

#include "compiler/parse/TokenPass.h"

#include "LaminaParser.h"

namespace lamina::parse_detail {

using P = generated::LaminaParser;

/// Turns ANTLR parse-tree contexts into lamina's AST. Hand-written, one method per grammar
/// rule (the rule is quoted above each), split by grammar area: BuildStatements.cpp,
/// BuildExpressions.cpp, BuildLiterals.cpp. Also reports what the grammar accepts but the
/// language does not (assigning to a call, repeated keywords, a nested lambda, ...).
class AstBuilder {
public:
  AstBuilder(const LexedSource &lexed, DiagnosticEngine &diags, const ParseLimits &limits)
      : lexed_(lexed), file_(lexed.file), diags_(diags), limits_(limits) {}

  /// Returns null when anything was reported.
  std::unique_ptr<ast::Module> build(P::ModuleContext *ctx);

private:
  struct NodeLimitReached {};

  template <class T> T *make(SourceRange range) {
    if (module_->nodeCount() >= limits_.maxNodes) {
      diags_.emit(makeDiagnostic(DiagKind::TooManyNodes, file_, range, limits_.maxNodes)
                      .withLabel("the limit is reached here"));
      throw NodeLimitReached{};
    }
    return module_->make<T>(range);
  }
  template <class T> T *make(antlr4::ParserRuleContext *ctx) {
    return make<T>(lexed_.rangeOf(ctx));
  }
  SourceRange range(antlr4::ParserRuleContext *ctx) const { return lexed_.rangeOf(ctx); }
  SourceRange range(antlr4::tree::TerminalNode *node) const {
    return lexed_.rangeOf(node->getSymbol());
  }
  template <class... Args> void error(DiagKind kind, SourceRange where, const Args &...args) {
    ok_ = false;
    diags_.report(kind, file_, where, args...);
  }

  // BuildStatements.cpp
  void buildItems(P::ModuleContext *ctx);
  ast::Def *buildFuncDef(P::FuncDefContext *ctx);
  std::vector<ast::Param *> buildParams(P::ParamListContext *ctx);
  ast::Lambda *buildLambda(P::LambdaDefContext *ctx);
  void checkParams(const std::vector<ast::Param *> &params);
  ast::Stmt *buildStatement(P::StatementContext *ctx, bool topLevel);
  ast::Stmt *buildAssign(P::StatementContext *ctx);
  ast::Stmt *buildAugAssign(P::StatementContext *ctx);

  // BuildExpressions.cpp
  ast::Expr *buildTestList(P::TestListContext *ctx);
  ast::Expr *buildTest(P::TestContext *ctx);
  ast::Expr *buildOrTest(P::OrTestContext *ctx);
  ast::Expr *buildAndTest(P::AndTestContext *ctx);
  ast::Expr *buildNotTest(P::NotTestContext *ctx);
  ast::Expr *buildComparison(P::ComparisonContext *ctx);
  ast::Expr *buildBitOr(P::BitOrContext *ctx);
  ast::Expr *buildBitXor(P::BitXorContext *ctx);
  ast::Expr *buildBitAnd(P::BitAndContext *ctx);
  ast::Expr *buildShift(P::ShiftContext *ctx);
  ast::Expr *buildArith(P::ArithContext *ctx);
  ast::Expr *buildTerm(P::TermContext *ctx);
  ast::Expr *buildFactor(P::FactorContext *ctx);
  ast::Expr *buildPower(P::PowerContext *ctx);
  ast::Expr *buildAtomExpr(P::AtomExprContext *ctx);
  ast::Expr *buildTrailer(ast::Expr *object, P::TrailerContext *ctx);
  ast::Expr *buildCall(ast::Expr *callee, P::TrailerContext *ctx);
  ast::Expr *buildSubscript(ast::Expr *object, P::TrailerContext *ctx);
  ast::Expr *buildAtom(P::AtomContext *ctx);
  ast::Expr *chain(antlr4::ParserRuleContext *ctx, std::vector<ast::Expr *> operands,
                   std::vector<ast::BinaryOp> ops);

  // BuildLiterals.cpp
  ast::Expr *buildNumber(antlr4::tree::TerminalNode *token);
  ast::Expr *buildStrings(P::AtomContext *ctx);
  bool unescape(std::string_view body, uint32_t bodyOffset, std::string &out);

  const LexedSource &lexed_;
  const SourceFile &file_;
  DiagnosticEngine &diags_;
  const ParseLimits &limits_;
  std::unique_ptr<ast::Module> module_;
  bool ok_ = true;
};

} // namespace lamina::parse_detail
