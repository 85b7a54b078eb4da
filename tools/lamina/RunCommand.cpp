#include "compiler/types/Elements.h"
#include "lamina/Layer.h"
#include "lamina/Runtime.h"
#include "tools/lamina/Commands.h"
#include "tools/lamina/TensorPrinter.h"

#include <fmt/format.h>

#include <cmath>

namespace lamina::cli {
namespace {

struct RunOptions {
  SignatureOptions signature;
  std::string output;
  std::string engine = "jit";
  unsigned threads = 0;
  JitOptions jit;
};

} // namespace

TensorType arrayType(const Array &a) {
  TensorType type{a.dtype, {}};
  for (int64_t d : a.shape)
    type.shape.push_back(d);
  return type;
}

Executor &executorFor(unsigned threads) { return threadPool(threads); }

std::optional<std::vector<Array>> evaluate(const ir::Function &fn, const std::vector<Array> &inputs,
                                           const EvalSettings &settings, const SourceFile &file,
                                           DiagnosticEngine &diags, std::string &jitError) {
  driver::EvalSettings run;
  run.interpreter = settings.interpreter;
  run.compile = settings.compile;
  run.executor = &executorFor(settings.threads);
  run.cancel = settings.cancel;
  run.byteBudget = settings.byteBudget;
  return driver::Driver::shared().evaluate(fn, inputs, run, file, diags, jitError);
}

int writeOutputs(const std::string &path, const std::vector<Array> &outputs) {
  std::string error;
  if (!path.ends_with(".npz") && !path.ends_with(".npy")) {
    fmt::print(stderr,
               "lamina: error: -o {}: outputs are written as .npy (one output) or .npz "
               "(any number); name the file so\n",
               path);
    return kExitUsage;
  }
  if (path.ends_with(".npz")) {
    std::vector<std::pair<std::string, Array>> named;
    for (size_t k = 0; k < outputs.size(); ++k)
      named.emplace_back(fmt::format("arr_{}", k), outputs[k]);
    error = writeNpzArrays(path, named);
  } else if (outputs.size() == 1) {
    error = writeNpyArray(path, outputs[0]);
  } else {
    fmt::print(stderr, "lamina: error: the program has {} outputs; write them to an .npz file\n",
               outputs.size());
    return kExitUsage;
  }
  if (!error.empty()) {
    fmt::print(stderr, "lamina: error: {}\n", error);
    return kExitIo;
  }
  return kExitOk;
}

// lamina run [FILE | --expr SRC] -i x=in.npy [-i ...] [--arg k=v] [-o out.npy|out.npz]
Action addRunCommand(CLI::App &app, SourceOptions &options) {
  auto run = std::make_shared<RunOptions>();
  CLI::App *command = app.add_subcommand(
      "run", "Evaluate a source on .npy inputs; write .npy/.npz outputs or print them");
  addSourceOptions(*command, options);
  addSignatureOptions(*command, run->signature, true);
  command->add_option("-o,--output", run->output,
                      "FILE.npy for one output, FILE.npz for any number (arr_0, arr_1, ...)");
  command
      ->add_option("--engine", run->engine,
                   "jit: compiled kernels; interp: the reference interpreter")
      ->check(CLI::IsMember({"jit", "interp"}))
      ->capture_default_str();
  command->add_option("--threads", run->threads, "threads for the kernels (default: the cores)")
      ->check(CLI::Range(1u, ComputeOptions::kMaxThreads));
  addJitOptions(*command, run->jit);
  return [&options, run] {
    if (options.files.size() + (options.expr.empty() ? 0 : 1) > 1) {
      fmt::print(stderr, "lamina: error: run takes one source\n");
      return int(kExitUsage);
    }
    auto request = requestFrom(run->signature, options.render);
    if (!request)
      return int(kExitUsage);
    // Read every input first: the program is specialised on their actual shapes.
    std::vector<Array> arrays;
    bool named = false, positional = false;
    for (const std::string &binding : run->signature.inputs) {
      auto [name, path] = splitBinding(binding);
      (name.empty() ? positional : named) = true;
      std::string error;
      std::optional<Array> read = readNpyArray(path, error);
      if (!read) {
        fmt::print(stderr, "lamina: error: {}\n", error);
        return int(kExitIo);
      }
      request->inputs.push_back({name, arrayType(*read)});
      arrays.push_back(std::move(*read));
    }
    if (named && positional) {
      fmt::print(stderr, "lamina: error: give every -i a NAME=, or none\n");
      return int(kExitUsage);
    }
    return forEachModule(
        options, [&](const SourceFile &file, const ast::Module &module, DiagnosticEngine &diags) {
          auto fn = analyze(module, file, *request, diags);
          if (!fn)
            return int(kExitInputErrors);
          // Sema lists its inputs in parameter order, each naming the -i that feeds it.
          std::vector<Array> inputs;
          for (const ir::InputDecl &decl : fn->inputs) {
            if (decl.binding >= arrays.size()) {
              fmt::print(stderr, "lamina: error: no array for input `{}`; pass -i {}=FILE.npy\n",
                         decl.name, decl.name);
              return int(kExitUsage);
            }
            inputs.push_back(arrays[decl.binding]);
          }
          EvalSettings settings{run->engine == "interp", run->threads, compileOptions(run->jit)};
          std::string jitError;
          auto outputs = evaluate(*fn, inputs, settings, file, diags, jitError);
          if (!jitError.empty()) {
            fmt::print(stderr, "lamina: error: {}\n", jitError);
            return int(kExitInternal);
          }
          if (!outputs)
            return int(kExitInputErrors);
          if (!run->output.empty())
            return writeOutputs(run->output, *outputs);
          for (const Array &a : *outputs)
            fmt::print("{}\n", formatTensor(a)); // NumPy's style, as model run
          return int(kExitOk);
        });
  };
}

} // namespace lamina::cli
