#include "compiler/parse/SyntaxErrors.h"

#include "LaminaParser.h"

#include <algorithm>

namespace lamina::parse_detail {

using generated::LaminaParser;

namespace {

/// Tokens that can start an expression: when the parser would accept any of them, the
/// message says "an expression" instead of listing them.
constexpr size_t kExpressionStarts[] = {
    LaminaParser::NAME,   LaminaParser::NUMBER, LaminaParser::STRING, LaminaParser::LPAREN,
    LaminaParser::LBRACK, LaminaParser::MINUS,  LaminaParser::PLUS,   LaminaParser::NOT,
    LaminaParser::NONE,   LaminaParser::TRUE,   LaminaParser::FALSE,  LaminaParser::ELLIPSIS,
    LaminaParser::LAMBDA, LaminaParser::TILDE};

std::string tokenWords(size_t type, const antlr4::dfa::Vocabulary &vocabulary) {
  switch (type) {
  case antlr4::Token::EOF:
    return "the end of input";
  case LaminaParser::NAME:
    return "a name";
  case LaminaParser::NUMBER:
    return "a number";
  case LaminaParser::STRING:
    return "a string";
  case LaminaParser::NEWLINE:
    return "a line break";
  default: {
    std::string literal = vocabulary.getLiteralName(type); // e.g. "'('"
    if (literal.size() >= 2)
      return "`" + literal.substr(1, literal.size() - 2) + "`";
    return "a token";
  }
  }
}

std::string expectedWords(const antlr4::misc::IntervalSet &expected,
                          const antlr4::dfa::Vocabulary &vocabulary) {
  std::vector<size_t> types;
  for (ssize_t t : expected.toList())
    types.push_back(static_cast<size_t>(t));
  std::vector<std::string> words;
  bool expression = std::count(types.begin(), types.end(), LaminaParser::NAME) &&
                    std::count(types.begin(), types.end(), LaminaParser::NUMBER);
  if (expression)
    words.push_back("an expression");
  for (size_t t : types) {
    if (expression && std::find(std::begin(kExpressionStarts), std::end(kExpressionStarts), t) !=
                          std::end(kExpressionStarts))
      continue;
    if (t == LaminaParser::SEMI && std::count(types.begin(), types.end(), LaminaParser::NEWLINE))
      continue; // "a line break" already says it
    words.push_back(tokenWords(t, vocabulary));
  }
  if (words.empty())
    return "something else";
  if (words.size() > 6) {
    words.resize(6);
    words.push_back("…");
  }
  std::string out;
  for (size_t i = 0; i < words.size(); ++i) {
    if (i)
      out += i + 1 == words.size() ? " or " : ", ";
    out += words[i];
  }
  return out;
}

std::string describeFound(const antlr4::Token *token, const antlr4::dfa::Vocabulary &vocabulary) {
  std::string text = token->getText();
  switch (token->getType()) {
  case LaminaParser::NAME:
    return "name `" + text + "`";
  case LaminaParser::NUMBER:
    return "number `" + text + "`";
  case LaminaParser::STRING:
    return "string";
  case LaminaParser::NEWLINE:
    return "line break";
  default:
    return tokenWords(token->getType(), vocabulary);
  }
}

bool insideDef(antlr4::ParserRuleContext *ctx) {
  for (; ctx; ctx = dynamic_cast<antlr4::ParserRuleContext *>(ctx->parent))
    if (ctx->getRuleIndex() == LaminaParser::RuleFuncDef)
      return true;
  return false;
}

} // namespace

void SyntaxErrorListener::syntaxError(antlr4::Recognizer *recognizer, antlr4::Token *offending,
                                      size_t, size_t, const std::string &, std::exception_ptr) {
  auto *parser = dynamic_cast<LaminaParser *>(recognizer);
  if (!parser || !offending)
    return;
  // One error per token, and none at the end once something was reported: those are echoes of
  // the recovery from the first error.
  if (offending->getTokenIndex() == lastTokenIndex_)
    return;
  if (count_ > 0 && offending->getType() == antlr4::Token::EOF)
    return;
  lastTokenIndex_ = offending->getTokenIndex();
  ++count_;

  const SourceFile &file = lexed_.file;
  const antlr4::dfa::Vocabulary &vocabulary = parser->getVocabulary();
  if (offending->getType() == LaminaParser::RETURN && !insideDef(parser->getContext())) {
    diags_.report(DiagKind::ReturnOutsideDef, file, lexed_.rangeOf(offending));
    return;
  }
  antlr4::misc::IntervalSet expectedSet = parser->getExpectedTokens();
  // Where an expression was wanted, a lambda is the nested-lambda mistake, not a typo.
  if (offending->getType() == LaminaParser::LAMBDA &&
      expectedSet.contains(static_cast<size_t>(LaminaParser::NAME))) {
    diags_.report(DiagKind::NestedLambda, file, lexed_.rangeOf(offending));
    return;
  }
  std::string expected = expectedWords(expectedSet, vocabulary);
  if (offending->getType() == antlr4::Token::EOF) {
    // Point just after the last real token rather than at an empty last line.
    SourceRange at = lexed_.rangeOf(offending);
    for (size_t i = offending->getTokenIndex(); i-- > 0;) {
      const antlr4::Token *t = parser->getTokenStream()->get(i);
      if (t->getChannel() == antlr4::Token::DEFAULT_CHANNEL &&
          t->getType() != LaminaParser::NEWLINE) {
        at = {lexed_.rangeOf(t).end, lexed_.rangeOf(t).end};
        break;
      }
    }
    Diagnostic d = makeDiagnostic(DiagKind::UnexpectedEnd, file, at, expected);
    d.withLabel("expected " + expected);
    if (insideDef(parser->getContext()))
      d.notes.push_back({nullptr, {}, "a `def` body ends with a `return` statement"});
    diags_.emit(std::move(d));
    return;
  }
  diags_.emit(makeDiagnostic(DiagKind::UnexpectedToken, file, lexed_.rangeOf(offending),
                             describeFound(offending, vocabulary), expected)
                  .withLabel("expected " + expected));
}

} // namespace lamina::parse_detail
