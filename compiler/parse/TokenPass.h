#pragma once

// Lexing and the checks that run on the token list before the parser: lexical errors,
// bracket matching, newline hiding inside brackets, and the nesting-depth limit.

#include "compiler/ast/Ast.h"
#include "compiler/diag/Diagnostic.h"
#include "compiler/parse/Parse.h"

#include "LaminaLexer.h"
#include "antlr4-runtime.h"

#include <memory>
#include <vector>

namespace lamina::parse_detail {

/// The source as ANTLR sees it (code points) and the byte offset of every code point, so
/// token positions can be turned into lamina's byte ranges.
class LexedSource {
public:
  explicit LexedSource(const SourceFile &file);

  SourceRange rangeOf(const antlr4::Token *token) const;
  /// From the first token of `ctx` to the last one (empty at the start when `ctx` is empty).
  SourceRange rangeOf(antlr4::ParserRuleContext *ctx) const;

  const SourceFile &file;
  antlr4::ANTLRInputStream input;
  generated::LaminaLexer lexer;
  /// Every token, including hidden-channel comments and the final EOF.
  std::vector<std::unique_ptr<antlr4::Token>> tokens;
  std::vector<ast::Comment> comments;

private:
  std::vector<uint32_t> byteOfCodePoint_;
};

/// Lexes the whole source into `lexed.tokens` and checks it: unknown characters, unclosed
/// strings, brackets that do not match, and nesting deeper than the limit are reported. Moves
/// newlines inside brackets to the hidden channel. Returns false when anything was reported.
bool lexAndCheck(LexedSource &lexed, const ParseLimits &limits, DiagnosticEngine &diags);

} // namespace lamina::parse_detail
