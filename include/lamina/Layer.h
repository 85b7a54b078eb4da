#pragma once

// Layer: Keras's `Layer` surface in C++ (docs/embedding.md maps each Keras name to its
// spelling here). A layer is called on concrete tensors, which computes, or on symbolic
// tensors (Input(...) and what layers make of it), which records a node of a model graph.
//
// Thread safety: once built, call() may run from any number of threads at once. Building,
// set_weights, set_trainable and symbolic calls (model construction) are for one thread.

#include "lamina/Error.h"
#include "lamina/Executor.h"
#include "lamina/Json.h"
#include "lamina/Tensor.h"

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace lamina {

class Layer;
struct Node;

/// A value in a model under construction (Keras's KerasTensor): dtype and shape, -1 for an
/// unknown dimension (Keras's None, usually the batch), and the layer call that made it.
class LAMINA_API SymbolicTensor {
public:
  SymbolicTensor(DType dtype, TensorShape shape) : dtype_(dtype), shape_(std::move(shape)) {}
  DType dtype() const { return dtype_; }
  const TensorShape &shape() const { return shape_; }
  /// The mask that travels with this value (Keras's `_keras_mask`), if any.
  const std::optional<std::shared_ptr<const SymbolicTensor>> &mask() const { return mask_; }
  /// Keras's `_keras_history`: the layer call that produced it.
  Layer *layer() const;
  size_t nodeIndex() const { return nodeIndex_; }
  size_t tensorIndex() const { return tensorIndex_; }
  const std::shared_ptr<Node> &node() const { return node_; }

private:
  friend class Layer;
  DType dtype_;
  TensorShape shape_;
  std::optional<std::shared_ptr<const SymbolicTensor>> mask_;
  std::shared_ptr<Node> node_;
  size_t nodeIndex_ = 0, tensorIndex_ = 0;
};

/// One call of a layer on symbolic tensors (Keras's Node).
struct Node {
  std::shared_ptr<Layer> layer;
  std::vector<SymbolicTensor> inputs;
  /// Their node() is null here (a node does not hold itself); Layer::getOutputAt and the
  /// call that made the node give them with it.
  std::vector<SymbolicTensor> outputs;
  Json arguments = Json::object(); // keyword arguments of the call, as saved in a config
};

/// A weight: its path (`dense/kernel`), value and whether training would update it.
struct Weight {
  std::string name;
  Tensor value;
  bool trainable = true;
};

/// Lambdas and activations run compiled (the JIT) or interpreted (the reference semantics).
enum class Engine : uint8_t { Jit, Interpreter };

/// How a call computes: what a host chooses once and passes with every call. The defaults are
/// what a call gets without asking.
struct ComputeOptions {
  /// The engine of every lambda and activation; unset: each Lambda's own (LambdaOptions).
  std::optional<Engine> engine;
  /// Threads for kernels and matrix products: 0 the process-wide pool (one per core), 1 the
  /// calling thread only, N a pool of N shared by every call that asks for N (at most
  /// kMaxThreads; more is a lamina::Error).
  unsigned threads = 0;
  static constexpr unsigned kMaxThreads = 256;
  /// A host's own scheduler for the kernels' parallel loops (include/lamina/Executor.h);
  /// when set, `threads` is not used. The host keeps it alive while calls run.
  Executor *executor = nullptr;
  /// The CPU kernels are compiled for: "" or "host", "generic" (portable x86-64) or an LLVM
  /// CPU name such as "haswell".
  std::string cpu;
  /// Whether compiled kernels are read from and written to disk, and where ("": the user's
  /// cache folder, $XDG_CACHE_HOME/lamina/kernels).
  bool kernelCache = true;
  std::string cacheDir;
  /// The most bytes one lambda call may define, its outputs and temporaries together; a call
  /// that would need more is refused before it runs (E0703), on both engines.
  uint64_t byteBudget = uint64_t(1) << 32;
};

struct CallOptions {
  bool training = false;
  /// One per input, or empty; an invalid Tensor means "no mask" for that input.
  std::vector<Tensor> masks;
  ComputeOptions compute;
};

struct CallResult {
  std::vector<Tensor> outputs;
  std::vector<Tensor> masks; // one per output; invalid where there is none
};

class LAMINA_API Layer : public std::enable_shared_from_this<Layer> {
public:
  virtual ~Layer();
  Layer(const Layer &) = delete;
  Layer &operator=(const Layer &) = delete;

  /// The class name configs use (`Dense`, `Lambda`, ...).
  virtual std::string className() const = 0;
  const std::string &name() const { return name_; }
  DType dtype() const { return dtype_; }
  bool trainable() const { return trainable_; }
  void setTrainable(bool trainable) { trainable_ = trainable; }

  bool built() const { return built_; }
  /// Creates the weights for inputs of these shapes (-1: unknown); once. Called by the first
  /// call when not called before.
  void build(const std::vector<TensorShape> &inputShapes);
  void build(const TensorShape &inputShape) { build(std::vector<TensorShape>{inputShape}); }

  // Calling on concrete tensors computes.
  CallResult call(const std::vector<Tensor> &inputs, const CallOptions &options = {});
  std::vector<Tensor> operator()(const std::vector<Tensor> &inputs);
  /// For a layer with one output.
  Tensor operator()(const Tensor &input);

  // Calling on symbolic tensors records a node (and builds the layer).
  std::vector<SymbolicTensor> operator()(const std::vector<SymbolicTensor> &inputs);
  SymbolicTensor operator()(const SymbolicTensor &input);

  /// Compiles now what a call on inputs of these shapes will need, so that the first real call
  /// pays for no JIT: the layer runs once on zeros of these shapes, with -1 (an unknown
  /// batch) as 1, under `options` (its engine, target and cache). `dtypes` defaults to the
  /// model's input dtypes, or the layer's dtype. Kernels are batch-size generic: a warmed
  /// layer serves every batch size.
  void warmUp(const std::vector<TensorShape> &inputShapes, const std::vector<DType> &dtypes = {},
              const CallOptions &options = {});

  /// The output shapes for these input shapes (-1: unknown), without computing anything.
  virtual std::vector<TensorShape> computeOutputShape(const std::vector<TensorShape> &inputShapes);
  /// The output masks for these inputs and input masks (Keras's compute_mask).
  virtual std::vector<Tensor> computeMask(const std::vector<Tensor> &inputs,
                                          const std::vector<Tensor> &masks);

  // The graph view (Keras's input, output, ..., get_input_at(node_index)); they throw
  // lamina::Error when the layer was never called symbolically, when `nodeIndex` is out of
  // range, or (the forms without an index) when several calls make the answer ambiguous.
  // A node lives as long as a tensor it made or a model that uses it: the layer does not own
  // its nodes (each node owns its layer; the other way round would be a reference cycle).
  size_t inboundNodeCount() const { return inboundNodes_.size(); }
  std::vector<SymbolicTensor> input() const;
  std::vector<SymbolicTensor> output() const;
  std::vector<TensorShape> inputShape() const;
  std::vector<TensorShape> outputShape() const;
  std::vector<std::optional<SymbolicTensor>> inputMask() const;
  std::vector<std::optional<SymbolicTensor>> outputMask() const;
  std::vector<SymbolicTensor> getInputAt(size_t nodeIndex) const;
  std::vector<SymbolicTensor> getOutputAt(size_t nodeIndex) const;
  std::vector<TensorShape> getInputShapeAt(size_t nodeIndex) const;
  std::vector<TensorShape> getOutputShapeAt(size_t nodeIndex) const;
  std::vector<std::optional<SymbolicTensor>> getInputMaskAt(size_t nodeIndex) const;
  std::vector<std::optional<SymbolicTensor>> getOutputMaskAt(size_t nodeIndex) const;

  /// Trainable weights first, then the others (Keras's order); `variables()` is the same list.
  std::vector<Weight> weights() const;
  std::vector<Weight> variables() const { return weights(); }
  std::vector<Weight> trainableWeights() const;
  std::vector<Weight> nonTrainableWeights() const;
  /// Copies of the values, in weights() order.
  std::vector<Tensor> getWeights() const;
  /// Replaces every value; the count, each dtype and shape must match (lamina::Error).
  void setWeights(const std::vector<Tensor> &values);
  /// The number of scalars in the weights; lamina::Error before build.
  int64_t countParams() const;

  /// Losses are for training, which lamina does not do; they are kept so that host code
  /// written against Keras can record and read them.
  void addLoss(Tensor loss);
  const std::vector<Tensor> &losses() const { return losses_; }
  void clearLosses() { losses_.clear(); }

  /// Keras's get_config(): the constructor arguments as JSON.
  virtual Json getConfig() const;

protected:
  /// `name` empty: a unique one from `prefix` (`dense`, `dense_1`, ...), as Keras makes them.
  Layer(const std::string &name, const std::string &prefix, DType dtype, bool trainable);

  virtual void buildImpl(const std::vector<TensorShape> &inputShapes);
  virtual CallResult compute(const std::vector<Tensor> &inputs, const CallOptions &options) = 0;
  /// The output dtypes for these input dtypes (symbolic calls); default: the layer's dtype.
  virtual std::vector<DType> computeOutputDType(const std::vector<DType> &inputDTypes,
                                                const std::vector<TensorShape> &inputShapes);
  /// The dtype warmUp gives input `index` when none is named.
  virtual DType inputDType(size_t index) const;
  /// Whether symbolic outputs carry a mask, given which inputs carry one.
  virtual std::vector<bool> outputHasMask(const std::vector<bool> &inputHasMask, size_t outputs);

  struct OutputSpec {
    DType dtype;
    TensorShape shape;
    bool masked = false;
  };
  /// Records a call on symbolic tensors whose outputs are `outputs` (Input() records one
  /// with no inputs).
  std::vector<SymbolicTensor> recordNode(const std::vector<SymbolicTensor> &inputs,
                                         const std::vector<OutputSpec> &outputs);

  Weight &addWeight(const std::string &name, Tensor value, bool trainable = true);
  std::vector<Weight> &ownWeights() { return weights_; }
  const std::vector<Weight> &ownWeights() const { return weights_; }
  /// Layers that hold other layers (models) list their weights from them.
  virtual std::vector<Weight *> allWeights();
  std::vector<const Weight *> allWeights() const;

  std::string name_;
  DType dtype_;
  bool trainable_;
  /// The input dtypes of the call that builds the layer (its own dtype for build(shape)).
  std::vector<DType> buildDTypes_;

private:
  friend class Model; // a model's weights are its layers'
  std::shared_ptr<Node> nodeAt(size_t nodeIndex, const char *what) const;
  static std::vector<SymbolicTensor> withNode(const std::shared_ptr<Node> &node);
  size_t singleNode(const char *what, const char *indexed) const;

  void buildWith(const std::vector<TensorShape> &inputShapes, const std::vector<DType> &dtypes);

  std::atomic<bool> built_ = false;
  std::mutex buildMutex_;
  std::vector<Weight> weights_;
  std::vector<std::weak_ptr<Node>> inboundNodes_;
  std::vector<Tensor> losses_;
};

} // namespace lamina
