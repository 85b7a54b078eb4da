#include "compiler/parse/Parse.h"

#include "compiler/parse/AstBuilder.h"
#include "compiler/parse/LargeStack.h"
#include "compiler/parse/PythonStatements.h"
#include "compiler/parse/SourceChecks.h"
#include "compiler/parse/SyntaxErrors.h"
#include "compiler/parse/TokenPass.h"

#include <mutex>

namespace lamina {

namespace {

std::mutex &parserMutex() {
  static std::mutex mutex;
  return mutex;
}

/// The whole pipeline of this stage, cheapest check first.
std::unique_ptr<ast::Module> parseChecked(const SourceFile &file, DiagnosticEngine &diags,
                                          const ParseLimits &limits) {
  using namespace parse_detail;
  if (!checkSourceText(file, limits, diags))
    return nullptr;
  LexedSource lexed(file);
  if (!lexAndCheck(lexed, limits, diags) || !checkPythonStatements(lexed, diags))
    return nullptr;

  antlr4::ListTokenSource source(std::move(lexed.tokens));
  antlr4::CommonTokenStream stream(&source);
  generated::LaminaParser parser(&stream);
  parser.removeErrorListeners();

  // Fast SLL prediction first; only a source it cannot handle pays for full LL, and only the
  // LL run reports errors, so messages come from the more precise mode.
  parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(
      antlr4::atn::PredictionMode::SLL);
  parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
  generated::LaminaParser::ModuleContext *tree = nullptr;
  try {
    tree = parser.module();
  } catch (const antlr4::ParseCancellationException &) {
    tree = nullptr;
  }
  SyntaxErrorListener listener(lexed, diags);
  if (!tree) {
    stream.seek(0);
    parser.reset();
    parser.addErrorListener(&listener);
    parser.setErrorHandler(std::make_shared<antlr4::DefaultErrorStrategy>());
    parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(
        antlr4::atn::PredictionMode::LL);
    tree = parser.module();
  }
  if (listener.sawError() || !tree)
    return nullptr;
  return AstBuilder(lexed, diags, limits).build(tree);
}

} // namespace

std::unique_ptr<ast::Module> parse(const SourceFile &file, DiagnosticEngine &diags,
                                   const ParseLimits &limits) {
  std::lock_guard lock(parserMutex());
  std::unique_ptr<ast::Module> module;
  parse_detail::runOnLargeStack([&] { module = parseChecked(file, diags, limits); });
  return module;
}

} // namespace lamina
