#include "lamina/Layer.h"

#include "runtime/layers/Naming.h"
#include "runtime/support/Boundary.h"
#include "runtime/support/Report.h"

#include <fmt/format.h>

namespace lamina {

Layer *SymbolicTensor::layer() const { return node_ ? node_->layer.get() : nullptr; }

Layer::Layer(const std::string &name, const std::string &prefix, DType dtype, bool trainable) try
    : name_(name.empty() ? uniqueLayerName(prefix) : name), dtype_(dtype), trainable_(trainable) {
} catch (...) {
  rethrowAtBoundary("Layer::Layer");
}

Layer::~Layer() = default;

void Layer::build(const std::vector<TensorShape> &inputShapes) {
  return guarded("Layer::build", [&] { buildWith(inputShapes, {}); });
}

void Layer::buildWith(const std::vector<TensorShape> &inputShapes,
                      const std::vector<DType> &dtypes) {
  std::lock_guard lock(buildMutex_);
  if (built_)
    return;
  buildDTypes_ =
      dtypes.size() == inputShapes.size() ? dtypes : std::vector<DType>(inputShapes.size(), dtype_);
  buildImpl(inputShapes);
  built_ = true;
}

void Layer::buildImpl(const std::vector<TensorShape> &) {}

namespace {

std::vector<TensorShape> shapesOf(const std::vector<Tensor> &tensors) {
  std::vector<TensorShape> shapes;
  for (const Tensor &t : tensors)
    shapes.push_back(t.shape());
  return shapes;
}

} // namespace

void Layer::warmUp(const std::vector<TensorShape> &inputShapes, const std::vector<DType> &dtypes,
                   const CallOptions &options) {
  return guarded("Layer::warmUp", [&] {
    std::vector<Tensor> zeros;
    for (size_t k = 0; k < inputShapes.size(); ++k) {
      TensorShape shape = inputShapes[k];
      for (int64_t &d : shape)
        if (d < 0)
          d = 1;
      zeros.push_back(Tensor::zeros(k < dtypes.size() ? dtypes[k] : inputDType(k), shape));
    }
    (void)call(zeros, options);
  });
}

DType Layer::inputDType(size_t index) const {
  return index < buildDTypes_.size() ? buildDTypes_[index] : dtype_;
}

CallResult Layer::call(const std::vector<Tensor> &inputs, const CallOptions &options) {
  return guarded("Layer::call", [&]() -> CallResult {
    for (const Tensor &t : inputs)
      if (!t.valid())
        raise(fmt::format("layer `{}` was called on a tensor with no data", name_));
    if (!options.masks.empty() && options.masks.size() != inputs.size())
      raise(fmt::format("layer `{}` got {} masks for {} inputs", name_, options.masks.size(),
                        inputs.size()));
    if (!built_) {
      std::vector<DType> dtypes;
      for (const Tensor &t : inputs)
        dtypes.push_back(t.dtype());
      buildWith(shapesOf(inputs), dtypes);
    }
    return compute(inputs, options);
  });
}

std::vector<Tensor> Layer::operator()(const std::vector<Tensor> &inputs) {
  return guarded("Layer::operator()",
                 [&]() -> std::vector<Tensor> { return call(inputs).outputs; });
}

Tensor Layer::operator()(const Tensor &input) {
  return guarded("Layer::operator()", [&]() -> Tensor {
    std::vector<Tensor> out = call({input}).outputs;
    if (out.size() != 1)
      raise(fmt::format("layer `{}` has {} outputs; call it on a list to get them all", name_,
                        out.size()));
    return out[0];
  });
}

std::vector<TensorShape> Layer::computeOutputShape(const std::vector<TensorShape> &) {
  return guarded("Layer::computeOutputShape", [&]() -> std::vector<TensorShape> {
    raise(fmt::format("layer `{}` ({}) does not define compute_output_shape", name_, className()));
  });
}

std::vector<Tensor> Layer::computeMask(const std::vector<Tensor> &, const std::vector<Tensor> &) {
  return {};
}

std::vector<DType> Layer::computeOutputDType(const std::vector<DType> &,
                                             const std::vector<TensorShape> &inputShapes) {
  return std::vector<DType>(computeOutputShape(inputShapes).size(), dtype_);
}

std::vector<bool> Layer::outputHasMask(const std::vector<bool> &, size_t outputs) {
  return std::vector<bool>(outputs, false);
}

std::vector<SymbolicTensor> Layer::operator()(const std::vector<SymbolicTensor> &inputs) {
  return guarded("Layer::operator()", [&]() -> std::vector<SymbolicTensor> {
    std::vector<TensorShape> shapes;
    std::vector<DType> dtypes;
    std::vector<bool> masked;
    for (const SymbolicTensor &t : inputs) {
      shapes.push_back(t.shape());
      dtypes.push_back(t.dtype());
      masked.push_back(t.mask().has_value());
    }
    if (!built_)
      buildWith(shapes, dtypes);
    std::vector<TensorShape> outShapes = computeOutputShape(shapes);
    std::vector<DType> outTypes = computeOutputDType(dtypes, shapes);
    std::vector<bool> outMasked = outputHasMask(masked, outShapes.size());
    std::vector<OutputSpec> specs;
    for (size_t k = 0; k < outShapes.size(); ++k)
      specs.push_back({outTypes[k], outShapes[k], outMasked[k]});
    return recordNode(inputs, specs);
  });
}

std::vector<SymbolicTensor> Layer::recordNode(const std::vector<SymbolicTensor> &inputs,
                                              const std::vector<OutputSpec> &outputs) {
  return guarded("Layer::recordNode", [&]() -> std::vector<SymbolicTensor> {
    auto node = std::make_shared<Node>();
    // A node owns its layer, so the layer must be shared: a Layer on the stack gets an Error
    // saying so, never std::bad_weak_ptr.
    node->layer = weak_from_this().lock();
    if (!node->layer)
      raise(fmt::format("layer `{}` is called on symbolic tensors (to build a model) but is not "
                        "owned by a std::shared_ptr; make it with std::make_shared<{}>(...)",
                        name_, className()));
    node->inputs = inputs;
    size_t index = inboundNodes_.size();
    for (size_t k = 0; k < outputs.size(); ++k) {
      SymbolicTensor out(outputs[k].dtype, outputs[k].shape);
      out.nodeIndex_ = index;
      out.tensorIndex_ = k;
      if (outputs[k].masked) {
        TensorShape maskShape = outputs[k].shape;
        // Keras masks drop the feature axis: one flag per timestep.
        if (maskShape.size() > 1)
          maskShape.pop_back();
        out.mask_ = std::make_shared<const SymbolicTensor>(DType::Bool, maskShape);
      }
      node->outputs.push_back(std::move(out));
    }
    inboundNodes_.push_back(node);
    return withNode(node);
  });
}

// A node keeps its outputs without a pointer back to itself (that would be a reference
// cycle); the tensors handed out point at it.
std::vector<SymbolicTensor> Layer::withNode(const std::shared_ptr<Node> &node) {
  std::vector<SymbolicTensor> out = node->outputs;
  for (SymbolicTensor &t : out)
    t.node_ = node;
  return out;
}

SymbolicTensor Layer::operator()(const SymbolicTensor &input) {
  return guarded("Layer::operator()", [&]() -> SymbolicTensor {
    std::vector<SymbolicTensor> out = (*this)(std::vector<SymbolicTensor>{input});
    if (out.size() != 1)
      raise(fmt::format("layer `{}` has {} outputs; call it on a list to get them all", name_,
                        out.size()));
    return out[0];
  });
}

std::shared_ptr<Node> Layer::nodeAt(size_t nodeIndex, const char *what) const {
  if (inboundNodes_.empty())
    raise(fmt::format("layer `{}` has never been called on a symbolic tensor, so it has no {}",
                      name_, what));
  if (nodeIndex >= inboundNodes_.size())
    raise(fmt::format("asked for the {} at node {}, but layer `{}` has only {} inbound node{}",
                      what, nodeIndex, name_, inboundNodes_.size(),
                      inboundNodes_.size() == 1 ? "" : "s"));
  std::shared_ptr<Node> node = inboundNodes_[nodeIndex].lock();
  if (!node)
    raise(fmt::format("node {} of layer `{}` belonged to a model that no longer exists", nodeIndex,
                      name_));
  return node;
}

size_t Layer::singleNode(const char *what, const char *indexed) const {
  if (inboundNodes_.size() > 1)
    raise(
        fmt::format("layer `{}` has {} inbound nodes, so its {} is ill-defined; use {}(node_index)",
                    name_, inboundNodes_.size(), what, indexed));
  return 0;
}

namespace {

std::vector<TensorShape> shapes(const std::vector<SymbolicTensor> &ts) {
  std::vector<TensorShape> out;
  for (const SymbolicTensor &t : ts)
    out.push_back(t.shape());
  return out;
}

std::vector<std::optional<SymbolicTensor>> masks(const std::vector<SymbolicTensor> &ts) {
  std::vector<std::optional<SymbolicTensor>> out;
  for (const SymbolicTensor &t : ts)
    out.push_back(t.mask() ? std::optional<SymbolicTensor>(**t.mask()) : std::nullopt);
  return out;
}

} // namespace

std::vector<SymbolicTensor> Layer::getInputAt(size_t i) const {
  return guarded("Layer::getInputAt",
                 [&]() -> std::vector<SymbolicTensor> { return nodeAt(i, "input")->inputs; });
}
std::vector<SymbolicTensor> Layer::getOutputAt(size_t i) const {
  return guarded("Layer::getOutputAt",
                 [&]() -> std::vector<SymbolicTensor> { return withNode(nodeAt(i, "output")); });
}
std::vector<TensorShape> Layer::getInputShapeAt(size_t i) const {
  return guarded("Layer::getInputShapeAt", [&]() -> std::vector<TensorShape> {
    return shapes(nodeAt(i, "input shape")->inputs);
  });
}
std::vector<TensorShape> Layer::getOutputShapeAt(size_t i) const {
  return guarded("Layer::getOutputShapeAt", [&]() -> std::vector<TensorShape> {
    return shapes(nodeAt(i, "output shape")->outputs);
  });
}
std::vector<std::optional<SymbolicTensor>> Layer::getInputMaskAt(size_t i) const {
  return guarded("Layer::getInputMaskAt", [&]() -> std::vector<std::optional<SymbolicTensor>> {
    return masks(nodeAt(i, "input mask")->inputs);
  });
}
std::vector<std::optional<SymbolicTensor>> Layer::getOutputMaskAt(size_t i) const {
  return guarded("Layer::getOutputMaskAt", [&]() -> std::vector<std::optional<SymbolicTensor>> {
    return masks(nodeAt(i, "output mask")->outputs);
  });
}

std::vector<SymbolicTensor> Layer::input() const {
  return guarded("Layer::input", [&]() -> std::vector<SymbolicTensor> {
    return getInputAt(singleNode("input", "getInputAt"));
  });
}
std::vector<SymbolicTensor> Layer::output() const {
  return guarded("Layer::output", [&]() -> std::vector<SymbolicTensor> {
    return getOutputAt(singleNode("output", "getOutputAt"));
  });
}
std::vector<std::optional<SymbolicTensor>> Layer::inputMask() const {
  return guarded("Layer::inputMask", [&]() -> std::vector<std::optional<SymbolicTensor>> {
    return getInputMaskAt(singleNode("input mask", "getInputMaskAt"));
  });
}
std::vector<std::optional<SymbolicTensor>> Layer::outputMask() const {
  return guarded("Layer::outputMask", [&]() -> std::vector<std::optional<SymbolicTensor>> {
    return getOutputMaskAt(singleNode("output mask", "getOutputMaskAt"));
  });
}

// Shapes are well defined when every call agrees (Keras: "multiple inbound nodes, with
// different input shapes").
std::vector<TensorShape> Layer::inputShape() const {
  return guarded("Layer::inputShape", [&]() -> std::vector<TensorShape> {
    std::vector<TensorShape> first = getInputShapeAt(0);
    for (size_t k = 1; k < inboundNodes_.size(); ++k)
      if (getInputShapeAt(k) != first)
        raise(fmt::format("layer `{}` was called on inputs of different shapes, so its input shape "
                          "is ill-defined; use getInputShapeAt(node_index)",
                          name_));
    return first;
  });
}

std::vector<TensorShape> Layer::outputShape() const {
  return guarded("Layer::outputShape", [&]() -> std::vector<TensorShape> {
    std::vector<TensorShape> first = getOutputShapeAt(0);
    for (size_t k = 1; k < inboundNodes_.size(); ++k)
      if (getOutputShapeAt(k) != first)
        raise(fmt::format("layer `{}` has outputs of different shapes at different nodes, so its "
                          "output shape is ill-defined; use getOutputShapeAt(node_index)",
                          name_));
    return first;
  });
}

Weight &Layer::addWeight(const std::string &name, Tensor value, bool trainable) {
  return guarded("Layer::addWeight", [&]() -> Weight & {
    for (const Weight &w : weights_)
      if (w.name == name_ + "/" + name)
        raise(fmt::format("layer `{}` already has a weight named `{}`", name_, name));
    weights_.push_back({name_ + "/" + name, std::move(value), trainable});
    return weights_.back();
  });
}

std::vector<Weight *> Layer::allWeights() {
  std::vector<Weight *> out;
  for (Weight &w : weights_)
    out.push_back(&w);
  return out;
}

std::vector<const Weight *> Layer::allWeights() const {
  std::vector<const Weight *> out;
  for (Weight *w : const_cast<Layer *>(this)->allWeights())
    out.push_back(w);
  return out;
}

// A frozen layer's weights are all non-trainable, as in Keras.
std::vector<Weight> Layer::trainableWeights() const {
  return guarded("Layer::trainableWeights", [&]() -> std::vector<Weight> {
    std::vector<Weight> out;
    if (trainable_)
      for (const Weight *w : allWeights())
        if (w->trainable)
          out.push_back(*w);
    return out;
  });
}

std::vector<Weight> Layer::nonTrainableWeights() const {
  return guarded("Layer::nonTrainableWeights", [&]() -> std::vector<Weight> {
    std::vector<Weight> out;
    for (const Weight *w : allWeights())
      if (!trainable_ || !w->trainable)
        out.push_back(*w);
    return out;
  });
}

std::vector<Weight> Layer::weights() const {
  return guarded("Layer::weights", [&]() -> std::vector<Weight> {
    std::vector<Weight> out = trainableWeights();
    for (Weight &w : nonTrainableWeights())
      out.push_back(std::move(w));
    return out;
  });
}

std::vector<Tensor> Layer::getWeights() const {
  return guarded("Layer::getWeights", [&]() -> std::vector<Tensor> {
    std::vector<Tensor> out;
    for (const Weight &w : weights())
      out.push_back(w.value.clone());
    return out;
  });
}

void Layer::setWeights(const std::vector<Tensor> &values) {
  return guarded("Layer::setWeights", [&] {
    std::vector<Weight *> all = allWeights();
    // weights() order: trainable first.
    std::vector<Weight *> ordered;
    for (Weight *w : all)
      if (trainable_ && w->trainable)
        ordered.push_back(w);
    for (Weight *w : all)
      if (!trainable_ || !w->trainable)
        ordered.push_back(w);
    if (values.size() != ordered.size())
      raise(fmt::format("setWeights on layer `{}` got {} arrays, but the layer has {} weights",
                        name_, values.size(), ordered.size()));
    for (size_t k = 0; k < values.size(); ++k)
      if (values[k].dtype() != ordered[k]->value.dtype() ||
          values[k].shape() != ordered[k]->value.shape())
        raise(fmt::format("setWeights on layer `{}`: weight `{}` is {} but the value given is {}",
                          name_, ordered[k]->name, ordered[k]->value.typeString(),
                          values[k].typeString()));
    // Copies first, then assignments that cannot fail: a copy that runs out of memory leaves
    // every weight as it was.
    std::vector<Tensor> copies;
    for (const Tensor &value : values)
      copies.push_back(value.clone());
    for (size_t k = 0; k < copies.size(); ++k)
      ordered[k]->value = std::move(copies[k]);
  });
}

int64_t Layer::countParams() const {
  return guarded("Layer::countParams", [&]() -> int64_t {
    if (!built_)
      raise(fmt::format("count_params on layer `{}`: the layer is not built yet; call build(shape) "
                        "or call it on data first",
                        name_));
    int64_t n = 0;
    for (const Weight *w : allWeights())
      n += w->value.count();
    return n;
  });
}

void Layer::addLoss(Tensor loss) {
  return guarded("Layer::addLoss", [&] { losses_.push_back(std::move(loss)); });
}

Json Layer::getConfig() const {
  return guarded("Layer::getConfig", [&]() -> Json {
    Json config = Json::object();
    config.set("name", Json::string(name_));
    config.set("trainable", Json::boolean(trainable_));
    config.set("dtype", Json::string(std::string(longName(dtype_))));
    return config;
  });
}

} // namespace lamina
