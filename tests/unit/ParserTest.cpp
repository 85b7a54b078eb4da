// Parsing: precedence, literals and the AST shapes that later stages rely on.

#include "TestSupport.h"

#include "compiler/ast/Printer.h"

#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <thread>

using namespace lamina;
using namespace lamina::test;

TEST_CASE("power binds tighter than unary minus and is right-associative") {
  CHECK(exprTree("-x**2") == "Unary -\n  BinaryChain **\n    Name x\n    Number int 2\n");
  CHECK(exprTree("2**-1") == "BinaryChain **\n  Number int 2\n  Unary -\n    Number int 1\n");
  CHECK(exprTree("a**b**c") ==
        "BinaryChain **\n  Name a\n  BinaryChain **\n    Name b\n    Name c\n");
  CHECK(exprTree("(-x)**2") == "BinaryChain **\n  Unary -\n    Name x\n  Number int 2\n");
}

TEST_CASE("left-associative operators form one chain") {
  CHECK(exprTree("a - b + c") == "BinaryChain - +\n  Name a\n  Name b\n  Name c\n");
  CHECK(exprTree("(a - b) + c") == "BinaryChain - +\n  Name a\n  Name b\n  Name c\n");
  CHECK(exprTree("a - (b + c)") ==
        "BinaryChain -\n  Name a\n  BinaryChain +\n    Name b\n    Name c\n");
  CHECK(exprTree("a * b @ c // d % e / f") ==
        "BinaryChain * @ // % /\n  Name a\n  Name b\n  Name c\n  Name d\n  Name e\n  Name f\n");
  CHECK(exprTree("a + b * c") ==
        "BinaryChain +\n  Name a\n  BinaryChain *\n    Name b\n    Name c\n");
}

TEST_CASE("boolean operators follow Python's precedence") {
  CHECK(exprTree("not a and b or c") ==
        "BinaryChain or\n  BinaryChain and\n    Unary not\n      Name a\n    Name b\n  Name c\n");
  CHECK(exprTree("not a < b") == "Unary not\n  Compare <\n    Name a\n    Name b\n");
}

TEST_CASE("comparisons chain, and parentheses stop the chain") {
  CHECK(exprTree("a < b <= c") == "Compare < <=\n  Name a\n  Name b\n  Name c\n");
  CHECK(exprTree("(a < b) < c") == "Compare <\n  Compare <\n    Name a\n    Name b\n  Name c\n");
}

TEST_CASE("conditional expressions nest to the right") {
  CHECK(exprTree("a if c else b if d else e") ==
        "IfExpr\n  then: Name a\n  if: Name c\n  else: IfExpr\n    then: Name b\n"
        "    if: Name d\n    else: Name e\n");
}

TEST_CASE("subscripts, slices, None and ellipsis") {
  CHECK(exprTree("x[:, ::-1, None, ..., 1:3]") ==
        "Subscript\n  object: Name x\n  Slice\n  Slice\n    step: Unary -\n      Number int 1\n"
        "  NoneLit\n  EllipsisLit\n  Slice\n    lower: Number int 1\n    upper: Number int 3\n");
}

TEST_CASE("calls keep positional and keyword arguments apart") {
  CHECK(exprTree("tf.math.reduce_sum(x, axis=-1, keepdims=True)") ==
        "Call\n  callee: Attribute .reduce_sum\n    object: Attribute .math\n"
        "      object: Name tf\n  Name x\n  Keyword axis\n    Unary -\n      Number int 1\n"
        "  Keyword keepdims\n    Bool True\n");
}

TEST_CASE("numbers are converted exactly, with from_chars") {
  auto number = [](const std::string &src) {
    Parsed p = parseText(src);
    REQUIRE(p.module);
    const auto *stmt = ast::dyn<ast::ExprStmt>(p.module->items[0]);
    REQUIRE(stmt);
    const auto *n = ast::dyn<ast::Number>(stmt->value);
    REQUIRE(n);
    struct Value {
      bool isInteger;
      int64_t intValue;
      double floatValue;
    };
    return Value{n->isInteger, n->intValue, n->floatValue};
  };
  CHECK(number("1e-320").floatValue == 1e-320);
  CHECK(std::fpclassify(number("1e-320").floatValue) == FP_SUBNORMAL);
  CHECK(number("1e-400").floatValue == 0.0); // underflows to zero, as in Python
  CHECK(number("255.").floatValue == 255.0);
  CHECK(!number("255.").isInteger);
  CHECK(number(".5").floatValue == 0.5);
  CHECK(number("1e+9").floatValue == 1e9);
  CHECK(number("9223372036854775807").intValue == INT64_MAX);
  CHECK(number("0").isInteger);
  CHECK(parseText("99999999999999999999").first() == "E0104@1:1");
  CHECK(parseText("1e400").first() == "E0105@1:1");
  CHECK(parseText("1e").first() == "E0103@1:1");
  CHECK(parseText("1.2.3").first() == "E0103@1:1");
}

TEST_CASE("strings resolve escapes and concatenate") {
  Parsed p = parseText(R"(x = "a\tb" 'c\x41' "\u00e9" """d
e""")");
  REQUIRE(p.module);
  const auto *assign = ast::dyn<ast::Assign>(p.module->items[0]);
  REQUIRE(assign);
  CHECK(ast::dyn<ast::String>(assign->value)->value == "a\tbcA\xC3\xA9"
                                                       "d\ne");
  CHECK(parseText(R"(x = "\q")").first() == "E0106@1:6");
  CHECK(parseText(R"(x = "\x4")").first() == "E0106@1:6");
  CHECK(parseText(R"(x = "\ud800")").first() == "E0106@1:6");
  CHECK(parseText("x = 'abc").first() == "E0102@1:5");
  CHECK(parseText("x = \"\"\"abc").first() == "E0102@1:5");
}

TEST_CASE("statements: separators, newlines in brackets, CRLF, continuation lines") {
  Parsed p = parseText("a = 1; b = 2\r\nc = f(a,\r\n      b)\n\n\nd = a \\\n  + b\n");
  REQUIRE(p.module);
  CHECK(p.module->items.size() == 4);
  Parsed chained = parseText("y = (x\n    .sum(axis=1))\n");
  CHECK(chained.module);
}

TEST_CASE("a def body ends at its return") {
  Parsed p = parseText("def f(x): y = x; return y\nf(z)");
  REQUIRE(p.module);
  REQUIRE(p.module->items.size() == 2);
  const auto *def = ast::dyn<ast::Def>(p.module->items[0]);
  REQUIRE(def);
  CHECK(def->body.size() == 2);
  CHECK(ast::dyn<ast::Return>(def->body.back()));
}

TEST_CASE("annotations and defaults") {
  Parsed p = parseText("def f(x: f32[B, 256], alpha=0.2) -> f32[B, 512]: return x");
  REQUIRE(p.module);
  const auto *def = ast::dyn<ast::Def>(p.module->items[0]);
  REQUIRE(def);
  CHECK(def->params[0]->annotation);
  CHECK(def->params[1]->defaultValue);
  CHECK(def->returnAnnotation);
}

TEST_CASE("a lambda parameter cannot be annotated: the colon ends the parameters") {
  Parsed p = parseText("lambda x: f32, y: x");
  CHECK(p.first() == "E0201@1:17");
}

TEST_CASE("syntax errors name what was expected in plain words") {
  Parsed p = parseText("lambda x: x + * 2");
  REQUIRE(p.diagnostics.size() == 1);
  CHECK(p.first() == "E0201@1:15");
  CHECK(p.diagnostics[0].message == "unexpected `*`; expected an expression");
  for (const char *src : {"def f(x) return x", "x = = 1", "f(,)", "lambda x x", "x[]"}) {
    Parsed bad = parseText(src);
    REQUIRE(!bad.diagnostics.empty());
    CHECK_MESSAGE(bad.diagnostics[0].message.find("T__") == std::string::npos, src);
    CHECK_MESSAGE(bad.diagnostics[0].message.find("NAME") == std::string::npos, src);
    CHECK_MESSAGE(bad.diagnostics[0].message.find('\'') == std::string::npos, src);
  }
}

TEST_CASE("an unclosed bracket is one diagnostic at the bracket") {
  Parsed p = parseText("lambda x: (x + ");
  REQUIRE(p.diagnostics.size() == 1);
  CHECK(p.first() == "E0203@1:11");
}

TEST_CASE("several independent errors are all reported") {
  Parsed p = parseText("f(a=1, a=2)\ng(x) = 1\nlambda x, x: 1e400");
  CHECK(p.diagnostics.size() == 4);
}

TEST_CASE("parsing is safe from many threads at once") {
  const std::string source = "def f(x): x -= mean(x, axis=1, keepdims=True); return relu(x)";
  std::string expected = format(source);
  std::vector<std::thread> threads;
  std::atomic<int> good{0};
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        SourceFile file("t.lam", source);
        CollectingConsumer consumer;
        DiagnosticEngine diags(consumer);
        auto module = parse(file, diags);
        if (module && ast::printModule(*module, file.text()) == expected)
          ++good;
      }
    });
  for (auto &t : threads)
    t.join();
  CHECK(good == 200);
}

TEST_CASE("a byte order mark is skipped and positions stay right") {
  Parsed p = parseText("\xEF\xBB\xBFlambda x: (x +");
  CHECK(p.first() == "E0203@1:12");
  Parsed ok = parseText("\xEF\xBB\xBFlambda x: x");
  REQUIRE(ok.module);
  CHECK(ok.module->items[0]->range.begin == 3);
}
