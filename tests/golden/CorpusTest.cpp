// Data-driven tests over a folder of lamina sources.
//
//   corpus_test valid DIR      every *.lam parses without diagnostics, its AST dump equals the
//                              neighbouring *.ast file, and the printer round-trips it:
//                              fmt(fmt(s)) == fmt(s), parse(fmt(s)) equals parse(s)
//   corpus_test invalid DIR    every *.lam starts with `# expect: CODE LINE:COL`, the first
//                              diagnostic has that code and position, and every diagnostic is
//                              in bounds and renders
//   corpus_test canonical DIR  every *.lam is valid and already in canonical form
//   corpus_test sema-valid DIR   every *.lam analyzes without diagnostics for the signature in
//                                its header, the IR verifies, and the outputs have the types of
//                                its `# type:` lines, in order
//   corpus_test sema-invalid DIR every *.lam parses, fails analysis for the signature in its
//                                header, the first diagnostic has the code and position of its
//                                `# expect: CODE LINE:COL` line, and every diagnostic is in
//                                bounds and renders
//
// A sema corpus file starts with header comment lines, one `# KEY: VALUE` each:
//   # input: NAME=TYPE       binds an input (TYPE as `f32[B,256]`; a repeated NAME binds a list
//                            parameter in order; a TYPE without `NAME=` binds by position)
//   # arg: NAME=VALUE        a compile-time argument (JSON or a Python literal)
//   # output_shape: (512,)   Keras's output_shape, checked against the result
//   # type: f32[B, 512]      sema-valid: the type of the next output
//   # expect: E0501 3:12     sema-invalid: the first diagnostic
// The header ends at the first line that is not of that form (an unknown KEY is an error, so a
// misspelt header line cannot be silently ignored); line numbers count from the file's first
// line. The runner prints each failing file with what it got, then the count.
//
// LAMINA_UPDATE_GOLDEN=1 rewrites the *.ast files instead of comparing them.

#include "compiler/ast/Dump.h"
#include "compiler/ast/Printer.h"
#include "compiler/diag/TextRenderer.h"
#include "compiler/driver/Frontend.h"
#include "compiler/parse/Parse.h"
#include "compiler/sema/ConstValue.h"
#include "compiler/sema/Sema.h"
#include "compiler/types/TypeSpec.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

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

// ---------------------------------------------------------------- sema corpus

struct SemaHeader {
  SemaRequest request;
  std::vector<std::string> types;    // sema-valid: `# type:` lines
  std::optional<std::string> expect; // sema-invalid: "CODE LINE:COL"
};

/// Parses a constant written in a header line, as `--arg` does; "" or the problem.
std::string parseConst(const std::string &label, const std::string &text,
                       std::optional<ConstValue> &out) {
  SourceFile file(label, text);
  CollectingConsumer consumer;
  DiagnosticEngine diags(consumer);
  out = driver::parseConstValue(file, diags);
  if (!out || !consumer.diagnostics.empty())
    return label + " `" + text + "` is not a constant:\n" + renderAll(consumer.diagnostics);
  return "";
}

/// Reads the header of a sema corpus file into `header`; "" or what is wrong with it.
std::string readSemaHeader(const std::string &text, SemaHeader &header) {
  static const std::regex line(R"(# ([a-z_]+): (.*?)\s*)");
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find_first_of("\r\n", at);
    std::string current = text.substr(at, end == std::string::npos ? end : end - at);
    std::smatch m;
    if (!std::regex_match(current, m, line))
      break;
    std::string key = m[1].str(), value = m[2].str();
    size_t eq = value.find('=');
    std::string name = eq == std::string::npos ? "" : value.substr(0, eq);
    std::string rest = eq == std::string::npos ? value : value.substr(eq + 1);
    if (key == "input") {
      std::string error;
      auto type = parseTypeSpec(rest, error);
      if (!type)
        return "header `" + current + "`: " + error;
      header.request.inputs.push_back({name, *type});
    } else if (key == "arg") {
      if (name.empty())
        return "header `" + current + "` needs the form NAME=VALUE";
      std::optional<ConstValue> v;
      if (std::string problem = parseConst("arg " + name, rest, v); !problem.empty())
        return problem;
      header.request.arguments.emplace_back(name, std::move(*v));
    } else if (key == "output_shape") {
      std::optional<ConstValue> v;
      if (std::string problem = parseConst("output_shape", value, v); !problem.empty())
        return problem;
      header.request.outputShape = std::move(v);
    } else if (key == "type") {
      header.types.push_back(value);
    } else if (key == "expect") {
      if (header.expect)
        return "more than one `# expect:` line";
      if (!std::regex_match(value, std::regex(R"(E\d{4} \d+:\d+)")))
        return "`# expect:` needs `CODE LINE:COL`, got `" + value + "`";
      header.expect = value;
    } else {
      return "unknown header key `" + key + "`";
    }
    if (end == std::string::npos)
      break;
    at = end + (text.compare(end, 2, "\r\n") == 0 ? 2 : 1);
  }
  return "";
}

struct Analyzed {
  Parsed parsed;
  SemaHeader header;
  std::optional<ir::Function> function;
  std::vector<Diagnostic> diagnostics;
};

/// Parses and analyzes `path`; "" or why it could not be analyzed at all.
std::string analyzeFile(const fs::path &path, Analyzed &out) {
  std::string text = readFile(path);
  if (std::string problem = readSemaHeader(text, out.header); !problem.empty())
    return problem;
  out.parsed = parseSource(path.filename().string(), text);
  if (!out.parsed.module)
    return "does not parse:\n" + renderAll(out.parsed.diagnostics);
  CollectingConsumer consumer;
  DiagnosticEngine diags(consumer);
  out.function = analyze(*out.parsed.module, *out.parsed.file, out.header.request, diags);
  out.diagnostics = consumer.diagnostics;
  return "";
}

std::string checkSemaValid(const fs::path &path) {
  Analyzed a;
  if (std::string problem = analyzeFile(path, a); !problem.empty())
    return problem;
  if (a.header.expect)
    return "a sema-valid file has an `# expect:` line";
  if (a.header.types.empty())
    return "no `# type:` line";
  if (!a.diagnostics.empty())
    return "expected no diagnostics, got:\n" + renderAll(a.diagnostics);
  if (!a.function)
    return "analysis failed without a diagnostic";
  if (std::string problem = ir::verify(*a.function); !problem.empty())
    return "the IR does not verify: " + problem + "\n" + ir::print(*a.function);
  std::vector<std::string> got;
  for (ir::ValueId v : a.function->outputs)
    got.push_back(a.function->typeOf(v).str());
  if (got != a.header.types) {
    std::string listed;
    for (const std::string &t : got)
      listed += "\n# type: " + t;
    return fmt::format("expected {} output(s) typed {}, got:{}", a.header.types.size(),
                       fmt::join(a.header.types, ", "), listed);
  }
  return "";
}

std::string checkSemaInvalid(const fs::path &path) {
  Analyzed a;
  if (std::string problem = analyzeFile(path, a); !problem.empty())
    return problem;
  if (!a.header.expect)
    return "no `# expect: CODE LINE:COL` line";
  if (!a.header.types.empty())
    return "a sema-invalid file has a `# type:` line";
  if (a.function) {
    std::string types;
    for (ir::ValueId v : a.function->outputs)
      types += " " + a.function->typeOf(v).str();
    return "analyzes without error; outputs:" + types + "\n" + renderAll(a.diagnostics);
  }
  if (a.diagnostics.empty())
    return "failed without a diagnostic";
  for (const Diagnostic &d : a.diagnostics) {
    const SourceFile *file = d.file;
    if (!file)
      return "a diagnostic has no source file: " + d.message;
    LineColumn lc = d.location();
    if (d.range.end < d.range.begin || d.range.end > file->text().size() ||
        lc.line > file->lineCount() + 1)
      return "a diagnostic is out of bounds:\n" + renderDiagnostic(d);
    if (renderDiagnostic(d).empty())
      return "a diagnostic renders as nothing: " + d.message;
  }
  const Diagnostic &first = a.diagnostics.front();
  LineColumn lc = first.location();
  std::string got = fmt::format("{} {}:{}", first.info().code, lc.line, lc.column);
  if (got != *a.header.expect)
    return "expected " + *a.header.expect + ", got " + got + ":\n" + renderAll(a.diagnostics);
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
    fmt::print(stderr, "usage: corpus_test valid|invalid|canonical|sema-valid|sema-invalid DIR\n");
    return 2;
  }
  std::string mode = argv[1];
  static const std::string kModes[] = {"valid", "invalid", "canonical", "sema-valid",
                                       "sema-invalid"};
  if (std::find(std::begin(kModes), std::end(kModes), mode) == std::end(kModes)) {
    fmt::print(stderr, "corpus_test: unknown mode `{}`\n", mode);
    return 2;
  }
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
    std::string failure = mode == "valid"          ? checkValid(path, update)
                          : mode == "invalid"      ? checkInvalid(path)
                          : mode == "sema-valid"   ? checkSemaValid(path)
                          : mode == "sema-invalid" ? checkSemaInvalid(path)
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
