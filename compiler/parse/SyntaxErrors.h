#pragma once

#include "compiler/parse/TokenPass.h"

namespace lamina::parse_detail {

/// Turns ANTLR's syntax errors into lamina diagnostics that say, in plain words, what was
/// found and what was expected (`expected an expression`, never `T__12` or `NAME`).
class SyntaxErrorListener final : public antlr4::BaseErrorListener {
public:
  SyntaxErrorListener(const LexedSource &lexed, DiagnosticEngine &diags)
      : lexed_(lexed), diags_(diags) {}

  void syntaxError(antlr4::Recognizer *recognizer, antlr4::Token *offending, size_t line,
                   size_t column, const std::string &message, std::exception_ptr error) override;

  bool sawError() const { return count_ > 0; }

private:
  const LexedSource &lexed_;
  DiagnosticEngine &diags_;
  unsigned count_ = 0;
  size_t lastTokenIndex_ = SIZE_MAX;
};

} // namespace lamina::parse_detail
