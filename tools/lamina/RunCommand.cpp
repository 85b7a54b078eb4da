#include "compiler/interp/Interpreter.h"
#include "compiler/jit/Jit.h"
#include "compiler/types/Elements.h"
#include "runtime/io/Npy.h"
#include "runtime/threads/ThreadPool.h"
#include "tools/lamina/Commands.h"

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

// Prints a small array in NumPy's nested-list style; large ones only by type.
void printArray(const Array &a) {
  TensorType type{a.dtype, {}};
  for (int64_t d : a.shape)
    type.shape.push_back(d);
  int64_t n = a.elementCount();
  if (n > 64) {
    // Too many to read: summarise (NaN makes min/max/mean NaN, which is what one wants to see).
    double lo = loadFloat(a, 0), hi = lo, sum = 0;
    for (int64_t k = 0; k < n; ++k) {
      double v = loadFloat(a, k);
      lo = std::isnan(v) || v < lo ? v : lo;
      hi = std::isnan(v) || v > hi ? v : hi;
      sum += v;
    }
    fmt::print("{}: {} elements, min {:.6g}, max {:.6g}, mean {:.6g} (write them with -o "
               "FILE.npy)\n",
               type.str(), n, lo, hi, sum / double(n));
    return;
  }
  std::string out;
  std::vector<int64_t> idx(a.shape.size(), 0);
  for (int64_t k = 0; k < n || (n == 0 && k == 0); ++k) {
    size_t opened = 0;
    for (size_t d = a.shape.size(); d-- > 0 && idx[d] == 0;)
      ++opened;
    out += std::string(opened, '[');
    if (n == 0)
      break;
    // Floats print as the shortest text that reads back as the same value of their dtype.
    double f = loadFloat(a, k);
    std::string value = std::isnan(f)            ? std::string("nan") // never "-nan"
                        : a.dtype == DType::F64  ? fmt::format("{}", f)
                        : isFloat(a.dtype)       ? fmt::format("{}", float(f))
                        : a.dtype == DType::Bool ? (loadInt(a, k) ? "True" : "False")
                                                 : fmt::format("{}", loadInt(a, k));
    out += value;
    size_t closed = 0;
    for (size_t d = a.shape.size(); d-- > 0;) {
      if (++idx[d] < a.shape[d])
        break;
      idx[d] = 0;
      ++closed;
    }
    out += std::string(closed, ']');
    if (k + 1 < n)
      out += closed ? ",\n" + std::string(a.shape.size() - closed, ' ') : ", ";
  }
  if (n == 0)
    out += std::string(a.shape.size(), ']');
  fmt::print("{}\n{}\n", type.str(), out);
}

} // namespace

TensorType arrayType(const Array &a) {
  TensorType type{a.dtype, {}};
  for (int64_t d : a.shape)
    type.shape.push_back(d);
  return type;
}

std::optional<std::vector<Array>> evaluate(const ir::Function &fn, const std::vector<Array> &inputs,
                                           const EvalSettings &settings, const SourceFile &file,
                                           DiagnosticEngine &diags, std::string &jitError) {
  auto symbols = bindSymbols(fn, inputs, file, diags);
  auto variables = symbols ? initialValues(fn, *symbols, file, diags) : std::nullopt;
  if (!variables)
    return std::nullopt;
  if (settings.interpreter)
    return interpret(fn, inputs, *variables, file, diags);
  auto kernel = jit::Engine::shared().compile(fn, settings.compile, &jitError);
  if (!kernel)
    return std::nullopt;
  Executor &executor = settings.threads ? executorWithThreads(settings.threads) : defaultExecutor();
  return kernel->run(inputs, *variables, executor, file, diags);
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
    error = io::writeNpz(path, named);
  } else if (outputs.size() == 1) {
    error = io::writeNpy(path, outputs[0]);
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
  command->add_option("--threads", run->threads, "threads for the kernels (default: the cores)");
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
      io::ReadResult read = io::readNpy(path);
      if (!read.array) {
        fmt::print(stderr, "lamina: error: {}\n", read.error);
        return int(kExitIo);
      }
      request->inputs.push_back({name, arrayType(*read.array)});
      arrays.push_back(std::move(*read.array));
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
            printArray(a);
          return int(kExitOk);
        });
  };
}

} // namespace lamina::cli
