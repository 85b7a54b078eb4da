#include "runtime/model/ConfigReader.h"

#include "runtime/json/JsonParser.h"
#include "runtime/layers/Activations.h"
#include "runtime/layers/Initializers.h"
#include "runtime/layers/LambdaFactory.h"
#include "runtime/layers/LambdaSource.h"
#include "runtime/layers/TensorJson.h"
#include "runtime/support/Report.h"

#include <fmt/format.h>
#include <map>
#include <set>

namespace lamina {
namespace {

constexpr const char *kClasses = "`InputLayer`, `Dense`, `Activation`, `Lambda`";
/// The most layers one config may hold: far beyond real models, and it bounds the work a
/// hostile config can ask for (every layer is checked as it is built).
constexpr size_t kMaxLayers = 10'000;

class Reader {
public:
  explicit Reader(std::shared_ptr<const SourceFile> file) : file_(std::move(file)) {}

  LoadedConfig read() {
    ReportCollector collector;
    DiagnosticEngine diags(collector);
    std::optional<Json> root = parseJson(*file_, diags);
    if (!root)
      collector.raise();
    expectObject(*root, "the config");
    checkKeys(*root, "the model", {"class_name", "config", "weights"},
              {"module", "registered_name", "build_config", "compile_config", "keras_version",
               "backend"});
    std::string cls = stringAt(*root, "class_name", "the config");
    const Json &config = member(*root, "config", "the config");
    expectObject(config, "`config`");
    LoadedConfig out;
    if (cls == "Sequential")
      out.model = sequential(config);
    else if (cls == "Functional" || cls == "Model")
      out.model = functional(config);
    else
      fail(*root->find("class_name"), DiagKind::ConfigBadValue, "class_name",
           "\"Sequential\" or \"Functional\"");
    if (const Json *w = root->find("weights"); w && !w->isNull()) {
      if (!w->isString())
        fail(*w, DiagKind::ConfigBadValue, "weights", "the name of a weights file, as a string");
      out.weights = w->asString();
      out.weightsValue = *w;
    }
    return out;
  }

private:
  // ---- errors, located at a value of the config
  template <class... Args>
  [[noreturn]] void fail(const Json &at, DiagKind kind, const Args &...args) const {
    raise(makeDiagnostic(kind, *file_, SourceRange{at.begin(), std::max(at.begin() + 1, at.end())},
                         args...));
  }

  // The key of an object member: its quoted text just before the value.
  SourceRange keyRange(const Json &value) const {
    const std::string &t = file_->text();
    size_t p = value.begin();
    while (p > 0 && (t[p - 1] == ' ' || t[p - 1] == '\t' || t[p - 1] == '\n' || t[p - 1] == '\r' ||
                     t[p - 1] == ':'))
      --p;
    size_t close = p;
    if (close == 0 || t[close - 1] != '"')
      return {value.begin(), value.end()};
    size_t open = close - 1;
    while (open > 0 && !(t[open - 1] == '"' && (open < 2 || t[open - 2] != '\\')))
      --open;
    return {uint32_t(open ? open - 1 : 0), uint32_t(close)};
  }

  void expectObject(const Json &value, const std::string &what) const {
    if (!value.isObject())
      fail(value, DiagKind::ConfigBadValue, what, "a JSON object");
  }

  const Json &member(const Json &object, const std::string &key, const std::string &what) const {
    const Json *value = object.find(key);
    if (!value)
      fail(object, DiagKind::ConfigMissingKey, what, key);
    return *value;
  }

  std::string stringAt(const Json &object, const std::string &key, const std::string &what) const {
    const Json &value = member(object, key, what);
    if (!value.isString())
      fail(value, DiagKind::ConfigBadValue, key, "a string");
    return value.asString();
  }

  // Known keys are read; `ignorable` ones are Keras keys that do not change what inference
  // computes (regularizers, constraints, training settings). Anything else is an error.
  void checkKeys(const Json &object, const std::string &what, std::set<std::string> known,
                 std::set<std::string> ignorable = {}) const {
    for (const auto &[key, value] : object.members()) {
      if (known.count(key) || ignorable.count(key))
        continue;
      Diagnostic d = makeDiagnostic(DiagKind::ConfigUnknownKey, *file_, keyRange(value), key, what);
      if (key == "safe_mode")
        d.withLabel("lamina has no unsafe mode: loading a config never runs code, and no key "
                    "changes that");
      raise(d);
    }
  }

  DType dtypeAt(const Json &config) const {
    const Json *value = config.find("dtype");
    if (!value || value->isNull())
      return DType::F32;
    const Json *name = value;
    // Keras 3 writes a DTypePolicy: {"class_name": "DTypePolicy", "config": {"name": ...}}.
    if (value->isObject()) {
      const Json *inner = value->find("config");
      name = inner && inner->isObject() ? inner->find("name") : nullptr;
      if (!name)
        fail(*value, DiagKind::ConfigBadValue, "dtype", "a dtype name or a DTypePolicy");
    }
    auto dtype = name->isString() ? parseDType(name->asString()) : std::nullopt;
    // Keras spells complex dtypes "complex64" and "complex128" (E0417: lamina has none).
    if (!dtype && name->isString() && name->asString().starts_with("complex"))
      fail(*name, DiagKind::ComplexDType, name->asString());
    if (!dtype)
      fail(*name, DiagKind::ConfigBadValue, "dtype", "a dtype such as \"float32\"");
    return *dtype;
  }

  bool boolAt(const Json &config, const std::string &key, bool fallback) const {
    const Json *value = config.find(key);
    if (!value || value->isNull())
      return fallback;
    if (!value->isBool())
      fail(*value, DiagKind::ConfigBadValue, key, "true or false");
    return value->asBool();
  }

  std::string nameAt(const Json &config) const {
    const Json *value = config.find("name");
    if (!value || value->isNull())
      return "";
    if (!value->isString() || value->asString().empty() || value->asString().size() > 256)
      fail(*value, DiagKind::ConfigBadValue, "name", "a non-empty string of at most 256 bytes");
    return value->asString();
  }

  TensorShape shapeAt(const Json &value, const std::string &key) const {
    if (!value.isArray() || value.items().size() > 8)
      fail(value, DiagKind::ConfigBadValue, key, "a list of at most 8 sizes (null for unknown)");
    TensorShape shape;
    for (const Json &d : value.items()) {
      if (d.isNull()) {
        shape.push_back(-1);
        continue;
      }
      auto n = d.asInt();
      if (!n || *n < 0 || *n > (int64_t(1) << 40))
        fail(d, DiagKind::ConfigBadValue, key, "made of sizes from 0 to 2^40, or null");
      shape.push_back(*n);
    }
    return shape;
  }

  // ---- layers
  std::shared_ptr<Layer> layer(const Json &entry, std::optional<TensorShape> *inputShape) {
    expectObject(entry, "a layer");
    std::string cls = stringAt(entry, "class_name", "a layer");
    const Json &config = member(entry, "config", "layer `" + cls + "`");
    expectObject(config, "`config`");
    std::set<std::string> common = {"name",        "trainable", "dtype", "batch_input_shape",
                                    "input_shape", "batch_size"};
    if (inputShape)
      for (const char *key : {"batch_input_shape", "batch_shape"})
        if (const Json *s = config.find(key); s && !s->isNull())
          *inputShape = shapeAt(*s, key);
    if (cls == "InputLayer")
      return nullptr; // handled by the callers, which know where inputs go
    if (cls == "Dense")
      return dense(config, common);
    if (cls == "Activation") {
      common.insert("activation");
      checkKeys(config, "Activation", common);
      const Json &a = member(config, "activation", "Activation");
      std::string name = activationName(a);
      return std::make_shared<Activation>(
          name,
          ActivationOptions{nameAt(config), dtypeAt(config), boolAt(config, "trainable", true)});
    }
    if (cls == "Lambda")
      return lambda(config, common);
    fail(*entry.find("class_name"), DiagKind::UnknownLayerClass, cls, kClasses);
  }

  std::string activationName(const Json &value) const {
    if (value.isNull())
      return "linear";
    if (!value.isString() || !activationSource(value.asString()))
      fail(value, DiagKind::ConfigBadValue, "activation",
           fmt::format("one of {}", fmt::join(activationNames(), ", ")));
    return value.asString();
  }

  Initializer initializer(const Json &value, const std::string &key) const {
    if (value.isString()) {
      Initializer init(snakeCase(value.asString()));
      if (!knownInitializer(init.name))
        fail(value, DiagKind::ConfigBadValue, key,
             fmt::format("one of {}", fmt::join(initializerNames(), ", ")));
      return init;
    }
    expectObject(value, "`" + key + "`");
    checkKeys(value, key, {"class_name", "config"}, {"module", "registered_name"});
    const Json &cls = member(value, "class_name", "`" + key + "`");
    if (!cls.isString() || !knownInitializer(snakeCase(cls.asString())))
      fail(cls, DiagKind::ConfigBadValue, key + ".class_name",
           fmt::format("one of {}", fmt::join(initializerNames(), ", ")));
    Initializer init(snakeCase(cls.asString()));
    if (const Json *c = value.find("config"); c && !c->isNull()) {
      expectObject(*c, "`" + key + ".config`");
      checkKeys(*c, key, {"seed", "mean", "stddev", "minval", "maxval", "value"},
                {"scale", "mode", "distribution"});
      auto number = [&](const char *name, double &slot) {
        if (const Json *v = c->find(name)) {
          if (!v->isNumber())
            fail(*v, DiagKind::ConfigBadValue, name, "a number");
          slot = v->asDouble();
        }
      };
      number("mean", init.mean);
      number("stddev", init.stddev);
      number("minval", init.minval);
      number("maxval", init.maxval);
      number("value", init.value);
      if (const Json *seed = c->find("seed"); seed && !seed->isNull()) {
        if (!seed->asInt())
          fail(*seed, DiagKind::ConfigBadValue, "seed", "an integer or null");
        init.seed = *seed->asInt();
      }
    }
    return init;
  }

  // "GlorotUniform" -> "glorot_uniform"; names already in snake case stay as they are.
  static std::string snakeCase(const std::string &name) {
    std::string out;
    for (size_t k = 0; k < name.size(); ++k) {
      char c = name[k];
      if (c >= 'A' && c <= 'Z') {
        if (k)
          out += '_';
        out += char(c - 'A' + 'a');
      } else {
        out += c;
      }
    }
    return out;
  }

  std::shared_ptr<Layer> dense(const Json &config, std::set<std::string> common) {
    for (const char *k : {"units", "activation", "use_bias", "kernel_initializer",
                          "bias_initializer", "lora_rank", "quantization_config"})
      common.insert(k);
    checkKeys(config, "Dense", common,
              {"kernel_regularizer", "bias_regularizer", "activity_regularizer",
               "kernel_constraint", "bias_constraint", "lora_alpha"});
    for (const char *k : {"lora_rank", "quantization_config"})
      if (const Json *v = config.find(k); v && !v->isNull())
        fail(*v, DiagKind::ConfigBadValue, k, "null (lamina has no LoRA or quantized Dense)");
    const Json &units = member(config, "units", "Dense");
    if (!units.asInt() || *units.asInt() <= 0 || *units.asInt() > (int64_t(1) << 31))
      fail(units, DiagKind::ConfigBadValue, "units", "a positive integer of at most 2147483648");
    DenseOptions options;
    if (const Json *a = config.find("activation"))
      options.activation = activationName(*a);
    options.useBias = boolAt(config, "use_bias", true);
    if (const Json *k = config.find("kernel_initializer"); k && !k->isNull())
      options.kernelInitializer = initializer(*k, "kernel_initializer");
    if (const Json *b = config.find("bias_initializer"); b && !b->isNull())
      options.biasInitializer = initializer(*b, "bias_initializer");
    options.name = nameAt(config);
    options.dtype = dtypeAt(config);
    if (options.dtype != DType::F32 && options.dtype != DType::F64)
      fail(*config.find("dtype"), DiagKind::ConfigBadValue, "dtype",
           "\"float32\" or \"float64\" for Dense");
    options.trainable = boolAt(config, "trainable", true);
    return std::make_shared<Dense>(*units.asInt(), options);
  }

  [[noreturn]] void bytecode(const Json &at, const std::string &form) const {
    raise(makeDiagnostic(DiagKind::BytecodeLambda, *file_, SourceRange{at.begin(), at.end()}, form)
              .withLabel("write the function as lamina source text instead, e.g. \"function\": "
                         "\"lambda x: x ** 2\" (docs/config-format.md, \"Converting Keras "
                         "Lambdas\")"));
  }

  std::shared_ptr<const LambdaSource> source(const Json &value, const std::string &key,
                                             const std::string &layerName) const {
    bool lines = value.isArray() && !value.items().empty() &&
                 std::all_of(value.items().begin(), value.items().end(),
                             [](const Json &j) { return j.isString(); });
    if (!value.isString() && !lines)
      fail(value, DiagKind::ConfigBadValue, key,
           "lamina source text: a string, or a list of strings (one per line)");
    return LambdaSource::fromJson(value, file_, fmt::format("<{} {}>", layerName, key));
  }

  // Marshal data in base64: one unbroken run of the base64 alphabet. lamina source always has a
  // space, a colon, a bracket or an operator that base64 has no room for.
  static bool looksLikeBase64(const std::string &text) {
    return text.size() >= 8 &&
           text.find_first_not_of(
               "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\n") ==
               std::string::npos;
  }

  std::shared_ptr<Layer> lambda(const Json &config, std::set<std::string> common) {
    for (const char *k : {"function", "function_type", "output_shape", "output_shape_type", "mask",
                          "arguments", "module", "output_shape_module", "seed"})
      common.insert(k);
    checkKeys(config, "Lambda", common);
    const Json &function = member(config, "function", "Lambda");
    // Keras 3: {"class_name": "__lambda__", "config": {"code": base64 marshal, ...}}.
    if (function.isObject())
      bytecode(function, function.find("class_name") && function.find("class_name")->isString()
                             ? "Keras 3 `" + function.find("class_name")->asString() + "`"
                             : "a serialized Python object");
    std::string type = "lamina";
    if (const Json *t = config.find("function_type"); t && !t->isNull()) {
      if (!t->isString())
        fail(*t, DiagKind::ConfigBadValue, "function_type", "\"lamina\"");
      type = t->asString();
      // Keras 2 writes [base64 code, defaults, closure]; a function replaced by hand with
      // lamina text, its "lambda" type left as it was, is text like any other.
      if (type == "lambda" && (!function.isString() || looksLikeBase64(function.asString())))
        bytecode(function, "Keras 2 base64 marshal");
      if (type == "lambda")
        type = "lamina";
      if (type == "function")
        bytecode(function, "a Python function looked up by name");
      if (type != "lamina")
        fail(*t, DiagKind::ConfigBadValue, "function_type", "\"lamina\"");
    }
    // Keras 2 without function_type: [base64 code, defaults, closure].
    if (function.isArray() && !function.items().empty() &&
        !std::all_of(function.items().begin(), function.items().end(),
                     [](const Json &j) { return j.isString(); }))
      bytecode(function, "Keras 2 base64 marshal");
    for (const char *k : {"module", "output_shape_module"})
      if (const Json *m = config.find(k); m && !m->isNull() && !m->isString())
        fail(*m, DiagKind::ConfigBadValue, k, "a string or null (it is not used)");
    LambdaOptions options;
    options.name = nameAt(config);
    options.dtype = dtypeAt(config);
    options.trainable = boolAt(config, "trainable", true);
    std::string layerName = options.name.empty() ? "lambda" : options.name;
    std::shared_ptr<const LambdaSource> shapeSource, maskSource;
    if (const Json *t = config.find("output_shape_type"); t && !t->isNull()) {
      if (t->isString() && t->asString() == "lambda")
        bytecode(*config.find("output_shape"), "Keras 2 base64 marshal");
      if (!t->isString() || t->asString() != "raw")
        fail(*t, DiagKind::ConfigBadValue, "output_shape_type", "\"raw\" or null");
    }
    if (const Json *s = config.find("output_shape"); s && !s->isNull()) {
      if (s->isString())
        shapeSource = source(*s, "output_shape", layerName);
      else if (s->isObject())
        bytecode(*s, "a serialized Python object");
      else if (s->isArray()) {
        shapeAt(*s, "output_shape"); // refuses what is not a list of sizes
        options.outputShape = *s;
      } else {
        fail(*s, DiagKind::ConfigBadValue, "output_shape",
             "null, a list of sizes without the batch dimension, or a shape lambda's source");
      }
    }
    if (const Json *m = config.find("mask"); m && !m->isNull()) {
      if (m->isString() || m->isArray()) {
        maskSource = source(*m, "mask", layerName);
      } else {
        std::string error;
        auto constant = tensorFromJson(*m, error);
        if (!constant)
          fail(*m, DiagKind::ConfigBadValue, "mask", "lamina source text, null, or " + error);
        options.maskConstant = std::move(*constant);
      }
    }
    if (const Json *a = config.find("arguments"); a && !a->isNull()) {
      expectObject(*a, "`arguments`");
      for (const auto &[key, value] : a->members()) {
        if (value.isObject())
          fail(value, DiagKind::ConfigBadValue, "arguments." + key,
               "a number, string, bool, null or a list of those");
        options.arguments[key] = value;
      }
    }
    if (const Json *s = config.find("seed"); s && !s->isNull()) {
      std::optional<int64_t> seed = s->isInteger() ? s->asInt() : std::nullopt;
      if (!seed)
        fail(*s, DiagKind::ConfigBadValue, "seed", "an integer or null");
      options.seed = uint64_t(*seed); // written back as the same int64
    }
    return LambdaFactory::fromConfig(source(function, "function", layerName), options, maskSource,
                                     shapeSource);
  }

  // ---- models
  std::shared_ptr<Model> sequential(const Json &config) {
    checkKeys(config, "Sequential", {"name", "trainable", "dtype", "layers", "build_input_shape"});
    const Json &layers = member(config, "layers", "Sequential");
    if (!layers.isArray())
      fail(layers, DiagKind::ConfigBadValue, "layers", "a list of layers");
    if (layers.items().size() > kMaxLayers)
      fail(layers, DiagKind::ConfigBadValue, "layers",
           fmt::format("a list of at most {} layers", kMaxLayers));
    std::vector<std::shared_ptr<Layer>> stack;
    std::optional<TensorShape> inputShape;
    std::string inputName;
    DType inputType = DType::F32;
    std::set<std::string> names;
    for (size_t k = 0; k < layers.items().size(); ++k) {
      const Json &entry = layers.items()[k];
      checkKeys(entry, "a layer entry", {"class_name", "config"},
                {"module", "registered_name", "build_config", "name"});
      std::optional<TensorShape> shape;
      std::shared_ptr<Layer> l = layer(entry, k == 0 ? &shape : nullptr);
      if (!l) { // an InputLayer
        if (k != 0)
          fail(entry, DiagKind::ModelGraphError, "an InputLayer can only be the first layer");
        const Json &c = *entry.find("config");
        checkKeys(c, "InputLayer",
                  {"batch_shape", "batch_input_shape", "dtype", "name", "sparse", "ragged"});
        if (!shape)
          fail(c, DiagKind::ConfigMissingKey, "InputLayer", "batch_shape");
        inputType = dtypeAt(c);
        inputShape = shape;
        inputName = nameAt(c);
        continue;
      }
      if (shape && !inputShape)
        inputShape = shape;
      if (!names.insert(l->name()).second)
        fail(entry, DiagKind::DuplicateLayerName, l->name());
      stack.push_back(l);
    }
    if (const Json *s = config.find("build_input_shape"); s && !s->isNull() && !inputShape)
      inputShape = shapeAt(*s, "build_input_shape");
    // The input first: the model is then built (and every lambda checked) as it is made.
    if (inputShape)
      stack.insert(stack.begin(), std::make_shared<InputLayer>(*inputShape, inputType, inputName));
    return std::make_shared<Sequential>(stack, nameAt(config));
  }

  // One reference to a layer output: ["dense", 0, 0] (Keras 2, maybe with kwargs) or a Keras 3
  // {"class_name": "__keras_tensor__", "config": {"keras_history": ["dense", 0, 0], ...}}.
  SymbolicTensor
  tensorRef(const Json &ref,
            const std::map<std::string, std::vector<std::vector<SymbolicTensor>>> &made,
            bool &pending) const {
    const Json *history = &ref;
    if (ref.isObject()) {
      const Json *c = ref.find("config");
      history = c && c->isObject() ? c->find("keras_history") : nullptr;
      if (!history)
        fail(ref, DiagKind::ModelGraphError, "a tensor reference needs `keras_history`");
    }
    const auto &items = history->items();
    if (!history->isArray() || items.size() < 3 || !items[0].isString() || !items[1].asInt() ||
        !items[2].asInt())
      fail(*history, DiagKind::ModelGraphError,
           "a tensor reference is [layer name, node index, tensor index]");
    auto it = made.find(items[0].asString());
    if (it == made.end() || size_t(*items[1].asInt()) >= it->second.size()) {
      pending = true;
      pendingRef_ = {items[0].asString(), *items[1].asInt(), history};
      return SymbolicTensor(DType::F32, {});
    }
    const auto &outputs = it->second[size_t(*items[1].asInt())];
    if (*items[2].asInt() < 0 || size_t(*items[2].asInt()) >= outputs.size())
      fail(items[2], DiagKind::ModelGraphError,
           fmt::format("layer `{}` has {} outputs", items[0].asString(), outputs.size()));
    return outputs[size_t(*items[2].asInt())];
  }

  // The reference a pending call waits for (set by tensorRef), for the error that names it.
  struct PendingRef {
    std::string layer;
    int64_t node = 0;
    const Json *where = nullptr;
  };
  mutable PendingRef pendingRef_;

  bool isRef(const Json &j) const {
    return j.isObject() || (j.isArray() && !j.items().empty() && j.items()[0].isString());
  }

  std::shared_ptr<Model> functional(const Json &config) {
    checkKeys(config, "Functional",
              {"name", "trainable", "layers", "input_layers", "output_layers"});
    const Json &layers = member(config, "layers", "Functional");
    if (!layers.isArray())
      fail(layers, DiagKind::ConfigBadValue, "layers", "a list of layers");
    if (layers.items().size() > kMaxLayers)
      fail(layers, DiagKind::ConfigBadValue, "layers",
           fmt::format("a list of at most {} layers", kMaxLayers));
    struct Entry {
      const Json *json;
      std::shared_ptr<Layer> layer;
      std::string name;
      size_t nextNode = 0;
    };
    std::vector<Entry> entries;
    std::map<std::string, std::vector<std::vector<SymbolicTensor>>> made;
    for (const Json &entry : layers.items()) {
      checkKeys(entry, "a layer entry", {"class_name", "config", "name", "inbound_nodes"},
                {"module", "registered_name", "build_config"});
      std::shared_ptr<Layer> l = layer(entry, nullptr);
      const Json &c = *entry.find("config");
      std::string name = l ? l->name() : nameAt(c);
      if (!l) {
        checkKeys(c, "InputLayer",
                  {"batch_shape", "batch_input_shape", "dtype", "name", "sparse", "ragged"});
        const Json *s = c.find("batch_shape") ? c.find("batch_shape") : c.find("batch_input_shape");
        if (!s)
          fail(c, DiagKind::ConfigMissingKey, "InputLayer", "batch_shape");
        if (name.empty())
          fail(c, DiagKind::ConfigMissingKey, "InputLayer", "name");
        if (made.count(name))
          fail(entry, DiagKind::DuplicateLayerName, name);
        made[name].push_back(
            {Input(InputOptions{{}, shapeAt(*s, "batch_shape"), dtypeAt(c), name})});
      } else if (made.count(name) || std::any_of(entries.begin(), entries.end(),
                                                 [&](const Entry &e) { return e.name == name; })) {
        fail(entry, DiagKind::DuplicateLayerName, name);
      }
      entries.push_back({&entry, l, name});
    }
    // Calls are replayed in dependency order: a pass makes every call whose inputs exist,
    // until none is left (or none can be made: a reference to nothing, or a cycle).
    bool progress = true;
    while (progress) {
      progress = false;
      for (Entry &e : entries) {
        if (!e.layer)
          continue;
        const Json *nodes = e.json->find("inbound_nodes");
        if (!nodes || !nodes->isArray())
          continue;
        while (e.nextNode < nodes->items().size()) {
          const Json &node = nodes->items()[e.nextNode];
          bool pending = false;
          std::vector<SymbolicTensor> inputs = nodeInputs(node, made, pending);
          if (pending)
            break;
          made[e.name].push_back((*e.layer)(inputs));
          ++e.nextNode;
          progress = true;
        }
      }
    }
    // A call left waiting: say what it waits for - a layer that is not there, a call that is
    // never made, or a cycle of layers waiting for each other.
    auto waitingFor = [&](const Entry &e) -> std::optional<PendingRef> {
      const Json *nodes = e.layer ? e.json->find("inbound_nodes") : nullptr;
      if (!nodes || !nodes->isArray() || e.nextNode >= nodes->items().size())
        return std::nullopt;
      bool pending = false;
      nodeInputs(nodes->items()[e.nextNode], made, pending);
      return pendingRef_;
    };
    auto entryNamed = [&](const std::string &name) -> const Entry * {
      for (const Entry &e : entries)
        if (e.name == name)
          return &e;
      return nullptr;
    };
    for (const Entry &e : entries) {
      auto ref = waitingFor(e);
      if (!ref)
        continue;
      const Entry *target = entryNamed(ref->layer);
      if (!target)
        fail(*ref->where, DiagKind::ModelGraphError,
             fmt::format("layer `{}` takes an output of `{}`, which is not a layer of this model",
                         e.name, ref->layer));
      // Follow what each waits for; coming back to a layer already seen is a cycle.
      std::vector<std::string> path = {e.name};
      for (const Entry *at = target; at;) {
        if (auto loop = std::find(path.begin(), path.end(), at->name); loop != path.end()) {
          path.erase(path.begin(), loop);
          path.push_back(at->name);
          fail(*ref->where, DiagKind::ModelGraphError,
               fmt::format("the layers form a cycle: {} (each needs the next one's output)",
                           fmt::join(path, " <- ")));
        }
        path.push_back(at->name);
        auto next = waitingFor(*at);
        at = next ? entryNamed(next->layer) : nullptr;
      }
      fail(*ref->where, DiagKind::ModelGraphError,
           fmt::format("layer `{}` takes the output of call {} of `{}`, which is called {} time{}",
                       e.name, ref->node, ref->layer, made[ref->layer].size(),
                       made[ref->layer].size() == 1 ? "" : "s"));
    }
    auto refs = [&](const char *key) {
      const Json &list = member(config, key, "Functional");
      std::vector<SymbolicTensor> out;
      std::vector<const Json *> items;
      if (list.isArray() && !list.items().empty() && list.items()[0].isString())
        items.push_back(&list); // one reference, not a list of them
      else if (list.isArray())
        for (const Json &j : list.items())
          items.push_back(&j);
      else
        fail(list, DiagKind::ConfigBadValue, key,
             "a list of [layer name, node index, tensor index]");
      for (const Json *j : items) {
        bool pending = false;
        out.push_back(tensorRef(*j, made, pending));
        if (pending)
          fail(*j, DiagKind::ModelGraphError, "this refers to a layer call that does not exist");
      }
      return out;
    };
    std::vector<SymbolicTensor> inputs = refs("input_layers"), outputs = refs("output_layers");
    auto model = std::make_shared<Model>(inputs, outputs, nameAt(config));
    model->setTrainable(boolAt(config, "trainable", true));
    return model;
  }

  std::vector<SymbolicTensor>
  nodeInputs(const Json &node,
             const std::map<std::string, std::vector<std::vector<SymbolicTensor>>> &made,
             bool &pending) const {
    std::vector<SymbolicTensor> inputs;
    if (node.isObject()) { // Keras 3: {"args": [tensor or [tensors]], "kwargs": {...}}
      checkKeys(node, "an inbound node", {"args", "kwargs"});
      if (const Json *kw = node.find("kwargs"); kw && kw->isObject())
        for (const auto &[key, value] : kw->members())
          if (!(key == "mask" && value.isNull()) && !(key == "training"))
            raise(makeDiagnostic(DiagKind::ConfigUnknownKey, *file_, keyRange(value), key,
                                 "a layer call"));
      const Json &args = member(node, "args", "an inbound node");
      if (!args.isArray() || args.items().empty())
        fail(args, DiagKind::ModelGraphError,
             "`args` must hold the tensors the layer is called on");
      const Json &first = args.items()[0];
      if (first.isArray())
        for (const Json &t : first.items())
          inputs.push_back(tensorRef(t, made, pending));
      else
        inputs.push_back(tensorRef(first, made, pending));
      return inputs;
    }
    // Keras 2: [[name, node, tensor, kwargs], ...].
    if (!node.isArray() || node.items().empty())
      fail(node, DiagKind::ModelGraphError, "an inbound node lists the tensors a layer reads");
    for (const Json &t : node.items()) {
      if (!isRef(t))
        fail(t, DiagKind::ModelGraphError,
             "a tensor reference is [layer name, node index, tensor index]");
      inputs.push_back(tensorRef(t, made, pending));
    }
    return inputs;
  }

  std::shared_ptr<const SourceFile> file_;
};

} // namespace

LoadedConfig readModelConfig(std::shared_ptr<const SourceFile> file) {
  return Reader(std::move(file)).read();
}

} // namespace lamina
