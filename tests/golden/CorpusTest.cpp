// Data-driven tests over a folder of lamina sources.
//
//   corpus_test valid DIR      every *.lam parses without diagnostics, its AST dump equals the
//                              neighbouring *.ast file, and the printer round-trips it:
//                              fmt(fmt(s)) == fmt(s), parse(fmt(s)) equals parse(s)
//   corpus_test invalid DIR    every *.lam starts with `# expect: CODE LINE:COL`, the first
//                              diagnostic has that code and position, and every diagnostic is
//                              in bounds and renders
//   corpus_test canonical DIR  every *.lam is valid and already in canonical form
//
// LAMINA_UPDATE_GOLDEN=1 rewrites the *.ast files instead of comparing them.

#include "compiler/ast/Dump.h"
#include "compiler/ast/Printer.h"
#include "compiler/diag/TextRenderer.h"
#include "compiler/parse/Parse.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

namespace fs = std::filesystem;
using namespace lamina;

namespace {

std::string readFile(const fs::path &path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

struct Parsed {
  std::unique_ptr<SourceFile> file;
  std::unique_ptr<ast::Module> module;
  std::vector<Diagnostic> diagnostics;
};

Parsed parseSource(std::string name, std::string text) {
  Parsed p;
  p.file = std::make_unique<SourceFile>(std::move(name), std::move(text));
  CollectingConsumer consumer;
  DiagnosticEngine diags(consumer);
  p.module = parse(*p.file, diags);
  p.diagnostics = consumer.diagnostics;
  return p;
}

std::string renderAll(const std::vector<Diagnostic> &diagnostics) {
  std::string out;
  for (const Diagnostic &d : diagnostics)
    out += renderDiagnostic(d);
  return out;
}

/// The failure, or "" when `path` passes.
std::string checkValid(const fs::path &path, bool update) {
  Parsed p = parseSource(path.filename().string(), readFile(path));
  if (!p.module)
    return "does not parse:\n" + renderAll(p.diagnostics);
  std::string tree = ast::dump(*p.module, *p.file);
  fs::path golden = fs::path(path).replace_extension(".ast");
  if (update) {
    std::ofstream(golden, std::ios::binary) << tree;
  } else if (!fs::exists(golden)) {
    return "no " + golden.filename().string() + " (run with LAMINA_UPDATE_GOLDEN=1)";
  } else if (readFile(golden) != tree) {
    return "AST differs from " + golden.filename().string() + "; got:\n" + tree;
  }
  std::string once = ast::printModule(*p.module, p.file->text());
  Parsed again = parseSource("fmt", once);
  if (!again.module)
    return "canonical text does not parse:\n" + once + renderAll(again.diagnostics);
  if (!ast::structurallyEqual(*p.module, *again.module))
    return "parse(fmt(s)) differs from parse(s); fmt(s) is:\n" + once;
  std::string twice = ast::printModule(*again.module, again.file->text());
  if (twice != once)
    return "fmt(fmt(s)) != fmt(s):\n" + once + "---\n" + twice;
  return "";
}

std::string checkInvalid(const fs::path &path) {
  std::string text = readFile(path);
  std::smatch m;
  std::string firstLine = text.substr(0, text.find_first_of("\r\n"));
  if (!std::regex_match(firstLine, m, std::regex(R"(# expect: (E\d{4}) (\d+):(\d+)\s*)")))
    return "the first line is not `# expect: CODE LINE:COL`";
  Parsed p = parseSource(path.filename().string(), text);
  if (p.module)
    return "parses without error";
  if (p.diagnostics.empty())
    return "failed without a diagnostic";
  for (const Diagnostic &d : p.diagnostics) {
    LineColumn lc = d.location();
    if (d.range.end < d.range.begin || d.range.end > p.file->text().size() ||
        lc.line > p.file->lineCount() + 1)
      return "a diagnostic is out of bounds:\n" + renderDiagnostic(d);
  }
  const Diagnostic &first = p.diagnostics.front();
  LineColumn lc = first.location();
  std::string got = fmt::format("{} {}:{}", first.info().code, lc.line, lc.column);
  std::string want = fmt::format("{} {}:{}", m[1].str(), m[2].str(), m[3].str());
  if (got != want)
    return "expected " + want + ", got:\n" + renderAll(p.diagnostics);
  return "";
}

std::string checkCanonical(const fs::path &path) {
  Parsed p = parseSource(path.filename().string(), readFile(path));
  if (!p.module)
    return "does not parse:\n" + renderAll(p.diagnostics);
  if (ast::printModule(*p.module, p.file->text()) != p.file->text())
    return "is not in canonical form (lamina fmt --write fixes it)";
  return "";
}

} // namespace

int main(int argc, char **argv) {
  if (argc != 3) {
    fmt::print(stderr, "usage: corpus_test valid|invalid|canonical DIR\n");
    return 2;
  }
  std::string mode = argv[1];
  const char *updateEnv = std::getenv("LAMINA_UPDATE_GOLDEN");
  bool update = updateEnv && *updateEnv && std::string(updateEnv) != "0";

  std::vector<fs::path> files;
  std::error_code error;
  fs::directory_iterator dir(argv[2], error);
  if (error) {
    fmt::print("cannot read {}: {}\n", argv[2], error.message());
    return 1;
  }
  for (const auto &entry : dir)
    if (entry.path().extension() == ".lam")
      files.push_back(entry.path());
  std::sort(files.begin(), files.end());

  int passed = 0, failed = 0;
  for (const fs::path &path : files) {
    std::string failure = mode == "valid"     ? checkValid(path, update)
                          : mode == "invalid" ? checkInvalid(path)
                                              : checkCanonical(path);
    if (failure.empty()) {
      ++passed;
    } else {
      ++failed;
      fmt::print("FAIL {}: {}\n", path.filename().string(), failure);
    }
  }
  fmt::print("corpus {}: {} passed, {} failed\n", mode, passed, failed);
  return failed == 0 && passed > 0 ? 0 : 1;
}
