#pragma once

// A lamina function as layers run it: the parsed source, its arguments, and the checked and
// compiled forms per input signature. Lambda, Activation and Dense's epilogue are all one of
// these. A signature is the inputs' dtypes and shapes with the batch axis (axis 0) symbolic,
// so a kernel compiled on the first call serves every later batch size. The forms are kept in
// a driver::SignatureCache, bounded by the driver's cache policy.

#include "compiler/ast/Ast.h"
#include "compiler/driver/SignatureCache.h"
#include "compiler/ir/Ir.h"
#include "compiler/sema/Sema.h"
#include "lamina/Layer.h"
#include "lamina/Layers.h"
#include "runtime/layers/LambdaSource.h"

namespace lamina {

class LaminaFunction {
public:
  /// Sema's function and, with Engine::Jit, its kernel.
  using Checked = driver::CheckedFunction;

  /// Parses the source; throws lamina::Error with its diagnostics.
  LaminaFunction(std::shared_ptr<const LambdaSource> source,
                 std::vector<std::pair<std::string, ConstValue>> arguments, Engine engine,
                 std::optional<ConstValue> outputShape = std::nullopt,
                 std::shared_ptr<const LambdaSource> outputShapeLambda = nullptr,
                 SourceRange outputShapeInConfig = {});
  ~LaminaFunction();

  const LambdaSource &source() const { return *source_; }
  /// The seed of unseeded random draws (SemaRequest::randomSeed); set before the first call.
  void setRandomSeed(uint64_t seed) { randomSeed_ = seed; }
  const EntrySignature &signature() const { return signature_; }

  /// Checks (and, given `compile`, compiles with its target and cache) for inputs of these
  /// dtypes and shapes (-1: any); `mask`, when given, is the dtype and shape of the input mask.
  /// Cached (driver::CachePolicy::signatures of them); thread-safe.
  std::shared_ptr<const Checked> check(const std::vector<DType> &dtypes,
                                       const std::vector<TensorShape> &shapes,
                                       const std::optional<std::pair<DType, TensorShape>> &mask,
                                       bool training, const ComputeOptions *compile);

  /// Runs on concrete tensors; variables are looked up by name in `weights`. The batch axis is
  /// always typed as unknown; so is every axis that is -1 in `unknown` (the shapes the layer
  /// was built for, when it has them), so the call is typed as the model was and what sema
  /// assumed of such an axis (`x[:, :5]` takes 5) is checked at run time, at its source.
  std::vector<Tensor> run(const std::vector<Tensor> &inputs, const Tensor *mask, bool training,
                          const std::vector<Weight> &weights, const ComputeOptions &compute,
                          const std::vector<TensorShape> &unknown = {});

  /// An output type of sema's function as a Keras shape (symbols become -1).
  static TensorShape kerasShape(const TensorType &type);

  /// Signatures whose checked forms are cached.
  size_t signaturesCached() const { return checked_.size(); }

private:
  // check()'s miss: sema and, given `compile`, the JIT.
  std::shared_ptr<const Checked> checkAnew(const std::vector<DType> &dtypes,
                                           const std::vector<TensorShape> &shapes,
                                           const std::optional<std::pair<DType, TensorShape>> &mask,
                                           bool training, const ComputeOptions *compile) const;

  std::shared_ptr<const LambdaSource> source_, outputShapeLambda_;
  std::optional<ParsedSource> shapeLambda_; // outputShapeLambda_, parsed
  std::unique_ptr<ast::Module> module_;
  EntrySignature signature_;
  std::vector<std::pair<std::string, ConstValue>> arguments_;
  std::optional<ConstValue> outputShape_;
  SourceRange outputShapeInConfig_; // the tuple's JSON value, when read from a config
  Engine engine_;
  uint64_t randomSeed_ = 0;
  driver::SignatureCache checked_;
};

/// A JSON value as a compile-time constant (arguments, output_shape); nothing when it has no
/// lamina meaning (an object).
std::optional<ConstValue> constFromJson(const Json &value);
Json jsonFromConst(const ConstValue &value);

/// The pool a call's kernels and matrix products run on (ComputeOptions::threads); a count
/// past kMaxThreads is a lamina::Error, not a process that spawns a thousand threads.
class Executor;
Executor &executorFor(const ComputeOptions &compute);

} // namespace lamina
