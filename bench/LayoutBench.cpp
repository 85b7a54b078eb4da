// lamina_layout_bench: the layout cases (probe.py's 28 and ours) through lamina's kernels next
// to the loop a C++ programmer would write (or OpenBLAS for products), in one process run
// (Google Benchmark), then the table of ratios. Before timing, each case's output is checked
// against its loop: a benchmark of wrong numbers fails instead of printing a figure.
//
//   lamina_layout_bench [--n=1000000] [--threads=1] [--only=P1,P13] [Google Benchmark flags]

#include "bench/Collector.h"
#include "bench/LayoutCases.h"
#include "compiler/driver/Driver.h"
#include "compiler/sema/Sema.h"
#include "compiler/types/Elements.h"
#include "runtime/threads/ThreadPool.h"

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <cblas.h>

#include <cmath>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <set>

namespace lamina::bench {
namespace {

DType dtypeOf(Elem e) {
  switch (e) {
  case Elem::F32:
    return DType::F32;
  case Elem::F64:
    return DType::F64;
  case Elem::F16:
    return DType::F16;
  case Elem::I32:
    return DType::I32;
  case Elem::I64:
    return DType::I64;
  }
  return DType::F32;
}

int64_t count(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

// Data as the probe makes it: uniform in [-3, 3), integers in [-1000, 1000) or index range.
Array makeInput(const LayoutInput &in, std::mt19937_64 &rng) {
  Array a = makeArray(dtypeOf(in.elem), in.shape);
  std::uniform_real_distribution<double> uniform(-3.0, 3.0);
  int64_t n = count(in.shape);
  for (int64_t i = 0; i < n; ++i) {
    std::byte *at = a.bytes.data() + i * int64_t(byteSize(a.dtype));
    switch (in.elem) {
    case Elem::F32: {
      float v = float(uniform(rng));
      std::memcpy(at, &v, 4);
      break;
    }
    case Elem::F64: {
      double v = uniform(rng);
      std::memcpy(at, &v, 8);
      break;
    }
    case Elem::F16: {
      uint16_t v = floatToHalf(float(uniform(rng)));
      std::memcpy(at, &v, 2);
      break;
    }
    case Elem::I32:
    case Elem::I64: {
      int64_t v = in.indexRange > 0 ? int64_t(rng() % uint64_t(in.indexRange))
                                    : int64_t(rng() % 2000) - 1000;
      if (in.elem == Elem::I32) {
        auto v32 = int32_t(v);
        std::memcpy(at, &v32, 4);
      } else {
        std::memcpy(at, &v, 8);
      }
      break;
    }
    }
  }
  return a;
}

double asDouble(const Array &a, int64_t i) {
  const std::byte *at = a.bytes.data() + i * int64_t(byteSize(a.dtype));
  switch (a.dtype) {
  case DType::F64: {
    double v;
    std::memcpy(&v, at, 8);
    return v;
  }
  case DType::F16: {
    uint16_t v;
    std::memcpy(&v, at, 2);
    return halfToFloat(v);
  }
  case DType::I32: {
    int32_t v;
    std::memcpy(&v, at, 4);
    return v;
  }
  case DType::I64: {
    int64_t v;
    std::memcpy(&v, at, 8);
    return double(v);
  }
  default: {
    float v;
    std::memcpy(&v, at, 4);
    return v;
  }
  }
}

struct Prepared {
  const LayoutCase *c = nullptr;
  std::unique_ptr<SourceFile> file;
  std::shared_ptr<const driver::Kernel> kernel;
  std::vector<Array> inputs;
  Array out, reference;
  LayoutBuffers buffers;
  int64_t elements = 0; // input elements: the unit of ns/elem, as in the probe
};

// Compiles the case for its exact shapes, runs lamina and the loop once, and compares them.
std::optional<std::string> prepare(Prepared &p, unsigned threads) {
  const LayoutCase &c = *p.c;
  p.file = std::make_unique<SourceFile>(c.id, c.source);
  SemaRequest request;
  std::mt19937_64 rng(2026);
  for (const LayoutInput &in : c.inputs) {
    TensorType type{dtypeOf(in.elem), {}};
    for (int64_t d : in.shape)
      type.shape.push_back(d);
    request.inputs.push_back({in.name, type});
    p.inputs.push_back(makeInput(in, rng));
    p.elements += count(in.shape);
  }
  CollectingConsumer sink;
  DiagnosticEngine diags(sink);
  driver::CompileOptions options;
  options.diskCache = false;
  p.kernel = driver::Driver::shared().compileSource(*p.file, request, diags, options);
  if (!p.kernel)
    return sink.diagnostics.empty() ? "the JIT failed" : sink.diagnostics[0].message;
  auto outputs = p.kernel->run(p.inputs, {}, executorWithThreads(threads), *p.file, diags);
  if (!outputs || outputs->size() != 1)
    return sink.diagnostics.empty() ? "one output expected" : sink.diagnostics[0].message;
  p.out = std::move((*outputs)[0]);
  if (!c.loop)
    return std::nullopt;
  p.reference = makeArray(p.out.dtype, p.out.shape);
  for (const Array &a : p.inputs) {
    p.buffers.in.push_back(a.bytes.data());
    p.buffers.shapes.push_back(a.shape);
  }
  p.buffers.out = p.reference.bytes.data();
  c.loop(p.buffers);
  // Sums in another order, exp and sqrt from other libraries, f16 rounding: close, not equal.
  // Normwise, against the output's largest magnitude: a long sum of terms that cancel has an
  // error of the size of its terms, not of its small result (and the loop's one running sum
  // is the less accurate of the two).
  double scale = 0;
  for (int64_t i = 0; i < p.out.elementCount(); ++i)
    scale = std::max(scale, std::fabs(asDouble(p.reference, i)));
  for (int64_t i = 0; i < p.out.elementCount(); ++i) {
    double got = asDouble(p.out, i), want = asDouble(p.reference, i);
    double tolerance = p.out.dtype == DType::F16 ? 1e-3 : 1e-4;
    if (!(std::fabs(got - want) <= tolerance * (1.0 + scale)))
      return fmt::format("lamina and the loop disagree at element {}: {} vs {}", i, got, want);
  }
  return std::nullopt;
}

void runLamina(benchmark::State &state, Prepared &p, unsigned threads) {
  std::vector<TensorRef> in, out;
  for (Array &a : p.inputs)
    in.push_back({a.dtype, a.shape, a.bytes.data()});
  out.push_back({p.out.dtype, p.out.shape, p.out.bytes.data()});
  Executor &executor = executorWithThreads(threads);
  CollectingConsumer sink;
  DiagnosticEngine diags(sink);
  for (auto _ : state)
    if (!p.kernel->run(in, {}, out, executor, *p.file, diags))
      state.SkipWithError("run failed");
}

void runLoop(benchmark::State &state, Prepared &p) {
  for (auto _ : state) {
    p.c->loop(p.buffers);
    benchmark::ClobberMemory();
  }
}

std::string flagValue(int &argc, char **argv, const std::string &flag,
                      const std::string &fallback) {
  std::string value = fallback;
  int kept = 1;
  for (int a = 1; a < argc; ++a) {
    std::string arg = argv[a];
    if (arg.starts_with(flag + "="))
      value = arg.substr(flag.size() + 1);
    else
      argv[kept++] = argv[a];
  }
  argc = kept;
  return value;
}

} // namespace
} // namespace lamina::bench

int main(int argc, char **argv) {
  using namespace lamina;
  using namespace lamina::bench;
  auto n = int64_t(std::stod(flagValue(argc, argv, "--n", "1000000")));
  auto threads = unsigned(std::stoul(flagValue(argc, argv, "--threads", "1")));
  std::string onlyText = flagValue(argc, argv, "--only", "");
  std::set<std::string> only;
  for (size_t at = 0; at < onlyText.size();) {
    size_t end = std::min(onlyText.find(',', at), onlyText.size());
    only.insert(onlyText.substr(at, end - at));
    at = end + 1;
  }
  // One OpenBLAS thread: lamina splits a product's rows over its own threads, and the
  // references (OpenBLAS among them) run only at --threads=1.
  driver::setBlasThreads(1);
  benchmark::Initialize(&argc, argv);

  static std::vector<LayoutCase> cases = layoutCases(n);
  static std::vector<std::unique_ptr<Prepared>> prepared;
  bool failed = false;
  for (const LayoutCase &c : cases) {
    if (!only.empty() && !only.count(c.id))
      continue;
    auto p = std::make_unique<Prepared>();
    p->c = &c;
    if (auto problem = prepare(*p, threads)) {
      fmt::print(stderr, "{} {}: {}\n", c.id, c.name, *problem);
      failed = true;
      continue;
    }
    Prepared *raw = p.get();
    benchmark::RegisterBenchmark(fmt::format("{}/lamina", c.id).c_str(), [raw, threads](
                                                                             benchmark::State &s) {
      runLamina(s, *raw, threads);
    })->UseRealTime();
    if (c.loop && threads == 1)
      benchmark::RegisterBenchmark(fmt::format("{}/{}", c.id, c.reference).c_str(),
                                   [raw](benchmark::State &s) { runLoop(s, *raw); })
          ->UseRealTime();
    prepared.push_back(std::move(p));
  }
  Collector collector;
  benchmark::RunSpecifiedBenchmarks(&collector);

  fmt::print("\nLayout cases, n={}, threads={}: ns per input element (lamina / loop: the target "
             "is <= 1.25)\n\n| case | lamina | loop | lamina / loop |\n|---|---|---|---|\n",
             n, threads);
  double logSum = 0;
  int ratios = 0;
  for (const auto &p : prepared) {
    const LayoutCase &c = *p->c;
    auto at = [&](const std::string &impl) {
      auto it = collector.medians.find(fmt::format("{}/{}", c.id, impl));
      return it == collector.medians.end() ? -1.0 : it->second / double(p->elements);
    };
    double lamina = at("lamina"), loop = at(c.reference);
    std::string ratio = "n/a";
    if (lamina > 0 && loop > 0) {
      ratio = fmt::format("{:.2f}", lamina / loop);
      logSum += std::log(lamina / loop);
      ++ratios;
    }
    fmt::print("| {} {} | {:.3f} | {} | {} |\n", c.id, c.name, lamina,
               loop > 0 ? fmt::format("{:.3f} ({})", loop, c.reference) : "n/a", ratio);
  }
  if (ratios)
    fmt::print("\ngeomean lamina / loop over {} cases: {:.2f}\n", ratios,
               std::exp(logSum / ratios));
  benchmark::Shutdown();
  return failed ? 1 : 0;
}
