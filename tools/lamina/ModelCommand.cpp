// `lamina model summary CONFIG` and `lamina model run CONFIG -i NAME=FILE.npy -o OUT.npy`:
// the layer runtime from the command line, through the same public API a host app uses.

#include "lamina/Model.h"
#include "lamina/TensorFiles.h"
#include "runtime/tensor/TensorBridge.h"
#include "tools/lamina/Commands.h"
#include "tools/lamina/TensorPrinter.h"

#include <fmt/format.h>

#include <string_view>

namespace lamina::cli {
namespace {

struct ModelOptions {
  std::string config, weights, output;
  std::vector<std::string> inputs;
  std::string engine = "jit";
  unsigned threads = 0;
  JitOptions jit;
};

ComputeOptions computeOptions(const ModelOptions &options) {
  ComputeOptions compute;
  compute.engine = options.engine == "interp" ? Engine::Interpreter : Engine::Jit;
  compute.threads = options.threads;
  compute.cpu = options.jit.cpu;
  compute.kernelCache = !options.jit.noCache;
  compute.cacheDir = options.jit.cacheDir;
  return compute;
}

int reportError(const Error &e) {
  std::string_view what = e.what();
  // A located diagnostic starts with its file; anything else gets the tool's prefix.
  bool located =
      what.find(": error[") != std::string_view::npos && what.find(": error[") < what.find('\n');
  if (located)
    fmt::print(stderr, "{}\n", what);
  else
    fmt::print(stderr, "lamina: {}{}\n", what.starts_with("error") ? "" : "error: ", what);
  return kExitInputErrors;
}

int runModel(const ModelOptions &options) {
  std::shared_ptr<Model> model;
  try {
    model = loadModel(options.config);
    if (!options.weights.empty())
      loadWeights(*model, options.weights);
  } catch (const Error &e) {
    return reportError(e);
  }
  // Inputs by the input layers' names, or bare FILEs in the order of the inputs not named.
  std::vector<std::string> names = model->inputNames();
  if (names.empty()) {
    fmt::print(stderr, "lamina: error: the model declares no inputs: give its first layer an "
                       "InputLayer or a `batch_shape` (docs/config-format.md)\n");
    return kExitInputErrors;
  }
  std::vector<Tensor> inputs(names.size());
  std::vector<bool> named(names.size(), false);
  for (const std::string &binding : options.inputs)
    if (auto [name, path] = splitBinding(binding); !name.empty())
      if (auto it = std::find(names.begin(), names.end(), name); it != names.end())
        named[size_t(it - names.begin())] = true;
  size_t nextUnnamed = 0;
  for (const std::string &binding : options.inputs) {
    auto [name, path] = splitBinding(binding);
    if (name.empty()) {
      while (nextUnnamed < names.size() && named[nextUnnamed])
        ++nextUnnamed;
      if (nextUnnamed == names.size()) {
        fmt::print(stderr, "lamina: error: more inputs than the model's {} ({})\n", names.size(),
                   fmt::join(names, ", "));
        return kExitUsage;
      }
      name = names[nextUnnamed++];
    }
    auto it = std::find(names.begin(), names.end(), name);
    if (it == names.end()) {
      fmt::print(stderr, "lamina: error: the model has no input `{}`; its inputs are {}\n", name,
                 fmt::join(names, ", "));
      return kExitUsage;
    }
    try {
      inputs[size_t(it - names.begin())] = loadNpy(path);
    } catch (const Error &e) {
      fmt::print(stderr, "lamina: error: {}\n", e.what());
      return kExitIo;
    }
  }
  for (size_t k = 0; k < names.size(); ++k)
    if (!inputs[k].valid()) {
      fmt::print(stderr, "lamina: error: no array for input `{}`; pass -i {}=FILE.npy\n", names[k],
                 names[k]);
      return kExitUsage;
    }
  std::vector<Tensor> outputs;
  try {
    CallOptions call;
    call.compute = computeOptions(options);
    outputs = model->call(inputs, call).outputs;
  } catch (const Error &e) {
    return reportError(e);
  }
  std::vector<Array> arrays = toArrays(outputs);
  if (options.output.empty()) {
    for (const Array &a : arrays)
      fmt::print("{}\n", formatTensor(a));
    return kExitOk;
  }
  return writeOutputs(options.output, arrays);
}

} // namespace

// lamina model summary CONFIG | lamina model run CONFIG [--weights FILE] -i NAME=FILE.npy ...
Action addModelCommand(CLI::App &app, SourceOptions &) {
  auto options = std::make_shared<ModelOptions>();
  CLI::App *model = app.add_subcommand("model", "Load a model config (docs/config-format.md)");
  model->require_subcommand(1);
  CLI::App *summary = model->add_subcommand("summary", "Print the layers, shapes and parameters");
  summary->add_option("CONFIG", options->config, "a model folder or its config .json")->required();
  CLI::App *run = model->add_subcommand("run", "Run the model on .npy inputs");
  run->add_option("CONFIG", options->config, "a model folder or its config .json")->required();
  run->add_option("--weights", options->weights,
                  "a .safetensors or .npz file (default: the one the config names)");
  run->add_option("-i,--input", options->inputs, "NAME=FILE.npy for each input (or FILE.npy)")
      ->required();
  run->add_option("-o,--output", options->output,
                  "FILE.npy for one output, FILE.npz for any number; printed if absent");
  run->add_option("--engine", options->engine,
                  "jit: compiled kernels; interp: the reference interpreter (every lambda)")
      ->check(CLI::IsMember({"jit", "interp"}));
  run->add_option("--threads", options->threads,
                  "threads for kernels and matrix products (default: the cores)")
      ->check(CLI::Range(1u, ComputeOptions::kMaxThreads));
  addJitOptions(*run, options->jit);
  return [options, summary, run] {
    if (summary->parsed()) {
      try {
        fmt::print("{}", loadModel(options->config)->summary());
        return int(kExitOk);
      } catch (const Error &e) {
        return reportError(e);
      }
    }
    if (run->parsed())
      return runModel(*options);
    return int(kExitUsage);
  };
}

} // namespace lamina::cli
