// Layers: Lambda (source, arguments, variables, masks, output shapes), Dense against a plain
// loop, Activation, and the Keras Layer surface (weights, nodes, errors).

#include "lamina/Layers.h"
#include "compiler/driver/Driver.h"
#include "lamina/Runtime.h"
#include "runtime/layers/Initializers.h"
#include "runtime/layers/LaminaFunction.h"
#include "tests/runtime/RuntimeTestSupport.h"

#include <atomic>
#include <cmath>
#include <optional>
#include <set>
#include <thread>

using namespace lamina;
using namespace lamina::test;

namespace {

constexpr const char *kAntirectifier = "def antirectifier(x):\n"
                                       "    x -= mean(x, axis=1, keepdims=True)\n"
                                       "    x = l2_normalize(x, axis=1)\n"
                                       "    return concat([relu(x), relu(-x)], axis=1)\n";

} // namespace

TEST_CASE("lambda: computes, on the JIT and the interpreter alike") {
  Tensor x = ramp({5, 8});
  auto jit = std::make_shared<Lambda>(kAntirectifier);
  LambdaOptions interpOptions;
  interpOptions.engine = Engine::Interpreter;
  auto interp = std::make_shared<Lambda>(kAntirectifier, interpOptions);
  Tensor a = (*jit)(x), b = (*interp)(x);
  CHECK(a.shape() == TensorShape{5, 16});
  // The JIT sums rows with four accumulators, the interpreter with one: equal to rounding.
  REQUIRE(a.shape() == b.shape());
  for (int64_t i = 0; i < 5; ++i)
    for (int64_t j = 0; j < 16; ++j)
      CHECK(a.at({i, j}) == doctest::Approx(b.at({i, j})).epsilon(1e-6));
  // One kernel serves another batch size.
  CHECK((*jit)(ramp({3, 8})).shape() == TensorShape{3, 16});
}

TEST_CASE("compute options: the engine, threads, target and cache of one call") {
  Tensor x = ramp({64, 8});
  auto layer = std::make_shared<Lambda>(kAntirectifier);
  CallOptions interp;
  interp.compute.engine = Engine::Interpreter;
  CallOptions generic;
  generic.compute.threads = 2;
  generic.compute.cpu = "generic";
  generic.compute.kernelCache = false;
  Tensor a = layer->call({x}, interp).outputs.at(0), b = layer->call({x}, generic).outputs.at(0);
  Tensor c = layer->call({x}).outputs.at(0);
  REQUIRE(a.shape() == b.shape());
  REQUIRE(a.shape() == c.shape());
  // The ramp's later rows are large: `x - mean` cancels, so summation order shows at 1e-5.
  for (int64_t i = 0; i < 64; ++i)
    for (int64_t j = 0; j < 16; ++j) {
      CHECK(b.at({i, j}) == doctest::Approx(a.at({i, j})).epsilon(1e-4));
      CHECK(c.at({i, j}) == doctest::Approx(a.at({i, j})).epsilon(1e-4));
    }
  CallOptions tooMany;
  tooMany.compute.threads = ComputeOptions::kMaxThreads + 1;
  CHECK(errorOf([&] { layer->call({x}, tooMany); }).find("at most 256") != std::string::npos);
}

TEST_CASE("lambda: x ** 2 elementwise, and a list input") {
  auto square = std::make_shared<Lambda>("lambda x: x ** 2");
  Tensor y = (*square)(f32({2, 2}, {1, -2, 3, 0.5f}));
  CHECK(bitEqual(y, f32({2, 2}, {1, 4, 9, 0.25f})));
  auto add = std::make_shared<Lambda>("lambda t: t[0] + 2 * t[1]");
  std::vector<Tensor> out = (*add)({f32({1, 2}, {1, 2}), f32({1, 2}, {10, 20})});
  CHECK(bitEqual(out.at(0), f32({1, 2}, {21, 42})));
}

TEST_CASE("lambda: arguments are compile-time constants") {
  LambdaOptions options;
  options.arguments["scale"] = Json::number(0.5);
  auto layer = std::make_shared<Lambda>("lambda x, scale: x * scale", options);
  CHECK(bitEqual((*layer)(f32({1, 2}, {2, 4})), f32({1, 2}, {1, 2})));
  CHECK(layer->getConfig().find("arguments")->find("scale")->asDouble() == 0.5);
  LambdaOptions unknown;
  unknown.arguments["nope"] = Json::integer(1);
  errorOf([&] { (*std::make_shared<Lambda>("lambda x: x", unknown))(f32({1}, {1})); });
}

TEST_CASE("lambda: variables are made once per instance, reused, and listed") {
  const char *source = "def f(x):\n"
                       "    w = variable(ones([x.shape[-1]]), name=\"w\")\n"
                       "    return x * w\n";
  LambdaOptions named;
  named.name = "scaler";
  auto a = std::make_shared<Lambda>(source, named);
  auto b = std::make_shared<Lambda>(source);
  CHECK(a->weights().empty());
  Tensor x = f32({1, 3}, {1, 2, 3});
  CHECK(bitEqual((*a)(x), x));
  REQUIRE(a->weights().size() == 1);
  CHECK(a->weights()[0].name == "scaler/w");
  CHECK(a->countParams() == 3);
  a->setWeights({f32({3}, {2, 2, 2})});
  CHECK(bitEqual((*a)(x), f32({1, 3}, {2, 4, 6})));
  CHECK(bitEqual((*a)(x), f32({1, 3}, {2, 4, 6}))); // reused, not re-made
  CHECK(bitEqual((*b)(x), x));                      // another instance: its own variable
  std::string e = errorOf([&] { a->setWeights({f32({4}, {1, 2, 3, 4})}); });
  CHECK(e.find("scaler/w") != std::string::npos);
  errorOf([&] { a->setWeights({}); });
}

TEST_CASE("lambda: compute_output_shape comes from the checker, without running") {
  auto layer = std::make_shared<Lambda>(kAntirectifier);
  CHECK(layer->computeOutputShape({{-1, 256}}) == std::vector<TensorShape>{{-1, 512}});
  LambdaOptions declared;
  declared.outputShape = Json::array({Json::integer(512)});
  auto ok = std::make_shared<Lambda>(kAntirectifier, declared);
  CHECK(ok->computeOutputShape({{-1, 256}}) == std::vector<TensorShape>{{-1, 512}});
  LambdaOptions wrong;
  wrong.outputShape = Json::array({Json::integer(256)});
  auto bad = std::make_shared<Lambda>(kAntirectifier, wrong);
  errorOf([&] { bad->computeOutputShape({{-1, 256}}); }, "E0510");
  LambdaOptions shapeLambda;
  shapeLambda.outputShape = Json::string("lambda s: (s[0], 2 * s[1])");
  auto byLambda = std::make_shared<Lambda>(kAntirectifier, shapeLambda);
  CHECK(byLambda->computeOutputShape({{-1, 8}}) == std::vector<TensorShape>{{-1, 16}});
}

TEST_CASE("lambda: errors carry codes and carets") {
  std::string e = errorOf([] { Lambda("lambda x: (x +"); }, "E0203");
  CHECK(e.find("^") != std::string::npos);
  auto shapes = std::make_shared<Lambda>("lambda t: t[0] + t[1]");
  errorOf([&] { (*shapes)({ramp({2, 3}), ramp({2, 4})}); }, "E0501");
  // Keras calls function(inputs, **arguments): a second parameter is an argument, and one
  // without a value is an error, never the second input (issue 13, item 2).
  auto spread = std::make_shared<Lambda>("lambda t, alpha: t[0] + alpha * t[1]");
  errorOf([&] { (*spread)({ramp({2, 3}), ramp({2, 3})}); }, "E0317");
  // Only a comment: no function, a code and a caret (found by the config fuzzer).
  CHECK(errorOf([] { Lambda("# lambda x: x"); }, "E0304").find("^") != std::string::npos);
  errorOf([] { (*std::make_shared<Lambda>("lambda x: system(x)"))(ramp({1})); });
}

TEST_CASE("lambda: masks from a function or a constant") {
  LambdaOptions fn;
  fn.maskFunction = "lambda x, mask: x[:, :, 0] > 0";
  auto layer = std::make_shared<Lambda>("lambda x: x * 2", fn);
  CallResult r = layer->call({f32({1, 2, 2}, {1, 0, -1, 0})});
  REQUIRE(r.masks.size() == 1);
  REQUIRE(r.masks[0].valid());
  CHECK(bitEqual(r.masks[0], Tensor::fromValues<bool>({1, 2}, {true, false})));
  // The function itself may read the incoming mask.
  auto masked = std::make_shared<Lambda>("lambda x, mask=None: where(mask, x, 0.0)");
  CallOptions options;
  options.masks = {Tensor::fromValues<bool>({1, 2}, {true, false})};
  CHECK(bitEqual(masked->call({f32({1, 2}, {5, 6})}, options).outputs[0], f32({1, 2}, {5, 0})));
  LambdaOptions constant;
  constant.maskConstant = Tensor::fromValues<bool>({2}, {true, false});
  auto fixed = std::make_shared<Lambda>("lambda x: x", constant);
  CHECK(bitEqual(fixed->call({f32({1, 2}, {1, 2})}).masks[0], *constant.maskConstant));
}

// y[i, j] = activation(sum_k x[i, k] * w[k, j] + b[j]), in double.
void checkDense(const Tensor &x, const Tensor &y, const std::vector<Tensor> &w,
                double (*activation)(double), double epsilon) {
  int64_t rows = x.shape()[0], in = x.shape()[1], units = w[0].shape()[1];
  REQUIRE(y.shape() == TensorShape{rows, units});
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < units; ++j) {
      double acc = w.size() > 1 ? w[1].at({j}) : 0.0;
      for (int64_t k = 0; k < in; ++k)
        acc += x.at({i, k}) * w[0].at({k, j});
      CHECK(y.at({i, j}) == doctest::Approx(activation(acc)).epsilon(epsilon));
    }
}

TEST_CASE("dense: one lamina kernel - lamina's product or OpenBLAS, f32 and f64, rank 1") {
  // Deep and wide (K = 300, N = 256): OpenBLAS, then bias and relu; narrow: lamina's packed
  // product with them as its epilogue.
  for (int64_t units : {256, 7}) {
    for (DType dtype : {DType::F32, DType::F64}) {
      CAPTURE(units);
      DenseOptions options;
      options.activation = "relu";
      options.dtype = dtype;
      options.biasInitializer = Initializer("random_uniform");
      auto dense = std::make_shared<Dense>(units, options);
      Tensor x = ramp({9, 300}, 0.01f, -1.0f);
      if (dtype == DType::F64) {
        Tensor wide = Tensor::empty(DType::F64, {9, 300});
        for (int64_t k = 0; k < x.count(); ++k)
          wide.data<double>()[k] = double(x.data<float>()[k]);
        x = wide;
      }
      Tensor y = (*dense)(x);
      checkDense(
          x, y, dense->getWeights(), [](double v) { return std::max(v, 0.0); },
          dtype == DType::F32 ? 1e-4 : 1e-10);
    }
  }
  auto dense = std::make_shared<Dense>(3);
  Tensor row = (*dense)(ramp({4}, 0.5f, -1.0f));
  CHECK(row.shape() == TensorShape{3});
  checkDense(
      ramp({1, 4}, 0.5f, -1.0f), row.reshaped({1, 3}), dense->getWeights(),
      [](double v) { return v; }, 1e-5);
}

TEST_CASE("initializers: Keras's fans for kernels of rank above 2, as the interpreter's") {
  // A conv kernel [3, 3, 16, 32]: fan_in = 9 * 16, fan_out = 9 * 32.
  auto largest = [](const Tensor &t) {
    double m = 0;
    for (int64_t k = 0; k < t.count(); ++k)
      m = std::max(m, std::fabs(double(t.data<float>()[k])));
    return m;
  };
  Initializer glorot("glorot_uniform");
  glorot.seed = 5;
  double limit = std::sqrt(6.0 / (144.0 + 288.0));
  double m = largest(initialize(glorot, DType::F32, {3, 3, 16, 32}, "conv/kernel"));
  CHECK(m <= limit + 1e-7);
  CHECK(m > 0.99 * limit);
  Initializer he("he_uniform");
  he.seed = 5;
  limit = std::sqrt(6.0 / 144.0);
  m = largest(initialize(he, DType::F32, {3, 3, 16, 32}, "conv/kernel"));
  CHECK(m <= limit + 1e-7);
  CHECK(m > 0.99 * limit);
}

TEST_CASE("dense: product, bias and activation against a plain loop") {
  DenseOptions options;
  options.activation = "tanh";
  options.kernelInitializer.seed = 7;
  options.biasInitializer = Initializer("random_uniform");
  auto dense = std::make_shared<Dense>(5, options);
  Tensor x = ramp({4, 3}, 0.1f, -0.5f);
  Tensor y = (*dense)(x);
  REQUIRE(y.shape() == TensorShape{4, 5});
  std::vector<Tensor> w = dense->getWeights();
  REQUIRE(w.size() == 2);
  CHECK(w[0].shape() == TensorShape{3, 5});
  for (int64_t i = 0; i < 4; ++i)
    for (int64_t j = 0; j < 5; ++j) {
      double acc = w[1].at({j});
      for (int64_t k = 0; k < 3; ++k)
        acc += x.at({i, k}) * w[0].at({k, j});
      CHECK(y.at({i, j}) == doctest::Approx(std::tanh(acc)).epsilon(1e-5));
    }
  CHECK(dense->countParams() == 20);
  errorOf([] { Dense(0); });
  errorOf([] {
    DenseOptions exec;
    exec.activation = "exec";
    Dense(3, exec);
  });
  errorOf([&] { (*dense)(ramp({2, 4})); });
  errorOf([] { Dense(2).countParams(); });
}

TEST_CASE("layer surface: nodes, shapes, ambiguity and losses") {
  auto dense = std::make_shared<Dense>(4);
  std::string never = errorOf([&] { dense->input(); });
  CHECK(never.find("never been called") != std::string::npos);
  SymbolicTensor a = Input({3}), b = Input({3});
  SymbolicTensor ya = (*dense)(a);
  CHECK(ya.shape() == TensorShape{-1, 4});
  CHECK(dense->input()[0].layer() == a.layer());
  CHECK(dense->inputShape() == std::vector<TensorShape>{{-1, 3}});
  std::optional<SymbolicTensor> yb = (*dense)(b);
  CHECK(dense->inboundNodeCount() == 2);
  CHECK(errorOf([&] { dense->input(); }).find("getInputAt") != std::string::npos);
  CHECK(dense->getInputAt(1)[0].layer() == b.layer());
  CHECK(dense->inputShape() == std::vector<TensorShape>{{-1, 3}}); // both calls agree
  CHECK(errorOf([&] { dense->getOutputAt(2); }).find("only 2 inbound nodes") != std::string::npos);
  CHECK(!dense->getOutputMaskAt(0)[0].has_value());
  // A call's node lives while a tensor it made (or a model using it) does: the layer does not
  // own its nodes, which would make a reference cycle.
  yb.reset();
  CHECK(errorOf([&] { dense->getInputAt(1); }).find("no longer exists") != std::string::npos);
  dense->addLoss(f32({}, {1.5f}));
  CHECK(dense->losses().size() == 1);
  dense->clearLosses();
  CHECK(dense->losses().empty());
  dense->setTrainable(false);
  CHECK(dense->trainableWeights().empty());
  CHECK(dense->nonTrainableWeights().size() == 2);
}

TEST_CASE("lambda: a layer fed ever new shapes keeps memory bounded") {
  // Without a limit every signature would keep its kernel alive past the JIT cache's own.
  driver::Driver &engine = driver::Driver::shared();
  engine.setMemoryCacheCapacity(16);
  auto layer = std::make_shared<Lambda>("lambda x: x * 2.0");
  for (int64_t cols = 1; cols <= 150; ++cols)
    CHECK((*layer)(ramp({1, cols})).shape() == TensorShape{1, cols});
  CHECK(engine.liveKernels() <= 16 + engine.cachePolicy().signatures);
  engine.setMemoryCacheCapacity(256);
}

TEST_CASE("lambda: a function keeps its most recently used signatures, up to the policy's count") {
  driver::Driver &d = driver::Driver::shared();
  const size_t before = d.cachePolicy().signatures;
  setLayerSignatureCache(4); // the public API sets the driver's policy
  CHECK(d.cachePolicy().signatures == 4);
  LaminaFunction fn(LambdaSource::fromText("lambda x: x * 2.0", "<signatures>"), {},
                    Engine::Interpreter);
  auto checkCols = [&](int64_t cols) {
    return fn.check({DType::F32}, {{-1, cols}}, std::nullopt, false, nullptr);
  };
  std::vector<std::shared_ptr<const LaminaFunction::Checked>> first;
  for (int64_t cols = 1; cols <= 4; ++cols)
    first.push_back(checkCols(cols));
  CHECK(fn.signaturesCached() == 4);
  CHECK(checkCols(1) == first[0]); // a hit, which makes 1 the most recently used
  auto fifth = checkCols(5);       // evicts 2, the least recently used, not 1
  CHECK(fn.signaturesCached() == 4);
  CHECK(checkCols(1) == first[0]);
  CHECK(checkCols(4) == first[3]);
  CHECK(checkCols(5) == fifth);
  CHECK(checkCols(2) != first[1]); // checked anew (evicting 3)
  CHECK(fn.signaturesCached() == 4);
  for (int64_t cols = 6; cols <= 20; ++cols) {
    auto checked = checkCols(cols);
    CHECK(LaminaFunction::kerasShape(checked->fn.typeOf(checked->fn.outputs[0])) ==
          TensorShape{-1, cols});
    CHECK(fn.signaturesCached() <= 4);
  }
  setLayerSignatureCache(before);
}

TEST_CASE("threads: a lambda fed ever new shapes from 4 threads gets right results from a bounded "
          "cache") {
  driver::Driver &d = driver::Driver::shared();
  const driver::CachePolicy before = d.cachePolicy();
  driver::CachePolicy tight = before;
  tight.signatures = 3;
  tight.boundShapes = 2;
  d.setCachePolicy(tight);
  auto layer = std::make_shared<Lambda>("lambda x: x * 2.0 + 1.0");
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int64_t step = 0; step < 24; ++step) {
        int64_t rows = 1 + (step + t) % 5, cols = 1 + (step * 3 + t) % 7;
        Tensor x = ramp({rows, cols});
        Tensor y = (*layer)(x);
        for (int64_t i = 0; i < rows; ++i)
          for (int64_t j = 0; j < cols; ++j)
            wrong += std::abs(y.at({i, j}) - (x.at({i, j}) * 2.0 + 1.0)) > 1e-5;
      }
    });
  for (auto &t : threads)
    t.join();
  CHECK(wrong == 0);
  d.setCachePolicy(before);
}

TEST_CASE("lambda: random samples move on every call, the same on every engine and thread count") {
  // The VAE's sampling lambda, the most copied Lambda body there is.
  const char *sampling = "def sampling(args):\n"
                         "    z_mean, z_log_var = args\n"
                         "    eps = K.random_normal(shape=(K.shape(z_mean)[0], 4))\n"
                         "    return z_mean + K.exp(0.5 * z_log_var) * eps\n";
  const char *uniform = "lambda x: x * 0 + tf.random.uniform(tf.shape(x), seed=5)";
  Tensor zero = f32({64, 4}, std::vector<float>(256, 0.0f));
  auto layer = std::make_shared<Lambda>(sampling);
  std::vector<Tensor> first = (*layer)({zero, zero}), second = (*layer)({zero, zero});
  REQUIRE(first.at(0).shape() == TensorShape{64, 4});
  CHECK_FALSE(bitEqual(first.at(0), second.at(0))); // the call counter moved on
  REQUIRE(layer->weights().size() == 1);
  CHECK(layer->weights()[0].name.ends_with("/seed_generator_state"));
  CHECK_FALSE(layer->weights()[0].trainable);
  CHECK(*layer->weights()[0].value.data<int64_t>() == 2);
  // Another layer has its own seed, made from its name: other samples. A layer of the same
  // name (a model reloaded) starts again from call 0 with the same ones, and so does one given
  // the same seed.
  auto other = std::make_shared<Lambda>(sampling);
  CHECK_FALSE(bitEqual((*other)({zero, zero}).at(0), first.at(0)));
  LambdaOptions sameName;
  sameName.name = layer->name();
  auto again = std::make_shared<Lambda>(sampling, sameName);
  CHECK(bitEqual((*again)({zero, zero}).at(0), first.at(0)));
  LambdaOptions seeded;
  seeded.seed = 42;
  std::vector<Tensor> bySeed = (*std::make_shared<Lambda>(sampling, seeded))({zero, zero});
  CHECK(bitEqual((*std::make_shared<Lambda>(sampling, seeded))({zero, zero}).at(0), bySeed.at(0)));
  CHECK_FALSE(bitEqual(bySeed.at(0), first.at(0)));
  // The seed is saved in the config, and read back from it.
  CHECK(std::make_shared<Lambda>(sampling, seeded)->getConfig().find("seed")->asInt() == 42);

  // Uniform samples are integer arithmetic to the last step: equal bit for bit on the
  // interpreter and the JIT with one or two threads.
  LambdaOptions interpOptions;
  interpOptions.engine = Engine::Interpreter;
  Tensor x = f32({1000, 3}, std::vector<float>(3000, 1.0f));
  Tensor byInterp = (*std::make_shared<Lambda>(uniform, interpOptions))(x);
  for (unsigned threads : {1u, 2u}) {
    CallOptions options;
    options.compute.threads = threads;
    Tensor byJit = std::make_shared<Lambda>(uniform)->call({x}, options).outputs.at(0);
    CAPTURE(threads);
    CHECK(bitEqual(byJit, byInterp));
  }
  // Their distribution: in [0, 1), mean 1/2, variance 1/12, within 5 standard errors.
  double sum = 0, squares = 0;
  const float *u = byInterp.data<float>();
  for (int64_t k = 0; k < 3000; ++k) {
    CHECK(u[k] >= 0.0f);
    CHECK(u[k] < 1.0f);
    sum += u[k];
    squares += double(u[k]) * u[k];
  }
  double mean = sum / 3000, var = squares / 3000 - mean * mean;
  CHECK(std::abs(mean - 0.5) < 5 * std::sqrt(1.0 / 12 / 3000));
  CHECK(std::abs(var - 1.0 / 12) < 0.01);
}

TEST_CASE("threads: calls from 4 threads each claim their own random call number") {
  // Each call draws with the call number it claimed: 4 x 25 calls give 100 different samples
  // and leave the counter at 100 (a racing increment would repeat or lose some).
  auto layer = std::make_shared<Lambda>("lambda x: x * 0 + tf.random.uniform(tf.shape(x))");
  Tensor x = f32({1, 2}, {0.0f, 0.0f});
  std::vector<std::vector<std::pair<float, float>>> drawn(4);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int call = 0; call < 25; ++call) {
        Tensor y = (*layer)(x);
        drawn[t].emplace_back(y.data<float>()[0], y.data<float>()[1]);
      }
    });
  for (auto &t : threads)
    t.join();
  std::set<std::pair<float, float>> distinct;
  for (const auto &samples : drawn)
    distinct.insert(samples.begin(), samples.end());
  CHECK(distinct.size() == 100);
  REQUIRE(layer->weights().size() == 1);
  CHECK(*layer->weights()[0].value.data<int64_t>() == 100);
}
