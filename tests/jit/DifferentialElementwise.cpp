// The differential tables of elementwise builtins and operators: unary and binary ones over
// the special values of every dtype, broadcasting, creation builtins, casts.

#include "DifferentialDriver.h"

#include <doctest/doctest.h>

#include "compiler/types/Elements.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>

using namespace lamina;
using namespace lamina::jitdiff;
using ir::Op;

namespace {

// The lengths around the vector widths (8 lanes with AVX, 16 with AVX-512).
const int64_t kShortLengths[] = {0, 1, 7, 8, 9, 15, 16, 17};

// --- unary

enum class Kind : uint8_t {
  Exact,     // bit-exact
  Math,      // within ulpBound(op)
  Composite, // relative, built on transcendental functions
  SquareF64, // x ** 2: exact, except that f64 pow may differ from x * x by one rounding
};

struct UnaryCase {
  const char *expr; // in `x`
  Kind kind;
  Op op = Op::Add;        // Math: the op whose bound applies
  double lo = -8, hi = 8; // the interesting range of the uniform random values
  bool ints = true;       // also on every integer dtype (Math and Composite: on i32 only)
  bool byInput = false;   // Composite: the error scales with |x| (cancellation, as in gelu)
};

const UnaryCase kUnary[] = {
    // Exact.
    {"abs(x)", Kind::Exact},
    {"negative(x)", Kind::Exact},
    {"-x", Kind::Exact},
    {"+x", Kind::Exact},
    {"sign(x)", Kind::Exact},
    {"floor(x)", Kind::Exact},
    {"ceil(x)", Kind::Exact},
    {"round(x)", Kind::Exact},
    {"trunc(x)", Kind::Exact},
    {"sqrt(x)", Kind::Exact, Op::Add, -1, 100},
    {"square(x)", Kind::Exact},
    {"rsqrt(x)", Kind::Exact, Op::Add, -1, 100},
    {"reciprocal(x)", Kind::Exact},
    {"relu(x)", Kind::Exact},
    {"relu6(x)", Kind::Exact},
    {"leaky_relu(x)", Kind::Exact},
    {"relu(x, negative_slope=0.1, max_value=6.0, threshold=0.5)", Kind::Exact},
    {"hard_sigmoid(x)", Kind::Exact},
    {"hard_swish(x)", Kind::Exact},
    {"softsign(x)", Kind::Exact},
    {"clip(x, -1.5, 2.0)", Kind::Exact},
    {"maximum(x, 0.0)", Kind::Exact},
    {"minimum(x, -0.0)", Kind::Exact},
    {"isnan(x)", Kind::Exact},
    {"isinf(x)", Kind::Exact},
    {"isfinite(x)", Kind::Exact},
    {"x - x", Kind::Exact},
    {"x * 0.5", Kind::Exact},
    {"x + 1.0", Kind::Exact},
    {"x / 3.0", Kind::Exact},
    {"x / 0.25", Kind::Exact},
    {"x // 2.0", Kind::Exact},
    {"x % 2.5", Kind::Exact},
    {"x % -0.75", Kind::Exact},
    {"1.0 // x", Kind::Exact},
    {"x ** 1", Kind::Exact},
    {"identity(x)", Kind::Exact},
    {"stop_gradient(x)", Kind::Exact},
    {"hard_silu(x)", Kind::Exact},
    {"K.hard_sigmoid(x)", Kind::Exact},
    {"x ** 2", Kind::SquareF64, Op::Pow},
    // Transcendental.
    {"exp(x)", Kind::Math, Op::Exp, -100, 100},
    {"expm1(x)", Kind::Math, Op::Expm1, -20, 20},
    {"log(x)", Kind::Math, Op::Log, -1, 100},
    {"log1p(x)", Kind::Math, Op::Log1p, -1.5, 10},
    {"log2(x)", Kind::Math, Op::Log2, -1, 100},
    {"log10(x)", Kind::Math, Op::Log10, -1, 100},
    {"sin(x)", Kind::Math, Op::Sin, -1e4, 1e4},
    {"cos(x)", Kind::Math, Op::Cos, -1e4, 1e4},
    {"tan(x)", Kind::Math, Op::Tan, -10, 10},
    {"asin(x)", Kind::Math, Op::Asin, -1.1, 1.1},
    {"acos(x)", Kind::Math, Op::Acos, -1.1, 1.1},
    {"atan(x)", Kind::Math, Op::Atan, -20, 20},
    {"sinh(x)", Kind::Math, Op::Sinh, -100, 100},
    {"cosh(x)", Kind::Math, Op::Cosh, -100, 100},
    {"tanh(x)", Kind::Math, Op::Tanh, -12, 12},
    {"asinh(x)", Kind::Math, Op::Asinh, -1e3, 1e3},
    {"acosh(x)", Kind::Math, Op::Acosh, 0.9, 30},
    {"atanh(x)", Kind::Math, Op::Atanh, -1.1, 1.1},
    {"erf(x)", Kind::Math, Op::Erf, -6, 6},
    {"erfc(x)", Kind::Math, Op::Erfc, -6, 30},
    {"x ** 0.5", Kind::Math, Op::Pow, -1, 100},
    {"x ** 3", Kind::Math, Op::Pow},
    {"x ** -1.5", Kind::Math, Op::Pow, 0, 20},
    {"x ** 2.5", Kind::Math, Op::Pow, 0, 20},
    {"2.0 ** x", Kind::Math, Op::Pow, -200, 200},
    {"atan2(x, 1.0)", Kind::Math, Op::Atan2},
    {"atan2(-1.0, x)", Kind::Math, Op::Atan2},
    // Composites of transcendental functions.
    {"sigmoid(x)", Kind::Composite, Op::Add, -100, 100},
    {"softplus(x)", Kind::Composite, Op::Add, -100, 100},
    {"gelu(x)", Kind::Composite, Op::Add, -10, 10, true, true},
    {"gelu(x, approximate=True)", Kind::Composite, Op::Add, -10, 10, true, true},
    {"silu(x)", Kind::Composite, Op::Add, -30, 30},
    {"swish(x)", Kind::Composite, Op::Add, -30, 30},
    {"mish(x)", Kind::Composite, Op::Add, -30, 30},
    {"elu(x)", Kind::Composite, Op::Add, -20, 20},
    {"selu(x)", Kind::Composite, Op::Add, -20, 20},
};

Rule unaryRule(const UnaryCase &c) {
  switch (c.kind) {
  case Kind::Exact:
    return Rule::exact();
  case Kind::SquareF64:
    return Rule::of(Rule::Kind::SquareF64);
  case Kind::Math:
    return Rule::math(c.op);
  case Kind::Composite:
    // gelu: 0.5 * x * (1 + erf(...)) cancels for negative x, so its error is relative to
    // |x| (plus |result|), not to the tiny result.
    return Rule::of(c.byInput ? Rule::Kind::ByInput : Rule::Kind::Composite);
  }
  return Rule::exact();
}

bool unaryAppliesTo(const UnaryCase &c, DType t) {
  if (isFloat(t))
    return true;
  if (t == DType::Bool || !c.ints)
    return false;
  // Transcendental functions of integers convert them to f32 first: one integer type
  // exercises that conversion; the cast tests cover the others.
  return c.kind == Kind::Exact || c.kind == Kind::SquareF64 || t == DType::I32;
}

// One unary case on one dtype: the specials, random values over the op's range, the short
// lengths.
KernelCase unaryCase(const UnaryCase &c, DType t) {
  KernelCase k{
      fmt::format("unary `{}` {}", c.expr, shortName(t)),
      c.expr,
      {{"x", typeSpec(t, "N")}},
      [c, t](std::mt19937_64 &rng) {
        std::vector<Call> calls;
        calls.push_back({"specials", {specialsArray(t, rng)}});
        calls.push_back({"random", {unaryInputs(t, 4099, c.lo, c.hi, rng)}});
        for (int64_t n : kShortLengths)
          calls.push_back({fmt::format("length {}", n), {unaryInputs(t, n, c.lo, c.hi, rng)}});
        return calls;
      }};
  k.rules = {unaryRule(c)};
  k.refusal = Refusal::Fail;
  return k;
}

// --- binary

struct BinaryCase {
  const char *expr; // in `x` and `y`
  Kind kind;
  Op op = Op::Add;
  bool bools = false; // also on bool
  bool floats = true; // on float dtypes
  bool ints = true;   // on integer dtypes
};

const BinaryCase kBinary[] = {
    {"x + y", Kind::Exact},
    {"x - y", Kind::Exact},
    {"x * y", Kind::Exact},
    {"x / y", Kind::Exact},
    {"x // y", Kind::Exact},
    {"x % y", Kind::Exact},
    {"maximum(x, y)", Kind::Exact, Op::Add, true},
    {"minimum(x, y)", Kind::Exact, Op::Add, true},
    {"x == y", Kind::Exact, Op::Add, true},
    {"x != y", Kind::Exact, Op::Add, true},
    {"x < y", Kind::Exact, Op::Add, true},
    {"x <= y", Kind::Exact, Op::Add, true},
    {"x > y", Kind::Exact, Op::Add, true},
    {"x >= y", Kind::Exact, Op::Add, true},
    {"where(x > y, x, y)", Kind::Exact, Op::Add, true},
    {"where(x != x, y, x)", Kind::Exact, Op::Add, true},
    {"clip(x, y, 2)", Kind::Exact},
    {"logical_and(x, y)", Kind::Exact, Op::Add, true, false, false},
    {"x or y", Kind::Exact, Op::Add, true, false, false},
    {"logical_xor(x, y)", Kind::Exact, Op::Add, true, false, false},
    {"x & y | ~x", Kind::Exact, Op::Add, true, false, true},
    {"x ^ y", Kind::Exact, Op::Add, true, false, true},
    {"x << y", Kind::Exact, Op::Add, false, false, true}, // counts outside [0, bits) too
    {"x >> y", Kind::Exact, Op::Add, false, false, true},
    {"(x + y) * x // (y + x)", Kind::Exact, Op::Add, true, false, false}, // NumPy's bool rules
    {"x ** y", Kind::Math, Op::Pow}, // integers: exact (wrapping powers)
    {"pow(y, x)", Kind::Math, Op::Pow},
    {"atan2(x, y)", Kind::Math, Op::Atan2},
};

bool binaryAppliesTo(const BinaryCase &c, DType t) {
  if (t == DType::Bool)
    return c.bools;
  return isFloat(t) ? c.floats : c.ints;
}

// The values of x and y for the all-pairs run: the specials of the dtype and some random
// ones.
std::vector<double> pairValues(DType t, std::mt19937_64 &rng) {
  std::vector<double> v;
  if (isFloat(t)) {
    v = jittest::specialValues(t);
    for (int k = 0; k < 20; ++k)
      v.push_back(k % 2 ? jittest::randomAnyMagnitude(t, rng)
                        : std::uniform_real_distribution<double>(-8, 8)(rng));
  }
  return v;
}

Array pairArray(DType t, std::vector<int64_t> shape, std::mt19937_64 &rng) {
  if (isFloat(t)) {
    std::mt19937_64 copy = rng; // x and y get the same values, each along its own axis
    Array a = jittest::arrayOf(t, std::move(shape), pairValues(t, copy));
    // The last random values make way for signalling NaNs and NaNs with payloads.
    std::vector<uint64_t> nans = jittest::nanPatterns(t);
    for (size_t k = 0; k < nans.size(); ++k)
      jittest::setBits(a, a.elementCount() - 1 - int64_t(k), nans[k]);
    return a;
  }
  std::vector<int64_t> v = jittest::specialInts(t);
  return jittest::intArrayOf(t, std::move(shape), v);
}

// Every pair of special values: x along the rows, y along the columns (inputs [A, 1] and
// [1, C]). The draw leaves the generator where it was.
std::vector<Call> allPairs(DType t, std::mt19937_64 &rng, const std::string &suffix) {
  std::mt19937_64 copy = rng;
  int64_t n =
      isFloat(t) ? int64_t(pairValues(t, copy).size()) : int64_t(jittest::specialInts(t).size());
  std::mt19937_64 valueRng = rng;
  Array x = pairArray(t, {n, 1}, valueRng), y = pairArray(t, {1, n}, valueRng);
  return {{suffix, {x, y}}};
}

Inputs pairInputs(DType t) { return {{"x", typeSpec(t, "A, 1")}, {"y", typeSpec(t, "1, C")}}; }

} // namespace

TEST_CASE("unary builtins and operators on float dtypes: specials, random, short lengths") {
  std::vector<KernelCase> cases;
  for (const UnaryCase &c : kUnary)
    for (DType t : kFloats)
      cases.push_back(unaryCase(c, t));
  runCases(cases);
}

TEST_CASE("unary builtins and operators on integer dtypes") {
  std::vector<KernelCase> cases;
  for (const UnaryCase &c : kUnary)
    for (DType t : kInts)
      if (unaryAppliesTo(c, t))
        cases.push_back(unaryCase(c, t));
  runCases(cases);
}

TEST_CASE("bool: logical not, casts through arithmetic-free builtins") {
  std::vector<KernelCase> cases;
  for (const char *expr : {"not x", "logical_not(x)", "x == True", "where(x, x, not x)",
                           "maximum(x, not x)", "x != x"}) {
    KernelCase k{
        fmt::format("bool `{}`", expr), expr, {{"x", "bool[N]"}}, [](std::mt19937_64 &rng) {
          std::vector<Call> calls;
          for (int64_t n : {0, 1, 7, 8, 9, 100})
            calls.push_back(
                {fmt::format("length {}", n), {jittest::randomArray(DType::Bool, {n}, rng)}});
          return calls;
        }};
    k.seedName = "bool unary";
    k.continues = true;
    cases.push_back(std::move(k));
  }
  runCases(cases);
}

TEST_CASE("elementwise ops on arrays with an empty dimension ([0, 5], [3, 0])") {
  struct Row {
    const char *expr;
    Rule rule;
  };
  const Row rows[] = {
      {"exp(x)", Rule::math(Op::Exp)},    {"x * 2.0 + 1.0", Rule::exact()},
      {"sqrt(abs(x))", Rule::exact()},    {"x // 3.0", Rule::exact()},
      {"tanh(x)", Rule::math(Op::Tanh)},  {"where(x > 0.0, x, -x)", Rule::exact()},
      {"cast(x, 'int8')", Rule::exact()}, {"sigmoid(x)", Rule::of(Rule::Kind::Composite)}};
  std::vector<KernelCase> cases;
  for (const Row &row : rows) {
    for (DType t : {DType::F32, DType::F64, DType::F16}) {
      KernelCase k{fmt::format("empty `{}` {}", row.expr, shortName(t)),
                   row.expr,
                   {{"x", typeSpec(t, "A, C")}},
                   [t](std::mt19937_64 &rng) {
                     std::vector<Call> calls;
                     for (const Dims &shape : {Dims{0, 5}, {3, 0}, {0, 0}, {3, 5}, {1, 17}}) {
                       Array x = jittest::randomArray(t, shape, rng);
                       calls.push_back({"shape " + jittest::typeOf(x), {x}});
                     }
                     return calls;
                   }};
      k.rules = {row.rule};
      k.seedName = "empty dims";
      k.continues = true;
      k.refusal = Refusal::Fail;
      cases.push_back(std::move(k));
    }
  }
  runCases(cases);
}

TEST_CASE("binary ops on every dtype: every pair of special values, random arrays") {
  std::vector<KernelCase> cases;
  for (const BinaryCase &c : kBinary) {
    for (DType t : kAllTypes) {
      if (!binaryAppliesTo(c, t))
        continue;
      // Integer powers wrap: Math is a float rule (integer outputs are always exact).
      Rule rule = c.kind == Kind::Math ? Rule::math(c.op) : Rule::exact();
      std::string label = fmt::format("binary `{}` {}", c.expr, shortName(t));
      KernelCase pairs{label, c.expr, pairInputs(t),
                       [t](std::mt19937_64 &rng) { return allPairs(t, rng, "all pairs"); }};
      pairs.rules = {rule};
      // The same generator, fresh: the pairs leave it untouched.
      KernelCase flat{label,
                      c.expr,
                      {{"x", typeSpec(t, "N")}, {"y", typeSpec(t, "N")}},
                      [t](std::mt19937_64 &rng) {
                        std::vector<Call> calls;
                        for (int64_t len : {0, 1, 7, 8, 9, 15, 16, 17, 4099})
                          calls.push_back({fmt::format("random length {}", len),
                                           {jittest::randomArray(t, {len}, rng),
                                            jittest::randomArray(t, {len}, rng)}});
                        return calls;
                      }};
      flat.rules = {rule};
      cases.push_back(std::move(pairs));
      cases.push_back(std::move(flat));
    }
  }
  runCases(cases);
}

TEST_CASE("operators by their builtin names") {
  const char *names[] = {"add",     "subtract",      "multiply",  "divide",  "floor_divide",
                         "mod",     "equal",         "not_equal", "less",    "less_equal",
                         "greater", "greater_equal", "maximum",   "minimum", "pow"};
  std::vector<KernelCase> cases;
  for (const char *name : names) {
    for (DType t : {DType::F32, DType::I32, DType::F64}) {
      KernelCase k{fmt::format("builtin `{}` {}", name, shortName(t)),
                   fmt::format("{}(x, y)", name), pairInputs(t),
                   [t](std::mt19937_64 &rng) { return allPairs(t, rng, ""); }};
      k.rules = {std::string_view(name) == "pow" ? Rule::math(Op::Pow) : Rule::exact()};
      cases.push_back(std::move(k));
    }
  }
  runCases(cases);
}

TEST_CASE("creation builtins combined with inputs") {
  const char *exprs[] = {"x + arange(7)",
                         "linspace(0.0, 1.0, 7) * x",
                         "eye(6, 7) + x",
                         "eye(7, k=-2)[1:] - x",
                         "zeros_like(x) - x",
                         "ones_like(x, dtype='int8') + cast(x, 'int8')",
                         "full((6, 7), 3) * x",
                         "full_like(x, 2) - x",
                         "x * array([1, 2, 3, 4, 5, 6, 7])",
                         "x + x.shape[1]",
                         "x * ndim(x)",
                         "x + cast(shape(x), x.dtype)[0]"};
  std::vector<KernelCase> cases;
  for (DType t : {DType::F32, DType::I32, DType::F16, DType::U8})
    for (const char *expr : exprs)
      cases.push_back({fmt::format("creation `{}` {}", expr, shortName(t)),
                       expr,
                       {{"x", typeSpec(t, "6, 7")}},
                       [t](std::mt19937_64 &rng) {
                         return std::vector<Call>{{"", {jittest::randomArray(t, {6, 7}, rng)}}};
                       }});
  runCases(cases);
}

TEST_CASE("broadcasting: scalars, rows against columns, trailing and leading axes") {
  struct Pattern {
    const char *x, *y;
    Dims xs, ys;
  };
  const Pattern patterns[] = {
      {"N", "", {13}, {}},
      {"", "N", {}, {13}},
      {"B, 1", "1, C", {5, 1}, {1, 9}},
      {"B, C", "C", {5, 9}, {9}},
      {"C", "B, C", {9}, {5, 9}},
      {"B, C", "B, 1", {5, 9}, {5, 1}},
      {"B, 1, C", "D, 1", {4, 1, 9}, {3, 1}},
      {"1", "N", {1}, {17}},
      {"B, 1", "1, C", {0, 1}, {1, 9}},
      {"B, C", "C", {3, 0}, {0}},
  };
  std::vector<KernelCase> cases;
  for (const char *expr : {"x + y", "x // y", "maximum(x, y)", "atan2(x, y)", "where(x > y, x, y)",
                           "x < y", "x % y"}) {
    for (DType t : {DType::F32, DType::F64, DType::I32, DType::F16, DType::U8}) {
      for (size_t k = 0; k < std::size(patterns); ++k) {
        // Every pattern for f32; every other one for the rest, which share the code paths.
        if (t != DType::F32 && k % 2 == 1)
          continue;
        const Pattern &p = patterns[k];
        KernelCase c{
            fmt::format("broadcast `{}` {} [{}] vs [{}]", expr, shortName(t), fmt::join(p.xs, ","),
                        fmt::join(p.ys, ",")),
            expr,
            {{"x", typeSpec(t, p.x)}, {"y", typeSpec(t, p.y)}},
            [t, p](std::mt19937_64 &rng) {
              return std::vector<Call>{
                  {"", {jittest::randomArray(t, p.xs, rng), jittest::randomArray(t, p.ys, rng)}}};
            }};
        c.rules = {std::string_view(expr).starts_with("atan2") ? Rule::math(Op::Atan2)
                                                               : Rule::exact()};
        cases.push_back(std::move(c));
      }
    }
  }
  runCases(cases);
}

TEST_CASE("integer // 0, % 0 and INT_MIN // -1 wrap as documented") {
  struct Limits {
    DType t;
    int64_t min, max;
  };
  std::vector<KernelCase> cases;
  for (Limits l : {Limits{DType::I8, INT8_MIN, INT8_MAX}, Limits{DType::I32, INT32_MIN, INT32_MAX},
                   Limits{DType::I64, INT64_MIN, INT64_MAX}, Limits{DType::U8, 0, 255},
                   Limits{DType::I16, INT16_MIN, INT16_MAX}, Limits{DType::U16, 0, UINT16_MAX},
                   Limits{DType::U32, 0, UINT32_MAX}, Limits{DType::U64, 0, -1}}) {
    KernelCase k{fmt::format("int division {}", shortName(l.t)),
                 "(x // y, x % y)",
                 {{"x", typeSpec(l.t, "N")}, {"y", typeSpec(l.t, "N")}},
                 [l](std::mt19937_64 &) {
                   std::vector<int64_t> xs = {7, -7, l.min, l.max, 0, l.min, l.min, 5, -5, l.max};
                   std::vector<int64_t> ys = {0, 0, 0, 0, 0, -1, 1, -1, 3, -1};
                   return std::vector<Call>{{"",
                                             {jittest::intArrayOf(l.t, {int64_t(xs.size())}, xs),
                                              jittest::intArrayOf(l.t, {int64_t(ys.size())}, ys)}}};
                 }};
    // The documented values, whatever the interpreter says.
    k.expect = [l](const std::string &label, const std::vector<Array> &, const Outcome &,
                   const Outcome &got) {
      REQUIRE_MESSAGE(got.outputs.has_value(), label << ": " << got.diagnostics);
      REQUIRE(got.outputs->size() == 2);
      const std::vector<Array> &out = *got.outputs;
      for (int64_t e = 0; e < 5; ++e) {
        CHECK_MESSAGE(loadInt(out[0], e) == 0, label << ": x // 0 at " << e);
        CHECK_MESSAGE(loadInt(out[1], e) == 0, label << ": x % 0 at " << e);
      }
      if (!isUnsigned(l.t)) {
        CHECK_MESSAGE(loadInt(out[0], 5) == l.min, label << ": INT_MIN // -1 wraps to INT_MIN");
        CHECK_MESSAGE(loadInt(out[1], 5) == 0, label << ": INT_MIN % -1 is 0");
        CHECK(loadInt(out[0], 7) == -5);
        CHECK(loadInt(out[0], 8) == -2); // floor
        CHECK(loadInt(out[1], 8) == 1);  // the divisor's sign
      }
    };
    cases.push_back(std::move(k));
  }
  runCases(cases);
}

TEST_CASE("max and min give a NaN operand as the default quiet NaN, as the interpreter") {
  // Every NaN pattern (signalling, negative, with payloads) through maximum, minimum and the
  // max/min reductions (row, column, split, full), then a power of 0: 1 for any quiet NaN,
  // NaN for a signalling one - so a NaN passed on unquieted shows.
  std::vector<KernelCase> cases;
  for (DType t : {DType::F16, DType::BF16, DType::F32, DType::F64}) {
    int64_t rows = 64, cols = int64_t(jittest::nanPatterns(t).size());
    Inputs inputs = {{"x", typeSpec(t, fmt::format("R, {}", cols))},
                     {"y", typeSpec(t, fmt::format("R, {}", cols))}};
    // The same two arrays for every expression: each case draws them afresh from one seed.
    Draw draw = [t, rows, cols](std::mt19937_64 &rng) {
      std::vector<uint64_t> nans = jittest::nanPatterns(t);
      std::vector<Array> arrays = {jittest::moderateArray(t, {rows, cols}, rng, 4, 0),
                                   jittest::moderateArray(t, {rows, cols}, rng, 4, 0)};
      for (int64_t c = 0; c < cols; ++c) // a NaN in every column, at rows of different chunks
        jittest::setBits(arrays[size_t(c % 2)], (c * 13 % rows) * cols + c, nans[size_t(c)]);
      return std::vector<Call>{{"", arrays}};
    };
    for (const char *expr : {"maximum(x, y) ** 0.0", "minimum(x, y) ** 0.0",
                             "max(x, axis=1, keepdims=True) ** 0.0 + y", "min(x, axis=0) ** 0.0",
                             "max(x) ** 0.0 + y", "max(y, axis=0) ** 0.0"}) {
      KernelCase k{fmt::format("quiet NaN `{}` on {}", expr, shortName(t)), expr, inputs, draw};
      k.seedName = fmt::format("quiet NaN {}", shortName(t));
      k.run = Run::SplitChunks;
      cases.push_back(std::move(k));
    }
  }
  runCases(cases);
}

TEST_CASE("casts between every pair of dtypes") {
  std::vector<KernelCase> cases;
  for (DType from : kAllTypes)
    for (DType to : kAllTypes)
      cases.push_back({fmt::format("cast {} -> {}", shortName(from), shortName(to)),
                       fmt::format("cast(x, '{}')", longName(to)),
                       {{"x", typeSpec(from, "N")}},
                       [from](std::mt19937_64 &rng) {
                         std::vector<Call> calls;
                         calls.push_back({"specials", {specialsArray(from, rng)}});
                         for (int64_t n : {0, 1, 7, 8, 9, 16, 17, 4099})
                           calls.push_back({fmt::format("random length {}", n),
                                            {jittest::randomArray(from, {n}, rng, 300, 0.3)}});
                         return calls;
                       }});
  runCases(cases);
}

TEST_CASE("integers cast to 16-bit floats, then arithmetic") {
  // Values that cannot be NaN let LLVM turn selects into max/min intrinsics.
  const char *exprs[] = {"maximum(cast(u, 'float16') * 2.0, 1.0)",
                         "clip(cast(u, 'float16') * cast(k, 'float16'), -2, 3.5)",
                         "minimum(cast(k, 'bfloat16') + 1.0, 3.0)",
                         "relu(cast(k, 'float16') - cast(u, 'float16'))",
                         "maximum(cast(u, 'float32') * 2.0, 1.0)"};
  std::vector<KernelCase> cases;
  for (const char *expr : exprs)
    cases.push_back({fmt::format("int to 16-bit `{}`", expr),
                     expr,
                     {{"u", "u8[B, 4]"}, {"k", "i8[B, 4]"}},
                     [](std::mt19937_64 &rng) {
                       std::vector<Call> calls;
                       for (int64_t b : {0, 1, 3, 9, 100})
                         calls.push_back({fmt::format("B={}", b),
                                          {jittest::randomArray(DType::U8, {b, 4}, rng),
                                           jittest::randomArray(DType::I8, {b, 4}, rng)}});
                       return calls;
                     }});
  runCases(cases);
}

TEST_CASE("float -> integer casts saturate; NaN gives 0; anything -> bool is != 0") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<double> xs = {nan, inf, -inf, 1e10, -1e10, 2.9, -2.9, -0.0, 0.5, 300.7, -1.5};
  struct Expect {
    DType to;
    std::vector<int64_t> values;
  };
  const Expect expects[] = {
      {DType::I32, {0, INT32_MAX, INT32_MIN, INT32_MAX, INT32_MIN, 2, -2, 0, 0, 300, -1}},
      {DType::I8, {0, 127, -128, 127, -128, 2, -2, 0, 0, 127, -1}},
      {DType::U8, {0, 255, 0, 255, 0, 2, 0, 0, 0, 255, 0}},
      {DType::I64, {0, INT64_MAX, INT64_MIN, 10000000000, -10000000000, 2, -2, 0, 0, 300, -1}},
      {DType::Bool, {1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1}},
      {DType::I16, {0, INT16_MAX, INT16_MIN, INT16_MAX, INT16_MIN, 2, -2, 0, 0, 300, -1}},
      {DType::U16, {0, UINT16_MAX, 0, UINT16_MAX, 0, 2, 0, 0, 0, 300, 0}},
      {DType::U32, {0, UINT32_MAX, 0, UINT32_MAX, 0, 2, 0, 0, 0, 300, 0}},
      // u64's 2^64 - 1 is carried as the int64 -1.
      {DType::U64, {0, -1, 0, 10000000000, 0, 2, 0, 0, 0, 300, 0}},
  };
  std::vector<KernelCase> cases;
  for (DType from : kFloats) {
    for (const Expect &e : expects) {
      KernelCase k{
          fmt::format("saturating cast {} -> {}", shortName(from), shortName(e.to)),
          fmt::format("cast(x, '{}')", longName(e.to)),
          {{"x", typeSpec(from, "N")}},
          [from, xs](std::mt19937_64 &) {
            return std::vector<Call>{{"", {jittest::arrayOf(from, {int64_t(xs.size())}, xs)}}};
          }};
      k.expect = [from, e, xs](const std::string &label, const std::vector<Array> &arrays,
                               const Outcome &, const Outcome &got) {
        REQUIRE_MESSAGE(got.outputs.has_value(), label << ": " << got.diagnostics);
        REQUIRE(got.outputs->size() == 1);
        const Array &x = arrays[0], &out = (*got.outputs)[0];
        for (size_t j = 0; j < xs.size(); ++j) {
          double v = loadFloat(x, int64_t(j));
          int64_t want = e.values[j];
          // The 16-bit formats cannot hold every test value: 1e10 is inf in f16, 300.7 is
          // 300.5 in bf16. Recompute the expectation from the stored value in those cases.
          if (is16Bit(from) && std::isfinite(v) && (std::fabs(xs[j]) >= 1e4 || xs[j] == 300.7))
            want = floatToInt(e.to, v);
          else if (is16Bit(from) && std::isinf(v) && std::isfinite(xs[j]))
            want = floatToInt(e.to, v);
          CHECK_MESSAGE(loadInt(out, int64_t(j)) == want, label << ": cast of " << v << " gives "
                                                                << loadInt(out, int64_t(j))
                                                                << ", documented " << want);
        }
      };
      cases.push_back(std::move(k));
    }
  }
  runCases(cases);
}

TEST_CASE("u64 at and above 2^63: documented values through floats, division, shifts, order") {
  // Values a signed reading of the bits would get wrong: each checked against the number
  // NumPy gives, not only against the interpreter.
  const uint64_t big = uint64_t(1) << 63;
  const std::vector<int64_t> xs = {int64_t(big), int64_t(UINT64_MAX), int64_t(big + 3072),
                                   int64_t(12345678901234567890u), 5};
  const std::vector<int64_t> ys = {3, 2, int64_t(big), 7, int64_t(UINT64_MAX)};
  KernelCase k{"u64 beyond 2^63",
               "(cast(x, 'float64'), cast(x, 'float32'), x // y, x % y, x >> 60, x > y, "
               "maximum(x, y), cast(cast(x, 'float64') * 0.5, 'uint64'), x + y, abs(x), sign(x))",
               {{"x", "u64[N]"}, {"y", "u64[N]"}},
               [xs, ys](std::mt19937_64 &) {
                 return std::vector<Call>{{"",
                                           {jittest::intArrayOf(DType::U64, {5}, xs),
                                            jittest::intArrayOf(DType::U64, {5}, ys)}}};
               }};
  k.expect = [=](const std::string &label, const std::vector<Array> &, const Outcome &,
                 const Outcome &got) {
    REQUIRE_MESSAGE(got.outputs.has_value(), label << ": " << got.diagnostics);
    const std::vector<Array> &o = *got.outputs;
    REQUIRE(o.size() == 11);
    auto u = [](const Array &a, int64_t e) { return uint64_t(loadInt(a, e)); };
    for (int64_t e = 0; e < 5; ++e) {
      uint64_t x = uint64_t(xs[size_t(e)]), y = uint64_t(ys[size_t(e)]);
      CAPTURE(x);
      CAPTURE(y);
      CHECK(loadFloat(o[0], e) == double(x)); // one rounding, unsigned
      CHECK(loadFloat(o[1], e) == double(float(x)));
      CHECK(u(o[2], e) == x / y);
      CHECK(u(o[3], e) == x % y);
      CHECK(u(o[4], e) == x >> 60); // logical
      CHECK(loadInt(o[5], e) == (x > y));
      CHECK(u(o[6], e) == std::max(x, y));
      double half = double(x) * 0.5;
      CHECK(u(o[7], e) == (half >= 18446744073709551616.0 ? UINT64_MAX : uint64_t(half)));
      CHECK(u(o[8], e) == x + y); // wraps modulo 2^64
      CHECK(u(o[9], e) == x);     // abs of an unsigned value is itself
      CHECK(u(o[10], e) == (x != 0));
    }
    CHECK(loadFloat(o[0], 1) == 18446744073709551616.0); // 2^64 - 1 rounds up to 2^64
    CHECK(u(o[7], 1) == (uint64_t(1) << 63));            // 2^64 * 0.5
  };
  runCases({k});
}

TEST_CASE("16-bit and unsigned integers wrap on overflow, as NumPy") {
  struct Row {
    DType t;
    std::vector<int64_t> x, y;
    std::vector<int64_t> sum, product; // NumPy's wrapped results
  };
  const Row rows[] = {
      {DType::I16,
       {32767, -32768, 200, -1},
       {1, -1, 200, 1},
       {-32768, 32767, 400, 0},
       {32767, -32768, -25536, -1}},
      {DType::U16,
       {65535, 0, 300, 1},
       {1, 1, 300, 65535},
       {0, 1, 600, 0},
       {65535, 0, 24464, 65535}},
      {DType::U32,
       {4294967295, 0, 70000, 2},
       {1, 1, 70000, 2147483648},
       {0, 1, 140000, 2147483650},
       {4294967295, 0, 605032704, 0}},
  };
  std::vector<KernelCase> cases;
  for (const Row &r : rows) {
    KernelCase k{
        fmt::format("wrap {}", shortName(r.t)),
        "(x + y, x * y, x - y - y)",
        {{"x", typeSpec(r.t, "N")}, {"y", typeSpec(r.t, "N")}},
        [r](std::mt19937_64 &) {
          return std::vector<Call>{
              {"", {jittest::intArrayOf(r.t, {4}, r.x), jittest::intArrayOf(r.t, {4}, r.y)}}};
        }};
    k.expect = [r](const std::string &label, const std::vector<Array> &, const Outcome &,
                   const Outcome &got) {
      REQUIRE_MESSAGE(got.outputs.has_value(), label << ": " << got.diagnostics);
      for (int64_t e = 0; e < 4; ++e) {
        CHECK_MESSAGE(loadInt((*got.outputs)[0], e) == r.sum[size_t(e)], label << " sum " << e);
        CHECK_MESSAGE(loadInt((*got.outputs)[1], e) == r.product[size_t(e)],
                      label << " product " << e);
        CHECK_MESSAGE(loadInt((*got.outputs)[2], e) ==
                          wrapToInt(r.t, r.x[size_t(e)] - 2 * r.y[size_t(e)]),
                      label << " difference " << e);
      }
    };
    cases.push_back(std::move(k));
  }
  runCases(cases);
}
