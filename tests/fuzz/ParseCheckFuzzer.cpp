// Parse and check any bytes: every failure has a diagnostic inside the text, formatting is
// idempotent, and nothing crashes, hangs or allocates without bound.

#include "FuzzSupport.h"

#include "compiler/parse/Parse.h"

using namespace lamina;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz::ParsedSource source(std::string(reinterpret_cast<const char *>(data), size));
  const SourceFile &file = source.file;
  fuzz::checkDiagnostics(source.sink.diagnostics, file, !source.module, "parse");
  if (!source.module)
    return 0;
  const ast::Module &module = *source.module;
  fuzz::checkFormatIdempotent(file);
  const std::pair<const char *, const char *> signatures[] = {{"f32[B, 4]", "f32[4]"},
                                                              {"i32[3]", "f32[B, 1, 2]"}};
  for (const auto &[x, y] : signatures) {
    CollectingConsumer checkSink;
    DiagnosticEngine checkDiags(checkSink);
    auto fn = analyze(module, file, fuzz::requestFor(module, x, y), checkDiags);
    fuzz::checkDiagnostics(checkSink.diagnostics, file, !fn, "check");
  }
  return 0;
}
