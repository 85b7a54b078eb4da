#include "FuzzSupport.h"

#include "compiler/ast/Printer.h"
#include "compiler/parse/Parse.h"
#include "compiler/types/Elements.h"
#include "compiler/types/TypeSpec.h"

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <random>

namespace lamina::fuzz {

void fail(const std::string &what, std::string_view input) {
  std::fprintf(stderr, "\nfuzz invariant broken: %s\ninput (%zu bytes):\n%.*s\n", what.c_str(),
               input.size(), int(std::min<size_t>(input.size(), 4000)), input.data());
  std::fflush(stderr);
  std::abort();
}

void checkDiagnostics(const std::vector<Diagnostic> &diagnostics, const SourceFile &file,
                      bool failed, std::string_view stage) {
  bool error = false;
  auto inside = [](const SourceFile *f, SourceRange r) {
    return !f || (r.begin <= r.end && r.end <= f->text().size());
  };
  for (const Diagnostic &d : diagnostics) {
    error = error || d.info().severity == Severity::Error;
    if (!inside(d.file, d.range))
      fail(fmt::format("{}: {} range {}..{} lies outside its {}-byte text: {}", stage,
                       d.info().code, d.range.begin, d.range.end,
                       d.file ? d.file->text().size() : 0, d.message),
           file.text());
    for (const DiagNote &n : d.notes)
      if (!inside(n.file, n.range))
        fail(fmt::format("{}: a note of {} lies outside its text", stage, d.info().code),
             file.text());
    if (d.kind == DiagKind::InternalError)
      fail(fmt::format("{}: internal error: {}", stage, d.message), file.text());
  }
  if (failed && !error)
    fail(fmt::format("{} failed without an error diagnostic", stage), file.text());
}

ParsedSource::ParsedSource(std::string text) : file("<fuzz>", std::move(text)) {
  module = parse(file, diags);
}

void checkFormatIdempotent(const SourceFile &file) {
  CollectingConsumer sink;
  DiagnosticEngine diags(sink);
  auto module = parse(file, diags);
  if (!module)
    return;
  std::string once = printModule(*module, file.text());
  SourceFile again(file.name(), once);
  CollectingConsumer sink2;
  DiagnosticEngine diags2(sink2);
  auto module2 = parse(again, diags2);
  if (!module2)
    fail("the formatted text does not parse:\n" + once, file.text());
  std::string twice = printModule(*module2, once);
  if (twice != once)
    fail("formatting is not idempotent:\n--- once\n" + once + "--- twice\n" + twice, file.text());
}

SemaRequest requestFor(const ast::Module &module, const std::string &xType,
                       const std::string &yType) {
  std::string error;
  TensorType x = *parseTypeSpec(xType, error), y = *parseTypeSpec(yType, error);
  SemaRequest request;
  request.limits.maxConstantElements = 1 << 16;
  auto signature = entrySignature(module, {});
  if (!signature || signature->expressionMode) {
    request.inputs = {{"x", x}, {"y", y}};
    return request;
  }
  for (size_t k = 0; k < signature->inputs.size() && k < 4; ++k)
    request.inputs.push_back({signature->inputs[k], k % 2 ? y : x});
  return request;
}

std::vector<Array> inputsFor(const ir::Function &fn, int64_t size, uint64_t seed) {
  std::mt19937_64 rng(seed);
  static constexpr double kValues[] = {0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 3.0, 1e-3, 100.0};
  std::vector<Array> out;
  for (const ir::InputDecl &in : fn.inputs) {
    std::vector<int64_t> shape;
    for (const Dim &d : in.type.shape)
      shape.push_back(d.asConstant().value_or(size));
    Array a = makeArray(in.type.dtype, shape);
    for (int64_t k = 0; k < a.elementCount(); ++k) {
      double v = kValues[rng() % std::size(kValues)];
      if (isFloat(a.dtype))
        storeFloat(a, k, v);
      else
        storeInt(a, k, int64_t(v));
    }
    out.push_back(std::move(a));
  }
  return out;
}

} // namespace lamina::fuzz
