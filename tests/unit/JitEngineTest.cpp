// The JIT engine: caching (one compile per kernel, however many threads ask), reference
// counting and eviction, the persistent object cache refusing bad files, run-time checks.

#include "SemaSupport.h"

#include "compiler/interp/Interpreter.h"
#include "compiler/jit/Jit.h"
#include "compiler/types/Elements.h"
#include "runtime/threads/ThreadPool.h"

#include <doctest/doctest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>
#include <unistd.h>

using namespace lamina;
using namespace lamina::test;

namespace {

ir::Function functionOf(const std::string &source, const Inputs &inputs) {
  Analyzed a = analyzeText(source, inputs);
  REQUIRE_MESSAGE(a.fn, a.first());
  return *a.fn;
}

jit::CompileOptions memoryOnly() {
  jit::CompileOptions options;
  options.diskCache = false;
  return options;
}

Array iotaArray(int64_t n) {
  Array a = makeArray(DType::F32, {n});
  for (int64_t k = 0; k < n; ++k)
    storeFloat(a, k, double(k) - 3.5);
  return a;
}

// A fresh, private cache folder.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    path = std::filesystem::temp_directory_path() /
           ("lamina-jit-test-" + std::to_string(::getpid()) + "-" + std::to_string(std::rand()));
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::vector<std::filesystem::path> files() const {
    std::vector<std::filesystem::path> out;
    for (const auto &e : std::filesystem::directory_iterator(path))
      out.push_back(e.path());
    return out;
  }
};

std::vector<float> runFloats(const jit::Kernel &k, const Array &x) {
  SourceFile file("<test>", "");
  CollectingConsumer sink;
  DiagnosticEngine diags(sink);
  auto out = k.run({x}, {}, executorWithThreads(1), file, diags);
  REQUIRE(out);
  std::vector<float> v;
  for (int64_t i = 0; i < (*out)[0].elementCount(); ++i)
    v.push_back(float(loadFloat((*out)[0], i)));
  return v;
}

} // namespace

TEST_CASE("JIT engine: a second request is an in-memory hit on the same kernel") {
  jit::Jit engine;
  ir::Function fn = functionOf("lambda x: x * 3 + 1", {{"x", "f32[N]"}});
  jit::CompileStats first, second;
  auto a = engine.compile(fn, memoryOnly(), nullptr, &first);
  auto b = engine.compile(fn, memoryOnly(), nullptr, &second);
  REQUIRE(a);
  CHECK(a->sharesCodeWith(*b));
  CHECK(first.source == jit::CompileSource::Compiled);
  CHECK(second.source == jit::CompileSource::MemoryCache);
  // Symbolic sizes stay symbolic: one kernel serves every length.
  CHECK(runFloats(*a, iotaArray(3)) == std::vector<float>{-9.5f, -6.5f, -3.5f});
  CHECK(runFloats(*a, iotaArray(1)).size() == 1);
}

TEST_CASE("JIT engine: many threads asking for one kernel compile it once") {
  jit::Jit engine;
  ir::Function fn = functionOf("lambda x: tanh(x) * 2", {{"x", "f32[N]"}});
  std::vector<std::shared_ptr<const jit::Kernel>> got(8);
  std::atomic<int> compiled{0};
  std::vector<std::thread> threads;
  for (size_t t = 0; t < got.size(); ++t)
    threads.emplace_back([&, t] {
      jit::CompileStats stats;
      got[t] = engine.compile(fn, memoryOnly(), nullptr, &stats);
      compiled += stats.source == jit::CompileSource::Compiled;
    });
  for (auto &t : threads)
    t.join();
  CHECK(compiled == 1);
  for (auto &k : got)
    CHECK(k->sharesCodeWith(*got[0]));
}

TEST_CASE("JIT engine: evicted kernels stay usable while held; code is released after") {
  jit::Jit engine;
  engine.setMemoryCacheCapacity(2);
  auto held = engine.compile(functionOf("lambda x: x + 1", {{"x", "f32[N]"}}), memoryOnly());
  REQUIRE(held);
  for (int k = 2; k < 6; ++k)
    REQUIRE(engine.compile(functionOf("lambda x: x + " + std::to_string(k), {{"x", "f32[N]"}}),
                           memoryOnly()));
  CHECK(engine.memoryCacheSize() == 2);
  CHECK(engine.liveKernels() == 3); // two cached and the one still held
  CHECK(runFloats(*held, iotaArray(2)) == std::vector<float>{-2.5f, -1.5f});
  held.reset();
  CHECK(engine.liveKernels() == 2);
  engine.clearMemoryCache();
  CHECK(engine.liveKernels() == 0);
}

TEST_CASE("JIT engine: the persistent cache is used, and a bad entry is recompiled") {
  TempDir dir;
  jit::CompileOptions options;
  options.cacheDir = dir.path.string();
  ir::Function fn = functionOf("lambda x: exp(x) - 1", {{"x", "f32[N]"}});
  jit::CompileStats stats;
  std::vector<float> expected;
  {
    jit::Jit engine;
    auto k = engine.compile(fn, options, nullptr, &stats);
    REQUIRE(k);
    CHECK(stats.source == jit::CompileSource::Compiled);
    expected = runFloats(*k, iotaArray(9));
  }
  REQUIRE(dir.files().size() == 1);
  std::filesystem::path entry = dir.files()[0];
  {
    jit::Jit fresh; // as a new process would
    auto k = fresh.compile(fn, options, nullptr, &stats);
    REQUIRE(k);
    CHECK(stats.source == jit::CompileSource::DiskCache);
    CHECK(runFloats(*k, iotaArray(9)) == expected);
  }
  // Every byte position class: header, key, digest, object code. A flipped byte anywhere is
  // refused, recompiled and the entry rewritten.
  auto size = std::filesystem::file_size(entry);
  for (uintmax_t at : {uintmax_t(3), uintmax_t(20), size / 2, size - 1}) {
    {
      std::fstream f(entry, std::ios::in | std::ios::out | std::ios::binary);
      f.seekg(std::streamoff(at));
      char c = 0;
      f.get(c);
      f.seekp(std::streamoff(at));
      f.put(char(c ^ 0x5A));
    }
    jit::Jit fresh;
    auto k = fresh.compile(fn, options, nullptr, &stats);
    REQUIRE(k);
    CHECK(stats.source == jit::CompileSource::Compiled);
    CHECK(runFloats(*k, iotaArray(9)) == expected);
  }
  // Truncated, and writable by others: both refused.
  std::filesystem::resize_file(entry, size / 3);
  {
    jit::Jit fresh;
    REQUIRE(fresh.compile(fn, options, nullptr, &stats));
    CHECK(stats.source == jit::CompileSource::Compiled);
  }
  std::filesystem::permissions(entry, std::filesystem::perms::others_write,
                               std::filesystem::perm_options::add);
  {
    jit::Jit fresh;
    REQUIRE(fresh.compile(fn, options, nullptr, &stats));
    CHECK(stats.source == jit::CompileSource::Compiled);
  }
}

TEST_CASE("JIT kernels: wrong inputs and failed run-time shape checks are diagnostics") {
  jit::Jit engine;
  auto k = engine.compile(functionOf("lambda x, y: x + y", {{"x", "f32[B]"}, {"y", "f32[N]"}}),
                          memoryOnly());
  REQUIRE(k);
  SourceFile file("<test>", "lambda x, y: x + y");
  CollectingConsumer sink;
  DiagnosticEngine diags(sink);
  // B = 3 and N = 2 do not broadcast: reported at the `+`.
  CHECK_FALSE(k->run({iotaArray(3), iotaArray(2)}, {}, executorWithThreads(1), file, diags));
  REQUIRE(!sink.diagnostics.empty());
  CHECK(sink.diagnostics[0].info().code == "E0701");
  sink.diagnostics.clear();
  // N = 1 broadcasts.
  auto out = k->run({iotaArray(3), iotaArray(1)}, {}, executorWithThreads(1), file, diags);
  REQUIRE(out);
  CHECK(loadFloat((*out)[0], 2) == -5.0); // -1.5 + -3.5
  // A wrong dtype.
  Array ints = makeArray(DType::I32, {3});
  CHECK_FALSE(k->run({ints, iotaArray(3)}, {}, executorWithThreads(1), file, diags));
  REQUIRE(!sink.diagnostics.empty());
  CHECK(sink.diagnostics[0].info().code == "E0702");
}

TEST_CASE("JIT kernels: two threads give the bits one thread gives") {
  jit::Jit engine;
  auto k = engine.compile(functionOf("def f(x): e = exp(x - max(x, axis=1, keepdims=True)); "
                                     "return e / sum(e, axis=1, keepdims=True)",
                                     {{"x", "f32[B, 256]"}}),
                          memoryOnly());
  REQUIRE(k);
  Array x = makeArray(DType::F32, {2048, 256});
  for (int64_t i = 0; i < x.elementCount(); ++i)
    storeFloat(x, i, std::sin(double(i) * 0.37) * 4);
  SourceFile file("<test>", "");
  CollectingConsumer sink;
  DiagnosticEngine diags(sink);
  auto one = k->run({x}, {}, executorWithThreads(1), file, diags);
  auto two = k->run({x}, {}, executorWithThreads(2), file, diags);
  REQUIRE(one);
  REQUIRE(two);
  CHECK((*one)[0].bytes == (*two)[0].bytes);
}

TEST_CASE("JIT engine: compiling and running from many threads at once (run under TSan too)") {
  jit::Jit engine;
  engine.setMemoryCacheCapacity(3); // evictions while other threads hold and run kernels
  const char *sources[] = {"lambda x: x * 2 + 1", "lambda x: exp(-x * x)",
                           "lambda x: relu(x) - sum(x)", "lambda x: where(x > 1, x, -x)",
                           "lambda x: tanh(x) * 3"};
  std::vector<std::vector<float>> expected;
  for (const char *s : sources)
    expected.push_back(
        runFloats(*engine.compile(functionOf(s, {{"x", "f32[N]"}}), memoryOnly()), iotaArray(37)));
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t)
    threads.emplace_back([&, t] {
      for (int round = 0; round < 20; ++round) {
        size_t k = size_t(t + round) % std::size(sources);
        auto kernel = engine.compile(functionOf(sources[k], {{"x", "f32[N]"}}), memoryOnly());
        if (!kernel || runFloats(*kernel, iotaArray(37)) != expected[k])
          ++mismatches;
      }
    });
  for (auto &t : threads)
    t.join();
  CHECK(mismatches == 0);
  CHECK(engine.liveKernels() <= 3 + 6); // the cache, plus at most one held per thread
}

// Issue 13, item 7: two sources that compile to one kernel (the cache key has no source
// ranges) each get their run-time errors at their own position.
TEST_CASE("JIT engine: a shared kernel reports run-time errors in each caller's source") {
  jit::Jit engine;
  const std::string near = "lambda x: x[:5] * 2", far = "lambda x:     x[:5] * 2";
  auto a = engine.compile(functionOf(near, {{"x", "f32[N]"}}), memoryOnly());
  auto b = engine.compile(functionOf(far, {{"x", "f32[N]"}}), memoryOnly());
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->sharesCodeWith(*b));
  for (const auto &[kernel, text] : {std::pair{a, near}, std::pair{b, far}}) {
    SourceFile file("<test>", text);
    CollectingConsumer sink;
    DiagnosticEngine diags(sink);
    CHECK(!kernel->run({iotaArray(3)}, {}, executorWithThreads(1), file, diags));
    REQUIRE(sink.diagnostics.size() == 1);
    const Diagnostic &d = sink.diagnostics[0];
    CHECK(d.info().code == std::string_view("E0508"));
    CHECK(text.substr(d.range.begin, d.range.end - d.range.begin) == "x[:5]");
  }
}

// Issue 13, items 6 and 8: the JIT refuses what the interpreter refuses for the byte budget,
// at the same value, before anything is allocated or computed.
TEST_CASE("JIT engine: the per-call budget is the interpreter's, at the same value") {
  jit::Jit engine;
  const std::string text = "lambda x: x * sum(ones((100000, 100000)))";
  ir::Function fn = functionOf(text, {{"x", "f32[N]"}});
  auto kernel = engine.compile(fn, memoryOnly());
  REQUIRE(kernel);
  SourceFile file("<test>", text);
  CollectingConsumer jitSink, interpSink;
  DiagnosticEngine jitDiags(jitSink), interpDiags(interpSink);
  CHECK(!kernel->run({iotaArray(3)}, {}, executorWithThreads(1), file, jitDiags));
  CHECK(!interpret(fn, {iotaArray(3)}, {}, file, interpDiags));
  REQUIRE(jitSink.diagnostics.size() == 1);
  REQUIRE(interpSink.diagnostics.size() == 1);
  CHECK(jitSink.diagnostics[0].info().code == std::string_view("E0703"));
  CHECK(jitSink.diagnostics[0].range.begin == interpSink.diagnostics[0].range.begin);
  CHECK(jitSink.diagnostics[0].message == interpSink.diagnostics[0].message);
}

// Issue 13, item 10: a computation abandoned with Ctrl-C must stop, not keep a core busy. A set
// cancel flag stops both engines with E0705; a clear one changes nothing.
TEST_CASE("JIT engine and interpreter: a cancelled call stops with E0705") {
  jit::Jit engine;
  const std::string text = "lambda x: exp(x) * 2";
  ir::Function fn = functionOf(text, {{"x", "f32[N]"}});
  auto kernel = engine.compile(fn, memoryOnly());
  REQUIRE(kernel);
  SourceFile file("<test>", text);
  std::atomic<bool> cancel{true};
  for (bool threaded : {false, true}) {
    CollectingConsumer sink;
    DiagnosticEngine diags(sink);
    jit::RunOptions options;
    options.cancel = &cancel;
    options.parallelThreshold = 1;
    CHECK(!kernel->run({iotaArray(1 << 12)}, {}, executorWithThreads(threaded ? 2 : 1), file, diags,
                       options));
    REQUIRE(sink.diagnostics.size() == 1);
    CHECK(sink.diagnostics[0].info().code == std::string_view("E0705"));
  }
  CollectingConsumer sink;
  DiagnosticEngine diags(sink);
  InterpOptions interpOptions;
  interpOptions.cancel = &cancel;
  CHECK(!interpret(fn, {iotaArray(8)}, {}, file, diags, interpOptions));
  REQUIRE(sink.diagnostics.size() == 1);
  CHECK(sink.diagnostics[0].info().code == std::string_view("E0705"));
  cancel = false;
  jit::RunOptions running;
  running.cancel = &cancel;
  CHECK(kernel->run({iotaArray(8)}, {}, executorWithThreads(1), file, diags, running));
}

TEST_CASE("JIT engine: the plan prints each loop nest's schedule for the target") {
  jit::Jit engine;
  ir::Function fn = functionOf("lambda x, w: (softmax(x, axis=0), x @ w, argmax(x, axis=1))",
                               {{"x", "f32[B, 64]"}, {"w", "f32[64, 8]"}});
  for (auto [cpu, lanes] :
       {std::pair<const char *, unsigned>{"generic", 4}, {"skylake-avx512", 16}}) {
    CAPTURE(cpu);
    jit::CompileOptions options = memoryOnly();
    options.cpu = cpu;
    std::string text = engine.emitText(fn, jit::Jit::TextStage::Plan, options);
    CHECK(text.find(fmt::format("; schedules ({}-lane vectors):", lanes)) != std::string::npos);
    // softmax over axis 0: the max and the sum split over threads in chunks, 64 columns a
    // pass at 16 lanes (4 vectors), 32 at 4 lanes (at most 8 vectors a pass).
    CHECK(text.find(fmt::format("{} vectors of partial results per pass", lanes == 4 ? 8 : 4)) !=
          std::string::npos);
    CHECK(text.find("threads: chunks of the operand's axis 0, joined in chunk order") !=
          std::string::npos);
    // x @ w, 8 columns: one vector of 16 lanes and 16 rows a block, or two of 4 and 6 rows
    // (16 registers); w (K = 64) packed in panels.
    CHECK(text.find(lanes == 4 ? "register blocks of 6 rows x 2 vectors"
                               : "register blocks of 16 rows x 1 vectors") != std::string::npos);
    CHECK(text.find("packed in panels of 64 x") != std::string::npos);
    CHECK(text.find("lanes combined as a tree") != std::string::npos);
  }
}
