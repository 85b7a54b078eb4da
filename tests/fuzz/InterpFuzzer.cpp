// Check and interpret any bytes on concrete inputs, under a small byte budget: every failure
// (sema's or the interpreter's run-time checks) has a diagnostic inside the text.

#include "FuzzSupport.h"

#include "compiler/interp/Interpreter.h"
#include "compiler/parse/Parse.h"

using namespace lamina;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz::ParsedSource source(std::string(reinterpret_cast<const char *>(data), size));
  const SourceFile &file = source.file;
  if (!source.module)
    return 0;
  auto fn = analyze(*source.module, file, fuzz::requestFor(*source.module, "f32[3, 4]", "f32[4]"),
                    source.diags);
  fuzz::checkDiagnostics(source.sink.diagnostics, file, !fn, "check");
  if (!fn)
    return 0;
  InterpOptions options;
  options.byteBudget = fuzz::kFuzzBudget;
  std::vector<Array> variables;
  CollectingConsumer runSink;
  DiagnosticEngine runDiags(runSink);
  auto symbols = bindSymbols(*fn, fuzz::inputsFor(*fn, 3, size), file, runDiags);
  if (symbols) {
    auto made = initialValues(*fn, *symbols, file, runDiags, options);
    if (!made) {
      fuzz::checkDiagnostics(runSink.diagnostics, file, true, "variables");
      return 0;
    }
    variables = std::move(*made);
  }
  auto out = interpret(*fn, fuzz::inputsFor(*fn, 3, size), variables, file, runDiags, options);
  fuzz::checkDiagnostics(runSink.diagnostics, file, !out, "interpret");
  return 0;
}
