// What a host configures and reads (docs/embedding.md): structured diagnostics on every
// Error, a warm-up that leaves the first call nothing to compile, a host's own Executor, the
// byte budget of one call, and the process-wide settings of lamina/Runtime.h.

#include "RuntimeTestSupport.h"

#include "lamina/Model.h"
#include "lamina/Runtime.h"

#include <atomic>
#include <cmath>

using namespace lamina;
using namespace lamina::test;

namespace {

lamina::Error caught(const std::function<void()> &body) {
  try {
    body();
  } catch (const lamina::Error &e) {
    return e;
  }
  FAIL("no lamina::Error was thrown");
  return lamina::Error("", "");
}

// A host's scheduler: says it has two threads (a kernel on one thread never splits its loops)
// and runs the pieces one after another, counting the loops it was given.
class CountingExecutor final : public Executor {
public:
  std::atomic<int> loops{0};
  unsigned concurrency() const override { return 2; }
  void parallelFor(int64_t n, int64_t chunks, LoopBody body) override {
    ++loops;
    int64_t pieces = chunkCount(n, chunks);
    for (int64_t i = 0; i < pieces; ++i)
      body(chunkBegin(n, pieces, i), chunkBegin(n, pieces, i + 1));
  }
};

} // namespace

TEST_CASE("embedding: an Error carries each diagnostic as fields") {
  // Two mistakes on two lines: two records, each with its code, line, column and length.
  lamina::Error e = caught([] {
    (*std::make_shared<Lambda>("def f(x):\n    y = x + undefined_a\n    return y * undefined_b\n"))(
        ramp({2, 2}));
  });
  CHECK(e.code() == "E0301");
  REQUIRE(e.diagnostics().size() == 2);
  const DiagnosticRecord &first = e.diagnostics()[0];
  CHECK(first.code == "E0301");
  CHECK(first.severity == "error");
  CHECK(first.line == 2);
  CHECK(first.column == 13);
  CHECK(first.length == std::string("undefined_a").size());
  CHECK(first.message.find("undefined_a") != std::string::npos);
  CHECK(first.message.find("E0301") == std::string::npos); // the message alone
  CHECK(e.diagnostics()[1].line == 3);
  // A syntax error keeps its note ("`(` opened here") with its own place.
  lamina::Error open = caught([] { Lambda("lambda x: (x +\n"); });
  REQUIRE_FALSE(open.diagnostics().empty());
  CHECK(open.diagnostics()[0].code == open.code());
}

TEST_CASE("embedding: a run-time input error has its code and a record") {
  SymbolicTensor x = Input({4}, DType::F32, "x");
  auto model = std::make_shared<Model>(
      std::vector{x}, std::vector{(*std::make_shared<Lambda>("lambda x: x * 2.0"))(x)});
  lamina::Error e = caught([&] { (*model)(ramp({2, 5})); });
  CHECK(e.code() == "E0702");
  REQUIRE(e.diagnostics().size() == 1);
  CHECK(e.diagnostics()[0].line == 0); // about the call, not a place in a source
  CHECK(e.diagnostics()[0].code == e.code());
}

TEST_CASE("embedding: warmUp compiles what the first call needs, for every batch size") {
  auto layer = std::make_shared<Lambda>("lambda x: tanh(x) * 0.5 + sum(x, axis=-1, "
                                        "keepdims=True) * 0.0625");
  CallOptions options;
  options.compute.engine = Engine::Jit;
  options.compute.kernelCache = false;
  layer->warmUp({{-1, 16}}, {DType::F64}, options);
  size_t live = runtimeStats().liveKernels;
  for (int64_t batch : {1, 7, 300}) {
    Tensor x = Tensor::zeros(DType::F64, {batch, 16});
    CHECK(layer->call({x}, options).outputs[0].shape() == TensorShape{batch, 16});
  }
  CHECK(runtimeStats().liveKernels == live); // nothing new was compiled
  // A model warms its layers with its own input dtypes.
  SymbolicTensor in = Input({8}, DType::F32);
  auto model = std::make_shared<Model>(
      std::vector{in},
      std::vector{(*std::make_shared<Lambda>("lambda x: x / (1.0 + abs(x)) + 0.125"))(in)});
  model->warmUp({{-1, 8}}, {}, options);
  size_t warmed = runtimeStats().liveKernels;
  CHECK(model->call({ramp({5, 8})}, options).outputs[0].dtype() == DType::F32);
  CHECK(runtimeStats().liveKernels == warmed);
}

TEST_CASE("embedding: kernels run on a host's Executor") {
  CountingExecutor executor;
  auto layer = std::make_shared<Lambda>("lambda x: exp(x) - 1.0");
  CallOptions options;
  options.compute.engine = Engine::Jit;
  options.compute.executor = &executor;
  // Large enough to be split (RunOptions::parallelThreshold).
  Tensor y = layer->call({ramp({512, 1024})}, options).outputs[0];
  CHECK(executor.loops > 0);
  CHECK(y.at({1, 2}) == doctest::Approx(std::expm1(0.01 * (1024 + 2) - 1.0)).epsilon(1e-5));
  // threadPool(N) is the Executor `threads = N` selects; a count past the limit is refused.
  CHECK(threadPool(2).concurrency() == 2);
  errorOf([] { threadPool(ComputeOptions::kMaxThreads + 1); });
}

TEST_CASE("embedding: the byte budget refuses a call before it runs, on both engines") {
  auto layer = std::make_shared<Lambda>("lambda x: x * 2.0");
  for (Engine engine : {Engine::Jit, Engine::Interpreter}) {
    CallOptions options;
    options.compute.engine = engine;
    options.compute.byteBudget = 1000; // the output alone needs 64 * 64 * 4 bytes
    errorOf([&] { layer->call({ramp({64, 64})}, options); }, "E0703");
    options.compute.byteBudget = uint64_t(1) << 20;
    CHECK(layer->call({ramp({64, 64})}, options).outputs[0].count() == 64 * 64);
  }
}

TEST_CASE("embedding: process-wide settings are explicit") {
  setKernelMemoryCache(8);
  CHECK(runtimeStats().cachedKernels <= 8);
  setKernelMemoryCache(256);
  setBlasThreads(1); // OpenBLAS's own setting; products stay correct whatever it is
  auto dense = std::make_shared<Dense>(300);
  Tensor y = (*dense)(ramp({4, 600}));
  CHECK(y.shape() == TensorShape{4, 300});
}

TEST_CASE("embedding: a layer not owned by a shared_ptr is an Error in a model, not a crash") {
  Dense onStack(4);
  std::string what = errorOf([&] { onStack(Input({3})); });
  CHECK(what.find("std::make_shared<Dense>") != std::string::npos);
  // Called on tensors it needs no owner.
  CHECK(onStack(ramp({2, 3})).shape() == TensorShape{2, 4});
}
