// The driver (compiler/driver/Driver.h): the one path from source text to outputs. Its
// source cache answers a repeated request without parsing, a request that differs in any
// field compiles anew, and both engines it runs agree.

#include "compiler/driver/Driver.h"
#include "compiler/types/Elements.h"
#include "compiler/types/TypeSpec.h"

#include <doctest/doctest.h>

using namespace lamina;

namespace {

driver::CompileOptions memoryOnly() {
  driver::CompileOptions options;
  options.diskCache = false;
  return options;
}

SemaRequest requestFor(const std::string &type) {
  std::string error;
  SemaRequest request;
  auto parsed = parseTypeSpec(type, error);
  REQUIRE_MESSAGE(parsed, error);
  request.inputs.push_back({"x", *parsed});
  return request;
}

} // namespace

TEST_CASE("driver: compileSource answers a repeated request from its cache") {
  driver::Driver &d = driver::Driver::shared();
  SourceFile file("<driver>", "lambda x: relu(x) * 2.0 + 1.0");
  CollectingConsumer sink;
  DiagnosticEngine diags(sink);
  driver::CompileStats first, second, other;
  auto a = d.compileSource(file, requestFor("f32[B, 8]"), diags, memoryOnly(), &first);
  auto b = d.compileSource(file, requestFor("f32[B, 8]"), diags, memoryOnly(), &second);
  REQUIRE(a);
  CHECK(a == b);
  CHECK(second.source == driver::CompileSource::MemoryCache);
  // Another input type is another function: no hit on the first one's entry.
  auto c = d.compileSource(file, requestFor("f64[B, 8]"), diags, memoryOnly(), &other);
  REQUIRE(c);
  CHECK(c != a);
  CHECK(c->function().inputs[0].type.dtype == DType::F64);
  CHECK(sink.diagnostics.empty());
}

TEST_CASE("driver: a source that does not check reports and compiles nothing") {
  SourceFile file("<driver>", "lambda x: x + y");
  CollectingConsumer sink;
  DiagnosticEngine diags(sink);
  auto kernel =
      driver::Driver::shared().compileSource(file, requestFor("f32[4]"), diags, memoryOnly());
  CHECK_FALSE(kernel);
  REQUIRE(sink.diagnostics.size() == 1);
  CHECK(sink.diagnostics[0].range.begin == 14); // at `y`
}

TEST_CASE("driver: evaluate runs the kernel and the interpreter to the same numbers") {
  driver::Driver &d = driver::Driver::shared();
  SourceFile file("<driver>", "lambda x: exp(x) / sum(exp(x), axis=-1, keepdims=True)");
  CollectingConsumer sink;
  DiagnosticEngine diags(sink);
  auto fn = d.check(file, requestFor("f32[3, 5]"), diags);
  REQUIRE(fn);
  Array x = makeArray(DType::F32, {3, 5});
  for (int64_t k = 0; k < 15; ++k)
    storeFloat(x, k, 0.25 * double(k) - 1.0);
  driver::EvalSettings jit, interp;
  jit.compile = memoryOnly();
  interp.interpreter = true;
  std::string jitError;
  auto compiled = d.evaluate(*fn, {x}, jit, file, diags, jitError); // on the calling thread
  auto reference = d.evaluate(*fn, {x}, interp, file, diags, jitError);
  REQUIRE(compiled);
  REQUIRE(reference);
  CHECK(jitError.empty());
  for (int64_t k = 0; k < 15; ++k)
    CHECK(loadFloat((*compiled)[0], k) ==
          doctest::Approx(loadFloat((*reference)[0], k)).epsilon(1e-6));
}

TEST_CASE("driver: emitText gives every stage") {
  driver::Driver &d = driver::Driver::shared();
  SourceFile file("<driver>", "lambda x: x * 3.0");
  CollectingConsumer sink;
  DiagnosticEngine diags(sink);
  auto fn = d.check(file, requestFor("f32[16]"), diags);
  REQUIRE(fn);
  CHECK(d.emitText(*fn, driver::TextStage::IR).find("mul") != std::string::npos);
  CHECK(d.emitText(*fn, driver::TextStage::Plan, memoryOnly()).find("stage") != std::string::npos);
  CHECK(d.emitText(*fn, driver::TextStage::LLVM, memoryOnly()).find("define") != std::string::npos);
  CHECK(d.emitText(*fn, driver::TextStage::Asm, memoryOnly()).find("ret") != std::string::npos);
}

TEST_CASE("driver: the inline executor covers every iteration once, in order") {
  std::vector<int64_t> seen;
  driver::inlineExecutor().parallelFor(10, 3, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i)
      seen.push_back(i);
  });
  REQUIRE(seen.size() == 10);
  for (int64_t i = 0; i < 10; ++i)
    CHECK(seen[size_t(i)] == i);
  CHECK(driver::inlineExecutor().concurrency() == 1);
}

TEST_CASE("driver: statements mode binds globals, shares defs typed elsewhere, points into "
          "each source") {
  driver::Driver &d = driver::Driver::shared();
  CollectingConsumer sink;
  DiagnosticEngine diags(sink);
  auto parseFile = [&](const SourceFile &file) {
    auto module = parse(file, diags);
    REQUIRE(module);
    return module;
  };
  SourceFile defs("<earlier>",
                  "def twice(a):\n    return a * 2.0\ndef bad(a):\n    return a @ a\n");
  auto defModule = parseFile(defs);
  std::vector<SharedDef> shared;
  for (const ast::Node *item : defModule->items)
    shared.push_back({ast::dyn<ast::Def>(item), &defs});

  // `y = twice(x)` then `y + k`: results are the expression, then the assigned name.
  SourceFile input("<input>", "y = twice(x)\ny + k");
  auto module = parseFile(input);
  SemaRequest request = requestFor("f32[2, 3]");
  request.arguments.emplace_back("k", ConstValue::integer(1));
  request.defs = shared;
  request.resultNames = std::vector<std::string>{"y"};
  auto fn = d.check(*module, input, request, diags);
  REQUIRE(fn);
  REQUIRE(fn->outputs.size() == 2);
  CHECK(fn->typeOf(fn->outputs[0]).str() == "f32[2, 3]");
  // What twice() emitted carries the range of its call, in the input's text.
  for (const ir::Instr &in : fn->instrs)
    CHECK(in.range.end <= input.text().size());
  const ir::Instr &twice = fn->instrs[fn->outputs[1]];
  CHECK(twice.op == ir::Op::Mul);
  CHECK(input.text().substr(twice.range.begin, twice.range.end - twice.range.begin) == "twice(x)");
  Array x = makeArray(DType::F32, {2, 3});
  for (int64_t i = 0; i < 6; ++i)
    storeFloat(x, i, double(i));
  std::string jitError;
  auto outputs = d.evaluate(*fn, {x}, {}, input, diags, jitError);
  REQUIRE(outputs);
  CHECK(loadFloat((*outputs)[0], 5) == 11.0); // exact: small integers in f32
  CHECK(loadFloat((*outputs)[1], 5) == 10.0);
  CHECK(sink.diagnostics.empty());

  // An error in a shared def's body is reported in the source that def was typed in.
  SourceFile call("<call>", "bad(x)");
  auto callModule = parseFile(call);
  request.resultNames = std::vector<std::string>{};
  CHECK_FALSE(d.check(*callModule, call, request, diags));
  REQUIRE(sink.diagnostics.size() == 1);
  CHECK(sink.diagnostics[0].kind == DiagKind::MatMulMismatch);
  CHECK(sink.diagnostics[0].file == &defs);
  CHECK(sink.diagnostics[0].location().line == 4);

  // A parameter's default is the shared def's text too: evaluated in its source (the fuzzer
  // found it read against the short input, past its end).
  SourceFile withDefault("<earlier2>", "def scaled(a, k=2.0 * 3.0):\n    return a * k\n");
  auto defaultModule = parseFile(withDefault);
  request.defs = {{ast::dyn<ast::Def>(defaultModule->items[0]), &withDefault}};
  SourceFile shortCall("<short>", "scaled(x)");
  auto shortModule = parseFile(shortCall);
  CollectingConsumer freshSink; // `diags` has counted the error above
  DiagnosticEngine fresh(freshSink);
  auto scaled = d.check(*shortModule, shortCall, request, fresh);
  REQUIRE(scaled);
  auto scaledOut = d.evaluate(*scaled, {x}, {}, shortCall, fresh, jitError);
  REQUIRE(scaledOut);
  CHECK(loadFloat((*scaledOut)[0], 5) == 30.0);
  CHECK(freshSink.diagnostics.empty());
}
TEST_CASE("driver: compileSource keeps the most recently used kernels, up to the policy's count") {
  driver::Driver &d = driver::Driver::shared();
  const driver::CachePolicy before = d.cachePolicy();
  d.setMemoryCacheCapacity(2);
  CHECK(d.cachePolicy().kernels == 2);
  CHECK(d.memoryCacheSize() <= 2);
  CollectingConsumer sink;
  DiagnosticEngine diags(sink);
  SourceFile a("<lru>", "lambda x: x * 11.0"), b("<lru>", "lambda x: x * 12.0"),
      c("<lru>", "lambda x: x * 13.0");
  auto compile = [&](const SourceFile &file) {
    return d.compileSource(file, requestFor("f32[B, 4]"), diags, memoryOnly());
  };
  auto ka = compile(a), kb = compile(b);
  REQUIRE(ka);
  REQUIRE(kb);
  CHECK(compile(a) == ka); // a hit, which makes `a` the most recently used
  auto kc = compile(c);    // evicts `b`, the least recently used, not `a`
  CHECK(compile(a) == ka);
  CHECK(compile(c) == kc);
  CHECK(compile(b) != kb); // made anew
  CHECK(d.memoryCacheSize() <= 2);
  CHECK(sink.diagnostics.empty());
  d.setCachePolicy(before);
  CHECK(d.cachePolicy().kernels == before.kernels);
}

TEST_CASE("driver: a kernel keeps the run-time checks of at most the policy's count of sizes") {
  driver::Driver &d = driver::Driver::shared();
  const driver::CachePolicy before = d.cachePolicy();
  driver::CachePolicy policy = before;
  policy.boundShapes = 3;
  d.setCachePolicy(policy);
  SourceFile file("<bound>", "lambda x: x * 2.0 + 1.0");
  CollectingConsumer sink;
  DiagnosticEngine diags(sink);
  auto fn = d.check(file, requestFor("f32[N]"), diags);
  REQUIRE(fn);
  // Sizes 1 to 10, each computed right, with the checks of the latest `capacity` kept (the
  // kernel starts with `held`).
  auto runSizes = [&](const driver::Kernel &kernel, size_t capacity, size_t held) {
    for (int64_t n = 1; n <= 10; ++n) {
      Array x = makeArray(DType::F32, {n});
      for (int64_t k = 0; k < n; ++k)
        storeFloat(x, k, 0.5 * double(k) - 2.0);
      auto out = kernel.run({x}, {}, driver::inlineExecutor(), file, diags);
      REQUIRE(out);
      REQUIRE((*out)[0].shape == std::vector<int64_t>{n});
      for (int64_t k = 0; k < n; ++k)
        CHECK(loadFloat((*out)[0], k) == doctest::Approx((0.5 * double(k) - 2.0) * 2.0 + 1.0));
      CHECK(kernel.boundShapesCached() == std::min(std::max(held, size_t(n)), capacity));
    }
  };
  auto kernel = d.compile(*fn, memoryOnly());
  REQUIRE(kernel);
  runSizes(*kernel, 3, 0);
  // A kernel keeps the capacity it was compiled with; the next compile follows the policy.
  policy.boundShapes = 5;
  d.setCachePolicy(policy);
  runSizes(*kernel, 3, 3);
  auto wider = d.compile(*fn, memoryOnly());
  REQUIRE(wider);
  runSizes(*wider, 5, 0);
  CHECK(sink.diagnostics.empty());
  d.setCachePolicy(before);
}
