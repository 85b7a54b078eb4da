// lamina bench: times one compiled kernel in-process, speaking the peer protocol of
// ../shared/bench/peers: it makes its own inputs (float32 unless a dtype is given, uniform in
// [-4, 4); integers are in-range indices), warms up, times calls into preallocated outputs and
// prints the median as `ns_per_elem=` (per element of the first input), with `ns_per_call=` and
// `compile_ms=`.

#include "compiler/types/Elements.h"
#include "lamina/Runtime.h"
#include "tools/lamina/Commands.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <random>

namespace lamina::cli {
namespace {

struct BenchOptions {
  std::string inputs;
  unsigned threads = 1;
  double seconds = 0.3; // of timed calls, after the warm-up
  JitOptions jit;
};

struct NamedShape {
  std::string name;
  std::vector<int64_t> shape;
  DType dtype = DType::F32;
};

// `x:391,256`, `a:1000;b:1000;c:1000`, with a dtype per input: `i:15625:i32`.
std::optional<std::vector<NamedShape>> parseInputs(const std::string &text) {
  std::vector<NamedShape> out;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = std::min(text.find(';', pos), text.size());
    std::string item = text.substr(pos, end - pos);
    size_t colon = item.find(':');
    if (colon == std::string::npos || colon == 0)
      return std::nullopt;
    NamedShape input{item.substr(0, colon), {}};
    std::string dims = item.substr(colon + 1);
    if (size_t typed = dims.find(':'); typed != std::string::npos) {
      auto dtype = parseDType(dims.substr(typed + 1));
      if (!dtype)
        return std::nullopt;
      input.dtype = *dtype;
      dims.resize(typed);
    }
    size_t d = 0;
    while (d <= dims.size()) {
      size_t comma = std::min(dims.find(',', d), dims.size());
      std::string number = dims.substr(d, comma - d);
      int64_t value = -1;
      auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
      if (ec != std::errc() || ptr != number.data() + number.size() || value < 0 ||
          value > (int64_t(1) << 32))
        return std::nullopt;
      input.shape.push_back(value);
      d = comma + 1;
    }
    out.push_back(std::move(input));
    pos = end + 1;
  }
  return out;
}

// Floats uniform in [-4, 4); integers are indices, uniform over the longest axis of the float
// inputs (a gather's table), or [0, 64) when there is none; bools half true.
Array benchInput(const NamedShape &s, const std::vector<NamedShape> &all) {
  std::mt19937_64 rng(12345 + s.name.size());
  Array a = makeArray(s.dtype, s.shape);
  if (s.dtype == DType::F32) { // the common case, without the per-element dispatch
    std::uniform_real_distribution<float> uniform(-4.0f, 4.0f);
    auto *data = reinterpret_cast<float *>(a.bytes.data());
    for (int64_t k = 0; k < a.elementCount(); ++k)
      data[k] = uniform(rng);
    return a;
  }
  int64_t bound = 0;
  for (const NamedShape &other : all)
    if (isFloat(other.dtype))
      for (int64_t d : other.shape)
        bound = std::max(bound, d);
  bound = bound > 0 ? bound : 64;
  int64_t cap = s.dtype == DType::I8    ? INT8_MAX
                : s.dtype == DType::U8  ? UINT8_MAX
                : s.dtype == DType::I16 ? INT16_MAX
                : s.dtype == DType::U16 ? UINT16_MAX
                                        : bound;
  std::uniform_real_distribution<double> uniform(-4.0, 4.0);
  for (int64_t k = 0; k < a.elementCount(); ++k) {
    if (isFloat(s.dtype))
      storeFloat(a, k, uniform(rng));
    else if (s.dtype == DType::Bool)
      storeInt(a, k, int64_t(rng() & 1));
    else
      storeInt(a, k, int64_t(rng() % uint64_t(std::min<int64_t>(bound, cap))));
  }
  return a;
}

} // namespace

int64_t callsPerSample(const std::function<void()> &call) {
  using Clock = std::chrono::steady_clock;
  int64_t perSample = 1;
  for (;;) {
    auto t0 = Clock::now();
    for (int64_t k = 0; k < perSample; ++k)
      call();
    double s = std::chrono::duration<double>(Clock::now() - t0).count();
    if (s > 0.002 || perSample > (int64_t(1) << 30))
      return perSample;
    perSample *= 2;
  }
}

Timing timeCalls(const std::function<void()> &call, int64_t perSample, size_t minSamples,
                 double seconds, size_t maxSamples) {
  using Clock = std::chrono::steady_clock;
  std::vector<double> samples;
  auto begin = Clock::now();
  while (samples.size() < minSamples ||
         (std::chrono::duration<double>(Clock::now() - begin).count() < seconds &&
          samples.size() < maxSamples)) {
    auto t0 = Clock::now();
    for (int64_t k = 0; k < perSample; ++k)
      call();
    samples.push_back(std::chrono::duration<double, std::nano>(Clock::now() - t0).count() /
                      double(perSample));
  }
  Timing out;
  out.samples = samples.size();
  if (samples.empty())
    return out;
  auto [lo, hi] = std::minmax_element(samples.begin(), samples.end());
  out.minNs = *lo;
  out.maxNs = *hi;
  std::nth_element(samples.begin(), samples.begin() + long(samples.size() / 2), samples.end());
  out.medianNs = samples[samples.size() / 2];
  return out;
}

Action addBenchCommand(CLI::App &app, SourceOptions &options) {
  auto bench = std::make_shared<BenchOptions>();
  CLI::App *command = app.add_subcommand(
      "bench", "Time a compiled kernel on generated float32 inputs (the peer-benchmark protocol)");
  addSourceOptions(*command, options);
  command
      ->add_option("--inputs", bench->inputs,
                   "shapes, with a dtype where not f32: x:391,256 or a:N;b:N;i:N:i32")
      ->required();
  command->add_option("--threads", bench->threads, "threads (default 1)")->capture_default_str();
  command->add_option("--seconds", bench->seconds, "time spent timing")->capture_default_str();
  addJitOptions(*command, bench->jit);
  return [&options, bench] {
    auto shapes = parseInputs(bench->inputs);
    if (!shapes || bench->threads == 0) {
      fmt::print(stderr, "lamina: error: --inputs wants NAME:D1,D2[:DTYPE];NAME:D1 (sizes up to "
                         "2^32, DTYPE such as i32 or f16), --threads at least 1\n");
      return int(kExitUsage);
    }
    return forEachModule(options, [&](const SourceFile &file, const ast::Module &module,
                                      DiagnosticEngine &diags) {
      using Clock = std::chrono::steady_clock;
      auto start = Clock::now();
      SemaRequest request;
      for (const NamedShape &s : *shapes) {
        TensorType type{s.dtype, {}};
        for (int64_t d : s.shape)
          type.shape.push_back(d);
        request.inputs.push_back({s.name, type});
      }
      auto fn = analyze(module, file, request, diags);
      if (!fn)
        return int(kExitInputErrors);
      driver::CompileOptions compile = compileOptions(bench->jit);
      std::string error;
      driver::CompileStats stats;
      auto kernel = driver::Driver::shared().compile(*fn, compile, &error, &stats);
      if (!kernel) {
        fmt::print(stderr, "lamina: error: {}\n", error);
        return int(kExitInternal);
      }
      double compileMs = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
      std::vector<Array> inputs;
      for (const ir::InputDecl &decl : fn->inputs)
        inputs.push_back(benchInput((*shapes)[decl.binding], *shapes));
      std::vector<TensorRef> in;
      for (Array &a : inputs)
        in.push_back({a.dtype, a.shape, a.bytes.data()});
      auto outShapes = kernel->outputShapes(in, file, diags);
      if (!outShapes)
        return int(kExitInputErrors);
      std::vector<Array> outputs;
      std::vector<TensorRef> out;
      for (size_t o = 0; o < outShapes->size(); ++o)
        outputs.push_back(makeArray(fn->typeOf(fn->outputs[o]).dtype, (*outShapes)[o]));
      for (Array &a : outputs)
        out.push_back({a.dtype, a.shape, a.bytes.data()});
      Executor &executor = threadPool(bench->threads);
      auto call = [&] { return kernel->run(in, {}, out, executor, file, diags); };
      // Warm-up, and the calls per sample that make a sample about 2 ms.
      if (!call())
        return int(kExitInputErrors);
      std::function<void()> timed = [&] { call(); };
      Timing timing = timeCalls(timed, callsPerSample(timed), 5, bench->seconds, 1000);
      double median = timing.medianNs;
      int64_t elements = inputs.empty() ? 1 : std::max<int64_t>(inputs[0].elementCount(), 1);
      fmt::print("ns_per_elem={:.6g}\nns_per_call={:.6g}\ncompile_ms={:.4g}\nstages={}\n",
                 median / double(elements), median, compileMs, kernel->stageCount());
      // Where the compile went (the first compile in a process also starts LLVM and the JIT).
      fmt::print("compile_split_ms=plan:{:.2f},llvm-ir:{:.2f},machine-code:{:.2f},link:{:.2f}\n",
                 stats.planMs, stats.llvmIrMs, stats.machineCodeMs, stats.linkMs);
      return int(kExitOk);
    });
  };
}

} // namespace lamina::cli
