#include "lamina/Model.h"

#include "runtime/support/Boundary.h"
#include "runtime/support/Report.h"

#include <fmt/format.h>

namespace lamina {

Sequential::Sequential(std::vector<std::shared_ptr<Layer>> layers, const std::string &name) try
    : Model(name, "sequential") {
  for (auto &layer : layers)
    add(std::move(layer));
} catch (...) {
  rethrowAtBoundary("Sequential::Sequential");
}

void Sequential::add(std::shared_ptr<Layer> layer) {
  return guarded("Sequential::add", [&] {
    if (!layer)
      raise(fmt::format("Sequential `{}`: add() was given no layer", name_));
    if (auto *input = dynamic_cast<InputLayer *>(layer.get())) {
      if (!stack_.empty() || buildShape_)
        raise(fmt::format("Sequential `{}`: an InputLayer can only be its first layer", name_));
      buildShape_ = input->batchShape();
      inputDType_ = dtype_ = input->dtype();
      inputName_ = input->name();
      return;
    }
    if (!names_.insert(layer->name()).second)
      raise(fmt::format("Sequential `{}` already has a layer named `{}`", name_, layer->name()));
    stack_.push_back(layer);
    // With a known input shape the model is built as layers arrive, as in Keras: the first
    // layer builds the graph, later ones extend it.
    if (built()) {
      std::vector<SymbolicTensor> out = (*layer)(outputs_);
      if (out.size() != 1)
        raise(fmt::format("layer `{}` of Sequential `{}` has {} outputs; a Sequential layer must "
                          "have one (use a functional Model)",
                          layer->name(), name_, out.size()));
      setGraph(inputs_, out);
    } else if (buildShape_) {
      build(*buildShape_);
    }
  });
}

// Building wires the stack as a functional graph from an Input of the given shape, so the
// graph view (layer.input, output shapes, summary) works as for any model.
void Sequential::buildImpl(const std::vector<TensorShape> &inputShapes) {
  if (inputShapes.size() != 1)
    raise(fmt::format("Sequential `{}` takes one input, not {}", name_, inputShapes.size()));
  if (stack_.empty())
    raise(fmt::format("Sequential `{}` has no layers", name_));
  TensorShape shape = inputShapes[0];
  if (!shape.empty())
    shape[0] = -1; // the batch
  if (buildDTypes_.size() == 1)
    inputDType_ = buildDTypes_[0];
  buildShape_ = shape;
  SymbolicTensor x = Input(InputOptions{{}, shape, inputDType_, inputName_});
  SymbolicTensor in = x;
  for (const auto &layer : stack_) {
    std::vector<SymbolicTensor> out = (*layer)(std::vector<SymbolicTensor>{x});
    if (out.size() != 1)
      raise(fmt::format("layer `{}` of Sequential `{}` has {} outputs; a Sequential layer must "
                        "have one (use a functional Model)",
                        layer->name(), name_, out.size()));
    x = out[0];
  }
  setGraph({in}, {x});
}

std::vector<TensorShape>
Sequential::computeOutputShape(const std::vector<TensorShape> &inputShapes) {
  return guarded("Sequential::computeOutputShape", [&]() -> std::vector<TensorShape> {
    std::vector<TensorShape> shapes = inputShapes;
    for (const auto &layer : stack_)
      shapes = layer->computeOutputShape(shapes);
    return shapes;
  });
}

CallResult Sequential::compute(const std::vector<Tensor> &inputs, const CallOptions &options) {
  if (inputs.size() != 1)
    raise(fmt::format("Sequential `{}` takes one input, not {}", name_, inputs.size()));
  // Straight down the stack: each intermediate is released as soon as the next layer has
  // read it, so large ones cycle through the buffer pool.
  CallResult current{inputs, options.masks};
  for (const auto &layer : stack_) {
    bool anyMask = !current.masks.empty() && current.masks[0].valid();
    CallOptions call{options.training, anyMask ? current.masks : std::vector<Tensor>{},
                     options.compute};
    current = layer->call(current.outputs, call);
  }
  return current;
}

} // namespace lamina
