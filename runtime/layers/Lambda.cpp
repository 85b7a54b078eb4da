#include "compiler/interp/Interpreter.h"
#include "lamina/Layers.h"
#include "runtime/layers/LambdaFactory.h"
#include "runtime/layers/LaminaFunction.h"
#include "runtime/layers/TensorJson.h"
#include "runtime/support/Boundary.h"
#include "runtime/support/Report.h"
#include "runtime/tensor/TensorBridge.h"

#include <atomic>
#include <fmt/format.h>
#include <mutex>

namespace lamina {

struct Lambda::Impl {
  std::unique_ptr<LaminaFunction> function, mask;
  // Variables are made once, at build - or, for a function that reads the mask (which build
  // does not know), at the first call.
  std::mutex variablesMutex;
  std::atomic<bool> variablesMade = false;
  // The input shapes of the build (-1: unknown), set once under the layer's build lock.
  std::vector<TensorShape> builtShapes;
};

namespace {

std::vector<std::pair<std::string, ConstValue>> argumentsOf(const LambdaOptions &options,
                                                            const std::string &layer) {
  std::vector<std::pair<std::string, ConstValue>> out;
  for (const auto &[name, value] : options.arguments) {
    auto constant = constFromJson(value);
    if (!constant)
      raise(fmt::format("Lambda `{}`: argument `{}` must be a number, string, bool, null or a "
                        "list of those",
                        layer, name));
    out.emplace_back(name, std::move(*constant));
  }
  return out;
}

// Keras's output_shape tuple (batch omitted, None for unknown) as sema's constant.
std::optional<ConstValue> outputShapeTuple(const LambdaOptions &options, const std::string &layer) {
  if (!options.outputShape || options.outputShape->isString())
    return std::nullopt;
  auto shape = constFromJson(*options.outputShape);
  bool valid = shape && shape->kind == ConstValue::Kind::List;
  for (const ConstValue &d : valid ? shape->elements : std::vector<ConstValue>{})
    valid = valid &&
            (d.kind == ConstValue::Kind::None || (d.kind == ConstValue::Kind::Int && d.i >= 0));
  if (!valid)
    raise(fmt::format("Lambda `{}`: output_shape must be a list of sizes and nulls (the batch "
                      "dimension omitted) or the source of a shape lambda",
                      layer));
  shape->kind = ConstValue::Kind::Tuple;
  return shape;
}

// The seed of the layer's unseeded random draws: the configured one, else FNV-1a of the
// layer's name (stable across runs and machines; a model's layers have different names).
uint64_t randomSeedOf(const LambdaOptions &options, const std::string &name) {
  if (options.seed)
    return *options.seed;
  uint64_t h = 0xCBF29CE484222325ull;
  for (unsigned char c : name)
    h = (h ^ c) * 0x100000001B3ull;
  return h;
}

} // namespace

Lambda::Lambda(std::string function, LambdaOptions options) try
    : Layer(options.name, "lambda", options.dtype, options.trainable), impl_(new Impl),
      options_(std::move(options)) {
  std::string where = "<" + name_ + ">";
  auto shapeSource = options_.outputShape && options_.outputShape->isString()
                         ? LambdaSource::fromText(options_.outputShape->asString(), where)
                         : nullptr;
  impl_->function = std::make_unique<LaminaFunction>(
      LambdaSource::fromText(std::move(function), where), argumentsOf(options_, name_),
      options_.engine, outputShapeTuple(options_, name_), shapeSource);
  impl_->function->setRandomSeed(randomSeedOf(options_, name_));
  if (options_.maskFunction) {
    impl_->mask = std::make_unique<LaminaFunction>(
        LambdaSource::fromText(*options_.maskFunction, "<" + name_ + " mask>"),
        argumentsOf(options_, name_), options_.engine);
    impl_->mask->setRandomSeed(randomSeedOf(options_, name_));
  }
} catch (...) {
  rethrowAtBoundary("Lambda::Lambda");
}

Lambda::Lambda(std::unique_ptr<Impl> impl, LambdaOptions options)
    : Layer(options.name, "lambda", options.dtype, options.trainable), impl_(std::move(impl)),
      options_(std::move(options)) {}

std::shared_ptr<Lambda> LambdaFactory::fromConfig(std::shared_ptr<const LambdaSource> function,
                                                  LambdaOptions options,
                                                  std::shared_ptr<const LambdaSource> maskFunction,
                                                  std::shared_ptr<const LambdaSource> outputShape) {
  std::shared_ptr<Lambda> layer(new Lambda(std::make_unique<Lambda::Impl>(), std::move(options)));
  LambdaOptions &o = layer->options_;
  // The options say what a config written back will hold: the texts, as the config had them.
  if (maskFunction)
    o.maskFunction = maskFunction->file->text();
  if (outputShape)
    o.outputShape = Json::string(outputShape->file->text());
  SourceRange shapeInConfig;
  if (o.outputShape && o.outputShape->isArray())
    shapeInConfig = {o.outputShape->begin(), o.outputShape->end()};
  const std::string &name = layer->name();
  layer->impl_->function =
      std::make_unique<LaminaFunction>(std::move(function), argumentsOf(o, name), o.engine,
                                       outputShapeTuple(o, name), outputShape, shapeInConfig);
  layer->impl_->function->setRandomSeed(randomSeedOf(o, name));
  if (maskFunction) {
    layer->impl_->mask =
        std::make_unique<LaminaFunction>(std::move(maskFunction), argumentsOf(o, name), o.engine);
    layer->impl_->mask->setRandomSeed(randomSeedOf(o, name));
  }
  return layer;
}

Lambda::~Lambda() = default;

const std::string &Lambda::function() const { return impl_->function->source().file->text(); }

// Each variable gets its first value from its initialiser, once per layer instance.
void Lambda::makeVariables(const std::vector<DType> &dtypes, const std::vector<TensorShape> &shapes,
                           const std::optional<std::pair<DType, TensorShape>> &mask) {
  std::lock_guard lock(impl_->variablesMutex);
  if (impl_->variablesMade)
    return;
  auto checked = impl_->function->check(dtypes, shapes, mask, false, nullptr);
  const LambdaSource &source = impl_->function->source();
  for (const ir::VariableDecl &v : checked->fn.variables) {
    bool known = std::all_of(v.type.shape.begin(), v.type.shape.end(),
                             [](const Dim &d) { return d.isConstant(); });
    if (!known)
      source.report([&](DiagnosticEngine &diags) {
        diags.report(DiagKind::NeedsKnownDim, *source.file, v.range,
                     fmt::format("variable `{}`", v.name), v.type.str());
        return false;
      });
  }
  // Within the byte budget (E0703 at the variable) before anything is allocated.
  std::vector<Array> values;
  source.report([&](DiagnosticEngine &diags) {
    auto made = initialValues(checked->fn, {}, *source.file, diags);
    if (made)
      values = std::move(*made);
    return made.has_value();
  });
  for (size_t k = 0; k < values.size(); ++k)
    addWeight(checked->fn.variables[k].name, fromArray(values[k]),
              checked->fn.variables[k].trainable);
  impl_->variablesMade = true;
}

void Lambda::buildImpl(const std::vector<TensorShape> &inputShapes) {
  impl_->builtShapes = inputShapes;
  if (!impl_->function->signature().takesMask)
    makeVariables(buildDTypes_, inputShapes, std::nullopt);
}

std::vector<TensorShape> Lambda::computeOutputShape(const std::vector<TensorShape> &inputShapes) {
  return guarded("Lambda::computeOutputShape", [&]() -> std::vector<TensorShape> {
    std::vector<DType> dtypes = buildDTypes_.size() == inputShapes.size()
                                    ? buildDTypes_
                                    : std::vector<DType>(inputShapes.size(), dtype_);
    auto checked = impl_->function->check(dtypes, inputShapes, std::nullopt, false, nullptr);
    std::vector<TensorShape> out;
    for (ir::ValueId id : checked->fn.outputs)
      out.push_back(LaminaFunction::kerasShape(checked->fn.typeOf(id)));
    return out;
  });
}

std::vector<DType> Lambda::computeOutputDType(const std::vector<DType> &inputDTypes,
                                              const std::vector<TensorShape> &inputShapes) {
  auto checked = impl_->function->check(inputDTypes, inputShapes, std::nullopt, false, nullptr);
  std::vector<DType> out;
  for (ir::ValueId id : checked->fn.outputs)
    out.push_back(checked->fn.typeOf(id).dtype);
  return out;
}

std::vector<bool> Lambda::outputHasMask(const std::vector<bool> &, size_t outputs) {
  return std::vector<bool>(outputs, impl_->mask || options_.maskConstant);
}

CallResult Lambda::compute(const std::vector<Tensor> &inputs, const CallOptions &options) {
  const Tensor *mask = nullptr;
  if (!options.masks.empty() && options.masks[0].valid())
    mask = &options.masks[0];
  if (!impl_->variablesMade) {
    std::vector<DType> dtypes;
    std::vector<TensorShape> shapes;
    for (const Tensor &t : inputs) {
      dtypes.push_back(t.dtype());
      shapes.push_back(t.shape());
    }
    std::optional<std::pair<DType, TensorShape>> maskType;
    if (mask)
      maskType.emplace(mask->dtype(), mask->shape());
    makeVariables(dtypes, shapes, maskType);
  }
  CallResult result;
  const std::vector<TensorShape> &unknown =
      built() ? impl_->builtShapes : std::vector<TensorShape>{};
  result.outputs =
      impl_->function->run(inputs, mask, options.training, ownWeights(), options.compute, unknown);
  result.masks = masksOf(inputs, options.masks, options.compute);
  result.masks.resize(result.outputs.size());
  return result;
}

std::vector<Tensor> Lambda::computeMask(const std::vector<Tensor> &inputs,
                                        const std::vector<Tensor> &masks) {
  return guarded("Lambda::computeMask",
                 [&]() -> std::vector<Tensor> { return masksOf(inputs, masks, {}); });
}

std::vector<Tensor> Lambda::masksOf(const std::vector<Tensor> &inputs,
                                    const std::vector<Tensor> &masks,
                                    const ComputeOptions &compute) {
  if (options_.maskConstant)
    return {*options_.maskConstant};
  if (!impl_->mask)
    return {};
  const Tensor *mask = !masks.empty() && masks[0].valid() ? &masks[0] : nullptr;
  return impl_->mask->run(inputs, mask, false, ownWeights(), compute);
}

Json Lambda::getConfig() const {
  return guarded("Lambda::getConfig", [&]() -> Json {
    Json config = Layer::getConfig();
    // A multi-line function is saved as a list of lines: configs are read by people.
    const std::string &text = function();
    if (text.find('\n') == std::string::npos) {
      config.set("function", Json::string(text));
    } else {
      Json lines = Json::array();
      size_t start = 0;
      while (true) {
        size_t end = text.find('\n', start);
        lines.push(Json::string(text.substr(start, end - start)));
        if (end == std::string::npos)
          break;
        start = end + 1;
      }
      config.set("function", std::move(lines));
    }
    config.set("function_type", Json::string("lamina"));
    config.set("output_shape", options_.outputShape ? *options_.outputShape : Json());
    if (options_.maskFunction)
      config.set("mask", Json::string(*options_.maskFunction));
    else if (options_.maskConstant)
      config.set("mask", tensorToJson(*options_.maskConstant));
    else
      config.set("mask", Json());
    Json arguments = Json::object();
    for (const auto &[name, value] : options_.arguments)
      arguments.set(name, value);
    config.set("arguments", std::move(arguments));
    if (options_.seed)
      config.set("seed", Json::integer(int64_t(*options_.seed)));
    return config;
  });
}

} // namespace lamina
