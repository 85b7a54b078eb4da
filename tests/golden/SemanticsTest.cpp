// The reference interpreter's results against NumPy.
//
//   lamina_semantics_test DIR [FILTER]
//
// FILTER, when given, runs only the cases whose name contains it. LAMINA_SEMANTICS_TRACE=1
// prints each case's name before it runs (to find one that crashes).
//
// DIR holds cases.json and the .npy files it names, written by
// tests/fixtures/make_semantics_fixtures.py. Each case is
//
//   {"name": ..., "source": "lambda x: ...",
//    "inputs": [{"name": "x", "file": "x.npy"}, ...],   a repeated name binds a list parameter
//    "args": {"alpha": "0.3"},                          `--arg` text: JSON or Python literals
//    "outputs": ["out.npy", ...], "rtol": 1e-6, "atol": 1e-6,
//    "signed_zero": false,                              optional: -0.0 must not equal 0.0
//    "divergence": "why"}                               optional: a documented divergence
//
// and passes when the source parses, is analyzed for the inputs' actual types, and the
// interpreter's outputs have the expected dtypes, shapes and values. A case marked
// `divergence` (the library fixtures: lamina knowingly differs from the real library, for the
// reason given) passes only while it still fails, so a fix that makes lamina agree is noticed
// and the mark removed. Floats compare as
// |actual - expected| <= atol + rtol * |expected|, NaN equal to NaN and infinities exactly;
// integers and bools compare exactly. Every failing case is printed with its first
// mismatching element; the exit status is 1 when any case fails.

#include "compiler/diag/TextRenderer.h"
#include "compiler/driver/Frontend.h"
#include "compiler/interp/Interpreter.h"
#include "compiler/parse/Parse.h"
#include "compiler/sema/ConstValue.h"
#include "compiler/sema/Sema.h"
#include "compiler/types/Elements.h"
#include "runtime/io/Npy.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace lamina;
using nlohmann::json;

namespace {

std::string renderAll(const std::vector<Diagnostic> &diagnostics) {
  std::string out;
  for (const Diagnostic &d : diagnostics)
    out += renderDiagnostic(d);
  return out;
}

std::string typeString(DType dtype, const std::vector<int64_t> &shape) {
  TensorType type{dtype, {}};
  for (int64_t d : shape)
    type.shape.push_back(d);
  return type.str();
}

// `[1, 4, 2]` for flat index `k` of an array of `shape`.
std::string multiIndex(const std::vector<int64_t> &shape, int64_t k) {
  std::vector<int64_t> idx(shape.size(), 0);
  for (size_t d = shape.size(); d-- > 0;) {
    idx[d] = shape[d] ? k % shape[d] : 0;
    k = shape[d] ? k / shape[d] : 0;
  }
  return fmt::format("[{}]", fmt::join(idx, ", "));
}

struct Tolerance {
  double rtol = 0, atol = 0;
  bool signedZero = false;
};

bool floatsMatch(double actual, double expected, const Tolerance &tol) {
  if (std::isnan(expected) || std::isnan(actual))
    return std::isnan(expected) && std::isnan(actual);
  if (std::isinf(expected) || std::isinf(actual))
    return actual == expected;
  if (tol.signedZero && actual == 0 && expected == 0)
    return std::signbit(actual) == std::signbit(expected);
  return std::fabs(actual - expected) <= tol.atol + tol.rtol * std::fabs(expected);
}

/// "" when `actual` matches `expected`, else what differs.
std::string compare(const Array &actual, const Array &expected, const Tolerance &tol) {
  if (actual.dtype != expected.dtype || actual.shape != expected.shape)
    return fmt::format("type {}, expected {}", typeString(actual.dtype, actual.shape),
                       typeString(expected.dtype, expected.shape));
  bool floats = isFloat(expected.dtype);
  int64_t mismatches = 0, first = -1;
  for (int64_t k = 0; k < expected.elementCount(); ++k) {
    bool ok = floats ? floatsMatch(loadFloat(actual, k), loadFloat(expected, k), tol)
                     : loadInt(actual, k) == loadInt(expected, k);
    if (!ok && mismatches++ == 0)
      first = k;
  }
  if (mismatches == 0)
    return "";
  std::string where = multiIndex(expected.shape, first);
  if (!floats)
    return fmt::format("{} of {} elements differ; first at {}: got {}, expected {} (exact)",
                       mismatches, expected.elementCount(), where, loadInt(actual, first),
                       loadInt(expected, first));
  double a = loadFloat(actual, first), e = loadFloat(expected, first);
  std::string why;
  if (std::isnan(a) || std::isnan(e) || std::isinf(a) || std::isinf(e))
    why = "NaN and infinities must match exactly";
  else if (a == 0 && e == 0)
    why = "the signs of zero differ";
  else
    why = fmt::format("|diff| {:.3g} > atol {:g} + rtol {:g} * |expected| = {:.3g}",
                      std::fabs(a - e), tol.atol, tol.rtol, tol.atol + tol.rtol * std::fabs(e));
  return fmt::format("{} of {} elements differ; first at {}: got {:.9g}, expected {:.9g} ({})",
                     mismatches, expected.elementCount(), where, a, e, why);
}

std::optional<Array> readArray(const fs::path &path, std::string &error) {
  io::ReadResult read = io::readNpy(path.string());
  if (!read.array)
    error = read.error;
  return read.array;
}

/// Runs one case; returns "" when it passes, else the failure.
std::string runCase(const json &c, const fs::path &dir) {
  // The inputs, read first: sema specialises the program on their actual types.
  SemaRequest request;
  std::vector<Array> arrays;
  for (const json &in : c.at("inputs")) {
    std::string error;
    auto a = readArray(dir / in.at("file").get<std::string>(), error);
    if (!a)
      return "cannot read input: " + error;
    TensorType type{a->dtype, {}};
    for (int64_t d : a->shape)
      type.shape.push_back(d);
    request.inputs.push_back({in.at("name").get<std::string>(), type});
    arrays.push_back(std::move(*a));
  }

  // The arguments, as `--arg` text.
  std::vector<std::unique_ptr<SourceFile>> argFiles;
  if (c.contains("args"))
    for (auto &[key, value] : c.at("args").items()) {
      argFiles.push_back(std::make_unique<SourceFile>("--arg " + key, value.get<std::string>()));
      CollectingConsumer consumer;
      DiagnosticEngine diags(consumer);
      auto v = driver::parseConstValue(*argFiles.back(), diags);
      if (!v)
        return fmt::format("argument {} does not parse:\n{}", key, renderAll(consumer.diagnostics));
      request.arguments.emplace_back(key, std::move(*v));
    }

  SourceFile file(c.at("name").get<std::string>(), c.at("source").get<std::string>());
  CollectingConsumer consumer;
  DiagnosticEngine diags(consumer);
  auto module = parse(file, diags);
  if (!module)
    return "does not parse:\n" + renderAll(consumer.diagnostics);
  auto fn = analyze(*module, file, request, diags);
  if (!fn)
    return "sema rejects it:\n" + renderAll(consumer.diagnostics);
  if (std::string problem = ir::verify(*fn); !problem.empty())
    return "the IR does not verify: " + problem;

  // Each IR input names the request input that feeds it.
  std::vector<Array> inputs;
  for (const ir::InputDecl &decl : fn->inputs) {
    if (decl.binding >= arrays.size())
      return fmt::format("input {} is bound to request input {} of {}", decl.name, decl.binding,
                         arrays.size());
    inputs.push_back(arrays[decl.binding]);
  }
  std::vector<Array> variables;
  for (const ir::VariableDecl &v : fn->variables)
    variables.push_back(initialValue(v));
  auto outputs = interpret(*fn, inputs, variables, file, diags);
  if (!outputs)
    return "the interpreter fails:\n" + renderAll(consumer.diagnostics);

  const json &expected = c.at("outputs");
  if (outputs->size() != expected.size())
    return fmt::format("{} outputs, expected {}", outputs->size(), expected.size());
  Tolerance tol{c.at("rtol").get<double>(), c.at("atol").get<double>(),
                c.value("signed_zero", false)};
  std::string failures;
  for (size_t k = 0; k < expected.size(); ++k) {
    std::string error;
    auto want = readArray(dir / expected[k].get<std::string>(), error);
    if (!want)
      return "cannot read expected output: " + error;
    if (std::string diff = compare((*outputs)[k], *want, tol); !diff.empty())
      failures += fmt::format("{}output {}: {}\n", failures.empty() ? "" : "  ", k, diff);
  }
  if (!failures.empty())
    failures.pop_back();
  return failures;
}

} // namespace

int main(int argc, char **argv) {
  if (argc != 2 && argc != 3) {
    fmt::print(stderr, "usage: {} FIXTURE_DIR [FILTER]\n", argv[0]);
    return 2;
  }
  fs::path dir = argv[1];
  std::ifstream in(dir / "cases.json");
  if (!in) {
    fmt::print(stderr, "cannot open {}\n", (dir / "cases.json").string());
    return 2;
  }
  json cases;
  try {
    cases = json::parse(in);
  } catch (const std::exception &e) {
    fmt::print(stderr, "{}: {}\n", (dir / "cases.json").string(), e.what());
    return 2;
  }

  std::string filter = argc == 3 ? argv[2] : "";
  const char *traceEnv = std::getenv("LAMINA_SEMANTICS_TRACE");
  bool trace = traceEnv && *traceEnv && std::string(traceEnv) != "0";
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  int passed = 0, failed = 0, diverging = 0;
  std::map<std::string, int> names;
  for (const json &c : cases) {
    std::string name = c.value("name", "?");
    if (!filter.empty() && name.find(filter) == std::string::npos)
      continue;
    if (trace)
      fmt::print(stderr, "running {}\n", name);
    std::string failure;
    try {
      if (++names[name] > 1)
        failure = "duplicate case name";
      else
        failure = runCase(c, dir);
    } catch (const std::exception &e) {
      failure = fmt::format("exception: {}", e.what());
    }
    if (c.contains("divergence")) {
      if (failure.empty()) {
        failure = fmt::format("a known divergence ({}) agrees with the library now: drop its mark "
                              "in the fixture generator",
                              c.at("divergence").get<std::string>());
      } else {
        ++diverging;
        if (trace)
          fmt::print(stderr, "{} diverges as documented: {}\n", name, failure);
        continue;
      }
    }
    if (failure.empty()) {
      ++passed;
      continue;
    }
    ++failed;
    fmt::print("FAIL {}\n  source: {}\n  {}\n", name, c.value("source", ""), failure);
  }
  fmt::print("{} of {} semantics cases passed", passed, passed + failed);
  if (diverging)
    fmt::print("; {} known divergences still diverge", diverging);
  fmt::print("\n");
  return failed ? 1 : 0;
}
