// Models: Sequential and functional, summary, configs (and their errors, located in the
// JSON file), save/load round trips, weights files, and many threads on one model.

#include "lamina/Model.h"
#include "runtime/io/Safetensors.h"
#include "runtime/tensor/TensorBridge.h"
#include "tests/runtime/RuntimeTestSupport.h"

#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <thread>

using namespace lamina;
using namespace lamina::test;
namespace fs = std::filesystem;

namespace {

std::shared_ptr<Sequential> smallSequential() {
  DenseOptions relu;
  relu.activation = "relu";
  auto model = std::make_shared<Sequential>(std::vector<std::shared_ptr<Layer>>{
      std::make_shared<InputLayer>(TensorShape{-1, 6}, DType::F32, ""),
      std::make_shared<Dense>(8, relu),
      std::make_shared<Lambda>("def f(x):\n"
                               "    x -= mean(x, axis=1, keepdims=True)\n"
                               "    return concat([relu(x), relu(-x)], axis=1)\n"),
      std::make_shared<Lambda>("def g(x):\n"
                               "    s = variable(full([x.shape[-1]], 0.5), name=\"scale\")\n"
                               "    return x * s\n"),
      std::make_shared<Dense>(3)});
  return model;
}

// A config whose third line holds a lambda with a mistake at a known column.
constexpr const char *kBadLambdaConfig = R"j({"class_name": "Sequential", "config": {"name": "m",
  "layers": [{"class_name": "InputLayer", "config": {"batch_shape": [null, 4]}},
    {"class_name": "Lambda", "config": {"function": "lambda x: mean(x, axis=2)"}}]}}
)j";

} // namespace

TEST_CASE("sequential: calls, summary and parameter counts") {
  auto model = smallSequential();
  REQUIRE(model->built());
  Tensor y = (*model)(ramp({7, 6}));
  CHECK(y.shape() == TensorShape{7, 3});
  CHECK(model->countParams() == (6 * 8 + 8) + 16 + (16 * 3 + 3));
  std::string summary = model->summary();
  CHECK(summary.find("(None, 16)") != std::string::npos);
  CHECK(summary.find("Total params: 123") != std::string::npos);
  CHECK(summary.find("Layer (type)") != std::string::npos);
  // The graph view works on a Sequential's layers too.
  CHECK(model->stack()[0]->outputShape() == std::vector<TensorShape>{{-1, 8}});
}

TEST_CASE("functional: several inputs, a lambda fed a list, two outputs") {
  SymbolicTensor a = Input({4}, DType::F32, "a"), b = Input({4}, DType::F32, "b");
  auto join = std::make_shared<Lambda>("lambda t: concat([t[0], t[1] * 2], axis=-1)");
  SymbolicTensor joined = (*join)(std::vector<SymbolicTensor>{a, b})[0];
  SymbolicTensor out = (*std::make_shared<Dense>(2))(joined);
  auto model = std::make_shared<Model>(std::vector{a, b}, std::vector{out, joined}, "two");
  CHECK(model->inputNames() == std::vector<std::string>{"a", "b"});
  std::vector<Tensor> y = (*model)({ramp({3, 4}), ramp({3, 4}, 0.5f, 0)});
  REQUIRE(y.size() == 2);
  CHECK(y[0].shape() == TensorShape{3, 2});
  CHECK(y[1].shape() == TensorShape{3, 8});
  CHECK(y[1].at({1, 4}) == doctest::Approx(2 * (4 * 0.5f)));
  CHECK(model->summary().find("Connected to") != std::string::npos);
  errorOf([&] { (*model)({ramp({3, 4})}); });
  errorOf([&] { (*model)({ramp({3, 5}), ramp({3, 4})}); });
}

TEST_CASE("save and load: configs and weights round-trip bit for bit") {
  for (std::string format : {"safetensors", "npz"}) {
    CAPTURE(format);
    TempDir dir;
    auto model = smallSequential();
    Tensor x = ramp({5, 6});
    Tensor y = (*model)(x);
    saveModel(*model, dir.path.string(), format);
    CHECK(fs::exists(dir.path / ("model.weights." + format)));
    std::shared_ptr<Model> back = loadModel(dir.path.string());
    CHECK(bitEqual((*back)(x), y));
    std::vector<Tensor> w1 = model->getWeights(), w2 = back->getWeights();
    REQUIRE(w1.size() == w2.size());
    for (size_t k = 0; k < w1.size(); ++k)
      CHECK(bitEqual(w1[k], w2[k]));
    // Saving what was loaded gives the same config text.
    CHECK(modelToJson(*back, "model.weights." + format).dump() ==
          Json::parse(readText(dir.path / "config.json")).dump());
  }
  // Functional models too.
  TempDir dir;
  SymbolicTensor a = Input({4}, DType::F32, "in_a"), b = Input({4}, DType::F32, "in_b");
  SymbolicTensor s = (*std::make_shared<Lambda>("lambda t: t[0] * t[1] + 1"))(std::vector{a, b})[0];
  auto model =
      std::make_shared<Model>(std::vector{a, b}, std::vector{(*std::make_shared<Dense>(3))(s)});
  std::vector<Tensor> in = {ramp({2, 4}), ramp({2, 4}, 0.3f, 0.1f)};
  Tensor y = (*model)(in)[0];
  saveModel(*model, dir.path.string());
  CHECK(bitEqual((*loadModel(dir.path.string()))(in)[0], y));
}

// Issue 13, item 3: `x[:, :5]` on an axis the model leaves unknown is typed (None, 5, 16), so a
// call whose axis is shorter must fail at the slice, not return 3 rows the next layer
// mistakes for 5.
TEST_CASE("models: a slice of an unknown axis is checked at run time, at the slice") {
  SymbolicTensor x = Input({-1, 16}, DType::F32, "seq");
  SymbolicTensor y = (*std::make_shared<Lambda>("lambda x: x[:, :5]"))(x);
  auto model = std::make_shared<Model>(std::vector{x}, std::vector{y});
  CHECK(y.shape() == TensorShape{-1, 5, 16});
  CHECK((*model)(ramp({2, 7, 16})).shape() == TensorShape{2, 5, 16});
  std::string e = errorOf([&] { (*model)(ramp({2, 3, 16})); }, "E0508");
  CHECK(e.find("x[:, :5]") != std::string::npos);
  // The same lambda called on a tensor outside a model is NumPy's slice: 3 rows.
  CHECK((*std::make_shared<Lambda>("lambda x: x[:, :5]"))(ramp({2, 3, 16})).shape() ==
        TensorShape{2, 3, 16});
}

TEST_CASE("configs: a mistake in a lambda points into the JSON file") {
  TempDir dir;
  std::string path = dir.file("config.json", kBadLambdaConfig);
  std::string e = errorOf([&] { loadModel(path); }, "E0502");
  // Line 3; the `2` of `axis=2` is column 67 of that line in the file.
  std::string line3 =
      R"j(    {"class_name": "Lambda", "config": {"function": "lambda x: mean(x, axis=2)"}}]}})j";
  size_t column = line3.find("axis=2") + 1;
  CHECK_MESSAGE(e.find(path + ":3:" + std::to_string(column)) != std::string::npos, e);
  CHECK(e.find(line3) != std::string::npos); // the quoted line is the JSON's
  // Escapes before the mistake move it in the file, not in the lambda.
  std::string escaped = R"j({"class_name": "Sequential", "config": {"layers": [
 {"class_name": "InputLayer", "config": {"batch_shape": [null, 4]}},
 {"class_name": "Lambda", "config": {"function": "def f(x):\n    \"\"\"doc\"\"\"\n    return x +* 2"}}]}})j";
  std::string e2 = errorOf([&] { modelFromJson(escaped, "e.json"); }, "E0201");
  std::string third = escaped.substr(escaped.rfind('\n') + 1);
  CHECK_MESSAGE(e2.find("e.json:3:" + std::to_string(third.find("+*") + 2)) != std::string::npos,
                e2);
  // A multi-line function as a list of lines.
  std::string lines = R"j({"class_name": "Sequential", "config": {"layers": [
 {"class_name": "InputLayer", "config": {"batch_shape": [null, 4]}},
 {"class_name": "Lambda", "config": {"function": [
   "def f(x):",
   "    return undefined_name(x)"]}}]}})j";
  std::string e3 = errorOf([&] { modelFromJson(lines, "l.json"); });
  CHECK_MESSAGE(e3.find("l.json:5:16") != std::string::npos, e3);
}

TEST_CASE("configs: bytecode, unknown keys and classes are refused") {
  auto lambdaWith = [](const std::string &config) {
    return R"j({"class_name": "Sequential", "config": {"layers": [{"class_name": "Lambda", "config": )j" +
           config + "}]}}";
  };
  std::string k2 = errorOf(
      [&] {
        modelFromJson(lambdaWith(
            R"j({"function": ["4wEAAAAAAAAA", null, null], "function_type": "lambda"})j"));
      },
      "E0808");
  CHECK(k2.find("lamina source text") != std::string::npos);
  errorOf([&] { modelFromJson(lambdaWith(R"j({"function": ["4wEAAAAAAAAA", null, null]})j")); },
          "E0808");
  errorOf(
      [&] {
        modelFromJson(lambdaWith(
            R"j({"function": {"class_name": "__lambda__", "config": {"code": "4wEAAAAA"}}})j"));
      },
      "E0808");
  std::string safe = errorOf(
      [&] { modelFromJson(lambdaWith(R"j({"function": "lambda x: x", "safe_mode": false})j")); },
      "E0807");
  CHECK(safe.find("no unsafe mode") != std::string::npos);
  errorOf(
      [] {
        modelFromJson(
            R"j({"class_name": "Sequential", "config": {"layers": [{"class_name": "TFOpLambda", "config": {}}]}})j");
      },
      "E0804");
  errorOf(
      [] {
        modelFromJson(
            R"j({"class_name": "Sequential", "config": {"layers": [{"class_name": "Dense", "config": {"units": -3}}]}})j");
      },
      "E0806");
  errorOf(
      [] {
        modelFromJson(
            R"j({"class_name": "Sequential", "config": {"layers": [{"class_name": "Dense", "config": {"units": 3, "activation": "eval"}}]}})j");
      },
      "E0806");
  errorOf([] { modelFromJson(std::string(100000, '[')); }, "E0803");
  // Keras's complex dtypes: E0417, which says what to do instead; uint16 is a dtype.
  std::string complex = errorOf(
      [] {
        modelFromJson(
            R"j({"class_name": "Sequential", "config": {"layers": [{"class_name": "InputLayer", "config": {"batch_shape": [null, 4], "dtype": "complex64"}}]}})j");
      },
      "E0417");
  CHECK(complex.find("real and imaginary parts") != std::string::npos);
  CHECK_NOTHROW(modelFromJson(
      R"j({"class_name": "Sequential", "config": {"layers": [{"class_name": "InputLayer", "config": {"batch_shape": [null, 4], "dtype": "uint16"}}]}})j"));
  errorOf([&] { modelFromJson(lambdaWith(R"j({"function": "lambda x: x", "output_shape": 3})j")); },
          "E0806");
  errorOf(
      [&] { modelFromJson(lambdaWith(R"j({"function": "lambda x: x", "output_shape": [-2]})j")); },
      "E0806");
  std::string many = R"j({"class_name": "Sequential", "config": {"layers": [)j";
  for (int k = 0; k < 10001; ++k)
    many += std::string(k ? "," : "") +
            R"j({"class_name": "Activation", "config": {"activation": "relu"}})j";
  errorOf([&] { modelFromJson(many + "]}}"); }, "E0806");
}

TEST_CASE("configs: a long chain of layers loads without deep recursion") {
  // 2000 layers, listed last to first: each pass of the loader can make only one call.
  const int n = 2000;
  std::string layers =
      R"j({"class_name": "InputLayer", "name": "in", "config": {"name": "in", "batch_shape": [null, 3]}, "inbound_nodes": []})j";
  for (int k = n; k >= 1; --k)
    layers += fmt::format(
        R"j(, {{"class_name": "Activation", "name": "a{}", "config": {{"name": "a{}", "activation": "relu"}}, "inbound_nodes": [[["{}", 0, 0, {{}}]]]}})j",
        k, k, k == 1 ? std::string("in") : fmt::format("a{}", k - 1));
  std::string config =
      R"j({"class_name": "Functional", "config": {"layers": [)j" + layers +
      fmt::format(R"j(], "input_layers": [["in", 0, 0]], "output_layers": [["a{}", 0, 0]]}}}})j",
                  n);
  std::shared_ptr<Model> model = modelFromJson(config);
  CHECK(model->layers().size() == size_t(n) + 1);
  CHECK(bitEqual((*model)(f32({1, 3}, {-1, 0, 2})), f32({1, 3}, {0, 0, 2})));
}

TEST_CASE("weights files: paths stay in the model's folder; contents are checked") {
  TempDir dir;
  auto model = smallSequential();
  saveModel(*model, (dir.path / "m").string());
  std::string config = (dir.path / "m" / "config.json").string();
  std::string text = readText(config);
  auto withWeights = [&](const std::string &name) {
    std::string t = text;
    size_t at = t.find("\"model.weights.safetensors\"");
    REQUIRE(at != std::string::npos);
    t.replace(at, std::string("\"model.weights.safetensors\"").size(), "\"" + name + "\"");
    return dir.file("m/config.json", t);
  };
  dir.file("secret.safetensors", "x");
  errorOf([&] { loadModel(withWeights("../secret.safetensors")); }, "E0809");
  errorOf([&] { loadModel(withWeights("/etc/passwd")); }, "E0809");
  fs::create_symlink(dir.path / "secret.safetensors", dir.path / "m" / "link.safetensors");
  errorOf([&] { loadModel(withWeights("link.safetensors")); }, "E0809");
  fs::create_directories(dir.path / "m" / "sub.safetensors");
  errorOf([&] { loadModel(withWeights("sub.safetensors")); }, "E0809");
  // A weights file that does not fit the model.
  DenseOptions otherOptions;
  otherOptions.name = "dense_other";
  auto other = std::make_shared<Sequential>(std::vector<std::shared_ptr<Layer>>{
      std::make_shared<InputLayer>(TensorShape{-1, 6}, DType::F32, ""),
      std::make_shared<Dense>(8, otherOptions)});
  saveWeights(*other, (dir.path / "m" / "other.safetensors").string());
  errorOf([&] { loadModel(withWeights("other.safetensors")); }, "E0902");
  // Truncated weights: an error, never a crash.
  fs::resize_file(dir.path / "m" / "model.weights.safetensors", 100);
  CHECK(!errorOf([&] { loadModel(withWeights("model.weights.safetensors")); }).empty());
}

TEST_CASE("threads: 16 threads call one model and compile different lambdas at once") {
  auto model = smallSequential();
  Tensor x = ramp({33, 6});
  Tensor expected = (*model)(x);
  std::vector<std::thread> threads;
  std::atomic<int> wrong = 0;
  for (int t = 0; t < 16; ++t)
    threads.emplace_back([&, t] {
      for (int k = 0; k < 20; ++k)
        if (!bitEqual((*model)(x), expected))
          ++wrong;
      // Each thread also compiles a lambda of its own.
      auto own = std::make_shared<Lambda>("lambda x: x * " + std::to_string(t + 1) + ".0 + 1.0");
      Tensor y = (*own)(f32({1}, {1}));
      if (y.at({0}) != double(t + 2))
        ++wrong;
    });
  for (auto &th : threads)
    th.join();
  CHECK(wrong == 0);
}

// Issue 13, item 6: loading applies the byte budget to every weight and initial value before
// allocating, and a call's outputs count against it: E0703 with its code, never bad_alloc.
TEST_CASE("budgets: huge variables, Dense kernels and outputs are E0703 before allocation") {
  TempDir dir;
  std::string variable = dir.file("variable.json", R"j({"class_name": "Sequential", "config": {
  "name": "m", "layers": [
    {"class_name": "InputLayer", "config": {"batch_shape": [null, 4], "name": "in"}},
    {"class_name": "Lambda", "config": {"name": "l",
     "function": "lambda x: x + sum(variable(zeros([200000, 200000])))"}}]}})j");
  std::string e = errorOf([&] { loadModel(variable); }, "E0703");
  CHECK(e.find("variable.json:5:") != std::string::npos);
  std::string glorot = dir.file("glorot.json", R"j({"class_name": "Sequential", "config": {
  "name": "m", "layers": [
    {"class_name": "InputLayer", "config": {"batch_shape": [null, 8], "name": "in"}},
    {"class_name": "Lambda", "config": {"name": "l",
     "function": "lambda x: x * sum(variable(glorot_uniform([20000, 20000, 8])))"}}]}})j");
  errorOf([&] { loadModel(glorot); }, "E0703");
  std::string dense = dir.file("dense.json", R"j({"class_name": "Sequential", "config": {
  "name": "m", "layers": [
    {"class_name": "InputLayer", "config": {"batch_shape": [null, 100000], "name": "in"}},
    {"class_name": "Dense", "config": {"name": "d", "units": 100000}}]}})j");
  errorOf([&] { loadModel(dense); }, "E0703");
  // A call whose output alone is past the budget is refused before its output is allocated.
  auto tile = std::make_shared<Lambda>("lambda x: tile(x, (100000, 100000))");
  errorOf([&] { (*tile)(ramp({8, 8})); }, "E0703");
}

// Issue 13, item 9: Keras files as they are. tf.keras 2's to_json() adds `keras_version` and
// `backend`; Python's json writes NaN and Infinity; editors add a byte-order mark; TensorFlow
// names weights `dense/kernel:0`.
TEST_CASE("configs: Keras files as they are") {
  TempDir dir;
  auto config = [](const std::string &weights) {
    return R"j({"class_name": "Sequential", "config": {"name": "sequential", "layers": [
  {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 4], "dtype": "float32",
   "sparse": false, "ragged": false, "name": "input_1"}},
  {"class_name": "Lambda", "config": {"name": "lambda", "trainable": true, "dtype": "float32",
   "function": "lambda x, lo, hi: clip(x, lo, hi)", "function_type": "lambda",
   "module": "__main__", "output_shape": null, "output_shape_type": "raw",
   "output_shape_module": null, "arguments": {"lo": -Infinity, "hi": Infinity}}},
  {"class_name": "Dense", "config": {"name": "dense", "units": 2}}]},
 "keras_version": "2.15.0", "backend": "tensorflow")j" +
           weights + "}";
  };
  auto fresh = modelFromJson(config(""), "fresh.json");
  std::vector<std::pair<std::string, Array>> renamed;
  for (const Weight &w : fresh->weights())
    renamed.emplace_back(w.name + ":0", toArray(w.value));
  REQUIRE(io::writeSafetensors((dir.path / "w.safetensors").string(), renamed) == "");
  std::string path =
      dir.file("config.json", "\xEF\xBB\xBF" + config(R"j(, "weights": "w.safetensors")j"));
  auto loaded = loadModel(path);
  // The weights arrived under their Keras names; infinities are Python's json's spelling.
  CHECK(bitEqual((*loaded)(ramp({2, 4})), (*fresh)(ramp({2, 4}))));
  std::string written = modelToJson(*loaded).dump();
  CHECK(written.find("-Infinity") != std::string::npos);
  // A NaN argument arrives as NaN.
  auto nan = modelFromJson(R"j({"class_name": "Sequential", "config": {"name": "s", "layers": [
  {"class_name": "InputLayer", "config": {"batch_shape": [null, 2], "name": "in"}},
  {"class_name": "Lambda", "config": {"function": "lambda x, a: x * a", "arguments": {"a": NaN}}}]}})j");
  CHECK(std::isnan((*nan)(ramp({1, 2})).at({0, 0})));
}
