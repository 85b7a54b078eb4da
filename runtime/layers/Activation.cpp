#include "lamina/Layers.h"
#include "runtime/layers/Activations.h"
#include "runtime/layers/LaminaFunction.h"
#include "runtime/support/Boundary.h"
#include "runtime/support/Report.h"

#include <fmt/format.h>

namespace lamina {

Activation::Activation(std::string activation, ActivationOptions options) try
    : Layer(options.name, "activation", options.dtype, options.trainable),
      activation_(std::move(activation)) {
  auto source = activationSource(activation_);
  if (!source)
    raise(fmt::format("unknown activation `{}`; lamina has {}", activation_,
                      fmt::join(activationNames(), ", ")));
  function_ = std::make_shared<LaminaFunction>(LambdaSource::fromText(*source, "<" + name_ + ">"),
                                               std::vector<std::pair<std::string, ConstValue>>{},
                                               Engine::Jit);
} catch (...) {
  rethrowAtBoundary("Activation::Activation");
}

std::vector<TensorShape>
Activation::computeOutputShape(const std::vector<TensorShape> &inputShapes) {
  return guarded("Activation::computeOutputShape",
                 [&]() -> std::vector<TensorShape> { return inputShapes; });
}

std::vector<DType> Activation::computeOutputDType(const std::vector<DType> &inputDTypes,
                                                  const std::vector<TensorShape> &inputShapes) {
  auto checked = function_->check(inputDTypes, inputShapes, std::nullopt, false, nullptr);
  return {checked->fn.typeOf(checked->fn.outputs[0]).dtype};
}

CallResult Activation::compute(const std::vector<Tensor> &inputs, const CallOptions &options) {
  if (inputs.size() != 1)
    raise(fmt::format("Activation `{}` takes one input, not {}", name_, inputs.size()));
  CallResult result{function_->run(inputs, nullptr, false, {}, options.compute), options.masks};
  result.masks.resize(1);
  return result;
}

Json Activation::getConfig() const {
  return guarded("Activation::getConfig", [&]() -> Json {
    Json config = Layer::getConfig();
    config.set("activation", Json::string(activation_));
    return config;
  });
}

} // namespace lamina
