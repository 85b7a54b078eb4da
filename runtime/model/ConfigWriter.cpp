// Models to Keras-shaped JSON (Keras 3's layout: "module"/"class_name"/"config" per layer,
// functional inbound nodes as "__keras_tensor__" references).

#include "lamina/Model.h"
#include "runtime/support/Boundary.h"

namespace lamina {
namespace {

Json layerEntry(const Layer &layer) {
  Json entry = Json::object();
  entry.set("module", Json::string("keras.layers"));
  entry.set("class_name", Json::string(layer.className()));
  entry.set("config", layer.getConfig());
  entry.set("registered_name", Json());
  return entry;
}

Json shapeJson(const TensorShape &shape) {
  Json out = Json::array();
  for (int64_t d : shape)
    out.push(d < 0 ? Json() : Json::integer(d));
  return out;
}

Json history(const SymbolicTensor &t) {
  return Json::array({Json::string(t.layer()->name()), Json::integer(int64_t(t.nodeIndex())),
                      Json::integer(int64_t(t.tensorIndex()))});
}

Json tensorRef(const SymbolicTensor &t) {
  Json config = Json::object();
  config.set("shape", shapeJson(t.shape()));
  config.set("dtype", Json::string(std::string(longName(t.dtype()))));
  config.set("keras_history", history(t));
  Json ref = Json::object();
  ref.set("class_name", Json::string("__keras_tensor__"));
  ref.set("config", std::move(config));
  return ref;
}

} // namespace

Json Model::getConfig() const {
  return guarded("Model::getConfig", [&]() -> Json {
    Json layers = Json::array();
    for (const auto &layer : layers_) {
      Json entry = layerEntry(*layer);
      entry.set("name", Json::string(layer->name()));
      Json nodes = Json::array();
      for (const auto &node : order_) {
        if (node->layer != layer || node->inputs.empty())
          continue;
        Json args = Json::array();
        if (node->inputs.size() == 1) {
          args.push(tensorRef(node->inputs[0]));
        } else {
          Json list = Json::array();
          for (const SymbolicTensor &in : node->inputs)
            list.push(tensorRef(in));
          args.push(std::move(list));
        }
        Json call = Json::object();
        call.set("args", std::move(args));
        call.set("kwargs", Json::object());
        nodes.push(std::move(call));
      }
      entry.set("inbound_nodes", std::move(nodes));
      layers.push(std::move(entry));
    }
    Json inputs = Json::array(), outputs = Json::array();
    for (const SymbolicTensor &t : inputs_)
      inputs.push(history(t));
    for (const SymbolicTensor &t : outputs_)
      outputs.push(history(t));
    Json config = Json::object();
    config.set("name", Json::string(name_));
    config.set("trainable", Json::boolean(trainable_));
    config.set("layers", std::move(layers));
    config.set("input_layers", std::move(inputs));
    config.set("output_layers", std::move(outputs));
    return config;
  });
}

Json Sequential::getConfig() const {
  return guarded("Sequential::getConfig", [&]() -> Json {
    Json layers = Json::array();
    if (buildShape_) {
      Json input = Json::object();
      input.set("batch_shape", shapeJson(*buildShape_));
      input.set("dtype", Json::string(std::string(longName(inputDType_))));
      input.set("sparse", Json::boolean(false));
      input.set("name", Json::string(inputs_.empty() ? "input_layer" : inputs_[0].layer()->name()));
      Json entry = Json::object();
      entry.set("module", Json::string("keras.layers"));
      entry.set("class_name", Json::string("InputLayer"));
      entry.set("config", std::move(input));
      entry.set("registered_name", Json());
      layers.push(std::move(entry));
    }
    for (const auto &layer : stack_)
      layers.push(layerEntry(*layer));
    Json config = Json::object();
    config.set("name", Json::string(name_));
    config.set("trainable", Json::boolean(trainable_));
    config.set("dtype", Json::string(std::string(longName(inputDType_))));
    config.set("layers", std::move(layers));
    config.set("build_input_shape", buildShape_ ? shapeJson(*buildShape_) : Json());
    return config;
  });
}

Json modelToJson(const Model &model, const std::string &weightsFile) {
  return guarded("modelToJson", [&]() -> Json {
    Json root = Json::object();
    root.set("class_name", Json::string(model.className()));
    root.set("config", model.getConfig());
    if (!weightsFile.empty())
      root.set("weights", Json::string(weightsFile));
    return root;
  });
}

} // namespace lamina
