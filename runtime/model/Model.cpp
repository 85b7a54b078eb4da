#include "lamina/Model.h"

#include "runtime/support/Boundary.h"
#include "runtime/support/Report.h"

#include <fmt/format.h>
#include <map>
#include <set>

namespace lamina {

Model::Model(const std::string &name, const std::string &prefix) try
    : Layer(name, prefix, DType::F32, true) {
} catch (...) {
  rethrowAtBoundary("Model::Model");
}

Model::Model(std::vector<SymbolicTensor> inputs, std::vector<SymbolicTensor> outputs,
             const std::string &name) try
    : Layer(name, "functional", DType::F32, true) {
  setGraph(std::move(inputs), std::move(outputs));
  build(std::vector<TensorShape>{});
} catch (...) {
  rethrowAtBoundary("Model::Model");
}

// Orders the nodes so that each runs after those it reads (depth-first from the outputs),
// and checks that every path starts at one of the model's inputs.
void Model::setGraph(std::vector<SymbolicTensor> inputs, std::vector<SymbolicTensor> outputs) {
  if (inputs.empty() || outputs.empty())
    raise(fmt::format("model `{}` needs at least one input and one output", name_));
  std::set<const Node *> inputNodes;
  for (const SymbolicTensor &t : inputs) {
    if (!t.node() || t.node()->layer->className() != "InputLayer")
      raise(fmt::format("the inputs of model `{}` must be made by Input()", name_));
    inputNodes.insert(t.node().get());
  }
  // Depth-first with an explicit stack: a config can chain as many layers as it likes, so
  // the walk must not recurse.
  std::set<const Node *> done, active;
  std::vector<std::shared_ptr<Node>> order;
  auto visit = [&](const std::shared_ptr<Node> &root) {
    std::vector<std::pair<std::shared_ptr<Node>, size_t>> stack; // node, next input to visit
    auto enter = [&](const std::shared_ptr<Node> &node) {
      if (done.count(node.get()))
        return;
      if (!active.insert(node.get()).second)
        raise(fmt::format("model `{}` has a cycle through layer `{}`", name_, node->layer->name()));
      if (node->inputs.empty() && !inputNodes.count(node.get()))
        raise(fmt::format("model `{}` uses Input `{}`, which is not among its inputs", name_,
                          node->layer->name()));
      stack.emplace_back(node, 0);
    };
    enter(root);
    while (!stack.empty()) {
      auto &[node, next] = stack.back();
      if (next < node->inputs.size()) {
        const SymbolicTensor &in = node->inputs[next++];
        if (!in.node())
          raise(fmt::format("model `{}`: layer `{}` reads a tensor no layer made", name_,
                            node->layer->name()));
        std::shared_ptr<Node> child = in.node();
        enter(child);
        continue;
      }
      active.erase(node.get());
      done.insert(node.get());
      order.push_back(node);
      stack.pop_back();
    }
  };
  for (const SymbolicTensor &t : inputs)
    visit(t.node());
  for (const SymbolicTensor &t : outputs) {
    if (!t.node())
      raise(fmt::format("an output of model `{}` was not made by a layer", name_));
    visit(t.node());
  }
  std::set<const Layer *> seen;
  std::set<std::string> names; // weights are saved by layer name
  layers_.clear();
  for (const auto &node : order)
    if (seen.insert(node->layer.get()).second) {
      if (!names.insert(node->layer->name()).second)
        raise(fmt::format("model `{}` has two layers named `{}`; give them distinct names", name_,
                          node->layer->name()));
      layers_.push_back(node->layer);
    }
  order_ = std::move(order);
  inputs_ = std::move(inputs);
  outputs_ = std::move(outputs);
}

std::shared_ptr<Layer> Model::getLayer(const std::string &name) const {
  return guarded("Model::getLayer", [&]() -> std::shared_ptr<Layer> {
    for (const auto &layer : layers_)
      if (layer->name() == name)
        return layer;
    raise(fmt::format("model `{}` has no layer `{}`", name_, name));
  });
}

std::vector<std::string> Model::inputNames() const {
  return guarded("Model::inputNames", [&]() -> std::vector<std::string> {
    std::vector<std::string> out;
    for (const SymbolicTensor &t : inputs_)
      out.push_back(t.layer()->name());
    return out;
  });
}

std::vector<TensorShape> Model::computeOutputShape(const std::vector<TensorShape> &) {
  return guarded("Model::computeOutputShape", [&]() -> std::vector<TensorShape> {
    std::vector<TensorShape> out;
    for (const SymbolicTensor &t : outputs_)
      out.push_back(t.shape());
    return out;
  });
}

CallResult Model::compute(const std::vector<Tensor> &inputs, const CallOptions &options) {
  if (inputs.size() != inputs_.size())
    raise(fmt::format("model `{}` takes {} inputs ({}), not {}", name_, inputs_.size(),
                      fmt::join(inputNames(), ", "), inputs.size()));
  // Values by (node, output index); each is dropped after its last reader so its buffer goes
  // back to the pool for the next layer.
  std::map<std::pair<const Node *, size_t>, std::pair<Tensor, Tensor>> values;
  std::map<std::pair<const Node *, size_t>, size_t> readers;
  for (const auto &node : order_)
    for (const SymbolicTensor &in : node->inputs)
      ++readers[{in.node().get(), in.tensorIndex()}];
  for (const SymbolicTensor &out : outputs_)
    ++readers[{out.node().get(), out.tensorIndex()}];
  for (size_t k = 0; k < inputs_.size(); ++k) {
    const SymbolicTensor &decl = inputs_[k];
    const TensorShape &want = decl.shape();
    const Tensor &given = inputs[k];
    bool fits = given.dtype() == decl.dtype() && given.rank() == want.size();
    for (size_t d = 0; fits && d < want.size(); ++d)
      fits = want[d] < 0 || want[d] == given.shape()[d];
    if (!fits) {
      std::vector<std::string> dims; // Keras spells an unknown size None
      for (int64_t d : want)
        dims.push_back(d < 0 ? "None" : std::to_string(d));
      raiseKind(DiagKind::InputMismatch, "input", decl.layer()->name(), given.typeString(),
                fmt::format("{}[{}] (model `{}`)", shortName(decl.dtype()), fmt::join(dims, ", "),
                            name_));
    }
    // One batch: inputs whose batch axis is open must agree on it, or the first layer to
    // combine them would be blamed.
    if (k > 0 && !want.empty() && want[0] < 0 && given.rank() > 0 && inputs[0].rank() > 0 &&
        inputs_[0].shape().size() > 0 && inputs_[0].shape()[0] < 0 &&
        given.shape()[0] != inputs[0].shape()[0])
      raiseKind(DiagKind::SymbolMismatch, "batch", inputs[0].shape()[0], inputs_[0].layer()->name(),
                given.shape()[0], decl.layer()->name());
    Tensor mask = k < options.masks.size() ? options.masks[k] : Tensor();
    values[{decl.node().get(), 0}] = {given, mask};
  }
  for (const auto &node : order_) {
    if (node->inputs.empty())
      continue; // an Input: bound above
    std::vector<Tensor> args, masks;
    bool anyMask = false;
    for (const SymbolicTensor &in : node->inputs) {
      auto key = std::make_pair(in.node().get(), in.tensorIndex());
      auto &[value, mask] = values.at(key);
      args.push_back(value);
      masks.push_back(mask);
      anyMask = anyMask || mask.valid();
      if (--readers[key] == 0)
        values.erase(key);
    }
    CallOptions call{options.training, anyMask ? masks : std::vector<Tensor>{}, options.compute};
    CallResult result = node->layer->call(args, call);
    if (result.outputs.size() != node->outputs.size())
      raise(fmt::format("layer `{}` made {} outputs where the model expects {}",
                        node->layer->name(), result.outputs.size(), node->outputs.size()));
    for (size_t k = 0; k < result.outputs.size(); ++k)
      values[{node.get(), k}] = {std::move(result.outputs[k]),
                                 k < result.masks.size() ? result.masks[k] : Tensor()};
  }
  CallResult result;
  for (const SymbolicTensor &out : outputs_) {
    auto &[value, mask] = values.at({out.node().get(), out.tensorIndex()});
    result.outputs.push_back(value);
    result.masks.push_back(mask);
  }
  return result;
}

std::vector<Weight *> Model::allWeights() {
  std::vector<Weight *> out;
  for (const auto &layer : layers_)
    for (Weight *w : layer->allWeights())
      out.push_back(w);
  return out;
}

DType Model::inputDType(size_t index) const {
  return index < inputs_.size() ? inputs_[index].dtype() : Layer::inputDType(index);
}

} // namespace lamina
