// Bad inputs that concern parsing (docs/language.md, "Limits"): each gives one clear
// diagnostic, never a crash, and deep inputs are rejected before ANTLR recurses into them.

#include "TestSupport.h"

#include "compiler/ast/Printer.h"

#include <doctest/doctest.h>

#include <functional>
#include <pthread.h>

using namespace lamina;
using namespace lamina::test;

namespace {
std::string repeat(const std::string &s, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i)
    out += s;
  return out;
}

/// Runs `work` on a thread with only `stackBytes` of stack, as a host's worker thread might.
void onSmallStack(size_t stackBytes, const std::function<void()> &work) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, stackBytes);
  pthread_t thread;
  auto trampoline = [](void *arg) -> void * {
    (*static_cast<const std::function<void()> *>(arg))();
    return nullptr;
  };
  REQUIRE(pthread_create(&thread, &attr, trampoline, const_cast<std::function<void()> *>(&work)) ==
          0);
  pthread_join(thread, nullptr);
  pthread_attr_destroy(&attr);
}
} // namespace

TEST_CASE("source size: 64 KiB is accepted, one byte more is not") {
  std::string fits = "x" + repeat(" ", 64 * 1024 - 1);
  CHECK(parseText(fits).module);
  Parsed big = parseText(fits + " ");
  REQUIRE(big.diagnostics.size() == 1);
  CHECK(big.first() == "E0001@1:65537");
}

TEST_CASE("nesting: 256 levels are accepted, 257 are not") {
  CHECK(parseText(repeat("(", 256) + "x" + repeat(")", 256)).module);
  CHECK(parseText(repeat("(", 257) + "x" + repeat(")", 257)).first() == "E0002@1:257");
}

TEST_CASE("10,000-deep inputs of every recursive kind give one E0002") {
  const size_t n = 10'000;
  for (const std::string &src :
       {repeat("(", n) + "x" + repeat(")", n), repeat("relu(", n) + "x" + repeat(")", n),
        repeat("[", n) + repeat("]", n), repeat("-", n) + "x", repeat("not ", n) + "x",
        "x" + repeat("**x", n), "x" + repeat(".a", n), "f" + repeat("(x)", n),
        "x" + repeat("[0]", n), repeat("a if b else ", n / 2) + "c"}) {
    Parsed p = parseText(src);
    REQUIRE_MESSAGE(p.diagnostics.size() == 1, src.substr(0, 20));
    CHECK_MESSAGE(p.diagnostics[0].kind == DiagKind::NestingTooDeep, src.substr(0, 20));
  }
}

TEST_CASE("long flat chains hit the node limit, not the stack") {
  // 200,000 terms exceed the size limit first; with that raised, the node limit stops them.
  std::string chain = "x" + repeat("+x", 199'999);
  CHECK(parseText(chain).first() == "E0001@1:65537");
  ParseLimits roomy;
  roomy.maxSourceBytes = 1 << 20;
  Parsed p = parseText(chain, roomy);
  REQUIRE(p.diagnostics.size() == 1);
  CHECK(p.diagnostics[0].kind == DiagKind::TooManyNodes);
  // Just under the limit the chain is one flat node, so every walk is shallow.
  Parsed ok = parseText("x" + repeat("+x", 9'000));
  REQUIRE(ok.module);
  CHECK(ok.module->nodeCount() == 9'003); // 9,001 names, the chain, the statement
}

TEST_CASE("the deepest accepted tree can be walked and destroyed on a small stack") {
  // Each call is two levels (the trailer and its bracket): 128 calls reach the limit.
  std::string deep = repeat("relu(", 128) + "x" + repeat(")", 128);
  Parsed p = parseText(deep);
  REQUIRE(p.module);
  bool done = false;
  onSmallStack(256 * 1024, [&] {
    std::string text = ast::printModule(*p.module, p.file->text());
    std::string tree = ast::dump(*p.module, *p.file);
    bool same = ast::structurallyEqual(*p.module, *p.module);
    p.module.reset();
    done = same && !text.empty() && !tree.empty();
  });
  CHECK(done);
}

TEST_CASE("parsing works from a thread with a small stack") {
  std::string deep = repeat("(", 256) + "x" + repeat(")", 256);
  bool parsed = false;
  onSmallStack(128 * 1024, [&] {
    SourceFile file("t.lam", deep);
    CollectingConsumer consumer;
    DiagnosticEngine diags(consumer);
    parsed = parse(file, diags) != nullptr;
  });
  CHECK(parsed);
}

TEST_CASE("invalid UTF-8 is reported at the first bad byte") {
  CHECK(parseText("x = 1\ny = \xff").first() == "E0004@2:5");
  CHECK(parseText("x\xC0\xAF").first() == "E0004@1:2");           // overlong '/'
  CHECK(parseText("x\xED\xA0\x80").first() == "E0004@1:2");       // surrogate
  CHECK(parseText("x\xF4\x90\x80\x80").first() == "E0004@1:2");   // above U+10FFFF
  CHECK(parseText("\xC3\xA9 + \xE2\x82").first() == "E0004@1:5"); // truncated at the end
}

TEST_CASE("NUL bytes are reported") {
  CHECK(parseText(std::string("x + \0y", 6)).first() == "E0005@1:5");
}

TEST_CASE("the error count is capped") {
  std::string many = repeat("$\n", 100);
  Parsed p = parseText(many);
  REQUIRE(p.diagnostics.size() == DiagnosticEngine::kDefaultErrorLimit + 1);
  CHECK(p.diagnostics.back().kind == DiagKind::TooManyErrors);
}
