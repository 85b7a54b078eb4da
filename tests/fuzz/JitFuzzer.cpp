// The JIT against the interpreter. Mutated sources rarely type-check, so half the inputs seed
// the random-program generator instead (first byte even): a well-typed program whose outputs
// the two engines must agree on within the generator's bounds. Otherwise the bytes are a source
// (after the first byte), checked with a symbolic batch and run on both engines: both must
// accept it or both refuse it with the same first code at the same place, and accepted results
// must have the same dtypes and shapes.

#include "FuzzSupport.h"

#include "../jit/RandomPrograms.h"

#include "compiler/driver/Driver.h"
#include "compiler/interp/Interpreter.h"
#include "compiler/parse/Parse.h"
#include "runtime/threads/ThreadPool.h"

#include <fmt/format.h>

using namespace lamina;

namespace {

struct Outcome {
  std::optional<std::vector<Array>> outputs;
  std::vector<Diagnostic> diagnostics;
};

std::string describe(const Outcome &o) {
  if (o.outputs)
    return fmt::format("{} outputs", o.outputs->size());
  if (o.diagnostics.empty())
    return "no diagnostic";
  const Diagnostic &d = o.diagnostics.front();
  return fmt::format("{} at {}..{}: {}", d.info().code, d.range.begin, d.range.end, d.message);
}

void generated(const uint8_t *data, size_t size) {
  uint64_t seed = 0xcbf29ce484222325ull; // FNV-1a of the bytes
  for (size_t k = 0; k < size; ++k)
    seed = (seed ^ data[k]) * 0x100000001b3ull;
  jittest::RandomPrograms programs(seed);
  jittest::RandomPrograms::Result r = programs.next(0);
  if (!r.problem.empty())
    fuzz::fail(r.problem, fmt::format("random program seed {}", seed));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0)
    return 0;
  if (data[0] % 2 == 0) {
    generated(data, size);
    return 0;
  }
  fuzz::ParsedSource source(std::string(reinterpret_cast<const char *>(data) + 1, size - 1));
  const SourceFile &file = source.file;
  if (!source.module)
    return 0;
  auto fn = analyze(*source.module, file, fuzz::requestFor(*source.module, "f32[B, 4]", "f32[4]"),
                    source.diags);
  if (!fn)
    return 0;
  driver::CompileOptions compile;
  compile.diskCache = false;
  std::string error;
  auto kernel = driver::Driver::shared().compile(*fn, compile, &error);
  if (!kernel)
    fuzz::fail("the JIT cannot compile a checked program: " + error, file.text());
  std::vector<Array> inputs = fuzz::inputsFor(*fn, 3, size);
  InterpOptions interpOptions;
  interpOptions.byteBudget = fuzz::kFuzzBudget;
  driver::RunOptions runOptions;
  runOptions.byteBudget = fuzz::kFuzzBudget;

  Outcome interp, jitted;
  CollectingConsumer interpSink, jitSink;
  DiagnosticEngine interpDiags(interpSink), jitDiags(jitSink);
  std::vector<Array> variables;
  auto symbols = bindSymbols(*fn, inputs, file, interpDiags);
  if (symbols) {
    if (auto made = initialValues(*fn, *symbols, file, interpDiags, interpOptions))
      variables = std::move(*made);
    else
      return 0; // variables are made by the caller before either engine runs
  }
  interp.outputs = interpret(*fn, inputs, variables, file, interpDiags, interpOptions);
  interp.diagnostics = interpSink.diagnostics;
  jitted.outputs =
      kernel->run(inputs, variables, executorWithThreads(2), file, jitDiags, runOptions);
  jitted.diagnostics = jitSink.diagnostics;
  fuzz::checkDiagnostics(interp.diagnostics, file, !interp.outputs, "interpret");
  fuzz::checkDiagnostics(jitted.diagnostics, file, !jitted.outputs, "JIT run");
  bool agree = interp.outputs.has_value() == jitted.outputs.has_value();
  if (agree && !interp.outputs) {
    const Diagnostic &a = interp.diagnostics.front(), &b = jitted.diagnostics.front();
    agree = a.kind == b.kind && a.range.begin == b.range.begin && a.range.end == b.range.end;
  }
  if (agree && interp.outputs) {
    agree = interp.outputs->size() == jitted.outputs->size();
    for (size_t o = 0; agree && o < interp.outputs->size(); ++o)
      agree = (*interp.outputs)[o].dtype == (*jitted.outputs)[o].dtype &&
              (*interp.outputs)[o].shape == (*jitted.outputs)[o].shape;
  }
  if (!agree)
    fuzz::fail(fmt::format("the engines disagree: interpreter {}; JIT {}", describe(interp),
                           describe(jitted)),
               file.text());
  return 0;
}
