// The reference interpreter: the defined edge cases of the IR's semantics (compiler/ir/Ir.h),
// evaluated end to end from source text through sema.

#include "TestSupport.h"

#include "compiler/interp/Interpreter.h"
#include "compiler/sema/Sema.h"
#include "compiler/types/Elements.h"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <vector>

using namespace lamina;
using namespace lamina::test;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// Arrays from lists: 1-D by default, or of the given shape.
Array floats(DType t, const std::vector<double> &values,
             std::optional<std::vector<int64_t>> shape = std::nullopt) {
  Array a = makeArray(t, shape.value_or(std::vector<int64_t>{int64_t(values.size())}));
  REQUIRE(a.elementCount() == int64_t(values.size()));
  for (size_t k = 0; k < values.size(); ++k)
    storeFloat(a, int64_t(k), values[k]);
  return a;
}

Array ints(DType t, const std::vector<int64_t> &values,
           std::optional<std::vector<int64_t>> shape = std::nullopt) {
  Array a = makeArray(t, shape.value_or(std::vector<int64_t>{int64_t(values.size())}));
  REQUIRE(a.elementCount() == int64_t(values.size()));
  for (size_t k = 0; k < values.size(); ++k)
    storeInt(a, int64_t(k), values[k]);
  return a;
}

std::vector<double> floatsOf(const Array &a) {
  std::vector<double> out;
  for (int64_t k = 0; k < a.elementCount(); ++k)
    out.push_back(loadFloat(a, k));
  return out;
}

std::vector<int64_t> intsOf(const Array &a) {
  std::vector<int64_t> out;
  for (int64_t k = 0; k < a.elementCount(); ++k)
    out.push_back(loadInt(a, k));
  return out;
}

TensorType typeOf(const Array &a) {
  TensorType t{a.dtype, {}};
  for (int64_t d : a.shape)
    t.shape.push_back(d);
  return t;
}

// One source, analyzed for the types of `inputs` (bound in order) and interpreted on them.
struct Run {
  Parsed parsed;
  std::optional<ir::Function> fn;
  std::optional<std::vector<Array>> outputs;
  std::vector<Diagnostic> diagnostics;

  std::string firstCode() const {
    return diagnostics.empty() ? "" : std::string(diagnostics.front().info().code);
  }
  std::string messages() const {
    std::string out;
    for (const Diagnostic &d : diagnostics)
      out += std::string(d.info().code) + ": " + d.message + "\n";
    return out;
  }
};

Run run(const std::string &source, const std::vector<Array> &inputs,
        const InterpOptions &options = {}) {
  Run r;
  r.parsed = parseText(source);
  REQUIRE_MESSAGE(r.parsed.module, source << ": " << r.parsed.first());
  SemaRequest request;
  // Several input parameters take their inputs by name, in order (by position, Keras gives
  // them all to the first).
  auto signature = entrySignature(*r.parsed.module, {});
  bool byName = signature && inputs.size() > 1 && signature->inputs.size() == inputs.size();
  for (size_t k = 0; k < inputs.size(); ++k)
    request.inputs.push_back({byName ? signature->inputs[k] : "", typeOf(inputs[k])});
  CollectingConsumer consumer;
  DiagnosticEngine diags(consumer);
  r.fn = analyze(*r.parsed.module, *r.parsed.file, request, diags);
  if (r.fn) {
    REQUIRE(ir::verify(*r.fn) == "");
    std::vector<Array> bound;
    for (const ir::InputDecl &decl : r.fn->inputs) {
      REQUIRE(decl.binding < inputs.size());
      bound.push_back(inputs[decl.binding]);
    }
    std::vector<Array> variables;
    for (const ir::VariableDecl &v : r.fn->variables)
      variables.push_back(initialValue(v));
    r.outputs = interpret(*r.fn, bound, variables, *r.parsed.file, diags, options);
  }
  r.diagnostics = consumer.diagnostics;
  return r;
}

// The one output of a source that must compile and run.
Array eval(const std::string &source, const std::vector<Array> &inputs) {
  Run r = run(source, inputs);
  REQUIRE_MESSAGE(r.fn, source << "\n" << r.messages());
  REQUIRE_MESSAGE(r.outputs, source << "\n" << r.messages());
  REQUIRE(r.outputs->size() == 1);
  CHECK_MESSAGE(r.diagnostics.empty(), r.messages());
  return r.outputs->front();
}

// Exact comparison of integer results, with the dtype and shape.
void checkInts(const Array &a, DType dtype, const std::vector<int64_t> &expected,
               std::optional<std::vector<int64_t>> shape = std::nullopt) {
  CHECK(shortName(a.dtype) == shortName(dtype));
  CHECK(a.shape == shape.value_or(std::vector<int64_t>{int64_t(expected.size())}));
  CHECK(intsOf(a) == expected);
}

// Float results within `tol` (absolute); NaN must match NaN.
void checkFloats(const Array &a, DType dtype, const std::vector<double> &expected, double tol,
                 std::optional<std::vector<int64_t>> shape = std::nullopt) {
  CHECK(shortName(a.dtype) == shortName(dtype));
  CHECK(a.shape == shape.value_or(std::vector<int64_t>{int64_t(expected.size())}));
  std::vector<double> got = floatsOf(a);
  REQUIRE(got.size() == expected.size());
  for (size_t k = 0; k < got.size(); ++k) {
    CAPTURE(k);
    CAPTURE(got[k]);
    CAPTURE(expected[k]);
    if (std::isnan(expected[k]))
      CHECK(std::isnan(got[k]));
    else if (std::isinf(expected[k]))
      CHECK(got[k] == expected[k]);
    else
      CHECK(std::fabs(got[k] - expected[k]) <= tol);
  }
}

double meanOf(const std::vector<double> &v) {
  double s = 0;
  for (double x : v)
    s += x;
  return s / double(v.size());
}

double stdOf(const std::vector<double> &v) {
  double m = meanOf(v), s = 0;
  for (double x : v)
    s += (x - m) * (x - m);
  return std::sqrt(s / double(v.size()));
}

} // namespace

// ---------------------------------------------------------------------------------------------
// Integers

TEST_CASE("integer // and % : floor semantics, division by zero is 0, INT_MIN // -1 wraps") {
  struct Case {
    DType t;
    int64_t lo;
  };
  for (Case c :
       {Case{DType::I64, INT64_MIN}, Case{DType::I32, INT32_MIN}, Case{DType::I8, INT8_MIN}}) {
    CAPTURE(shortName(c.t));
    Array x = ints(c.t, {7, -7, 7, -7, 6, -6, c.lo, c.lo, 5, -5, 0, c.lo});
    Array y = ints(c.t, {2, 2, -2, -2, 3, 3, -1, 1, 0, 0, 0, 0});
    checkInts(eval("lambda x, y: x // y", {x, y}), c.t,
              {3, -4, -4, 3, 2, -2, c.lo, c.lo, 0, 0, 0, 0});
    checkInts(eval("lambda x, y: x % y", {x, y}), c.t, {1, 1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0});
    // With a weak Python scalar as the divisor.
    checkInts(eval("lambda x: x // 0", {x}), c.t, std::vector<int64_t>(12, 0));
    checkInts(eval("lambda x: x % 0", {x}), c.t, std::vector<int64_t>(12, 0));
    Array m = ints(c.t, {c.lo, 9, -9});
    checkInts(eval("lambda x: x // -1", {m}), c.t, {c.lo, -9, 9});
    checkInts(eval("lambda x: x % -1", {m}), c.t, {0, 0, 0});
    checkInts(eval("lambda x: x % 4", {ints(c.t, {-1, -4, -5, 5})}), c.t, {3, 0, 3, 1});
    checkInts(eval("lambda x: x % -4", {ints(c.t, {-1, 1, 4, 5})}), c.t, {-1, -3, 0, -3});
  }
  // u8: no negative operands.
  Array x = ints(DType::U8, {7, 200, 255, 0, 255});
  Array y = ints(DType::U8, {2, 0, 255, 0, 16});
  checkInts(eval("lambda x, y: x // y", {x, y}), DType::U8, {3, 0, 1, 0, 15});
  checkInts(eval("lambda x, y: x % y", {x, y}), DType::U8, {1, 0, 0, 0, 15});
  checkInts(eval("lambda x: x // 0", {x}), DType::U8, {0, 0, 0, 0, 0});
  checkInts(eval("lambda x: x % 0", {x}), DType::U8, {0, 0, 0, 0, 0});
}

TEST_CASE("integer + - * and negation wrap around (two's complement)") {
  {
    Array x = ints(DType::I64, {INT64_MAX, INT64_MIN, INT64_MIN, int64_t(1) << 62, 3});
    Array y = ints(DType::I64, {1, -1, -1, 4, -5});
    checkInts(eval("lambda x, y: x + y", {x, y}), DType::I64,
              {INT64_MIN, INT64_MAX, INT64_MAX, (int64_t(1) << 62) + 4, -2});
    checkInts(eval("lambda x, y: x * y", {x, y}), DType::I64,
              {INT64_MAX, INT64_MIN, INT64_MIN, 0, -15});
    checkInts(eval("lambda x, y: x - y", {x, y}), DType::I64,
              {INT64_MAX - 1, INT64_MIN + 1, INT64_MIN + 1, (int64_t(1) << 62) - 4, 8});
    checkInts(eval("lambda x: -x", {x}), DType::I64,
              {-INT64_MAX, INT64_MIN, INT64_MIN, -(int64_t(1) << 62), -3});
  }
  {
    Array x = ints(DType::I32, {INT32_MAX, INT32_MIN, 65536, 46341, -7});
    Array y = ints(DType::I32, {1, -1, 65536, 46341, 3});
    checkInts(eval("lambda x, y: x + y", {x, y}), DType::I32,
              {INT32_MIN, INT32_MAX, 131072, 92682, -4});
    checkInts(eval("lambda x, y: x * y", {x, y}), DType::I32,
              {INT32_MAX, INT32_MIN, 0, int32_t(uint32_t(46341u * 46341u)), -21});
    checkInts(eval("lambda x: -x", {x}), DType::I32, {-INT32_MAX, INT32_MIN, -65536, -46341, 7});
    checkInts(eval("lambda x: x + 1", {x}), DType::I32,
              {INT32_MIN, INT32_MIN + 1, 65537, 46342, -6});
  }
  {
    Array x = ints(DType::I8, {127, -128, 16, -128, 100});
    Array y = ints(DType::I8, {1, -1, 16, 1, 100});
    checkInts(eval("lambda x, y: x + y", {x, y}), DType::I8, {-128, 127, 32, -127, -56});
    checkInts(eval("lambda x, y: x * y", {x, y}), DType::I8, {127, -128, 0, -128, 16});
    checkInts(eval("lambda x: -x", {x}), DType::I8, {-127, -128, -16, -128, -100});
    checkInts(eval("lambda x: abs(x)", {x}), DType::I8, {127, -128, 16, -128, 100});
  }
  {
    Array x = ints(DType::U8, {255, 0, 16, 200});
    Array y = ints(DType::U8, {1, 1, 16, 100});
    checkInts(eval("lambda x, y: x + y", {x, y}), DType::U8, {0, 1, 32, 44});
    checkInts(eval("lambda x, y: x - y", {x, y}), DType::U8, {254, 255, 0, 100});
    checkInts(eval("lambda x, y: x * y", {x, y}), DType::U8, {255, 0, 0, 32});
    checkInts(eval("lambda x: x + 1", {x}), DType::U8, {0, 1, 17, 201});
  }
}

TEST_CASE("float // and % : floor division and a remainder with the divisor's sign") {
  Array x = floats(DType::F64, {-7, 7, -7, 7, 7.5, -7.5, 1, 0, 5});
  Array y = floats(DType::F64, {2, -2, -2, 2, 2, 2, 0, 0, 0});
  checkFloats(eval("lambda x, y: x // y", {x, y}), DType::F64,
              {-4, -4, 3, 3, 3, -4, kInf, kNaN, kInf}, 0);
  checkFloats(eval("lambda x, y: x % y", {x, y}), DType::F64,
              {1, -1, -1, 1, 1.5, 0.5, kNaN, kNaN, kNaN}, 0);
  checkFloats(eval("lambda x: x % 0.75", {floats(DType::F32, {-1, 1, 2.25})}), DType::F32,
              {0.5, 0.25, 0}, 1e-6);
}

TEST_CASE("integer ** with a negative exponent is 0, except for 1 and -1; ** wraps") {
  Array x = ints(DType::I32, {2, 0, 1, -1, -1, 2, -3});
  Array y = ints(DType::I32, {-1, -1, -5, -3, -2, 40, 3});
  checkInts(eval("lambda x, y: x ** y", {x, y}), DType::I32, {0, 0, 1, -1, 1, 0, -27});
  checkInts(eval("lambda x: x ** 7", {ints(DType::I8, {2, 3})}), DType::I8,
            {-128, int64_t(int8_t(uint8_t(2187 % 256)))});
}

// ---------------------------------------------------------------------------------------------
// Casts and rounding

TEST_CASE("float to integer casts truncate, saturate, and send NaN to 0") {
  Array x = floats(DType::F32,
                   {2.9, -2.9, 0.5, -0.5, 1e10, -1e10, kNaN, kInf, -kInf, 127.5, -128.5, 255.9});
  checkInts(eval("lambda x: cast(x, 'int8')", {x}), DType::I8,
            {2, -2, 0, 0, 127, -128, 0, 127, -128, 127, -128, 127});
  checkInts(eval("lambda x: cast(x, 'uint8')", {x}), DType::U8,
            {2, 0, 0, 0, 255, 0, 0, 255, 0, 127, 0, 255});
  checkInts(eval("lambda x: cast(x, 'int32')", {x}), DType::I32,
            {2, -2, 0, 0, INT32_MAX, INT32_MIN, 0, INT32_MAX, INT32_MIN, 127, -128, 255});
  checkInts(eval("lambda x: cast(x, 'int64')", {x}), DType::I64,
            {2, -2, 0, 0, 10000000000, -10000000000, 0, INT64_MAX, INT64_MIN, 127, -128, 255});
  // Anything cast to bool is `!= 0`; NaN is true.
  checkInts(eval("lambda x: cast(x, 'bool')", {x}), DType::Bool,
            {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1});
  checkInts(eval("lambda x: cast(x, 'bool')", {floats(DType::F64, {0.0, -0.0, 1e-300})}),
            DType::Bool, {0, 0, 1});
  // f64 beyond the i64 range, and f16 (a storage type) to i8.
  checkInts(eval("lambda x: cast(x, 'int64')", {floats(DType::F64, {1e19, -1e19, 9.2e18})}),
            DType::I64, {INT64_MAX, INT64_MIN, 9200000000000000000});
  checkInts(eval("lambda x: cast(x, 'int8')", {floats(DType::F16, {300, -300, -1.75, kNaN})}),
            DType::I8, {127, -128, -1, 0});
  // Integer to integer wraps; integer to float rounds.
  checkInts(eval("lambda x: cast(x, 'int8')", {ints(DType::I32, {200, -129, 256})}), DType::I8,
            {-56, 127, 0});
  checkFloats(eval("lambda x: cast(x, 'float16')", {ints(DType::I32, {2049, 70000})}), DType::F16,
              {2048, kInf}, 0);
}

TEST_CASE("round is half to even") {
  Array x =
      floats(DType::F32, {0.5, 1.5, 2.5, 3.5, -0.5, -1.5, -2.5, 2.4999998, 2.5000002, 0.49999997});
  Array r = eval("lambda x: round(x)", {x});
  checkFloats(r, DType::F32, {0, 2, 2, 4, -0.0, -2, -2, 2, 3, 0}, 0);
  CHECK(std::signbit(loadFloat(r, 4))); // round(-0.5) is -0.0
  checkFloats(eval("lambda x: round(x)", {floats(DType::F64, {4.5, 5.5, -4.5, 1e300})}), DType::F64,
              {4, 6, -4, 1e300}, 0);
  checkFloats(eval("lambda x: round(x)", {floats(DType::F16, {0.5, 1.5, 2.5, kNaN})}), DType::F16,
              {0, 2, 2, kNaN}, 0);
}

// ---------------------------------------------------------------------------------------------
// NaN

TEST_CASE("maximum, minimum, relu and max/min reductions propagate NaN") {
  Array x = floats(DType::F32, {kNaN, 1, kNaN, -1});
  Array y = floats(DType::F32, {1, kNaN, kNaN, 2});
  checkFloats(eval("lambda x, y: maximum(x, y)", {x, y}), DType::F32, {kNaN, kNaN, kNaN, 2}, 0);
  checkFloats(eval("lambda x, y: minimum(x, y)", {x, y}), DType::F32, {kNaN, kNaN, kNaN, -1}, 0);
  checkFloats(eval("lambda x: relu(x)", {x}), DType::F32, {kNaN, 1, kNaN, 0}, 0);
  checkFloats(eval("lambda x: relu(x, negative_slope=0.1)", {x}), DType::F32, {kNaN, 1, kNaN, -0.1},
              1e-7);
  checkFloats(eval("lambda x: maximum(x, 0.0)", {x}), DType::F32, {kNaN, 1, kNaN, 0}, 0);
  for (const char *src : {"lambda x: max(x)", "lambda x: min(x)"}) {
    CAPTURE(src);
    // NaN first, in the middle, last.
    checkFloats(eval(src, {floats(DType::F32, {kNaN, 1, 2})}), DType::F32, {kNaN}, 0,
                std::vector<int64_t>{});
    checkFloats(eval(src, {floats(DType::F32, {1, kNaN, 2})}), DType::F32, {kNaN}, 0,
                std::vector<int64_t>{});
    checkFloats(eval(src, {floats(DType::F32, {1, 2, kNaN})}), DType::F32, {kNaN}, 0,
                std::vector<int64_t>{});
  }
  checkFloats(eval("lambda x: max(x)", {floats(DType::F32, {1, 3, 2})}), DType::F32, {3}, 0,
              std::vector<int64_t>{});
  // Equal values: the first wins, so the sign of a zero is the first operand's.
  Array mz = eval("lambda x, y: maximum(x, y)",
                  {floats(DType::F32, {-0.0, 0.0}), floats(DType::F32, {0.0, -0.0})});
  CHECK(std::signbit(loadFloat(mz, 0)));
  CHECK_FALSE(std::signbit(loadFloat(mz, 1)));
  // Along an axis: only the rows that hold a NaN.
  Array m = floats(DType::F64, {1, kNaN, 3, 4, 5, 6}, std::vector<int64_t>{2, 3});
  checkFloats(eval("lambda x: max(x, axis=1)", {m}), DType::F64, {kNaN, 6}, 0);
  checkFloats(eval("lambda x: min(x, axis=0)", {m}), DType::F64, {1, kNaN, 3}, 0);
}

TEST_CASE("comparisons with NaN are false, != is true") {
  Array x = floats(DType::F32, {kNaN, kNaN, 1, 1});
  Array y = floats(DType::F32, {1, kNaN, kNaN, 1});
  checkInts(eval("lambda x, y: x == y", {x, y}), DType::Bool, {0, 0, 0, 1});
  checkInts(eval("lambda x, y: x != y", {x, y}), DType::Bool, {1, 1, 1, 0});
  checkInts(eval("lambda x, y: x < y", {x, y}), DType::Bool, {0, 0, 0, 0});
  checkInts(eval("lambda x, y: x <= y", {x, y}), DType::Bool, {0, 0, 0, 1});
  checkInts(eval("lambda x, y: x > y", {x, y}), DType::Bool, {0, 0, 0, 0});
  checkInts(eval("lambda x, y: x >= y", {x, y}), DType::Bool, {0, 0, 0, 1});
  checkInts(eval("lambda x: x == x", {x}), DType::Bool, {0, 0, 1, 1});
  checkInts(eval("lambda x: x != x", {x}), DType::Bool, {1, 1, 0, 0});
  checkInts(eval("lambda x: isnan(x)", {x}), DType::Bool, {1, 1, 0, 0});
}

TEST_CASE("argmax/argmin: a NaN is the extreme and the first one wins; ties go to the first") {
  Array x = floats(DType::F32, {1, kNaN, 3, kNaN});
  checkInts(eval("lambda x: argmax(x)", {x}), DType::I64, {1}, std::vector<int64_t>{});
  checkInts(eval("lambda x: argmin(x)", {x}), DType::I64, {1}, std::vector<int64_t>{});
  Array first = floats(DType::F32, {kNaN, 5, -5, kNaN});
  checkInts(eval("lambda x: argmax(x)", {first}), DType::I64, {0}, std::vector<int64_t>{});
  checkInts(eval("lambda x: argmin(x)", {first}), DType::I64, {0}, std::vector<int64_t>{});
  Array last = floats(DType::F32, {-kInf, kInf, kNaN});
  checkInts(eval("lambda x: argmax(x)", {last}), DType::I64, {2}, std::vector<int64_t>{});
  checkInts(eval("lambda x: argmin(x)", {last}), DType::I64, {2}, std::vector<int64_t>{});
  // Ties.
  checkInts(eval("lambda x: argmax(x)", {floats(DType::F32, {3, 1, 3, 2})}), DType::I64, {0},
            std::vector<int64_t>{});
  checkInts(eval("lambda x: argmin(x)", {floats(DType::F32, {2, 1, 1, 2})}), DType::I64, {1},
            std::vector<int64_t>{});
  checkInts(eval("lambda x: argmax(x)", {floats(DType::F32, {-kInf, -kInf})}), DType::I64, {0},
            std::vector<int64_t>{});
  checkInts(eval("lambda x: argmax(x)", {ints(DType::I32, {4, 9, 9, 9})}), DType::I64, {1},
            std::vector<int64_t>{});
  checkInts(eval("lambda x: argmin(x)", {ints(DType::U8, {7, 0, 0})}), DType::I64, {1},
            std::vector<int64_t>{});
  // Along axes; axis=None flattens.
  Array m = floats(DType::F64, {1, 5, 5, kNaN, 0, kNaN, 2, 2, 1}, std::vector<int64_t>{3, 3});
  checkInts(eval("lambda x: argmax(x, axis=1)", {m}), DType::I64, {1, 0, 0});
  checkInts(eval("lambda x: argmin(x, axis=1)", {m}), DType::I64, {0, 0, 2});
  checkInts(eval("lambda x: argmax(x, axis=0)", {m}), DType::I64, {1, 0, 1});
  checkInts(eval("lambda x: argmin(x, axis=0)", {m}), DType::I64, {1, 1, 1});
  checkInts(eval("lambda x: argmax(x)", {m}), DType::I64, {3}, std::vector<int64_t>{});
  checkInts(eval("lambda x: argmax(x, axis=1, keepdims=True)", {m}), DType::I64, {1, 0, 0},
            std::vector<int64_t>{3, 1});
}

// ---------------------------------------------------------------------------------------------
// Reductions and scans

TEST_CASE("reductions over an empty axis") {
  Array x = makeArray(DType::F32, {2, 0});
  checkFloats(eval("lambda x: sum(x, axis=1)", {x}), DType::F32, {0, 0}, 0);
  checkFloats(eval("lambda x: prod(x, axis=1)", {x}), DType::F32, {1, 1}, 0);
  // NumPy raises (no identity), TensorFlow gives -inf/+inf; the interpreter gives NaN.
  checkFloats(eval("lambda x: max(x, axis=1)", {x}), DType::F32, {kNaN, kNaN}, 0);
  checkFloats(eval("lambda x: min(x, axis=1)", {x}), DType::F32, {kNaN, kNaN}, 0);
  checkFloats(eval("lambda x: sum(x)", {x}), DType::F32, {0}, 0, std::vector<int64_t>{});
  // Reducing the non-empty axis of an empty array gives an empty result.
  Array r = eval("lambda x: sum(x, axis=0)", {x});
  CHECK(r.shape == std::vector<int64_t>{0});
  checkFloats(eval("lambda x: mean(x, axis=1)", {x}), DType::F32, {kNaN, kNaN}, 0);
  Array xi = makeArray(DType::I32, {3, 0});
  // Integers have no NaN: max and min over nothing are 0 (docs/language.md).
  checkInts(eval("lambda x: max(x, axis=1)", {xi}), DType::I32, {0, 0, 0});
  checkInts(eval("lambda x: min(x, axis=1)", {makeArray(DType::U8, {2, 0})}), DType::U8, {0, 0});
  checkInts(eval("lambda x: sum(x, axis=1)", {xi}), DType::I32, {0, 0, 0});
  checkInts(eval("lambda x: prod(x, axis=1)", {xi}), DType::I32, {1, 1, 1});
  checkInts(eval("lambda x: any(x, axis=1)", {makeArray(DType::Bool, {2, 0})}), DType::Bool,
            {0, 0});
  checkInts(eval("lambda x: all(x, axis=1)", {makeArray(DType::Bool, {2, 0})}), DType::Bool,
            {1, 1});
}

TEST_CASE("cumsum and cumprod") {
  Array m = floats(DType::F32, {1, 2, 3, 4, 5, 6}, std::vector<int64_t>{2, 3});
  std::vector<int64_t> s23{2, 3};
  checkFloats(eval("lambda x: cumsum(x, axis=1)", {m}), DType::F32, {1, 3, 6, 4, 9, 15}, 0, s23);
  checkFloats(eval("lambda x: cumsum(x, axis=0)", {m}), DType::F32, {1, 2, 3, 5, 7, 9}, 0, s23);
  checkFloats(eval("lambda x: cumsum(x, axis=-1)", {m}), DType::F32, {1, 3, 6, 4, 9, 15}, 0, s23);
  checkFloats(eval("lambda x: cumprod(x, axis=1)", {m}), DType::F32, {1, 2, 6, 4, 20, 120}, 0, s23);
  checkFloats(eval("lambda x: cumprod(x, axis=0)", {m}), DType::F32, {1, 2, 3, 4, 10, 18}, 0, s23);
  checkFloats(eval("lambda x: cumsum(x)", {m}), DType::F32, {1, 3, 6, 10, 15, 21}, 0);
  checkFloats(eval("lambda x: cumprod(x)", {m}), DType::F32, {1, 2, 6, 24, 120, 720}, 0);
  checkInts(eval("lambda x: cumsum(x, axis=0)", {ints(DType::I64, {5, -2, INT64_MAX})}), DType::I64,
            {5, 3, INT64_MIN + 2});
  checkInts(eval("lambda x: cumprod(x, axis=0)", {ints(DType::I32, {-2, 3, 65536, 65536})}),
            DType::I32, {-2, -6, -393216, 0});
  // NaN carries forward.
  checkFloats(eval("lambda x: cumsum(x, axis=0)", {floats(DType::F64, {1, kNaN, 2})}), DType::F64,
              {1, kNaN, kNaN}, 0);
  // f16 rounds after every step: 2048 + 1 stays 2048.
  checkFloats(eval("lambda x: cumsum(x, axis=0)", {floats(DType::F16, {2048, 1, 1, 2})}),
              DType::F16, {2048, 2048, 2048, 2050}, 0);
}

// ---------------------------------------------------------------------------------------------
// Movement

TEST_CASE("pad: reflect and symmetric mirror at the edges, constant fills") {
  Array x = floats(DType::F32, {1, 2, 3, 4});
  checkFloats(eval("lambda x: pad(x, [[2, 3]], mode='reflect')", {x}), DType::F32,
              {3, 2, 1, 2, 3, 4, 3, 2, 1}, 0);
  checkFloats(eval("lambda x: pad(x, [[2, 3]], mode='symmetric')", {x}), DType::F32,
              {2, 1, 1, 2, 3, 4, 4, 3, 2}, 0);
  // The widest pads each mode allows: n - 1 for reflect, n for symmetric.
  checkFloats(eval("lambda x: pad(x, [[3, 3]], mode='reflect')", {x}), DType::F32,
              {4, 3, 2, 1, 2, 3, 4, 3, 2, 1}, 0);
  checkFloats(eval("lambda x: pad(x, [[4, 4]], mode='symmetric')", {x}), DType::F32,
              {4, 3, 2, 1, 1, 2, 3, 4, 4, 3, 2, 1}, 0);
  checkFloats(eval("lambda x: pad(x, [[1, 2]], constant_values=9)", {x}), DType::F32,
              {9, 1, 2, 3, 4, 9, 9}, 0);
  checkFloats(eval("lambda x: pad(x, [[1, 0]])", {x}), DType::F32, {0, 1, 2, 3, 4}, 0);
  Array m = floats(DType::F64, {1, 2, 3, 4, 5, 6}, std::vector<int64_t>{2, 3});
  checkFloats(eval("lambda x: pad(x, [[1, 1], [2, 2]], mode='reflect')", {m}), DType::F64,
              {6, 5, 4, 5, 6, 5, 4, //
               3, 2, 1, 2, 3, 2, 1, //
               6, 5, 4, 5, 6, 5, 4, //
               3, 2, 1, 2, 3, 2, 1},
              0, std::vector<int64_t>{4, 7});
  checkFloats(eval("lambda x: pad(x, [[1, 1], [2, 2]], mode='SYMMETRIC')", {m}), DType::F64,
              {2, 1, 1, 2, 3, 3, 2, //
               2, 1, 1, 2, 3, 3, 2, //
               5, 4, 4, 5, 6, 6, 5, //
               5, 4, 4, 5, 6, 6, 5},
              0, std::vector<int64_t>{4, 7});
  checkInts(eval("lambda x: pad(x, [[0, 2]], mode='reflect')", {ints(DType::I8, {-1, 7, 9})}),
            DType::I8, {-1, 7, 9, 7, -1});
  // Beyond the widest pad is a compile error.
  Run bad = run("lambda x: pad(x, [[4, 0]], mode='reflect')", {x});
  CHECK_FALSE(bad.fn);
  CHECK_FALSE(bad.firstCode().empty());
}

TEST_CASE("gather clamps out-of-range indices; negative indices count from the end") {
  Array x = floats(DType::F32, {10, 20, 30, 40});
  Array idx = ints(DType::I32, {0, 3, 4, 100, -1, -4, -5, -100});
  checkFloats(eval("lambda x, i: gather(x, i)", {x, idx}), DType::F32,
              {10, 40, 40, 40, 40, 10, 10, 10}, 0);
  checkFloats(eval("lambda x, i: gather(x, i)", {x, ints(DType::I64, {INT64_MAX, INT64_MIN, 2})}),
              DType::F32, {40, 10, 30}, 0);
  Array m = floats(DType::F32, {1, 2, 3, 4, 5, 6}, std::vector<int64_t>{2, 3});
  Array mi = ints(DType::I32, {2, 0, -1, 9}, std::vector<int64_t>{2, 2});
  // out[i, j, k] = m[i, mi[j, k]]
  checkFloats(eval("lambda x, i: gather(x, i, axis=1)", {m, mi}), DType::F32,
              {3, 1, 3, 3, 6, 4, 6, 6}, 0, std::vector<int64_t>{2, 2, 2});
  // Rows along axis 0.
  checkFloats(eval("lambda x, i: gather(x, i)", {m, ints(DType::U8, {1, 0, 200})}), DType::F32,
              {4, 5, 6, 1, 2, 3, 4, 5, 6}, 0, std::vector<int64_t>{3, 3});
}

// ---------------------------------------------------------------------------------------------
// Storage types

TEST_CASE("f16 and bf16 arithmetic rounds after every operation") {
  Array x = floats(DType::F16, {2048});
  Array y = floats(DType::F16, {1});
  Array z = floats(DType::F16, {1});
  checkFloats(eval("lambda x, y, z: (x + y) + z", {x, y, z}), DType::F16, {2048}, 0);
  checkFloats(eval("lambda x, y, z: x + (y + z)", {x, y, z}), DType::F16, {2050}, 0);
  // 300 * 300 overflows f16 even though dividing by 300 again would fit.
  Array h = floats(DType::F16, {300});
  checkFloats(eval("lambda x, y: (x * y) / y", {h, h}), DType::F16, {kInf}, 0);
  checkFloats(eval("lambda x, y: x * (y / y)", {h, h}), DType::F16, {300}, 0);
  // One rounding per operation: 1/3 and 0.1*0.1 as the nearest halves.
  checkFloats(eval("lambda x, y: x / y", {floats(DType::F16, {1}), floats(DType::F16, {3})}),
              DType::F16, {0.333251953125}, 0);
  Array tenth = floats(DType::F16, {0.1});
  checkFloats(eval("lambda x, y: x * y", {tenth, tenth}), DType::F16,
              {double(halfToFloat(floatToHalf(float(0.0999755859375 * 0.0999755859375))))}, 0);
  // bf16: 256 + 1 is 256.
  Array b = floats(DType::BF16, {256});
  Array one = floats(DType::BF16, {1});
  checkFloats(eval("lambda x, y: (x + y) + y", {b, one}), DType::BF16, {256}, 0);
  checkFloats(eval("lambda x, y: x + (y + y)", {b, one}), DType::BF16, {258}, 0);
  // The same in f32 keeps every digit.
  checkFloats(eval("lambda x, y, z: (x + y) + z",
                   {floats(DType::F32, {2048}), floats(DType::F32, {1}), floats(DType::F32, {1})}),
              DType::F32, {2050}, 0);
}

// ---------------------------------------------------------------------------------------------
// Budget

TEST_CASE("the byte budget: exceeding it is E0703 and nothing is returned") {
  Array x = floats(DType::F32, std::vector<double>(100, 1.0));
  InterpOptions tiny;
  tiny.byteBudget = 16;
  Run r = run("lambda x: x * 2 + 1", {x}, tiny);
  REQUIRE(r.fn);
  CHECK_FALSE(r.outputs);
  REQUIRE(r.diagnostics.size() == 1);
  CHECK(r.firstCode() == "E0703");
  CHECK(r.diagnostics.front().info().severity == Severity::Error);

  InterpOptions zero;
  zero.byteBudget = 0;
  Run z = run("lambda x: x", {floats(DType::F32, {1})}, zero);
  CHECK_FALSE(z.outputs);
  CHECK(z.firstCode() == "E0703");

  // The default budget runs it.
  Run ok = run("lambda x: x * 2 + 1", {x});
  REQUIRE(ok.outputs);
  CHECK(ok.diagnostics.empty());
  checkFloats(ok.outputs->front(), DType::F32, std::vector<double>(100, 3.0), 0);
}

// ---------------------------------------------------------------------------------------------
// Variables

namespace {

// The declaration of the one variable a source creates (analyzed for a scalar f32 input).
ir::VariableDecl variableOf(const std::string &source) {
  Run r = run(source, {floats(DType::F32, {0}, std::vector<int64_t>{})});
  REQUIRE_MESSAGE(r.outputs, source << "\n" << r.messages());
  REQUIRE_MESSAGE(r.fn, source << "\n" << r.messages());
  REQUIRE(r.fn->variables.size() == 1);
  return r.fn->variables.front();
}

} // namespace

TEST_CASE("initialValue: constants, broadcast scalars and literal tensors") {
  ir::VariableDecl v = variableOf("lambda x: x + variable(2.5, name='s')");
  Array a = initialValue(v);
  checkFloats(a, DType::F32, {2.5}, 0, std::vector<int64_t>{});

  v = variableOf("lambda x: x + variable(full([2, 3], 1.5), name='w')");
  checkFloats(initialValue(v), DType::F32, std::vector<double>(6, 1.5), 0,
              std::vector<int64_t>{2, 3});
  v = variableOf("lambda x: x + variable(ones([2]), name='w')");
  checkFloats(initialValue(v), DType::F32, {1, 1}, 0);
  v = variableOf("lambda x: x + variable(np.array([[1.0, 2.0], [3.0, 4.0]]), name='w')");
  checkFloats(initialValue(v), DType::F32, {1, 2, 3, 4}, 0, std::vector<int64_t>{2, 2});

  // Built by hand: a scalar broadcast, converted to the variable's dtype.
  ir::VariableDecl d;
  d.name = "d";
  d.type = {DType::I32, {2, 2}};
  d.init.kind = ir::Initializer::Constant;
  d.init.value = std::make_shared<const Array>(floats(DType::F64, {-2.7}, std::vector<int64_t>{}));
  checkInts(initialValue(d), DType::I32, {-2, -2, -2, -2}, std::vector<int64_t>{2, 2});
  d.type = {DType::F16, {3}};
  d.init.value = std::make_shared<const Array>(ints(DType::I64, {2049}, std::vector<int64_t>{}));
  checkFloats(initialValue(d), DType::F16, {2048, 2048, 2048}, 0);
  d.type = {DType::F32, {3}};
  d.init.value = std::make_shared<const Array>(floats(DType::F64, {1, 2, 3}));
  checkFloats(initialValue(d), DType::F32, {1, 2, 3}, 0);
}

TEST_CASE("initialValue: random_normal is deterministic for a seed, with the right moments") {
  ir::VariableDecl v = variableOf(
      "lambda x: x + variable(random_normal([100, 100], mean=1.0, stddev=2.0, seed=7), name='n')");
  CHECK(v.init.kind == ir::Initializer::RandomNormal);
  CHECK(v.init.seed == 7);
  Array a = initialValue(v);
  CHECK(a.dtype == DType::F32);
  CHECK(a.shape == std::vector<int64_t>{100, 100});
  CHECK(initialValue(v).bytes == a.bytes); // the same seed gives the same values
  std::vector<double> s = floatsOf(a);
  // 10,000 samples: the mean's standard error is 0.02, the std's about 0.014.
  CHECK(std::fabs(meanOf(s) - 1.0) < 0.1);
  CHECK(std::fabs(stdOf(s) - 2.0) < 0.07);
  int within1 = 0;
  for (double x : s) {
    CHECK(std::isfinite(x));
    within1 += std::fabs(x - 1.0) < 2.0;
  }
  CHECK(std::fabs(within1 / 10000.0 - 0.6827) < 0.02); // one sigma
  // A different seed gives different values; no seed is seed 0, also repeatable.
  ir::VariableDecl other = v;
  other.init.seed = 8;
  CHECK(initialValue(other).bytes != a.bytes);
  other.init.seed.reset();
  CHECK(initialValue(other).bytes == initialValue(other).bytes);
  CHECK(initialValue(other).bytes != a.bytes);
}

TEST_CASE("initialValue: random_uniform covers [minval, maxval) uniformly") {
  ir::VariableDecl v =
      variableOf("lambda x: x + variable(random_uniform([10000], minval=-3.0, maxval=5.0, seed=1), "
                 "name='u')");
  CHECK(v.init.kind == ir::Initializer::RandomUniform);
  Array a = initialValue(v);
  CHECK(initialValue(v).bytes == a.bytes);
  std::vector<double> s = floatsOf(a);
  REQUIRE(s.size() == 10000);
  double lo = s[0], hi = s[0];
  for (double x : s) {
    lo = std::min(lo, x);
    hi = std::max(hi, x);
  }
  CHECK(lo >= -3.0);
  CHECK(hi < 5.0);
  CHECK(lo < -2.99); // 10,000 samples come close to both ends
  CHECK(hi > 4.99);
  // Uniform on [-3, 5): mean 1, std 8 / sqrt(12) = 2.309; standard errors 0.023 and 0.012.
  CHECK(std::fabs(meanOf(s) - 1.0) < 0.12);
  CHECK(std::fabs(stdOf(s) - 8.0 / std::sqrt(12.0)) < 0.06);
  ir::VariableDecl other = v;
  other.init.seed = 2;
  CHECK(initialValue(other).bytes != a.bytes);
}

TEST_CASE("initialValue: glorot_uniform is bounded by sqrt(6 / (fan_in + fan_out))") {
  ir::VariableDecl v =
      variableOf("lambda x: x + variable(glorot_uniform([100, 100], seed=3), name='g')");
  CHECK(v.init.kind == ir::Initializer::GlorotUniform);
  Array a = initialValue(v);
  CHECK(initialValue(v).bytes == a.bytes);
  std::vector<double> s = floatsOf(a);
  REQUIRE(s.size() == 10000);
  const double limit = std::sqrt(6.0 / 200.0);
  double lo = 0, hi = 0;
  for (double x : s) {
    lo = std::min(lo, x);
    hi = std::max(hi, x);
  }
  CHECK(lo >= -limit - 1e-7);
  CHECK(hi <= limit + 1e-7);
  CHECK(lo < -0.99 * limit);
  CHECK(hi > 0.99 * limit);
  // Uniform on [-limit, limit): mean 0, std limit / sqrt(3) = 0.1.
  CHECK(std::fabs(meanOf(s)) < 0.006);
  CHECK(std::fabs(stdOf(s) - limit / std::sqrt(3.0)) < 0.005);

  // A conv kernel [3, 3, 16, 32]: fan_in = 9 * 16, fan_out = 9 * 32 (Keras).
  ir::VariableDecl k;
  k.name = "k";
  k.type = {DType::F32, {3, 3, 16, 32}};
  k.init.kind = ir::Initializer::GlorotUniform;
  k.init.seed = 5;
  std::vector<double> ks = floatsOf(initialValue(k));
  const double kLimit = std::sqrt(6.0 / (144.0 + 288.0));
  double kMax = 0;
  for (double x : ks)
    kMax = std::max(kMax, std::fabs(x));
  CHECK(kMax <= kLimit + 1e-7);
  CHECK(kMax > 0.99 * kLimit);
  CHECK(std::fabs(stdOf(ks) - kLimit / std::sqrt(3.0)) < 0.003);
}
