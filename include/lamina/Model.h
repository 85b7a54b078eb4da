#pragma once

// Models: a functional Model (a graph of layer calls from Input()s to outputs, several
// inputs and outputs allowed) and Sequential (a stack of single-input layers). Both are
// layers, so a model can be called like one, and both save as Keras-shaped JSON with their
// lambdas as source text (docs/config-format.md).

#include "lamina/Layers.h"

#include <set>

namespace lamina {

class LAMINA_API Model : public Layer {
public:
  /// A functional model: `inputs` must be Input()s, `outputs` computed from them.
  Model(std::vector<SymbolicTensor> inputs, std::vector<SymbolicTensor> outputs,
        const std::string &name = "");
  std::string className() const override { return "Functional"; }

  /// Every layer in the order it runs (input layers first), each once.
  const std::vector<std::shared_ptr<Layer>> &layers() const { return layers_; }
  /// The layer called `name`; lamina::Error when there is none.
  std::shared_ptr<Layer> getLayer(const std::string &name) const;
  const std::vector<SymbolicTensor> &inputs() const { return inputs_; }
  const std::vector<SymbolicTensor> &outputs() const { return outputs_; }
  /// The names of the input layers, in input order.
  std::vector<std::string> inputNames() const;

  /// Keras's model.summary(): a table of layers, output shapes and parameter counts.
  virtual std::string summary() const;

  std::vector<TensorShape> computeOutputShape(const std::vector<TensorShape> &inputShapes) override;
  Json getConfig() const override;

protected:
  Model(const std::string &name, const std::string &prefix);
  CallResult compute(const std::vector<Tensor> &inputs, const CallOptions &options) override;
  DType inputDType(size_t index) const override;
  std::vector<Weight *> allWeights() override;
  void setGraph(std::vector<SymbolicTensor> inputs, std::vector<SymbolicTensor> outputs);

  std::vector<SymbolicTensor> inputs_, outputs_;
  std::vector<std::shared_ptr<Layer>> layers_;
  std::vector<std::shared_ptr<Node>> order_; // nodes in the order they run
};

/// A stack of layers, each fed the previous one's output.
class LAMINA_API Sequential final : public Model {
public:
  explicit Sequential(std::vector<std::shared_ptr<Layer>> layers = {},
                      const std::string &name = "");
  std::string className() const override { return "Sequential"; }
  /// Appends a layer (an InputLayer first fixes the input shape).
  void add(std::shared_ptr<Layer> layer);
  /// The layers in stack order (the InputLayer, if any, not included).
  const std::vector<std::shared_ptr<Layer>> &stack() const { return stack_; }
  std::string summary() const override;
  std::vector<TensorShape> computeOutputShape(const std::vector<TensorShape> &inputShapes) override;
  Json getConfig() const override;
  /// The input shape it was built for (with the batch dimension as -1), if built.
  const std::optional<TensorShape> &inputShape() const { return buildShape_; }

protected:
  void buildImpl(const std::vector<TensorShape> &inputShapes) override;
  CallResult compute(const std::vector<Tensor> &inputs, const CallOptions &options) override;

private:
  std::vector<std::shared_ptr<Layer>> stack_;
  std::optional<TensorShape> buildShape_;
  DType inputDType_ = DType::F32;
  std::string inputName_;
  std::set<std::string> names_;
};

/// Reading and writing models (docs/config-format.md). Every problem is a lamina::Error whose
/// text points at the line and column in the config file, lambdas included.
///
/// `path` is a model folder (holding config.json) or a .json file; the config's "weights"
/// entry, if any, names a weights file (.safetensors or .npz) inside the config's folder.
LAMINA_API std::shared_ptr<Model> loadModel(const std::string &path);
/// A model from config text (no weights are read); `name` is used in error positions.
LAMINA_API std::shared_ptr<Model> modelFromJson(std::string_view text,
                                                std::string_view name = "<config>");
/// The config of a model (a Sequential or functional Model).
LAMINA_API Json modelToJson(const Model &model, const std::string &weightsFile = "");
/// Writes `folder`/config.json and `folder`/model.weights.safetensors (or .npz when
/// `weightsFormat` is "npz"); loadModel(folder) gives the same model, bit for bit.
LAMINA_API void saveModel(const Model &model, const std::string &folder,
                          const std::string &weightsFormat = "safetensors");
/// Reads a weights file into a built model: every weight must be there with its dtype and
/// shape, and every array in the file must belong to a weight.
LAMINA_API void loadWeights(Model &model, const std::string &path);
LAMINA_API void saveWeights(const Model &model, const std::string &path);

} // namespace lamina
