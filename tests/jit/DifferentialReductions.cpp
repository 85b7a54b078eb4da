// The differential tables of reductions and scans: every builtin over each axis, all axes,
// keepdims and empty axes; rank-3 operands; the documented values of empty reductions;
// reductions stored as copies and concat parts.

#include "DifferentialDriver.h"

#include <doctest/doctest.h>

#include "compiler/types/Elements.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>

using namespace lamina;
using namespace lamina::jitdiff;

namespace {

struct Axes {
  const char *text; // the `axis=` argument
  bool keepdims;
};

// The scale of a float reduction's tolerance, or none for exact ones: the interpreter's
// value of a companion expression (sum(|x|) for sum(x), ...).
enum class Scale : uint8_t {
  None,       // exact (max, min, argmax, any, all, count_nonzero, integer reductions)
  AnyZero,    // exact, but +0 and -0 may trade places (float max/min)
  SumAbs,     // sum, cumsum: 1e-5 * sum(|terms|)
  MeanAbs,    // mean
  Product,    // prod, cumprod: relative to the result, (n - 1) roundings
  MeanSquare, // var: relative to mean(x * x)
  StdDev,     // std: from var's bound
  Result,     // logsumexp, log_softmax, norm: relative to |result| + 1 (absolute near 0)
  Fraction,   // softmax, l2_normalize: relative to the result, a few subnormals absolute
};

struct ReductionCase {
  const char *name;   // the builtin
  const char *format; // {0}: the operand, {1}: the axis arguments
  Scale scale;
  const char *companion;   // Scale::SumAbs etc.: the expression whose value scales the tolerance
  bool cumulative = false; // cumsum/cumprod/softmax: one axis, no keepdims
};

const ReductionCase kReductions[] = {
    {"sum", "sum({0}{1})", Scale::SumAbs, "sum(abs(cast({0}, 'float64')){1})"},
    {"mean", "mean({0}{1})", Scale::MeanAbs, "mean(abs(cast({0}, 'float64')){1})"},
    {"prod", "prod({0}{1})", Scale::Product, nullptr},
    {"max", "max({0}{1})", Scale::AnyZero, nullptr},
    {"min", "min({0}{1})", Scale::AnyZero, nullptr},
    {"any", "any({0}{1})", Scale::None, nullptr},
    {"all", "all({0}{1})", Scale::None, nullptr},
    {"count_nonzero", "count_nonzero({0}{1})", Scale::None, nullptr},
    {"argmax", "argmax({0}{1})", Scale::None, nullptr},
    {"argmin", "argmin({0}{1})", Scale::None, nullptr},
    {"var", "var({0}{1})", Scale::MeanSquare, "mean(abs({0}) ** 2{1})"},
    {"std", "std({0}{1})", Scale::StdDev, "mean(abs({0}) ** 2{1})"},
    {"logsumexp", "logsumexp({0}{1})", Scale::Result, nullptr},
    {"norm", "norm({0}{1})", Scale::Result, nullptr},
    {"norm1", "norm({0}, ord=1{1})", Scale::Result, nullptr},
    {"norminf", "norm({0}, ord=np.inf{1})", Scale::None, nullptr},
    {"l2_normalize", "l2_normalize({0}{1})", Scale::Fraction, nullptr, true},
    {"softmax", "softmax({0}{1})", Scale::Fraction, nullptr, true},
    {"log_softmax", "log_softmax({0}{1})", Scale::Result, nullptr, true},
    {"cumsum", "cumsum({0}{1})", Scale::SumAbs, "cumsum(abs(cast({0}, 'float64')){1})", true},
    {"cumprod", "cumprod({0}{1})", Scale::Product, nullptr, true},
};

bool reductionAppliesTo(const ReductionCase &c, DType t) {
  std::string_view n = c.name;
  bool floatOnly = n == "var" || n == "std" || n == "logsumexp" || n.starts_with("norm") ||
                   n == "l2_normalize" || n == "softmax" || n == "log_softmax";
  if (t == DType::Bool)
    return n == "sum" || n == "any" || n == "all" || n == "count_nonzero" || n == "argmax" ||
           n == "max" || n == "prod" || n == "cumsum";
  return isFloat(t) || !floatOnly;
}

// Values for a reduction. Exact ones take every kind of value. Those compared with a
// tolerance take moderate ones with NaN, ±Inf and ±0 but no huge finite values (their sums
// overflow in one order of accumulation and not in another, which the reordering the JIT is
// allowed makes legitimate); products take factors near 1 for the same reason.
Array reductionInput(Scale scale, DType t, Dims shape, std::mt19937_64 &rng) {
  if (!isFloat(t))
    return jittest::randomArray(t, std::move(shape), rng, 3, 0.2); // integers wrap: any values
  if (scale == Scale::None || scale == Scale::AnyZero)             // exact: every kind of value
    return jittest::randomArray(t, std::move(shape), rng, 8, 0.1);
  if (scale != Scale::Product)
    return jittest::moderateArray(t, std::move(shape), rng, 8, 0.03);
  Array a = makeArray(t, std::move(shape));
  std::uniform_real_distribution<double> unit(0, 1), factor(0.5, 2.0);
  const double specials[] = {std::numeric_limits<double>::quiet_NaN(),
                             std::numeric_limits<double>::infinity(),
                             0.0,
                             -0.0,
                             1.0,
                             -1.0};
  for (int64_t k = 0; k < a.elementCount(); ++k) {
    double p = unit(rng);
    storeFloat(a, k, p < 0.03 ? specials[rng() % 6] : (p < 0.5 ? -1 : 1) * factor(rng));
  }
  return a;
}

// The rule of a reduction case whose axis arguments are `axisArgs`.
Rule reductionRule(const ReductionCase &c, const std::string &axisArgs) {
  std::string companion =
      c.companion ? fmt::format(fmt::runtime(c.companion), "x", axisArgs) : std::string();
  switch (c.scale) {
  case Scale::None:
    return Rule::exact();
  case Scale::AnyZero:
    return Rule::of(Rule::Kind::AnyZero);
  case Scale::SumAbs:
    return Rule::sum(companion);
  case Scale::MeanAbs:
  case Scale::MeanSquare:
    return Rule::sum(companion, true);
  case Scale::Product:
    return Rule::product();
  case Scale::StdDev:
    return Rule::stdDev(companion);
  case Scale::Result:
    return Rule::of(Rule::Kind::Result);
  case Scale::Fraction:
    return Rule::of(Rule::Kind::Fraction);
  }
  return Rule::exact();
}

int64_t reducedCount(const Dims &shape, const char *axisText) {
  std::string_view a = axisText;
  if (a == "" || a == ", axis=None" || a.find("(0, 1)") != std::string_view::npos)
    return shape[0] * shape[1];
  if (a.find("axis=0") != std::string_view::npos)
    return shape[0];
  return shape[1];
}

KernelCase reductionCase(const ReductionCase &c, DType t, const Axes &axes,
                         const std::vector<Dims> &shapes) {
  std::string axisArgs = axes.text;
  if (axes.keepdims && !c.cumulative)
    axisArgs += ", keepdims=True";
  std::string expr = fmt::format(fmt::runtime(c.format), "x", axisArgs);
  KernelCase k{fmt::format("reduction `{}` {}", expr, shortName(t)),
               expr,
               {{"x", typeSpec(t, "R, C")}},
               [scale = c.scale, t, axes, shapes](std::mt19937_64 &rng) {
                 std::vector<Call> calls;
                 for (const Dims &shape : shapes)
                   calls.push_back({fmt::format("shape [{}]", fmt::join(shape, ",")),
                                    {reductionInput(scale, t, shape, rng)},
                                    reducedCount(shape, axes.text)});
                 return calls;
               }};
  // argmax of an empty axis: the JIT must refuse it the same way (Refusal::Compare).
  k.rules = {reductionRule(c, axisArgs)};
  return k;
}

} // namespace

TEST_CASE("reductions over each axis, all axes, keepdims, empty axes (f32, f64)") {
  const Axes axesList[] = {{"", false},          {", axis=0", false},     {", axis=1", true},
                           {", axis=-1", false}, {", axis=(0, 1)", true}, {", axis=0", true}};
  // Rows around one unrolled vector step (4 accumulators of 16 lanes: 64), long rows and
  // long columns.
  const std::vector<Dims> shapes = {{3, 5},  {0, 5},  {3, 0},  {1, 1},    {17, 33},
                                    {2, 63}, {2, 64}, {2, 65}, {2, 1000}, {1000, 3}};
  std::vector<KernelCase> cases;
  for (const ReductionCase &c : kReductions) {
    for (DType t : {DType::F32, DType::F64}) {
      for (const Axes &a : axesList) {
        std::string_view name = c.name;
        bool oneAxis = c.cumulative || name.starts_with("arg");
        if (oneAxis && (std::string_view(a.text) == "" ||
                        std::string_view(a.text).find('(') != std::string_view::npos))
          continue;
        cases.push_back(reductionCase(c, t, a, shapes));
      }
    }
  }
  runCases(cases);
}

TEST_CASE("reductions of f16, bf16, integers and bools") {
  // Fewer axis variants than f32/f64: the loops are the same, the dtype is what differs.
  const Axes axesList[] = {{", axis=1", true}, {", axis=0", false}};
  const std::vector<Dims> shapes = {{3, 5}, {0, 5}, {3, 0}, {17, 33}, {2, 300}};
  std::vector<KernelCase> cases;
  for (const ReductionCase &c : kReductions) {
    for (DType t :
         {DType::F16, DType::BF16, DType::I8, DType::U8, DType::I32, DType::I64, DType::Bool}) {
      if (!reductionAppliesTo(c, t))
        continue;
      for (const Axes &a : axesList)
        cases.push_back(reductionCase(c, t, a, shapes));
    }
  }
  runCases(cases);
}

TEST_CASE("empty reductions give the documented values") {
  struct Expect {
    const char *expr;
    DType t;
    double value; // NaN: NaN
  };
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const Expect expects[] = {
      {"sum(x, axis=0)", DType::F32, 0},    {"prod(x, axis=0)", DType::F32, 1},
      {"max(x, axis=0)", DType::F32, nan},  {"min(x, axis=0)", DType::F64, nan},
      {"mean(x, axis=0)", DType::F32, nan}, {"max(x, axis=0)", DType::I32, 0},
      {"min(x, axis=0)", DType::U8, 0},     {"sum(x, axis=0)", DType::I8, 0},
      {"prod(x, axis=0)", DType::I64, 1},   {"any(x, axis=0)", DType::F32, 0},
      {"all(x, axis=0)", DType::F32, 1},    {"max(x, axis=0)", DType::F16, nan}};
  std::vector<KernelCase> cases;
  for (const Expect &e : expects) {
    KernelCase k{fmt::format("empty reduction `{}` {}", e.expr, shortName(e.t)),
                 e.expr,
                 {{"x", typeSpec(e.t, "R, C")}},
                 [t = e.t](std::mt19937_64 &) {
                   return std::vector<Call>{{"", {makeArray(t, {0, 5})}}};
                 }};
    k.expect = [value = e.value](const std::string &label, const std::vector<Array> &,
                                 const Outcome &, const Outcome &got) {
      REQUIRE_MESSAGE(got.outputs.has_value(), label << ": " << got.diagnostics);
      const Array &out = (*got.outputs)[0];
      REQUIRE(out.elementCount() == 5);
      for (int64_t j = 0; j < 5; ++j) {
        double v = loadFloat(out, j);
        CHECK_MESSAGE((std::isnan(value) ? std::isnan(v) : v == value),
                      label << ": element " << j << " is " << v);
      }
    };
    cases.push_back(std::move(k));
  }
  // argmax of nothing has no answer: both engines refuse it when it runs.
  KernelCase argmax{"empty argmax `argmax(x, axis=0)` f32",
                    "argmax(x, axis=0)",
                    {{"x", "f32[R, C]"}},
                    [](std::mt19937_64 &) {
                      return std::vector<Call>{{"", {makeArray(DType::F32, {0, 5})}}};
                    }};
  argmax.required = true;
  argmax.expect = [](const std::string &, const std::vector<Array> &, const Outcome &interp,
                     const Outcome &jitted) {
    CHECK(!interp.outputs);
    CHECK(!jitted.outputs);
    CHECK_MESSAGE(interp.firstCode == jitted.firstCode,
                  "interpreter: " << interp.diagnostics << "; JIT: " << jitted.diagnostics);
  };
  cases.push_back(std::move(argmax));
  runCases(cases);
}

TEST_CASE("reductions of rank-3 tensors over several axes") {
  const char *exprs[] = {"sum(x, axis=(0, 2))",
                         "sum(x, axis=1, keepdims=True)",
                         "max(x, axis=(0, 2), keepdims=True)",
                         "argmax(x, axis=2)",
                         "argmin(x, axis=0, keepdims=True)",
                         "mean(x, axis=(1, 2))",
                         "prod(x, axis=2)",
                         "any(x > 1.0, axis=(0, 1))",
                         "softmax(x, axis=1)",
                         "cumsum(x, axis=0)",
                         "x - mean(x, axis=-1, keepdims=True)"};
  std::vector<KernelCase> cases;
  for (DType t : {DType::F32, DType::I32, DType::F64}) {
    for (const char *expr : exprs) {
      std::string_view e = expr;
      bool product = e.starts_with("prod");
      KernelCase k{fmt::format("rank-3 `{}` {}", expr, shortName(t)),
                   expr,
                   {{"x", typeSpec(t, "P, Q, S")}},
                   [t, product](std::mt19937_64 &rng) {
                     std::vector<Call> calls;
                     for (const Dims &shape :
                          {Dims{4, 5, 6}, {2, 9, 17}, {1, 1, 1}, {3, 0, 2}, {2, 3, 100}}) {
                       // Float sums take moderate values: huge ones overflow in one order of
                       // accumulation and not in another (the JIT's vector accumulators
                       // against the interpreter's loop).
                       Array x = product ? reductionInput(Scale::Product, t, shape, rng)
                                         : jittest::moderateArray(t, shape, rng, 4);
                       calls.push_back({fmt::format("shape [{}]", fmt::join(shape, ",")), {x}});
                     }
                     return calls;
                   }};
      Rule rule = Rule::exact();
      if (e.starts_with("sum") || e.starts_with("mean") || e.starts_with("cumsum") ||
          e.starts_with("x - mean")) {
        // sum(|x|) over the same axes (for `x - mean`, |x| + mean(|x|) bounds the error).
        std::string companion = e.starts_with("x - mean")
                                    ? "abs(x) + mean(abs(x), axis=-1, keepdims=True)"
                                    : std::string(e).replace(e.find('(') + 1, 1, "abs(x)");
        // The mean of integers is computed in f32 (then promoted with x to f64).
        rule = Rule::sum(companion, false,
                         isFloat(t) ? std::nullopt : std::optional<DType>(DType::F32));
      } else if (product) {
        rule = Rule::product(1e-5, 1e-30, 100);
      } else if (e.starts_with("softmax")) {
        rule = Rule::of(Rule::Kind::Fraction);
      } else if (e.starts_with("max")) {
        rule = Rule::of(Rule::Kind::AnyZero);
      }
      k.rules = {rule};
      cases.push_back(std::move(k));
    }
  }
  runCases(cases);
}

// Regression (issue 13, item 1): a stored value written by a stage other than its own - a
// repeated output's copy, a part of a split root concat - was computed as if fused, which a
// reduction, scan or product cannot be: its elements came out as zeros. (Item 5): a reduction
// over no axes indexed the first of none and crashed. Small integers as f32, so every sum,
// product and mean is exact in any order.
TEST_CASE("stored reductions, scans and products as copies and concat parts; no-axis reductions") {
  const char *exprs[] = {
      "concat([mean(x, axis=1), max(x, axis=1)], axis=0)",
      "concat([sum(x, axis=1, keepdims=True), max(x, axis=1, keepdims=True), x], axis=1)",
      "concat([cumsum(x, axis=1), x @ transpose(x)], axis=1)",
      "concat([x, argmax(x, axis=1, keepdims=True)], axis=-1)",
      "(cumsum(x), cumsum(x))",
      "(sum(x, axis=0), sum(x, axis=0))",
      "(x @ transpose(x), x * 2, x @ transpose(x))",
      "(x, x, x + 1)",
      "sum(sum(x))",
      "sum(x, axis=())",
      "max(x, axis=[])",
      "mean(x[0, 0])",
      "x - max(sum(x))",
      "std(x[0, 0]) + logsumexp(x[1, 1])",
      "argmax(x[0, 0])",
  };
  std::vector<KernelCase> cases;
  for (const char *expr : exprs) {
    KernelCase k{fmt::format("stored root `{}`", expr),
                 expr,
                 {{"x", "f32[R, C]"}},
                 [](std::mt19937_64 &rng) {
                   std::vector<Call> calls;
                   for (const Dims &shape : {Dims{3, 5}, {2, 17}, {4, 1}}) {
                     Array x = makeArray(DType::F32, shape);
                     for (int64_t e = 0; e < x.elementCount(); ++e)
                       storeFloat(x, e, double(int64_t(rng() % 9) - 4));
                     calls.push_back({fmt::format("[{}]", fmt::join(shape, ",")), {x}});
                   }
                   return calls;
                 }};
    k.run = Run::TwoThreads;
    cases.push_back(std::move(k));
  }
  runCases(cases);
}
