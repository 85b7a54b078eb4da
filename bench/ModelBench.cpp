// lamina_model_bench: what the layer runtime costs on top of its kernels (docs/performance.md,
// "Against the targets", 5: a Sequential model costs at most 1.05x the sum of its kernels, with
// large outputs in reused buffers). For each model it times, in one run:
//   model      the whole Sequential called on a batch
//   layers     each layer called alone on its own (precomputed) input, summed
//   hand       the same computation as hand-written C++ loops (-O3 -march=native -ffast-math,
//              single-threaded OpenBLAS per row block for matrix products, as Dense does),
//              split over the same thread pool
//   no pool    the model again with the buffer pool turned off: every output faults in
//              fresh pages, which is what the pool is for
//
//   lamina_model_bench [--batch=4096] [--seconds=0.3]   (seconds per figure and round)

#include "bench/HandWritten.h"
#include "lamina/Model.h"
#include "lamina/Runtime.h"
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

double seconds = 0.3;

// Median microseconds per call over samples taken for about `seconds`.
double medianMicros(const std::function<void()> &call) {
  // Compile, then warm caches, the pool and the thread pool's workers for a tenth of the time.
  call();
  auto warm = Clock::now() + std::chrono::duration<double>(seconds / 10);
  while (Clock::now() < warm)
    call();
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

double median(std::vector<double> v) {
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  return v[v.size() / 2];
}

void report(const std::string &name, Sequential &model, const Tensor &x,
            const std::function<void()> &hand) {
  // Each layer alone, on the input it sees inside the model.
  std::vector<Tensor> layerInputs;
  Tensor in = x;
  for (const auto &layer : model.stack()) {
    layerInputs.push_back(in);
    in = (*layer)(in);
  }
  in = Tensor();
  // Rounds alternate between the three, so that a slow spell of a shared machine falls on all
  // of them alike; each figure is the median over rounds.
  const int rounds = 5;
  std::vector<double> whole, layers, hands;
  std::vector<std::vector<double>> perLayer(model.stack().size());
  for (int r = 0; r < rounds; ++r) {
    whole.push_back(medianMicros([&] { (void)model(x); }));
    double sum = 0;
    for (size_t k = 0; k < model.stack().size(); ++k) {
      Layer &layer = *model.stack()[k];
      double t = medianMicros([&] { (void)layer(layerInputs[k]); });
      perLayer[k].push_back(t);
      sum += t;
    }
    layers.push_back(sum);
    hands.push_back(medianMicros(hand));
  }
  // Steady state: after warm-up every intermediate and output comes from the pool.
  BufferPoolStats before = bufferPoolStats();
  for (int k = 0; k < 10; ++k)
    (void)model(x);
  BufferPoolStats after = bufferPoolStats();
  setBufferPoolLimit(0);
  double noPool = medianMicros([&] { (void)model(x); });
  setBufferPoolLimit(size_t(1) << 30);
  double m = median(whole), l = median(layers), h = median(hands);
  std::vector<std::string> parts;
  for (size_t k = 0; k < perLayer.size(); ++k)
    parts.push_back(fmt::format("{} {:.0f}", model.stack()[k]->name(), median(perLayer[k])));
  fmt::print("{:<8} model {:7.0f} us  layers {:7.0f} us  model/layers {:.3f}  hand {:7.0f} us  "
             "model/hand {:.2f}  no-pool {:7.0f} us ({:.2f}x)  pool misses in 10 calls {}\n",
             name, m, l, m / l, h, m / h, noPool, noPool / m, after.misses - before.misses);
  fmt::print("{:<8} per layer (us): {}\n", "", fmt::join(parts, ", "));
}

} // namespace

int main(int argc, char **argv) {
  // lamina and the hand-written reference both split products' rows over their own threads.
  lamina::setBlasThreads(1);
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
      parallelRows(size_t(batch), [&](size_t lo, size_t hi) {
        for (size_t r = lo; r < hi; ++r)
          std::memcpy(h.data() + r * 256, w[1].data<float>(), 256 * sizeof(float));
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(hi - lo), 256, 256, 1.0f,
                    x.data<float>() + lo * 256, 256, w[0].data<float>(), 256, 1.0f,
                    h.data() + lo * 256, 256);
      });
      parallelRows(size_t(batch), [&](size_t lo, size_t hi) {
        for (size_t k = lo * 256; k < hi * 256; ++k)
          h[k] = std::max(h[k], 0.0f);
      });
      bench::Buffers b{{h.data()}, a.data(), size_t(batch), 256, 0};
      parallelRows(size_t(batch),
                   [&](size_t lo, size_t hi) { bench::hand::antirectifier(b, lo, hi); });
      parallelRows(size_t(batch), [&](size_t lo, size_t hi) {
        for (size_t r = lo; r < hi; ++r)
          std::memcpy(out.data() + r * 64, w[3].data<float>(), 64 * sizeof(float));
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(hi - lo), 64, 512, 1.0f,
                    a.data() + lo * 512, 512, w[2].data<float>(), 64, 1.0f, out.data() + lo * 64,
                    64);
      });
    };
    report("mlp", model, x, hand);
  }
  return 0;
}
