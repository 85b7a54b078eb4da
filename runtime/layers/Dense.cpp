#include "lamina/Layers.h"
#include "runtime/layers/Activations.h"
#include "runtime/layers/Initializers.h"
#include "runtime/layers/LaminaFunction.h"
#include "runtime/support/Report.h"
#include "runtime/threads/ThreadPool.h"

#include <cblas.h>
#include <cstring>
#include <fmt/format.h>
#include <mutex>

namespace lamina {

namespace {

// out[begin:end] = input[begin:end] @ kernel (+ bias): the bias is written first and the
// product accumulated onto it (beta = 1), one pass over the output fewer than adding it after.
void multiplyRows(const Tensor &input, const Tensor &kernel, const Tensor *bias, Tensor &out,
                  int64_t begin, int64_t end) {
  int64_t in = kernel.shape()[0], units = kernel.shape()[1];
  auto *dst = static_cast<std::byte *>(out.data());
  size_t rowBytes = size_t(units) * byteSize(out.dtype());
  if (bias)
    for (int64_t r = begin; r < end; ++r)
      std::memcpy(dst + size_t(r) * rowBytes, bias->data(), rowBytes);
  if (units == 0)
    return;
  for (int64_t r0 = begin; r0 < end; r0 += INT32_MAX) { // BLAS counts rows in an int
    int m = int(std::min<int64_t>(INT32_MAX, end - r0));
    int lda = int(std::max<int64_t>(in, 1));
    if (out.dtype() == DType::F32)
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, int(units), int(in), 1.0f,
                  static_cast<const float *>(input.data()) + r0 * in, lda,
                  static_cast<const float *>(kernel.data()), int(units), bias ? 1.0f : 0.0f,
                  static_cast<float *>(out.data()) + r0 * units, int(units));
    else
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, int(units), int(in), 1.0,
                  static_cast<const double *>(input.data()) + r0 * in, lda,
                  static_cast<const double *>(kernel.data()), int(units), bias ? 1.0 : 0.0,
                  static_cast<double *>(out.data()) + r0 * units, int(units));
  }
}

} // namespace

Dense::Dense(int64_t units, DenseOptions options)
    : Layer(options.name, "dense", options.dtype, options.trainable), units_(units),
      options_(std::move(options)) {
  if (units_ <= 0)
    raise(fmt::format("Dense `{}`: units must be a positive integer, not {}", name_, units_));
  // lamina splits the rows itself (compute()); OpenBLAS's own threads would only compete.
  static std::once_flag serialBlas;
  std::call_once(serialBlas, [] { openblas_set_num_threads(1); });
  if (dtype_ != DType::F32 && dtype_ != DType::F64)
    raise(
        fmt::format("Dense `{}` computes in float32 or float64, not {}", name_, longName(dtype_)));
  for (const Initializer *init : {&options_.kernelInitializer, &options_.biasInitializer})
    if (!knownInitializer(init->name))
      raise(fmt::format("Dense `{}`: unknown initializer `{}`", name_, init->name));
  auto source = activationSource(options_.activation);
  if (!source)
    raise(fmt::format("Dense `{}`: unknown activation `{}`", name_, options_.activation));
  if (options_.activation != "linear")
    epilogue_ = std::make_shared<LaminaFunction>(
        LambdaSource::fromText(*source, "<" + name_ + " activation>"),
        std::vector<std::pair<std::string, ConstValue>>{}, Engine::Jit);
}

void Dense::buildImpl(const std::vector<TensorShape> &inputShapes) {
  if (inputShapes.size() != 1 || inputShapes[0].empty() || inputShapes[0].back() < 0)
    raise(fmt::format("Dense `{}` needs one input whose last dimension is known", name_));
  int64_t in = inputShapes[0].back();
  addWeight("kernel",
            initialize(options_.kernelInitializer, dtype_, {in, units_}, name_ + "/kernel"));
  if (options_.useBias)
    addWeight("bias", initialize(options_.biasInitializer, dtype_, {units_}, name_ + "/bias"));
}

std::vector<TensorShape> Dense::computeOutputShape(const std::vector<TensorShape> &inputShapes) {
  if (inputShapes.size() != 1 || inputShapes[0].empty())
    raise(fmt::format("Dense `{}` takes one input of rank 1 or more", name_));
  TensorShape out = inputShapes[0];
  out.back() = units_;
  return {out};
}

std::vector<Tensor> Dense::computeMask(const std::vector<Tensor> &,
                                       const std::vector<Tensor> &masks) {
  return masks; // Dense supports masking: the mask passes through
}

std::vector<bool> Dense::outputHasMask(const std::vector<bool> &inputHasMask, size_t) {
  return inputHasMask;
}

CallResult Dense::compute(const std::vector<Tensor> &inputs, const CallOptions &options) {
  if (inputs.size() != 1)
    raise(fmt::format("Dense `{}` takes one input, not {}", name_, inputs.size()));
  const Weight &kernel = ownWeights()[0];
  int64_t in = kernel.value.shape()[0];
  const Tensor &x = inputs[0];
  if (x.rank() == 0 || x.shape().back() != in)
    raise(fmt::format("Dense `{}` expects inputs whose last dimension is {}, got {}", name_, in,
                      x.typeString()));
  if (x.dtype() != dtype_)
    raise(fmt::format("Dense `{}` computes in {}, but its input is {}; cast it first (for "
                      "example with a Lambda `lambda x: cast(x, \"{}\")`)",
                      name_, longName(dtype_), longName(x.dtype()), longName(dtype_)));
  Tensor input = x.contiguousCopy();
  TensorShape outShape = x.shape();
  outShape.back() = units_;
  Tensor out = Tensor::empty(dtype_, outShape);
  int64_t rows = in == 0 ? out.count() / units_ : input.count() / in;
  if (in > INT32_MAX || units_ > INT32_MAX)
    raise(fmt::format("Dense `{}` is too large for BLAS ({} x {})", name_, in, units_));
  // Rows are split over lamina's thread pool, each block one single-threaded BLAS call: one
  // pool does all of lamina's work, so a model's kernels and its matrix products never compete
  // for cores, and many host threads calling at once do not oversubscribe them.
  Executor &pool = executorFor(options.compute);
  int64_t chunks = rows * in * units_ >= (int64_t(1) << 20) ? pool.concurrency() : 1;
  const Tensor *bias = options_.useBias ? &ownWeights()[1].value : nullptr;
  pool.parallelFor(rows, chunks, [&](int64_t begin, int64_t end) {
    multiplyRows(input, kernel.value, bias, out, begin, end);
  });
  CallResult result;
  result.outputs.push_back(epilogue_ ? epilogue_->run({out}, nullptr, false, {}, options.compute)[0]
                                     : out);
  result.masks = options.masks;
  result.masks.resize(1);
  return result;
}

Json Dense::getConfig() const {
  auto initializer = [](const Initializer &init) {
    Json config = Json::object();
    if (init.name == "constant")
      config.set("value", Json::number(init.value));
    if (init.name == "random_normal" || init.name == "truncated_normal") {
      config.set("mean", Json::number(init.mean));
      config.set("stddev", Json::number(init.stddev));
    }
    if (init.name == "random_uniform") {
      config.set("minval", Json::number(init.minval));
      config.set("maxval", Json::number(init.maxval));
    }
    config.set("seed", init.seed ? Json::integer(*init.seed) : Json());
    Json out = Json::object();
    out.set("class_name", Json::string(init.name));
    out.set("config", std::move(config));
    return out;
  };
  Json config = Layer::getConfig();
  config.set("units", Json::integer(units_));
  config.set("activation", Json::string(options_.activation));
  config.set("use_bias", Json::boolean(options_.useBias));
  config.set("kernel_initializer", initializer(options_.kernelInitializer));
  config.set("bias_initializer", initializer(options_.biasInitializer));
  return config;
}

} // namespace lamina
