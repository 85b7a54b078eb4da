#include "runtime/layers/LaminaFunction.h"

#include "compiler/driver/Driver.h"
#include "compiler/driver/Frontend.h"
#include "compiler/interp/Interpreter.h"
#include "compiler/parse/Parse.h"
#include "runtime/support/Report.h"
#include "runtime/tensor/TensorBridge.h"
#include "runtime/threads/ThreadPool.h"

#include <fmt/format.h>

#include <mutex>

namespace lamina {

LaminaFunction::LaminaFunction(std::shared_ptr<const LambdaSource> source,
                               std::vector<std::pair<std::string, ConstValue>> arguments,
                               Engine engine, std::optional<ConstValue> outputShape,
                               std::shared_ptr<const LambdaSource> outputShapeLambda,
                               SourceRange outputShapeInConfig)
    : source_(std::move(source)), outputShapeLambda_(std::move(outputShapeLambda)),
      arguments_(std::move(arguments)), outputShape_(std::move(outputShape)),
      outputShapeInConfig_(outputShapeInConfig), engine_(engine) {
  source_->report([&](DiagnosticEngine &diags) {
    module_ = parse(*source_->file, diags);
    return module_ != nullptr;
  });
  std::vector<std::string> names;
  for (const auto &[name, value] : arguments_)
    names.push_back(name);
  auto signature = entrySignature(*module_, names);
  if (!signature) // only comments: E0304 at the text, in the config when it came from one
    source_->report([&](DiagnosticEngine &diags) {
      const SourceFile &file = *source_->file;
      diags.report(DiagKind::NoEntryPoint, file, SourceRange{0, uint32_t(file.text().size())});
      return false;
    });
  signature_ = std::move(*signature);
  if (outputShapeLambda_) // parsed once, here: sema is handed the tree
    outputShapeLambda_->report([&](DiagnosticEngine &diags) {
      shapeLambda_ = driver::parseShapeLambda(outputShapeLambda_->file, diags);
      return shapeLambda_.has_value();
    });
}

LaminaFunction::~LaminaFunction() = default;

TensorShape LaminaFunction::kerasShape(const TensorType &type) {
  TensorShape out;
  for (const Dim &d : type.shape)
    out.push_back(d.isConstant() ? d.constant() : -1);
  return out;
}

namespace {

// Keras's shapes to lamina's types: the batch axis is `B`, other unknown axes get a symbol
// of their own.
TensorType laminaType(DType dtype, const TensorShape &shape, size_t input) {
  TensorType type{dtype, {}};
  for (size_t axis = 0; axis < shape.size(); ++axis) {
    if (shape[axis] >= 0)
      type.shape.push_back(shape[axis]);
    else if (axis == 0)
      type.shape.push_back(Dim::symbol("B"));
    else
      type.shape.push_back(Dim::symbol(fmt::format("D{}_{}", input, axis)));
  }
  return type;
}

std::string signatureKey(const std::vector<DType> &dtypes, const std::vector<TensorShape> &shapes,
                         const std::optional<std::pair<DType, TensorShape>> &mask, bool training,
                         const ComputeOptions *compile) {
  std::string key;
  for (size_t k = 0; k < dtypes.size(); ++k)
    key += fmt::format("{}[{}];", shortName(dtypes[k]), fmt::join(shapes[k], ","));
  if (mask)
    key += fmt::format("mask={}[{}];", shortName(mask->first), fmt::join(mask->second, ","));
  key += training ? "T" : "F";
  // Kernels are compiled for one CPU: another target is another signature.
  key += compile ? "J" + compile->cpu : "I";
  return key;
}

} // namespace

std::shared_ptr<const LaminaFunction::Checked>
LaminaFunction::check(const std::vector<DType> &dtypes, const std::vector<TensorShape> &shapes,
                      const std::optional<std::pair<DType, TensorShape>> &mask, bool training,
                      const ComputeOptions *compile) {
  return checked_.get(signatureKey(dtypes, shapes, mask, training, compile),
                      [&] { return checkAnew(dtypes, shapes, mask, training, compile); });
}

std::shared_ptr<const LaminaFunction::Checked>
LaminaFunction::checkAnew(const std::vector<DType> &dtypes, const std::vector<TensorShape> &shapes,
                          const std::optional<std::pair<DType, TensorShape>> &mask, bool training,
                          const ComputeOptions *compile) const {
  SemaRequest request;
  for (size_t k = 0; k < dtypes.size(); ++k)
    request.inputs.push_back({"", laminaType(dtypes[k], shapes[k], k)});
  if (mask && signature_.takesMask)
    request.inputs.push_back({"mask", laminaType(mask->first, mask->second, dtypes.size())});
  request.arguments = arguments_;
  request.randomSeed = randomSeed_;
  if (signature_.takesTraining)
    request.arguments.emplace_back("training", ConstValue::boolean(training));
  request.outputShape = outputShape_;
  if (outputShape_ && source_->config && outputShapeInConfig_.end > 0) {
    request.outputShapeFile = source_->config;
    request.outputShapeRange = outputShapeInConfig_;
  }
  request.outputShapeLambda = shapeLambda_;
  auto checked = std::make_shared<Checked>();
  source_->report([&](DiagnosticEngine &diags) {
    auto fn = analyze(*module_, *source_->file, request, diags);
    if (!fn)
      return false;
    checked->fn = std::move(*fn);
    return true;
  });
  if (compile) {
    std::string error;
    driver::CompileOptions options;
    options.cpu = compile->cpu;
    options.diskCache = compile->kernelCache;
    options.cacheDir = compile->cacheDir;
    checked->kernel = driver::Driver::shared().compile(checked->fn, options, &error);
    if (!checked->kernel)
      raise(fmt::format("{}: the JIT failed: {}", source_->file->name(), error));
  }
  return checked;
}

std::vector<Tensor> LaminaFunction::run(const std::vector<Tensor> &inputs, const Tensor *mask,
                                        bool training, const std::vector<Weight> &weights,
                                        const ComputeOptions &compute,
                                        const std::vector<TensorShape> &unknown) {
  std::vector<DType> dtypes;
  std::vector<TensorShape> shapes;
  for (size_t k = 0; k < inputs.size(); ++k) {
    dtypes.push_back(inputs[k].dtype());
    TensorShape shape = inputs[k].shape();
    if (!shape.empty())
      shape[0] = -1; // one kernel for every batch size
    if (k < unknown.size() && unknown[k].size() == shape.size())
      for (size_t a = 0; a < shape.size(); ++a)
        if (unknown[k][a] < 0)
          shape[a] = -1;
    shapes.push_back(std::move(shape));
  }
  std::optional<std::pair<DType, TensorShape>> maskType;
  if (mask && signature_.takesMask) {
    maskType.emplace(mask->dtype(), mask->shape());
    if (!maskType->second.empty())
      maskType->second[0] = -1;
  }
  bool compile = compute.engine.value_or(engine_) == Engine::Jit;
  std::shared_ptr<const Checked> checked =
      check(dtypes, shapes, maskType, training, compile ? &compute : nullptr);
  const ir::Function &fn = compile ? checked->kernel->function() : checked->fn;

  // Inputs in the function's order; sema numbered the mask after the inputs.
  std::vector<Tensor> ordered;
  for (const ir::InputDecl &decl : fn.inputs)
    ordered.push_back(
        (decl.binding < inputs.size() ? inputs[decl.binding] : *mask).contiguousCopy());
  std::vector<Tensor> variables;
  for (const ir::VariableDecl &v : fn.variables) {
    auto it = std::find_if(weights.begin(), weights.end(), [&](const Weight &w) {
      return w.name.size() > v.name.size() && w.name.ends_with("/" + v.name);
    });
    if (it == weights.end())
      raise(fmt::format("{}: variable `{}` has no weight; was the layer built?",
                        source_->file->name(), v.name));
    variables.push_back(it->value);
  }
  // A random generator's call number is claimed under a lock before the run, and the kernel
  // reads the claimed copy: calls from several threads draw different samples, and none reads
  // the counter while another moves it on. (A lock, not atomic_ref: a weight may be a view of
  // the caller's memory, with no promise of alignment.)
  for (size_t k = 0; k < fn.variables.size(); ++k)
    if (fn.variables[k].callCounter) {
      static std::mutex counterLock;
      Tensor claimed = Tensor::empty(DType::I64, variables[k].shape());
      std::lock_guard<std::mutex> hold(counterLock);
      *claimed.data<int64_t>() = (*variables[k].data<int64_t>())++;
      variables[k] = std::move(claimed);
    }

  std::vector<Tensor> outputs;
  source_->report([&](DiagnosticEngine &diags) {
    if (!compile) {
      InterpOptions interp;
      interp.byteBudget = compute.byteBudget;
      auto result =
          interpret(fn, toArrays(ordered), toArrays(variables), *source_->file, diags, interp);
      if (!result)
        return false;
      for (Array &a : *result)
        outputs.push_back(fromArray(a));
      return true;
    }
    std::vector<TensorRef> in = refs(ordered), vars = refs(variables);
    driver::RunOptions options;
    options.byteBudget = compute.byteBudget;
    auto outShapes = checked->kernel->outputShapes(in, *source_->file, diags, options);
    if (!outShapes)
      return false;
    for (size_t k = 0; k < outShapes->size(); ++k)
      outputs.push_back(Tensor::empty(fn.typeOf(fn.outputs[k]).dtype, (*outShapes)[k]));
    std::vector<TensorRef> out = refs(outputs);
    return checked->kernel->run(in, vars, out, executorFor(compute), *source_->file, diags,
                                options);
  });
  return outputs;
}

Executor &executorFor(const ComputeOptions &compute) {
  if (compute.executor)
    return *compute.executor;
  if (compute.threads > ComputeOptions::kMaxThreads)
    raise(fmt::format("threads must be at most {}, not {}", ComputeOptions::kMaxThreads,
                      compute.threads));
  return compute.threads ? executorWithThreads(compute.threads) : defaultExecutor();
}

std::optional<ConstValue> constFromJson(const Json &value) {
  switch (value.kind()) {
  case Json::Kind::Null:
    return ConstValue::none();
  case Json::Kind::Bool:
    return ConstValue::boolean(value.asBool());
  case Json::Kind::Number:
    if (value.isInteger())
      return ConstValue::integer(*value.asInt());
    return ConstValue::real(value.asDouble());
  case Json::Kind::String:
    return ConstValue::string(value.asString());
  case Json::Kind::Array: {
    ConstValue list;
    list.kind = ConstValue::Kind::List;
    for (const Json &item : value.items()) {
      auto element = constFromJson(item);
      if (!element)
        return std::nullopt;
      list.elements.push_back(std::move(*element));
    }
    return list;
  }
  case Json::Kind::Object:
    return std::nullopt;
  }
  return std::nullopt;
}

Json jsonFromConst(const ConstValue &value) {
  switch (value.kind) {
  case ConstValue::Kind::None:
    return Json();
  case ConstValue::Kind::Bool:
    return Json::boolean(value.b);
  case ConstValue::Kind::Int:
    return Json::integer(value.i);
  case ConstValue::Kind::Float:
    return Json::number(value.f);
  case ConstValue::Kind::String:
    return Json::string(value.s);
  case ConstValue::Kind::List:
  case ConstValue::Kind::Tuple: {
    Json list = Json::array();
    for (const ConstValue &e : value.elements)
      list.push(jsonFromConst(e));
    return list;
  }
  }
  return Json();
}

} // namespace lamina
