#pragma once

#include "compiler/ast/Dump.h"
#include "compiler/parse/Parse.h"

#include <memory>
#include <string>
#include <vector>

namespace lamina::test {

/// The result of parsing one source in a test: the module (null on error) and everything
/// that was reported.
struct Parsed {
  std::unique_ptr<SourceFile> file;
  std::unique_ptr<ast::Module> module;
  std::vector<Diagnostic> diagnostics;

  /// "E0201@1:15" for the first diagnostic, "" when there is none.
  std::string first() const;
};

Parsed parseText(std::string text, const ParseLimits &limits = {});

/// The dump of a one-expression source's expression, without ranges.
std::string exprTree(const std::string &source);

/// fmt(): the canonical text of `source`, which must parse.
std::string format(const std::string &source);

} // namespace lamina::test
