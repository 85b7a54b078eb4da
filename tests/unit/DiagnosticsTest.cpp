#include "TestSupport.h"

#include "compiler/diag/TextRenderer.h"

#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

using namespace lamina;
using namespace lamina::test;

TEST_CASE("every diagnostic kind has a unique, well-formed code and is documented") {
  std::ifstream docFile(LAMINA_SOURCE_DIR "/docs/diagnostics.md");
  REQUIRE(docFile);
  std::stringstream doc;
  doc << docFile.rdbuf();
  std::set<std::string_view> codes;
  for (DiagKind kind : allDiagKinds()) {
    const DiagKindInfo &info = diagKindInfo(kind);
    CHECK_MESSAGE(std::regex_match(
                      std::string(info.code),
                      std::regex(info.severity == Severity::Warning ? "W[0-9]{4}" : "E[0-9]{4}")),
                  info.name);
    CHECK_MESSAGE(codes.insert(info.code).second, info.code);
    CHECK_MESSAGE(doc.str().find("`" + std::string(info.code) + "`") != std::string::npos,
                  info.code << " is missing from docs/diagnostics.md");
    // House style: lower case start, no final period.
    CHECK_MESSAGE(!std::isupper(static_cast<unsigned char>(info.format.front())), info.name);
    CHECK_MESSAGE(info.format.back() != '.', info.name);
  }
}

TEST_CASE("rendering: location, code, source line and carets") {
  Parsed p = parseText("y = 1\nlambda x: x + * 2\n");
  REQUIRE(p.diagnostics.size() == 1);
  CHECK(renderDiagnostic(p.diagnostics[0]) ==
        "test.lam:2:15: error[E0201]: unexpected `*`; expected an expression\n"
        " 2 | lambda x: x + * 2\n"
        "   |               ^ expected an expression\n");
}

TEST_CASE("carets stay under the right character after tabs and wide characters") {
  Parsed tabs = parseText("\tx = f(a=1, a=2)");
  REQUIRE(tabs.diagnostics.size() == 1);
  CHECK(renderDiagnostic(tabs.diagnostics[0]) ==
        "test.lam:1:13: error[E0207]: keyword argument `a` is repeated\n"
        " 1 |     x = f(a=1, a=2)\n"
        "   |                ^\n");
  Parsed wide = parseText("\xE4\xB8\xAD\xE6\x96\x87 = (1 +");
  REQUIRE(wide.diagnostics.size() == 1);
  CHECK(wide.first() == "E0203@1:6");
  CHECK(renderDiagnostic(wide.diagnostics[0]) == "test.lam:1:6: error[E0203]: `(` is never closed\n"
                                                 " 1 | \xE4\xB8\xAD\xE6\x96\x87 = (1 +\n"
                                                 "   |        ^ add `)` to close it\n");
}

TEST_CASE("a range spanning several characters gets tildes") {
  Parsed p = parseText("f(x) = 1");
  REQUIRE(p.diagnostics.size() == 1);
  CHECK(renderDiagnostic(p.diagnostics[0]).ends_with("   | ^~~~\n"));
}

TEST_CASE("notes point at their own location") {
  Parsed p = parseText("y = (x\n]");
  REQUIRE(p.diagnostics.size() == 1);
  std::string text = renderDiagnostic(p.diagnostics[0]);
  CHECK(text.find("test.lam:2:1: error[E0205]") == 0);
  CHECK(text.find("test.lam:1:5: note: `(` opened here") != std::string::npos);
}

TEST_CASE("colour: escape codes only when asked, never with NO_COLOR") {
  Parsed p = parseText("x +");
  REQUIRE(p.diagnostics.size() == 1);
  CHECK(renderDiagnostic(p.diagnostics[0], {.color = true}).find("\033[") != std::string::npos);
  CHECK(renderDiagnostic(p.diagnostics[0], {.color = false}).find("\033[") == std::string::npos);
  setenv("NO_COLOR", "1", 1);
  CHECK(!shouldColor(stderr));
  unsetenv("NO_COLOR");
}

TEST_CASE("control characters and undecodable bytes never reach the terminal raw") {
  SourceFile file("f", "x = \x1b[31m $");
  Diagnostic d = makeDiagnostic(DiagKind::UnexpectedCharacter, file, {11, 12}, "$");
  std::string text = renderDiagnostic(d);
  CHECK(text.find('\x1b') == std::string::npos);
}
