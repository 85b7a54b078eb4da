// The differential tables of how kernels run rather than what they compute: vector widths
// and targets, the long-vector subset, misaligned views, symbolic shapes and run-time checks,
// threads, split reductions, variables; and one kernel called from several threads at once.

#include "DifferentialDriver.h"

#include <doctest/doctest.h>

#include "compiler/types/Elements.h"
#include "runtime/threads/ThreadPool.h"

#include <fmt/format.h>

#include <cmath>
#include <thread>

using namespace lamina;
using namespace lamina::jitdiff;
using ir::Op;

// Data movement whose lanes stay inside one operand row (tile, repeat, flatten: a reshape
// whose operand's last axis is a whole number of vectors), and kept-axis reductions, scans and
// arg-reductions and register-blocked products, at every vector width, on rows that are and
// are not multiples of it. Exact.
TEST_CASE("vector paths by layout: reshaped rows, columns, scans, arg-reductions, strides") {
  const char *exprs[] = {
      "tile(x, (1, 4))", "tile(x, (2, 3))", "reshape(x, (-1,))",
      "reshape(repeat(x, 2, axis=0), (-1,)) + 1", "reshape(x, (C, R))", "max(x, axis=0)",
      "min(expand_dims(x, 0), axis=(0, 1))", "cumsum(x, axis=0)", "cumprod(x * 0.5, axis=0)",
      "argmax(x, axis=1)", "argmin(x, axis=-1)", "gather(x, argmax(x, axis=1), axis=0)",
      // register-blocked products (integer values: exact sums in any order)
      "transpose(round(clip(x, -4, 4))) @ round(clip(x, -4, 4))",
      "round(clip(x, -4, 4)) @ transpose(round(clip(x, -4, 4)))",
      "matmul(expand_dims(round(clip(x, -4, 4)), 0), transpose(round(clip(x, -4, 4))))",
      // small strides along the last axis: a masked load and a shuffle (up to 4), the last
      // row's reads ending at the buffer's end; 5: a gather
      "x[:, ::2]", "x[:, 1::3] * 2", "x[:, ::-2]", "x[::-1, -2::-4] + 1", "x[:, ::5]",
      "x[:, ::2] + x[:, 1::2]"};
  std::vector<KernelCase> cases;
  for (unsigned width : {4u, 8u, 16u}) {
    driver::CompileOptions options = jittest::testCompileOptions();
    options.vectorWidth = width;
    for (const char *expr : exprs) {
      for (const Dims &shape : {Dims{3, 16}, {5, 32}, {2, 64}, {4, 48}, {3, 20}, {7, 1}, {0, 16}}) {
        std::string source = expr;
        size_t at = source.find("(C, R)");
        if (at != std::string::npos) // a reshape to the transposed sizes
          source.replace(at, 6, fmt::format("({}, -1)", shape[1]));
        KernelCase k{fmt::format("width {} `{}` [{}]", width, expr, fmt::join(shape, ",")),
                     source,
                     {{"x", fmt::format("f32[R, {}]", shape[1])}},
                     [shape](std::mt19937_64 &rng) {
                       Array x = unaryInputs(DType::F32, shape[0] * shape[1], -4, 4, rng);
                       x.shape = shape;
                       return std::vector<Call>{{"", {x}}};
                     }};
        bool maxOrMin = std::string_view(expr).find("max") != std::string_view::npos ||
                        std::string_view(expr).find("min") != std::string_view::npos;
        k.rules = {maxOrMin ? Rule::of(Rule::Kind::AnyZero) : Rule::exact()};
        k.options = options;
        k.run = Run::TwoThreads;
        k.refusal = Refusal::Skip; // argmax of an empty row: both refuse (tested elsewhere)
        cases.push_back(std::move(k));
      }
    }
  }
  runCases(cases);
}

TEST_CASE("other targets: generic x86-64 (SSE2) and vector widths 4 and 16") {
  struct Target {
    const char *name;
    const char *cpu;
    unsigned width;
  };
  const Target targets[] = {{"generic", "generic", 0}, {"width 4", "", 4}, {"width 16", "", 16}};
  struct TargetCase {
    const char *expr;
    Rule rule;
    bool moderate; // reductions and products: moderate values (see moderateArray)
  };
  const TargetCase rows[] = {
      {"x * 1.5 - abs(x) // 0.75", Rule::exact(), false},
      {"cast(x * 100.0, 'int8')", Rule::exact(), false},
      {"where(x > 0.5, round(x), x[:, ::-1])", Rule::exact(), false},
      {"exp(x)", Rule::math(Op::Exp), false},
      {"log1p(x)", Rule::math(Op::Log1p), false},
      {"sin(x)", Rule::math(Op::Sin), false},
      {"erf(x)", Rule::math(Op::Erf), false},
      {"x ** 0.5", Rule::math(Op::Pow), false},
      {"sum(x, axis=1)", Rule::sum("sum(abs(x), axis=1)"), true},
      {"max(x, axis=0)", Rule::of(Rule::Kind::AnyZero), false},
      {"argmax(x, axis=1)", Rule::exact(), false},
      {"cumsum(x, axis=1)", Rule::sum("cumsum(abs(x), axis=1)"), true},
      {"softmax(x, axis=1)", Rule::of(Rule::Kind::Composite), true},
      {"x @ transpose(x)", Rule::sum("abs(x) @ transpose(abs(x))"), true},
  };
  std::vector<KernelCase> cases;
  for (const Target &target : targets) {
    driver::CompileOptions options = jittest::testCompileOptions();
    options.cpu = target.cpu;
    options.vectorWidth = target.width;
    for (DType t : {DType::F32, DType::F64, DType::F16}) {
      for (const TargetCase &c : rows) {
        KernelCase k{fmt::format("target {} `{}` {}", target.name, c.expr, shortName(t)),
                     c.expr,
                     {{"x", typeSpec(t, "R, C")}},
                     [t, moderate = c.moderate](std::mt19937_64 &rng) {
                       std::vector<Call> calls;
                       for (const Dims &shape : {Dims{3, 37}, {5, 1}, {0, 4}, {2, 16}, {17, 3}}) {
                         Array x = moderate ? jittest::moderateArray(t, shape, rng)
                                            : unaryInputs(t, shape[0] * shape[1], -4, 4, rng);
                         x.shape = shape;
                         calls.push_back({fmt::format("shape [{}]", fmt::join(shape, ",")), {x}});
                       }
                       return calls;
                     }};
        k.rules = {c.rule};
        k.options = options;
        k.refusal = Refusal::Fail;
        cases.push_back(std::move(k));
      }
    }
  }
  runCases(cases);
}

TEST_CASE("long vectors (1000003 elements): a representative subset") {
  // One op per code path: plain arithmetic, a rounding op, a polynomial transcendental, one
  // with range reduction, one with a division, a cast, the select; one reduction of each kind.
  struct LongCase {
    const char *expr;
    Rule rule;
    bool reduction; // moderate values without specials; sums maybe exactly summable
  };
  const LongCase rows[] = {
      {"x * 1.5 + 0.25", Rule::exact(), false},
      {"x // 0.75", Rule::exact(), false},
      {"floor(x)", Rule::exact(), false},
      {"sqrt(abs(x))", Rule::exact(), false},
      {"where(x > 0.5, x, -x)", Rule::exact(), false},
      {"cast(x * 1000.0, 'int32')", Rule::exact(), false},
      {"exp(x)", Rule::math(Op::Exp), false},
      {"log(x)", Rule::math(Op::Log), false},
      {"sin(x * 100.0)", Rule::math(Op::Sin), false},
      {"tanh(x)", Rule::math(Op::Tanh), false},
      {"erf(x)", Rule::math(Op::Erf), false},
      {"sigmoid(x)", Rule::of(Rule::Kind::Composite), false},
      {"sum(x)", Rule::sum("sum(abs(x))"), true},
      {"mean(x)", Rule::sum("mean(abs(x))"), true},
      {"max(x)", Rule::of(Rule::Kind::AnyZero), true},
      {"argmax(x)", Rule::exact(), true},
      {"argmin(x)", Rule::exact(), true},
      {"cumsum(x)", Rule::sum("cumsum(abs(x))"), true},
      {"softmax(x)", Rule::of(Rule::Kind::Composite), true},
  };
  constexpr int64_t kLong = 1000003;
  std::vector<KernelCase> cases;
  for (DType t : {DType::F32, DType::F64}) {
    for (const LongCase &c : rows) {
      KernelCase k{
          fmt::format("long `{}` {}", c.expr, shortName(t)),
          c.expr,
          {{"x", typeSpec(t, "N")}},
          [t, c](std::mt19937_64 &rng) {
            // Reductions over a million values with a NaN or an Inf in them would only
            // check that NaN propagates: they get moderate values without specials.
            Call call{"",
                      {c.reduction ? jittest::moderateArray(t, {kLong}, rng, 4, 0)
                                   : unaryInputs(t, kLong, -4, 4, rng)}};
            // Values whose sums are exact in any order (multiples of 1/16 with partial
            // sums far below 2^24 / 16): a sum or cumsum must then be bit-identical.
            bool exactSums = c.rule.kind == Rule::Kind::Sum && t == DType::F32 && rng() % 2 == 0;
            if (exactSums) {
              std::uniform_int_distribution<int> small(-8, 8);
              for (int64_t j = 0; j < kLong; ++j)
                storeFloat(call.arrays[0], j, small(rng) / 16.0);
              call.suffix = "exactly summable";
              // An exact sum, divided: one rounding, but maybe 1/n inexact.
              call.rules = {std::string_view(c.expr) == "mean(x)" ? Rule::ulp(1) : Rule::exact()};
            }
            return std::vector<Call>{std::move(call)};
          }};
      k.rules = {c.rule};
      k.refusal = Refusal::Fail;
      cases.push_back(std::move(k));
    }
  }
  runCases(cases);
}

TEST_CASE("misaligned views: inputs and outputs one element into a larger buffer") {
  struct ViewCase {
    const char *expr;
    DType t;
    std::vector<Rule> rules; // one per output
  };
  const Rule sumRows = Rule::sum("sum(abs(x), axis=1)");
  const ViewCase rows[] = {
      {"(x * y + 1.0, sum(x, axis=1), transpose(x), exp(x))",
       DType::F32,
       {Rule::exact(), sumRows, Rule::exact(), Rule::math(Op::Exp)}},
      {"(x * y + 1.0, max(x, axis=0), x[:, ::-1], tanh(x))",
       DType::F64,
       {Rule::exact(), Rule::of(Rule::Kind::AnyZero), Rule::exact(), Rule::math(Op::Tanh)}},
      {"(x * y + 1, sum(x, axis=1), transpose(x), x // y)",
       DType::I8,
       {Rule::exact(), sumRows, Rule::exact(), Rule::exact()}},
      {"(x * y + 1.0, sum(x, axis=1), transpose(x), sqrt(abs(x)))",
       DType::F16,
       {Rule::exact(), sumRows, Rule::exact(), Rule::exact()}},
      {"(x - y, cumsum(x, axis=1), transpose(x), x % y)",
       DType::I64,
       {Rule::exact(), Rule::sum("cumsum(abs(x), axis=1)"), Rule::exact(), Rule::exact()}},
  };
  std::vector<KernelCase> cases;
  for (const ViewCase &c : rows) {
    KernelCase k{fmt::format("misaligned `{}` {}", c.expr, shortName(c.t)),
                 c.expr,
                 {{"x", typeSpec(c.t, "B, C")}, {"y", typeSpec(c.t, "B, C")}},
                 [t = c.t](std::mt19937_64 &rng) {
                   std::vector<Call> calls;
                   for (const Dims &shape : {Dims{5, 37}, {3, 8}, {1, 1}, {0, 4}})
                     calls.push_back({fmt::format("shape [{}]", fmt::join(shape, ",")),
                                      {jittest::moderateArray(t, shape, rng, 4, 0.05),
                                       jittest::moderateArray(t, shape, rng, 4, 0.05)}});
                   return calls;
                 }};
    k.rules = c.rules;
    k.run = Run::MisalignedViews;
    k.refusal = Refusal::Fail;
    cases.push_back(std::move(k));
  }
  runCases(cases);
}

TEST_CASE("symbolic shapes: one kernel for B = 0, 1, 3, 1000") {
  // One generator for the whole test, in the order of the cases.
  auto fromSymbolic = [](KernelCase k) {
    k.seedName = "symbolic";
    k.continues = true;
    k.required = true;
    return k;
  };
  Inputs inputs = {{"x", "f32[B, 4]"}};
  // Also the sizes as values: B itself (a `dim`) and an index along B (an `iota`).
  std::string expr = "(x * 2.0 + 1.0, sum(x, axis=0), max(x, axis=1, keepdims=True), "
                     "softmax(x, axis=1), x[::-1], transpose(x), cast(x, 'int8'), "
                     "x - mean(x, axis=0), x * x.shape[0], "
                     "cast(arange(x.shape[0]), 'float32')[:, None] + x)";
  std::vector<KernelCase> cases;
  KernelCase symbolic{
      "symbolic", expr, inputs, [](std::mt19937_64 &rng) {
        std::vector<Call> calls;
        for (int64_t b : {0, 1, 3, 1000, 1, 0})
          calls.push_back(
              {fmt::format("B={}", b), {jittest::moderateArray(DType::F32, {b, 4}, rng, 8, 0.05)}});
        return calls;
      }};
  symbolic.rules = {Rule::exact(),
                    Rule::sum("sum(abs(x), axis=0)"),
                    Rule::of(Rule::Kind::AnyZero),
                    Rule::of(Rule::Kind::Composite),
                    Rule::exact(),
                    Rule::exact(),
                    Rule::exact(),
                    Rule::sum("abs(x) + mean(abs(x), axis=0)"),
                    Rule::exact(),
                    Rule::exact()};
  cases.push_back(fromSymbolic(symbolic));
  // Two symbols, and the run-time checks sema left for them: both engines refuse a bad call
  // with the same diagnostic.
  cases.push_back(
      fromSymbolic({"two symbols",
                    "(x - y, x[:, :1] + z)",
                    {{"x", "f32[B, N]"}, {"y", "f32[N]"}, {"z", "f32[M]"}},
                    [](std::mt19937_64 &rng) {
                      struct Sizes {
                        Dims x, y, z;
                      };
                      std::vector<Call> calls;
                      for (const Sizes &r : {Sizes{{3, 5}, {5}, {7}}, Sizes{{0, 5}, {5}, {1}},
                                             Sizes{{3, 5}, {4}, {7}}, Sizes{{2, 1}, {1}, {9}},
                                             Sizes{{3, 5, 1}, {5}, {7}}})
                        calls.push_back({fmt::format("x[{}] y[{}] z[{}]", fmt::join(r.x, ","),
                                                     fmt::join(r.y, ","), fmt::join(r.z, ",")),
                                         {jittest::randomArray(DType::F32, r.x, rng),
                                          jittest::randomArray(DType::F32, r.y, rng),
                                          jittest::randomArray(DType::F32, r.z, rng)}});
                      return calls;
                    }}));
  // Inputs of the wrong dtype or rank: both refuse them, with the same code.
  cases.push_back(fromSymbolic({"bad input", expr, inputs, [](std::mt19937_64 &rng) {
                                  std::vector<Call> calls;
                                  for (const Array &bad :
                                       {jittest::randomArray(DType::F64, {3, 4}, rng),
                                        jittest::randomArray(DType::F32, {3, 4, 1}, rng),
                                        jittest::randomArray(DType::F32, {3, 5}, rng),
                                        jittest::randomArray(DType::I32, {3, 4}, rng)})
                                    calls.push_back({jittest::typeOf(bad), {bad}});
                                  return calls;
                                }}));
  // A symbol that broadcasts (N meets B) is checked when it runs.
  cases.push_back(fromSymbolic(
      {"broadcast check", "x + y", {{"x", "f32[B]"}, {"y", "f32[N]"}}, [](std::mt19937_64 &rng) {
         std::vector<Call> calls;
         for (auto [b, n] : {std::pair<int64_t, int64_t>{3, 3}, {3, 1}, {3, 5}, {0, 1}, {1, 1}})
           calls.push_back({fmt::format("B={} N={}", b, n),
                            {jittest::randomArray(DType::F32, {b}, rng),
                             jittest::randomArray(DType::F32, {n}, rng)}});
         return calls;
       }}));
  runCases(cases);
}

TEST_CASE("threads: two threads give bit-identical results to one") {
  CHECK(executorWithThreads(2).concurrency() == 2);
  struct ThreadCase {
    const char *expr;
    Rule rule;
  };
  const ThreadCase rows[] = {
      {"exp(x) * 2.0 + x", Rule::sum("exp(x) * 2.0 + abs(x)")},
      {"sum(x, axis=1)", Rule::sum("sum(abs(x), axis=1)")},
      {"sum(x, axis=0)", Rule::sum("sum(abs(x), axis=0)")},
      {"sum(x)", Rule::sum("sum(abs(x))")},
      {"softmax(x, axis=1)", Rule::of(Rule::Kind::Composite)},
      {"cumsum(x, axis=1)", Rule::sum("cumsum(abs(x), axis=1)")},
      {"x @ w", Rule::sum("abs(x) @ abs(w)")},
      // [512, 64] on the right: OpenBLAS, a call per block of rows.
      {"x @ concat([w, w * 2.0, w, w], axis=1)",
       Rule::sum("abs(x) @ concat([abs(w), abs(w) * 2.0, abs(w), abs(w)], axis=1)")},
      {"transpose(x) * 2.0", Rule::exact()},
      // lamina's packed kernel: a transposed right operand, an epilogue.
      {"relu(x[:, :16] @ transpose(w[:16]) + 1.0) * 2.0",
       Rule::sum("(abs(x[:, :16]) @ transpose(abs(w[:16])) + 1.0) * 2.0")},
      // Stages run a block of rows at a time, the blocks split over threads.
      {"std(reshape(x, (-1, 16, 32)), axis=1) * 1.0",
       Rule::sum("mean(abs(reshape(x, (-1, 16, 32))), axis=1) + 1.0")},
      {"concat([mean(reshape(x, (-1, 16, 32)), axis=1), max(reshape(x, (-1, 16, 32)), axis=1)], "
       "axis=1)",
       Rule::sum("concat([mean(abs(reshape(x, (-1, 16, 32))), axis=1), max(abs(reshape(x, (-1, "
                 "16, 32))), axis=1)], axis=1)")},
      {"argmax(x, axis=1)", Rule::exact()},
      {"max(x, axis=0)", Rule::of(Rule::Kind::AnyZero)},
      {"x - mean(x, axis=1, keepdims=True)",
       Rule::sum("abs(x) + mean(abs(x), axis=1, keepdims=True)")},
      // Data movement along the axis the threads split.
      {"concat([x, x * 2.0], axis=0)", Rule::exact()},
      {"concat([x[:, :200], x[:, 200:] * 2.0], axis=1)", Rule::exact()},
      {"x[::-1] - x", Rule::exact()},
      {"pad(x, ((3, 1), (0, 2)), constant_values=1.5)", Rule::exact()},
      {"gather(x, [5, 0, -1, 2047, 3000], axis=0) + 1.0", Rule::exact()},
  };
  const int64_t rows2048 = 2048; // 2048 * 512 = 2^20 elements, above parallelThreshold
  REQUIRE(uint64_t(rows2048 * 512) > driver::RunOptions{}.parallelThreshold);
  std::vector<KernelCase> cases;
  for (const ThreadCase &c : rows) {
    KernelCase k{fmt::format("threads `{}`", c.expr),
                 c.expr,
                 {{"x", "f32[B, 512]"}, {"w", "f32[512, 16]"}},
                 [rows2048](std::mt19937_64 &rng) {
                   return std::vector<Call>{
                       {"",
                        {jittest::moderateArray(DType::F32, {rows2048, 512}, rng, 4, 0.001),
                         jittest::moderateArray(DType::F32, {512, 16}, rng, 1, 0)}}};
                 }};
    k.rules = {c.rule};
    k.run = Run::ThreadsAgree;
    cases.push_back(std::move(k));
  }
  runCases(cases);
}

TEST_CASE("split reductions: chunks of axis 0 on threads, combined in chunk order") {
  // Reductions over axis 0 whose results have no rows to split (Stage::splitReduced), at sizes
  // where Kernel.cpp's chunking cuts the axis into several chunks, some of them short. Inputs
  // are small integers (sums exact in any order, ties everywhere for argmax/argmin) with NaNs
  // in some columns: the joined result is the interpreter's, on every vector width, and
  // bit-identical on one and two threads.
  struct SplitCase {
    const char *expr;
    DType dtype;
    Dims shape;
  };
  const SplitCase rows[] = {
      {"sum(x, axis=0)", DType::F32, {100, 1024}},
      {"sum(x, axis=0)", DType::F32, {1037, 1001}},
      {"max(x, axis=0, keepdims=True)", DType::F64, {100, 1024}},
      {"min(x, axis=0)", DType::F32, {100, 1024}},
      {"mean(x, axis=(0, 1))", DType::F32, {70, 3, 700}},
      {"sum(x)", DType::F32, {200003}},
      {"sum(x * x)", DType::F32, {5000, 64}},
      {"sum(x, keepdims=True)", DType::F64, {700, 97}},
      {"prod(where(x == 0, 1.0, sign(x)), axis=0)", DType::F32, {100, 1024}},
      {"argmax(x, axis=0)", DType::F32, {333, 300}},
      {"argmin(x, axis=0)", DType::F32, {333, 300}},
      {"argmin(x, axis=0)", DType::I32, {333, 257}},
      {"any(x > 2, axis=0)", DType::F32, {100, 1024}},
      {"all(x > -3, axis=0)", DType::F32, {100, 1024}},
      {"sum(x, axis=0)", DType::F16, {100, 1024}},
      {"max(x, axis=0)", DType::BF16, {100, 1024}},
      {"sum(x, axis=0)", DType::I8, {100, 1024}},
      {"max(x, axis=(0, 1))", DType::U8, {40, 30, 100}},
      {"max(x, axis=(0, 1))", DType::F32, {40, 0, 8}}, // no elements: NaN, never split
  };
  std::vector<KernelCase> cases;
  for (const SplitCase &c : rows) {
    std::vector<std::string> dims;
    for (size_t a = 0; a < c.shape.size(); ++a)
      dims.push_back(a == 0 ? "R" : std::to_string(c.shape[a]));
    std::string type = typeSpec(c.dtype, fmt::format("{}", fmt::join(dims, ", ")));
    std::string label = fmt::format("split `{}` on {}", c.expr, type);
    // The same values at every width: each width's case draws them afresh from the label.
    Draw draw = [c](std::mt19937_64 &rng) {
      int64_t n = 1;
      for (int64_t d : c.shape)
        n *= d;
      std::uniform_int_distribution<int> value(-3, 3);
      std::vector<double> values(static_cast<size_t>(n));
      for (double &v : values)
        v = isFloat(c.dtype) || c.dtype == DType::I8 || c.dtype == DType::I32 ? value(rng)
                                                                              : value(rng) + 3;
      int64_t columns = c.shape.size() > 1 ? n / c.shape[0] : 1;
      if (isFloat(c.dtype)) // NaNs in every fifth column, at rows in later chunks
        for (int64_t k = 0; k < columns; k += 5)
          values[size_t(((k * 37 + 50) % c.shape[0]) * columns + k)] = std::nan("");
      return std::vector<Call>{{"", {jittest::arrayOf(c.dtype, c.shape, values)}}};
    };
    for (unsigned width : {0u, 1u, 4u, 16u}) {
      KernelCase k{fmt::format("{} width {}", label, width), c.expr, {{"x", type}}, draw};
      k.seedName = label;
      k.options = jittest::testCompileOptions();
      k.options->vectorWidth = width;
      k.required = true;
      k.planHas = "in chunks over threads";
      k.rules = {Rule::close(1e-6, 1e-7)};
      k.run = Run::ThreadsAgree;
      cases.push_back(std::move(k));
    }
  }
  runCases(cases);
}

TEST_CASE("variables: initial values from the interpreter's initialiser") {
  KernelCase k{"variables",
               "x * variable(2.5, name='scale') + variable(random_normal([4], seed=3), "
               "name='bias')",
               {{"x", "f32[B, 4]"}},
               [](std::mt19937_64 &rng) {
                 std::vector<Call> calls;
                 for (int64_t b : {0, 1, 9})
                   calls.push_back(
                       {fmt::format("B={}", b), {jittest::randomArray(DType::F32, {b, 4}, rng)}});
                 return calls;
               }};
  k.required = true;
  k.run = Run::WithVariables;
  runCases({k});
}

// Not a table: the subject is the calls themselves, made from four threads at once, each
// against the same kernel's outputs computed alone.
TEST_CASE("one kernel called from several threads at once, each with its own batch size") {
  Inputs inputs = {{"x", "f32[B, 64]"}};
  auto program = checked("lambda x: (softmax(x, axis=1), x[::-1] * 2.0, max(x, axis=0))", inputs);
  REQUIRE(program);
  auto kernel = kernelFor(*program);
  REQUIRE(kernel);
  std::mt19937_64 rng = rngFor("concurrent calls");
  constexpr int kThreads = 4, kRounds = 20;
  std::vector<std::vector<Array>> arrays;
  std::vector<std::vector<Array>> want;
  for (int k = 0; k < kThreads * kRounds; ++k) {
    arrays.push_back({jittest::moderateArray(DType::F32, {int64_t(k % 7) * 13, 64}, rng)});
    want.push_back(jitOutputs(*program, *kernel, arrays.back(), executorWithThreads(1)));
  }
  std::vector<std::string> problems(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int r = 0; r < kRounds; ++r) {
        int k = r * kThreads + (t + r) % kThreads;
        Outcome got = jittest::runKernel(*program, *kernel, arrays[size_t(k)],
                                         executorWithThreads(t % 2 ? 2 : 1));
        if (!got.outputs) {
          problems[size_t(t)] = got.diagnostics;
          return;
        }
        jittest::countCall();
        for (size_t o = 0; o < got.outputs->size(); ++o)
          if (auto m = jittest::compareArrays(want[size_t(k)][o], (*got.outputs)[o],
                                              Tolerance::exact())) {
            problems[size_t(t)] = jittest::mismatchReport(
                *program, arrays[size_t(k)], o, want[size_t(k)][o], (*got.outputs)[o], *m, "alone",
                "concurrently", Tolerance::exact());
            return;
          }
      }
    });
  for (std::thread &t : threads)
    t.join();
  for (const std::string &p : problems)
    CHECK_MESSAGE(p.empty(), "concurrent calls " << seedNote() << "\n" << p);
}

// Not a table: the subject is accuracy against exact sums, which the interpreter (summing in
// f64) meets by construction. An f32 sum is blocked and flushed into f64 (Stages.cpp), so 2^24
// tenths, whose running sums per lane would have drifted by about 1e-3 relative, are summed to
// within 1e-6, on one and two threads, as a whole sum and as row means.
TEST_CASE("long f32 sums and means are accurate to about NumPy's pairwise level") {
  constexpr int64_t kRows = 4, kCols = (int64_t(1) << 22) + 37; // a tail after the vectors
  Array x = makeArray(DType::F32, {kRows, kCols});
  double exact = 0;
  std::vector<double> rowExact(kRows, 0.0);
  for (int64_t i = 0; i < kRows * kCols; ++i) {
    float v = 0.1f + float(i % 7) * 1e-3f;
    storeFloat(x, i, v);
    exact += double(v);
    rowExact[size_t(i / kCols)] += double(v);
  }
  auto program = checked("lambda x: (sum(x), mean(x, axis=1))", {{"x", "f32[R, C]"}});
  REQUIRE(program);
  auto kernel = kernelFor(*program);
  REQUIRE(kernel);
  for (unsigned threads : {1u, 2u}) {
    CAPTURE(threads);
    std::vector<Array> out = jitOutputs(*program, *kernel, {x}, executorWithThreads(threads));
    REQUIRE(out.size() == 2);
    CHECK(std::abs(loadFloat(out[0], 0) - exact) <= 1e-6 * exact);
    for (int64_t r = 0; r < kRows; ++r) {
      double mean = rowExact[size_t(r)] / double(kCols);
      CHECK(std::abs(loadFloat(out[1], r) - mean) <= 1e-6 * mean);
    }
  }
}
