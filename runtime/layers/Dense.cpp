#include "lamina/Layers.h"
#include "runtime/layers/Activations.h"
#include "runtime/layers/Initializers.h"
#include "runtime/layers/LaminaFunction.h"
#include "runtime/support/Boundary.h"
#include "runtime/support/Report.h"

#include <fmt/format.h>

namespace lamina {

namespace {

// Dense as one lamina function of its input, with its weights as the function's variables: the
// product, the bias and the activation compile to one kernel - lamina's packed product with
// the bias and activation computed from its sums in registers, or, for deep and wide
// products, OpenBLAS and then the rest (the plan decides by size, and says which).
std::string denseSource(int64_t units, bool useBias, DType dtype, const std::string &activation) {
  std::string type = std::string(longName(dtype));
  std::string source = fmt::format("def dense(x):\n    kernel = variable(zeros([x.shape[-1], {}], "
                                   "dtype=\"{}\"), name=\"kernel\")\n    x = x @ kernel\n",
                                   units, type);
  if (useBias)
    source += fmt::format("    bias = variable(zeros([{}], dtype=\"{}\"), name=\"bias\")\n"
                          "    x = x + bias\n",
                          units, type);
  return source + fmt::format("    return {}\n", activation);
}

} // namespace

Dense::Dense(int64_t units, DenseOptions options) try
    : Layer(options.name, "dense", options.dtype, options.trainable), units_(units),
      options_(std::move(options)) {
  if (units_ <= 0)
    raise(fmt::format("Dense `{}`: units must be a positive integer, not {}", name_, units_));
  if (dtype_ != DType::F32 && dtype_ != DType::F64)
    raise(
        fmt::format("Dense `{}` computes in float32 or float64, not {}", name_, longName(dtype_)));
  for (const Initializer *init : {&options_.kernelInitializer, &options_.biasInitializer})
    if (!knownInitializer(init->name))
      raise(fmt::format("Dense `{}`: unknown initializer `{}`", name_, init->name));
  auto activation = activationBody(options_.activation);
  if (!activation)
    raise(fmt::format("Dense `{}`: unknown activation `{}`", name_, options_.activation));
  function_ = std::make_shared<LaminaFunction>(
      LambdaSource::fromText(denseSource(units_, options_.useBias, dtype_, *activation),
                             "<" + name_ + ">"),
      std::vector<std::pair<std::string, ConstValue>>{}, Engine::Jit);
} catch (...) {
  rethrowAtBoundary("Dense::Dense");
}

void Dense::buildImpl(const std::vector<TensorShape> &inputShapes) {
  if (inputShapes.size() != 1 || inputShapes[0].empty() || inputShapes[0].back() < 0)
    raise(fmt::format("Dense `{}` needs one input whose last dimension is known", name_));
  int64_t in = inputShapes[0].back();
  addWeight("kernel",
            initialize(options_.kernelInitializer, dtype_, {in, units_}, name_ + "/kernel"));
  if (options_.useBias)
    addWeight("bias", initialize(options_.biasInitializer, dtype_, {units_}, name_ + "/bias"));
}

std::vector<TensorShape> Dense::computeOutputShape(const std::vector<TensorShape> &inputShapes) {
  return guarded("Dense::computeOutputShape", [&]() -> std::vector<TensorShape> {
    if (inputShapes.size() != 1 || inputShapes[0].empty())
      raise(fmt::format("Dense `{}` takes one input of rank 1 or more", name_));
    TensorShape out = inputShapes[0];
    out.back() = units_;
    return {out};
  });
}

std::vector<Tensor> Dense::computeMask(const std::vector<Tensor> &,
                                       const std::vector<Tensor> &masks) {
  return guarded("Dense::computeMask", [&]() -> std::vector<Tensor> {
    return masks; // Dense supports masking: the mask passes through
  });
}

std::vector<bool> Dense::outputHasMask(const std::vector<bool> &inputHasMask, size_t) {
  return inputHasMask;
}

CallResult Dense::compute(const std::vector<Tensor> &inputs, const CallOptions &options) {
  if (inputs.size() != 1)
    raise(fmt::format("Dense `{}` takes one input, not {}", name_, inputs.size()));
  const Weight &kernel = ownWeights()[0];
  int64_t in = kernel.value.shape()[0];
  const Tensor &x = inputs[0];
  if (x.rank() == 0 || x.shape().back() != in)
    raise(fmt::format("Dense `{}` expects inputs whose last dimension is {}, got {}", name_, in,
                      x.typeString()));
  if (x.dtype() != dtype_)
    raise(fmt::format("Dense `{}` computes in {}, but its input is {}; cast it first (for "
                      "example with a Lambda `lambda x: cast(x, \"{}\")`)",
                      name_, longName(dtype_), longName(x.dtype()), longName(dtype_)));
  // Rank 1: one row (the function's axis 0 is the batch, of unknown size).
  Tensor input = x.rank() == 1 ? x.reshaped({1, in}) : x;
  Tensor out = function_->run({input}, nullptr, false, ownWeights(), options.compute)[0];
  CallResult result;
  result.outputs.push_back(x.rank() == 1 ? out.reshaped({units_}) : out);
  result.masks = options.masks;
  result.masks.resize(1);
  return result;
}

Json Dense::getConfig() const {
  return guarded("Dense::getConfig", [&]() -> Json {
    auto initializer = [](const Initializer &init) {
      Json config = Json::object();
      if (init.name == "constant")
        config.set("value", Json::number(init.value));
      if (init.name == "random_normal" || init.name == "truncated_normal") {
        config.set("mean", Json::number(init.mean));
        config.set("stddev", Json::number(init.stddev));
      }
      if (init.name == "random_uniform") {
        config.set("minval", Json::number(init.minval));
        config.set("maxval", Json::number(init.maxval));
      }
      config.set("seed", init.seed ? Json::integer(*init.seed) : Json());
      Json out = Json::object();
      out.set("class_name", Json::string(init.name));
      out.set("config", std::move(config));
      return out;
    };
    Json config = Layer::getConfig();
    config.set("units", Json::integer(units_));
    config.set("activation", Json::string(options_.activation));
    config.set("use_bias", Json::boolean(options_.useBias));
    config.set("kernel_initializer", initializer(options_.kernelInitializer));
    config.set("bias_initializer", initializer(options_.biasInitializer));
    return config;
  });
}

} // namespace lamina
