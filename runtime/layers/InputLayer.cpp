#include "lamina/Layers.h"
#include "runtime/support/Boundary.h"
#include "runtime/support/Report.h"

#include <fmt/format.h>

namespace lamina {

InputLayer::InputLayer(TensorShape batchShape, DType dtype, const std::string &name) try
    : Layer(name, "input_layer", dtype, true), batchShape_(std::move(batchShape)) {
  if (batchShape_.size() > 8)
    raise(fmt::format("Input `{}` has rank {}; the limit is 8", name_, batchShape_.size()));
  for (int64_t d : batchShape_)
    if (d < -1)
      raise(fmt::format("Input `{}`: dimension {} is negative", name_, d));
} catch (...) {
  rethrowAtBoundary("InputLayer::InputLayer");
}

SymbolicTensor Input(const InputOptions &options) {
  return guarded("Input", [&]() -> SymbolicTensor {
    TensorShape batch = options.batchShape ? *options.batchShape : TensorShape{-1};
    if (!options.batchShape)
      batch.insert(batch.end(), options.shape.begin(), options.shape.end());
    auto layer = std::make_shared<InputLayer>(batch, options.dtype, options.name);
    layer->build(batch);
    return layer->recordNode({}, {{options.dtype, batch, false}})[0];
  });
}

std::vector<TensorShape> InputLayer::computeOutputShape(const std::vector<TensorShape> &) {
  return guarded("InputLayer::computeOutputShape",
                 [&]() -> std::vector<TensorShape> { return {batchShape_}; });
}

CallResult InputLayer::compute(const std::vector<Tensor> &inputs, const CallOptions &options) {
  CallResult result{inputs, options.masks};
  result.masks.resize(inputs.size());
  return result;
}

Json InputLayer::getConfig() const {
  return guarded("InputLayer::getConfig", [&]() -> Json {
    Json shape = Json::array();
    for (int64_t d : batchShape_)
      shape.push(d < 0 ? Json() : Json::integer(d));
    Json config = Json::object();
    config.set("batch_shape", std::move(shape));
    config.set("dtype", Json::string(std::string(longName(dtype_))));
    config.set("sparse", Json::boolean(false));
    config.set("name", Json::string(name_));
    return config;
  });
}

} // namespace lamina
