// lamina_bench: the suite of docs/performance.md through lamina's kernels, next to the
// hand-written fused loops and Eigen, in one process run (Google Benchmark), then the table of
// ratios and the compile latencies (cold, in-memory hit, persistent-cache hit in a new process).
//
//   lamina_bench [--sizes=1000,100000,1000000,10000000] [--threads=1,2] [--quick]
//                [Google Benchmark flags]

#include "bench/Collector.h"
#include "bench/Suite.h"
#include "compiler/driver/Driver.h"
#include "compiler/parse/Parse.h"
#include "compiler/sema/Sema.h"
#include "runtime/threads/ThreadPool.h"

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <random>
#include <unistd.h>

namespace lamina::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct Data {
  std::vector<std::vector<float>> inputs;
  std::vector<float> output;
  std::vector<int64_t> inputShape, outputShape;
  Buffers buffers;
};

// Inputs uniform in [-4, 4), as the peers use; one set per case and size.
Data &dataFor(const Case &c, size_t n) {
  static std::map<std::pair<std::string, size_t>, std::unique_ptr<Data>> all;
  auto &slot = all[{c.id, n}];
  if (slot)
    return *slot;
  slot = std::make_unique<Data>();
  Data &d = *slot;
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<float> uniform(-4.0f, 4.0f);
  size_t rows = c.rows ? std::max<size_t>(1, size_t(std::llround(double(n) / 256.0))) : 0;
  size_t elements = c.rows ? rows * 256 : n;
  d.inputShape =
      c.rows ? std::vector<int64_t>{int64_t(rows), 256} : std::vector<int64_t>{int64_t(n)};
  for (size_t k = 0; k < c.inputs.size(); ++k) {
    d.inputs.emplace_back(elements);
    for (float &v : d.inputs.back())
      v = uniform(rng);
  }
  size_t outElements = c.rows ? rows * c.outputCols : std::string(c.id) == "E10" ? 1 : n;
  d.output.assign(outElements, 0.0f);
  d.outputShape = c.rows ? std::vector<int64_t>{int64_t(rows), int64_t(c.outputCols)}
                  : std::string(c.id) == "E10" ? std::vector<int64_t>{}
                                               : std::vector<int64_t>{int64_t(n)};
  for (auto &in : d.inputs)
    d.buffers.in.push_back(in.data());
  d.buffers.out = d.output.data();
  d.buffers.rows = rows, d.buffers.cols = 256, d.buffers.n = n;
  return d;
}

size_t itemsOf(const Case &c, const Data &d) { return c.rows ? d.buffers.rows : d.buffers.n; }

struct Compiled {
  std::shared_ptr<const driver::Kernel> kernel;
  std::unique_ptr<SourceFile> file;
};

// Parse, check and compile a source for float32 inputs of `shape`; nothing on failure.
std::optional<Compiled> compileCase(const Case &c, const std::vector<int64_t> &shape,
                                    driver::Driver &engine, const driver::CompileOptions &options) {
  Compiled out;
  out.file = std::make_unique<SourceFile>(c.id, c.source);
  CollectingConsumer sink;
  DiagnosticEngine diags(sink);
  SemaRequest request;
  for (const char *name : c.inputs) {
    TensorType type{DType::F32, {}};
    for (int64_t d : shape)
      type.shape.push_back(d);
    request.inputs.push_back({name, type});
  }
  out.kernel = engine.compileSource(*out.file, request, diags, options);
  if (!out.kernel) {
    fmt::print(stderr, "{}: {}\n", c.id,
               sink.diagnostics.empty() ? "failed" : sink.diagnostics[0].message);
    return std::nullopt;
  }
  return out;
}

void runLamina(benchmark::State &state, const Case &c, size_t n, unsigned threads) {
  Data &d = dataFor(c, n);
  driver::CompileOptions options;
  options.diskCache = false;
  auto compiled = compileCase(c, d.inputShape, driver::Driver::shared(), options);
  if (!compiled) {
    state.SkipWithError("compile failed");
    return;
  }
  std::vector<TensorRef> in, out;
  for (auto &v : d.inputs)
    in.push_back({DType::F32, d.inputShape, v.data()});
  out.push_back({DType::F32, d.outputShape, d.output.data()});
  Executor &executor = executorWithThreads(threads);
  CollectingConsumer sink;
  DiagnosticEngine diags(sink);
  for (auto _ : state)
    if (!compiled->kernel->run(in, {}, out, executor, *compiled->file, diags))
      state.SkipWithError("run failed");
}

void runReference(benchmark::State &state, const Case &c, size_t n, unsigned threads, bool eigen) {
  Data &d = dataFor(c, n);
  Reference fn = eigen ? c.eigen : c.handWritten;
  size_t items = itemsOf(c, d);
  Executor &executor = executorWithThreads(threads);
  double partial[2] = {0, 0};
  for (auto _ : state) {
    if (threads == 1) {
      benchmark::DoNotOptimize(fn(d.buffers, 0, items));
    } else {
      executor.parallelFor(int64_t(items), 2, [&](int64_t lo, int64_t hi) {
        partial[lo == 0 ? 0 : 1] = fn(d.buffers, size_t(lo), size_t(hi));
      });
      benchmark::DoNotOptimize(partial[0] + partial[1]);
    }
    benchmark::ClobberMemory();
  }
}

std::string label(const Case &c, size_t n, unsigned threads, const char *impl) {
  return fmt::format("{}/{}/n={}/t={}", c.id, impl, n, threads);
}

double elementsOf(const Case &c, size_t n) {
  return c.rows ? double(std::max<size_t>(1, size_t(std::llround(double(n) / 256.0))) * 256)
                : double(n);
}

std::vector<size_t> parseList(const std::string &text) {
  std::vector<size_t> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = std::min(text.find(',', pos), text.size());
    out.push_back(size_t(std::stod(text.substr(pos, end - pos))));
    pos = end + 1;
  }
  return out;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

// Compile latency from source to callable kernel, each suite case; cold (nothing cached) and
// warm (the in-memory cache).
void compileLatency(const std::string &self) {
  fmt::print("\nCompile latency, source to callable kernel (median of 7), ms\n\n");
  fmt::print(
      "| case | cold | in-memory hit | persistent-cache hit (new process) |\n|---|---|---|---|\n");
  std::string dir = fmt::format("/tmp/lamina-bench-cache-{}", ::getpid());
  for (const Case &c : suite()) {
    std::vector<int64_t> shape =
        c.rows ? std::vector<int64_t>{391, 256} : std::vector<int64_t>{100000};
    std::vector<double> cold, warm, disk;
    driver::CompileOptions nocache;
    nocache.diskCache = false;
    for (int k = 0; k < 7; ++k) {
      driver::Driver::shared().clearMemoryCache();
      auto t0 = Clock::now();
      auto compiled = compileCase(c, shape, driver::Driver::shared(), nocache);
      cold.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      auto t1 = Clock::now();
      auto again = compileCase(c, shape, driver::Driver::shared(), nocache);
      warm.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t1).count());
    }
    // A new process each time: the first fills the cache, the next ones hit it.
    for (int k = 0; k < 8; ++k) {
      std::string cmd = fmt::format("'{}' --compile-probe={} --cache-dir='{}'", self, c.id, dir);
      FILE *pipe = ::popen(cmd.c_str(), "r");
      char line[128] = {0};
      double ms = -1;
      if (pipe && std::fgets(line, sizeof line, pipe))
        ms = std::atof(line);
      if (pipe)
        ::pclose(pipe);
      if (k > 0)
        disk.push_back(ms);
    }
    fmt::print("| {} {} | {:.2f} | {:.4f} | {:.2f} |\n", c.id, c.name, median(cold), median(warm),
               median(disk));
  }
  std::string clean = fmt::format("rm -rf '{}'", dir);
  (void)std::system(clean.c_str());
}

int compileProbe(const std::string &id, const std::string &dir) {
  for (const Case &c : suite()) {
    if (id != c.id)
      continue;
    std::vector<int64_t> shape =
        c.rows ? std::vector<int64_t>{391, 256} : std::vector<int64_t>{100000};
    driver::CompileOptions options;
    options.cacheDir = dir;
    auto t0 = Clock::now();
    auto compiled = compileCase(c, shape, driver::Driver::shared(), options);
    double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    fmt::print("{}\n", compiled ? ms : -1.0);
    return compiled ? 0 : 1;
  }
  return 2;
}

} // namespace
} // namespace lamina::bench

int main(int argc, char **argv) {
  using namespace lamina::bench;
  lamina::driver::setBlasThreads(1); // lamina splits products over its own threads
  std::vector<size_t> sizes = {1000, 100000, 1000000, 10000000};
  std::vector<size_t> threadCounts = {1, 2};
  std::vector<char *> rest = {argv[0]};
  bool quick = false;
  std::string probe, cacheDir;
  for (int k = 1; k < argc; ++k) {
    std::string a = argv[k];
    if (a.rfind("--sizes=", 0) == 0)
      sizes = parseList(a.substr(8));
    else if (a.rfind("--threads=", 0) == 0)
      threadCounts = parseList(a.substr(10));
    else if (a == "--quick")
      quick = true;
    else if (a.rfind("--compile-probe=", 0) == 0)
      probe = a.substr(16);
    else if (a.rfind("--cache-dir=", 0) == 0)
      cacheDir = a.substr(12);
    else
      rest.push_back(argv[k]);
  }
  if (!probe.empty())
    return compileProbe(probe, cacheDir);
  for (const Case &c : suite())
    for (size_t n : sizes)
      for (size_t t : threadCounts) {
        unsigned threads = unsigned(t);
        auto reg = [&](const char *impl, auto fn) {
          auto *b = benchmark::RegisterBenchmark(label(c, n, threads, impl).c_str(), fn);
          b->UseRealTime()->MinTime(quick ? 0.01 : 0.05)->Repetitions(quick ? 1 : 5);
          if (!quick)
            b->ReportAggregatesOnly(true);
        };
        const Case *cp = &c;
        reg("lamina", [cp, n, threads](benchmark::State &s) { runLamina(s, *cp, n, threads); });
        reg("cpp",
            [cp, n, threads](benchmark::State &s) { runReference(s, *cp, n, threads, false); });
        reg("eigen",
            [cp, n, threads](benchmark::State &s) { runReference(s, *cp, n, threads, true); });
      }
  int count = int(rest.size());
  benchmark::Initialize(&count, rest.data());
  Collector collector;
  benchmark::RunSpecifiedBenchmarks(&collector);

  fmt::print(
      "\nns per element (median); ratio = lamina / reference (below 1: lamina is faster)\n\n");
  fmt::print(
      "| case | N | threads | lamina | cpp (fused loop) | Eigen | lamina/cpp | lamina/Eigen |\n");
  fmt::print("|---|---|---|---|---|---|---|---|\n");
  std::map<std::pair<size_t, size_t>, std::vector<double>> logRatios;
  for (const Case &c : suite())
    for (size_t n : sizes)
      for (size_t t : threadCounts) {
        auto get = [&](const char *impl) {
          auto it = collector.medians.find(label(c, n, unsigned(t), impl));
          return it == collector.medians.end() ? NAN : it->second / elementsOf(c, n);
        };
        double l = get("lamina"), h = get("cpp"), e = get("eigen");
        fmt::print("| {} {} | {:.0e} | {} | {:.3f} | {:.3f} | {:.3f} | {:.2f} | {:.2f} |\n", c.id,
                   c.name, double(n), t, l, h, e, l / h, l / e);
        if (std::isfinite(l / h))
          logRatios[{n, t}].push_back(std::log(l / h));
      }
  fmt::print("\nGeometric mean of lamina/cpp over the suite\n\n| N | threads | geomean "
             "|\n|---|---|---|\n");
  for (auto &[key, logs] : logRatios) {
    double sum = 0;
    for (double v : logs)
      sum += v;
    fmt::print("| {:.0e} | {} | {:.3f} |\n", double(key.first), key.second,
               std::exp(sum / double(logs.size())));
  }
  compileLatency(argv[0]);
  return 0;
}
