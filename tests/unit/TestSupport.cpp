#include "TestSupport.h"

#include "compiler/ast/Printer.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

namespace lamina::test {

std::string Parsed::first() const {
  if (diagnostics.empty())
    return "";
  LineColumn lc = diagnostics.front().location();
  return fmt::format("{}@{}:{}", diagnostics.front().info().code, lc.line, lc.column);
}

Parsed parseText(std::string text, const ParseLimits &limits) {
  Parsed result;
  result.file = std::make_unique<SourceFile>("test.lam", std::move(text));
  CollectingConsumer consumer;
  DiagnosticEngine diags(consumer);
  result.module = parse(*result.file, diags, limits);
  result.diagnostics = consumer.diagnostics;
  CHECK((result.module == nullptr) == diags.hasErrors());
  return result;
}

std::string exprTree(const std::string &source) {
  Parsed p = parseText(source);
  REQUIRE_MESSAGE(p.module, source << ": " << p.first());
  REQUIRE(p.module->items.size() == 1);
  const auto *stmt = ast::dyn<ast::ExprStmt>(p.module->items[0]);
  REQUIRE(stmt);
  return ast::dumpNode(*stmt->value);
}

std::string format(const std::string &source) {
  Parsed p = parseText(source);
  REQUIRE_MESSAGE(p.module, source << ": " << p.first());
  return ast::printModule(*p.module, p.file->text());
}

} // namespace lamina::test
