#pragma once

#include "compiler/diag/TextRenderer.h"
#include "compiler/driver/Driver.h"
#include "compiler/parse/Parse.h"
#include "compiler/sema/Sema.h"
#include "tools/lamina/Input.h"

#include <CLI/CLI.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace lamina::cli {

/// What every command that reads sources shares: the inputs and how to report on them.
struct SourceOptions {
  std::vector<std::string> files;
  std::string expr;
  ParseLimits limits;
  RenderOptions render;
};

/// Adds `FILE...` and `--expr SRC` to `command`.
void addSourceOptions(CLI::App &command, SourceOptions &options);

/// Parses every input in turn and calls `onModule` for each one that parsed, with the
/// diagnostics engine of that input. Returns the worst exit code seen: I/O errors beat input
/// errors.
using ModuleAction =
    std::function<int(const SourceFile &, const ast::Module &, DiagnosticEngine &)>;
int forEachModule(const SourceOptions &options, const ModuleAction &onModule);

/// What sema needs besides the source: `--input NAME=TYPE` (or, for `run`, NAME=FILE),
/// `--arg NAME=VALUE`, `--output-shape TUPLE`.
struct SignatureOptions {
  std::vector<std::string> inputs;
  std::vector<std::string> args;
  std::string outputShape;
};
void addSignatureOptions(CLI::App &command, SignatureOptions &options, bool inputsAreFiles);
/// Splits `NAME=VALUE`; a value without `NAME=` has an empty name.
std::pair<std::string, std::string> splitBinding(const std::string &text);
/// Builds the request from --arg and --output-shape (inputs are added by the caller). Prints
/// what is wrong and returns nothing on a bad value.
std::optional<SemaRequest> requestFrom(const SignatureOptions &options,
                                       const RenderOptions &render);
/// Adds the `--input NAME=TYPE` bindings; prints what is wrong and returns false on error.
bool addTypedInputs(const SignatureOptions &options, SemaRequest &request);

/// The JIT's command-line options (run, emit, bench).
struct JitOptions {
  std::string cpu;
  bool noCache = false;
  std::string cacheDir;
};
void addJitOptions(CLI::App &command, JitOptions &options);
driver::CompileOptions compileOptions(const JitOptions &options);

// ------------------------------------------------------------------ shared with the REPL

/// The type of a concrete array (`f32[4, 8]`), as sema wants its inputs.
TensorType arrayType(const Array &a);

/// How `run` evaluates a checked function: the JIT (default) or the reference interpreter.
/// How the CLI and the REPL evaluate: the driver's settings, with the executor chosen by a
/// thread count.
struct EvalSettings {
  bool interpreter = false;
  unsigned threads = 0; // 0: the default executor (one thread per core)
  driver::CompileOptions compile;
  const std::atomic<bool> *cancel = nullptr; // set by another thread to stop the run (E0705)
  uint64_t byteBudget = uint64_t(1) << 32;   // per call, both engines (E0703)
};
/// The pool for a thread count (0: one thread per core).
Executor &executorFor(unsigned threads);
/// Makes the variables' first values, then runs `fn` on `inputs` (one per fn.inputs), through
/// the driver. Returns nothing after reporting to `diags`, or, when the JIT fails, after
/// setting `jitError`.
std::optional<std::vector<Array>> evaluate(const ir::Function &fn, const std::vector<Array> &inputs,
                                           const EvalSettings &settings, const SourceFile &file,
                                           DiagnosticEngine &diags, std::string &jitError);

/// What `lamina emit` prints for a checked function: "ir" (the typed IR), "ir-opt" (the
/// optimized IR and the fusion plan), "llvm" (optimized LLVM IR) or "asm".
std::string stageText(const ir::Function &fn, const std::string &stage,
                      const driver::CompileOptions &options);

/// Timing as `lamina bench` does it: samples of `callsPerSample` calls each, at least
/// `minSamples` of them and then more until `seconds` have passed (at most `maxSamples`).
/// Nanoseconds per call.
struct Timing {
  double medianNs = 0, minNs = 0, maxNs = 0;
  size_t samples = 0;
};
/// How many calls make a sample of about 2 ms (at least one).
int64_t callsPerSample(const std::function<void()> &call);
Timing timeCalls(const std::function<void()> &call, int64_t callsPerSample, size_t minSamples,
                 double seconds, size_t maxSamples);

/// Writes a program's outputs: one to `path` ending in .npy, any number to .npz (`arr_0`,
/// `arr_1`, ... as NumPy names them). Returns the exit code, after printing any error.
int writeOutputs(const std::string &path, const std::vector<Array> &outputs);

/// Each command registers its subcommand and returns the action to run when it is chosen.
using Action = std::function<int()>;
Action addFmtCommand(CLI::App &app, SourceOptions &options);
Action addCheckCommand(CLI::App &app, SourceOptions &options);
Action addEmitCommand(CLI::App &app, SourceOptions &options);
Action addRunCommand(CLI::App &app, SourceOptions &options);
Action addModelCommand(CLI::App &app, SourceOptions &options);
Action addDocCommand(CLI::App &app, SourceOptions &options);
Action addBenchCommand(CLI::App &app, SourceOptions &options);
Action addReplCommand(CLI::App &app, SourceOptions &options);

} // namespace lamina::cli
