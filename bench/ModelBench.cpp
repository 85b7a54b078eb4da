// lamina_model_bench: what the layer runtime costs on top of its kernels (PERFORMANCE.md
// target 5: a Sequential model costs at most 1.05x the sum of its kernels, with large outputs
// in reused buffers). For each model it times, in one run:
//   model      the whole Sequential called on a batch
//   layers     each layer called alone on its own (precomputed) input, summed
//   hand       the same computation as hand-written C++ loops (-O3 -march=native -ffast-math,
//              OpenBLAS for matrix products), split over the same thread pool
//   no pool    the model again with the buffer pool turned off: every output faults in
//              fresh pages, which is what the pool is for
//
//   lamina_model_bench [--batch=4096] [--seconds=1]

#include "bench/HandWritten.h"
#include "lamina/Model.h"
#include "runtime/threads/ThreadPool.h"

#include <cblas.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <functional>
#include <random>
#include <string>

using namespace lamina;
using Clock = std::chrono::steady_clock;

namespace {

double seconds = 1.0;

// Median microseconds per call over samples taken for about `seconds`.
double medianMicros(const std::function<void()> &call) {
  for (int k = 0; k < 3; ++k)
    call(); // compile, warm caches and the pool
  std::vector<double> samples;
  auto end = Clock::now() + std::chrono::duration<double>(seconds);
  while (samples.size() < 5 || (Clock::now() < end && samples.size() < 10000)) {
    auto t0 = Clock::now();
    call();
    samples.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
  }
  std::nth_element(samples.begin(), samples.begin() + samples.size() / 2, samples.end());
  return samples[samples.size() / 2];
}

// Rows [0, rows) of a row kernel, split over lamina's thread pool like the kernels are.
void parallelRows(size_t rows, const std::function<void(size_t, size_t)> &body) {
  Executor &pool = defaultExecutor();
  pool.parallelFor(int64_t(rows), pool.concurrency(),
                   [&](int64_t lo, int64_t hi) { body(size_t(lo), size_t(hi)); });
}

Tensor randomInput(int64_t batch, int64_t cols) {
  Tensor x = Tensor::empty(DType::F32, {batch, cols});
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<float> uniform(-4.0f, 4.0f);
  for (int64_t k = 0; k < x.count(); ++k)
    x.data<float>()[k] = uniform(rng);
  return x;
}

void report(const std::string &name, Sequential &model, const Tensor &x,
            const std::function<void()> &hand) {
  double whole = medianMicros([&] { (void)model(x); });
  // Steady state: after warm-up every intermediate and output comes from the pool.
  BufferPoolStats before = bufferPoolStats();
  for (int k = 0; k < 10; ++k)
    (void)model(x);
  BufferPoolStats after = bufferPoolStats();
  // Each layer alone, on the input it sees inside the model.
  double layers = 0;
  Tensor in = x;
  std::vector<std::string> parts;
  for (const auto &layer : model.stack()) {
    Tensor input = in;
    double t = medianMicros([&] { (void)(*layer)(input); });
    parts.push_back(fmt::format("{} {:.0f}", layer->name(), t));
    layers += t;
    in = (*layer)(input);
  }
  double handMicros = medianMicros(hand);
  setBufferPoolLimit(0);
  double noPool = medianMicros([&] { (void)model(x); });
  setBufferPoolLimit(size_t(1) << 30);
  fmt::print(
      "{:<12} model {:8.0f} us   layers {:8.0f} us   model/layers {:.3f}   hand {:8.0f} us   "
      "model/hand {:.2f}   no-pool {:8.0f} us ({:.2f}x)   pool misses in 10 calls {}\n",
      name, whole, layers, whole / layers, handMicros, whole / handMicros, noPool, noPool / whole,
      after.misses - before.misses);
  fmt::print("{:<12} per layer (us): {}\n", "", fmt::join(parts, ", "));
}

} // namespace

int main(int argc, char **argv) {
  int64_t batch = 4096;
  for (int k = 1; k < argc; ++k) {
    std::string a = argv[k];
    if (a.rfind("--batch=", 0) == 0)
      batch = std::stoll(a.substr(8));
    else if (a.rfind("--seconds=", 0) == 0)
      seconds = std::stod(a.substr(10));
    else {
      fmt::print(stderr, "usage: lamina_model_bench [--batch=N] [--seconds=S]\n");
      return 2;
    }
  }
  fmt::print("batch {}, {} threads; median over about {} s each\n", batch,
             defaultExecutor().concurrency(), seconds);

  // 1. Lambdas only: antirectifier (256 -> 512), scale and shift, softmax.
  {
    Sequential model({std::make_shared<InputLayer>(TensorShape{-1, 256}, DType::F32, ""),
                      std::make_shared<Lambda>("def antirectifier(x):\n"
                                               "    x -= mean(x, axis=1, keepdims=True)\n"
                                               "    x = l2_normalize(x, axis=1)\n"
                                               "    return concat([relu(x), relu(-x)], axis=1)\n"),
                      std::make_shared<Lambda>("lambda x: x * 4.0 - 1.0"),
                      std::make_shared<Lambda>("lambda x: softmax(x, axis=-1)")});
    Tensor x = randomInput(batch, 256);
    std::vector<float> mid(size_t(batch) * 512), mid2(mid.size()), out(mid.size());
    auto hand = [&] {
      bench::Buffers a{{x.data<float>()}, mid.data(), size_t(batch), 256, 0};
      parallelRows(size_t(batch),
                   [&](size_t lo, size_t hi) { bench::hand::antirectifier(a, lo, hi); });
      parallelRows(size_t(batch), [&](size_t lo, size_t hi) {
        for (size_t k = lo * 512; k < hi * 512; ++k)
          mid2[k] = mid[k] * 4.0f - 1.0f;
      });
      bench::Buffers s{{mid2.data()}, out.data(), size_t(batch), 512, 0};
      parallelRows(size_t(batch), [&](size_t lo, size_t hi) { bench::hand::softmax(s, lo, hi); });
    };
    report("lambdas", model, x, hand);
  }

  // 2. An MLP: Dense 256 -> 256 relu, the antirectifier, Dense 512 -> 64.
  {
    DenseOptions relu;
    relu.activation = "relu";
    Sequential model({std::make_shared<InputLayer>(TensorShape{-1, 256}, DType::F32, ""),
                      std::make_shared<Dense>(256, relu),
                      std::make_shared<Lambda>("def antirectifier(x):\n"
                                               "    x -= mean(x, axis=1, keepdims=True)\n"
                                               "    x = l2_normalize(x, axis=1)\n"
                                               "    return concat([relu(x), relu(-x)], axis=1)\n"),
                      std::make_shared<Dense>(64)});
    Tensor x = randomInput(batch, 256);
    std::vector<Tensor> w = model.getWeights();
    std::vector<float> h(size_t(batch) * 256), a(size_t(batch) * 512), out(size_t(batch) * 64);
    auto hand = [&] {
      for (int64_t r = 0; r < batch; ++r)
        std::memcpy(h.data() + r * 256, w[1].data<float>(), 256 * sizeof(float));
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(batch), 256, 256, 1.0f,
                  x.data<float>(), 256, w[0].data<float>(), 256, 1.0f, h.data(), 256);
      parallelRows(size_t(batch), [&](size_t lo, size_t hi) {
        for (size_t k = lo * 256; k < hi * 256; ++k)
          h[k] = std::max(h[k], 0.0f);
      });
      bench::Buffers b{{h.data()}, a.data(), size_t(batch), 256, 0};
      parallelRows(size_t(batch),
                   [&](size_t lo, size_t hi) { bench::hand::antirectifier(b, lo, hi); });
      for (int64_t r = 0; r < batch; ++r)
        std::memcpy(out.data() + r * 64, w[3].data<float>(), 64 * sizeof(float));
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(batch), 64, 512, 1.0f, a.data(),
                  512, w[2].data<float>(), 64, 1.0f, out.data(), 64);
    };
    report("mlp", model, x, hand);
  }
  return 0;
}
