#pragma once

// The layers a model config can name: InputLayer (made by Input()), Dense, Activation and
// Lambda. Keras's constructor arguments map to option structs; defaults are Keras's.

#include "lamina/Layer.h"

#include <map>

namespace lamina {

/// The entry of a functional model: `auto x = Input({256})` (the batch dimension is implied,
/// as in Keras); `batchShape` gives it explicitly.
struct InputOptions {
  TensorShape shape;                     // without the batch dimension; -1 for unknown
  std::optional<TensorShape> batchShape; // with it (wins over `shape`)
  DType dtype = DType::F32;
  std::string name;
};
LAMINA_API SymbolicTensor Input(const InputOptions &options);
inline SymbolicTensor Input(TensorShape shape, DType dtype = DType::F32, std::string name = {}) {
  return Input(InputOptions{std::move(shape), std::nullopt, dtype, std::move(name)});
}

class LAMINA_API InputLayer final : public Layer {
public:
  InputLayer(TensorShape batchShape, DType dtype, const std::string &name);
  std::string className() const override { return "InputLayer"; }
  const TensorShape &batchShape() const { return batchShape_; }
  std::vector<TensorShape> computeOutputShape(const std::vector<TensorShape> &inputShapes) override;
  Json getConfig() const override;
  /// The symbolic tensor this layer stands for (its node holds the layer, so the layer does
  /// not hold the tensor: that would be a reference cycle).
  SymbolicTensor tensor() const { return getOutputAt(0)[0]; }

protected:
  CallResult compute(const std::vector<Tensor> &inputs, const CallOptions &options) override;

private:
  friend SymbolicTensor Input(const InputOptions &options);
  TensorShape batchShape_;
};

/// An activation by its Keras name: linear, relu, sigmoid, tanh, softmax, gelu, elu, selu,
/// softplus, softsign, swish/silu, hard_sigmoid, leaky_relu, exponential, mish, relu6. Each is
/// a lamina function (docs/config-format.md lists them).
struct ActivationOptions {
  std::string name;
  DType dtype = DType::F32;
  bool trainable = true;
};

class LAMINA_API Activation final : public Layer {
public:
  explicit Activation(std::string activation, ActivationOptions options = {});
  std::string className() const override { return "Activation"; }
  const std::string &activation() const { return activation_; }
  std::vector<TensorShape> computeOutputShape(const std::vector<TensorShape> &inputShapes) override;
  Json getConfig() const override;

protected:
  CallResult compute(const std::vector<Tensor> &inputs, const CallOptions &options) override;
  std::vector<DType> computeOutputDType(const std::vector<DType> &inputDTypes,
                                        const std::vector<TensorShape> &inputShapes) override;

private:
  std::string activation_;
  std::shared_ptr<class LaminaFunction> function_;
};

/// Keras initializers: zeros, ones, constant(value), random_normal(mean, stddev),
/// random_uniform(minval, maxval), truncated_normal, glorot_uniform, glorot_normal,
/// he_uniform, he_normal, lecun_uniform, lecun_normal; `seed` makes them repeatable.
struct Initializer {
  Initializer(std::string initializer = "glorot_uniform") : name(std::move(initializer)) {}
  std::string name;
  double value = 0, mean = 0, stddev = 0.05, minval = -0.05, maxval = 0.05;
  std::optional<int64_t> seed;
};

struct DenseOptions {
  std::string activation = "linear";
  bool useBias = true;
  Initializer kernelInitializer{"glorot_uniform"};
  Initializer biasInitializer{"zeros"};
  std::string name;
  DType dtype = DType::F32; // f32 or f64
  bool trainable = true;
};

/// `activation(inputs @ kernel + bias)` on the last axis: one lamina kernel, whose plan puts
/// the bias and activation in the product's epilogue (and picks OpenBLAS for deep and wide
/// products).
class LAMINA_API Dense final : public Layer {
public:
  explicit Dense(int64_t units, DenseOptions options = {});
  std::string className() const override { return "Dense"; }
  int64_t units() const { return units_; }
  const DenseOptions &options() const { return options_; }
  std::vector<TensorShape> computeOutputShape(const std::vector<TensorShape> &inputShapes) override;
  std::vector<Tensor> computeMask(const std::vector<Tensor> &inputs,
                                  const std::vector<Tensor> &masks) override;
  Json getConfig() const override;

protected:
  void buildImpl(const std::vector<TensorShape> &inputShapes) override;
  CallResult compute(const std::vector<Tensor> &inputs, const CallOptions &options) override;
  std::vector<bool> outputHasMask(const std::vector<bool> &inputHasMask, size_t outputs) override;

private:
  int64_t units_;
  DenseOptions options_;
  std::shared_ptr<class LaminaFunction> function_; // product, bias and activation
};

struct LambdaOptions {
  /// Keras's output_shape: a tuple without the batch dimension (a JSON array such as
  /// [512] or [null, 8]), or the source of a shape lambda (`lambda s: (s[0], 2 * s[1])`).
  std::optional<Json> outputShape;
  /// Keras's mask: the source of `lambda x, mask: ...`, or a constant mask tensor.
  std::optional<std::string> maskFunction;
  std::optional<Tensor> maskConstant;
  /// Keras's arguments: values for parameters of the function (compile-time constants).
  std::map<std::string, Json> arguments;
  /// The seed of the function's random draws that give no seed of their own (lamina's
  /// addition to the config, "seed"). Without one, a seed made from the layer's name: the
  /// layers of a model draw different samples, and the model reloaded draws the same ones.
  std::optional<uint64_t> seed;
  std::string name;
  DType dtype = DType::F32;
  bool trainable = true;
  Engine engine = Engine::Jit;
};

/// Keras's Lambda with the function as lamina source text: `Lambda("lambda x: x ** 2")`.
/// The text is parsed at construction (syntax errors are reported then), checked for each
/// input signature (dtypes and shapes; the batch dimension stays symbolic, so one compiled
/// kernel serves every batch size) and compiled once per signature.
class LAMINA_API Lambda final : public Layer {
public:
  explicit Lambda(std::string function, LambdaOptions options = {});
  ~Lambda() override;
  std::string className() const override { return "Lambda"; }
  /// The source text, as saved in configs.
  const std::string &function() const;
  const LambdaOptions &options() const { return options_; }

  std::vector<TensorShape> computeOutputShape(const std::vector<TensorShape> &inputShapes) override;
  std::vector<Tensor> computeMask(const std::vector<Tensor> &inputs,
                                  const std::vector<Tensor> &masks) override;
  Json getConfig() const override;

protected:
  void buildImpl(const std::vector<TensorShape> &inputShapes) override;
  CallResult compute(const std::vector<Tensor> &inputs, const CallOptions &options) override;
  std::vector<DType> computeOutputDType(const std::vector<DType> &inputDTypes,
                                        const std::vector<TensorShape> &inputShapes) override;
  std::vector<bool> outputHasMask(const std::vector<bool> &inputHasMask, size_t outputs) override;

private:
  void makeVariables(const std::vector<DType> &dtypes, const std::vector<TensorShape> &shapes,
                     const std::optional<std::pair<DType, TensorShape>> &mask);
  std::vector<Tensor> masksOf(const std::vector<Tensor> &inputs, const std::vector<Tensor> &masks,
                              const ComputeOptions &compute);

  struct Impl;
  // A Lambda read from a config also knows where its text sits in the config file, which
  // only the runtime can say: LambdaFactory (internal) makes it with this constructor, which
  // leaves the functions to be compiled from the config's text.
  friend class LambdaFactory;
  Lambda(std::unique_ptr<Impl> impl, LambdaOptions options);

  std::unique_ptr<Impl> impl_;
  LambdaOptions options_;
};

} // namespace lamina
