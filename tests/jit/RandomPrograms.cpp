// Random well-typed programs and their comparison of the JIT with the interpreter: the
// generator behind lamina_jit_random_test and the JIT fuzzer (RandomPrograms.h says how
// results are compared).

#include "RandomPrograms.h"

#include "JitTestSupport.h"

#include "compiler/codegen/VectorMath.h"
#include "compiler/types/Elements.h"
#include "runtime/threads/ThreadPool.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

using namespace lamina;
using ir::Op;
using jittest::Tolerance;

namespace lamina::jittest {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr int64_t kMaxB = 17; // the largest batch the programs run with

// KNOWN-BUG: JIT bugs this test found that are not fixed yet (the report of the suite has the
// reproducers). Remove an entry to turn its failures back on.
//
// A program the JIT refuses to compile with one of these messages is counted as skipped.
const std::vector<std::string_view> kKnownCompileBugs = {};

enum class Sh : uint8_t { N, T }; // [B, C] or its transpose [C, B]

Sh other(Sh s) { return s == Sh::N ? Sh::T : Sh::N; }

enum class Need : uint8_t { Exact, Bounded, Any };

// A generated expression and what is known about its value.
struct Expr {
  std::string text;
  DType t = DType::F32;
  double mag = kInf; // a bound on |value| (of its finite values); infinite when unknown
  double err = 0;    // a bound on |jit - interpreter|; 0 when bit-identical

  bool exact() const { return err == 0; }
  bool bounded() const { return std::isfinite(mag); }
};

// How one output is compared.
struct RootRule {
  enum Kind : uint8_t { Exact, Bounded, Ulp, SumScale } kind = Exact;
  Op op = Op::Add;       // Ulp: the function
  double err = 0;        // Bounded: the bound
  std::string companion; // SumScale: the expression giving sum(|finite terms|)
  int meanAxes = -1;     // SumScale of a mean: 0, 1 or 2 for axis 0 (B terms), 1 (4), both
};

struct Root {
  Expr expr;
  RootRule rule;
};

constexpr DType kAll[] = {DType::Bool, DType::I8,  DType::U8,  DType::I16, DType::U16,
                          DType::I32,  DType::U32, DType::I64, DType::U64, DType::F16,
                          DType::BF16, DType::F32, DType::F64};
constexpr DType kFloatTypes[] = {DType::F16, DType::BF16, DType::F32, DType::F64};
constexpr DType kIntTypes[] = {DType::I8,  DType::U8,  DType::I16, DType::U16,
                               DType::I32, DType::U32, DType::I64, DType::U64};

// Two inputs of each dtype, so that binary operations meet different values.
const char *inputName(DType t, bool second) {
  switch (t) {
  case DType::Bool:
    return second ? "z" : "m";
  case DType::I8:
    return second ? "t" : "k";
  case DType::U8:
    return second ? "y" : "u";
  case DType::I32:
    return second ? "n" : "i";
  case DType::I64:
    return second ? "o" : "j";
  case DType::I16:
    return second ? "i2b" : "i2a";
  case DType::U16:
    return second ? "u2b" : "u2a";
  case DType::U32:
    return second ? "u4b" : "u4a";
  case DType::U64:
    return second ? "u8b" : "u8a";
  case DType::F16:
    return second ? "r" : "h";
  case DType::BF16:
    return second ? "s" : "g";
  case DType::F32:
    return second ? "p" : "a";
  default:
    return second ? "q" : "b";
  }
}

// The largest magnitude of an integer dtype (bounds its values once cast to a float).
double intRange(DType t) {
  switch (t) {
  case DType::Bool:
    return 1;
  case DType::I8:
    return 128;
  case DType::U8:
    return 255;
  case DType::I16:
    return 0x1p15;
  case DType::U16:
    return 0x1p16;
  case DType::I32:
    return 0x1p31;
  case DType::U32:
    return 0x1p32;
  case DType::U64:
    return 0x1p64;
  default:
    return 0x1p63;
  }
}

double eps(DType t) { return jittest::epsilonOf(t); }
double tiny(DType t) { return jittest::denormMinOf(t); }

// A magnitude bound that could overflow t is no bound at all.
double capped(DType t, double mag) {
  if (!isFloat(t))
    return intRange(t);
  return mag < jittest::maxFiniteOf(t) / 8 ? mag : kInf;
}

// The difference between the engines after one rounding (or one function within `ulps`) of a
// value of t bounded by mag: each engine is within (ulps + 1/2) ULPs of the exact value; an
// f16/bf16 function is computed in f32 and rounded once more.
double roundingErr(DType t, double mag, double ulps = 0) {
  double e = (ulps + 1) * eps(computeType(t)) * mag + 4 * tiny(t);
  if (t == DType::F16 || t == DType::BF16)
    e += eps(t) * mag;
  return e;
}

double ulpOf(Op op, DType t) { return codegen::ulpBound(op, t == DType::F64); }

class Generator {
public:
  explicit Generator(uint64_t seed) : rng_(seed) {}

  /// The outputs of one program; its inputs are [B, width()] (see inputsFor).
  std::vector<Root> program(int depth) {
    // 4 columns: the scalar tail only; 20: a vector step (16 or 8 lanes) and a tail.
    c_ = pick(2) ? 4 : 20;
    std::vector<Root> roots;
    int outputs = pick(10) < 3 ? 2 : 1;
    for (int o = 0; o < outputs; ++o)
      roots.push_back(root(depth));
    return roots;
  }

  int64_t width() const { return c_; }

private:
  // --- random choices (portable: no std distributions, so a seed means one program)
  size_t pick(size_t n) { return size_t(rng_() % n); }
  bool chance(unsigned percent) { return pick(100) < percent; }
  template <class T, size_t N> T choose(const T (&options)[N]) { return options[pick(N)]; }
  DType anyType() { return choose(kAll); }
  DType floatType() { return choose(kFloatTypes); }

  // --- roots
  Root root(int depth) {
    DType t = anyType();
    size_t mode = pick(20);
    if (mode < 5 && isFloat(t)) { // a transcendental function of an exact operand
      static constexpr Op kOps[] = {Op::Exp,  Op::Expm1, Op::Log,  Op::Log1p, Op::Log2,  Op::Log10,
                                    Op::Sin,  Op::Cos,   Op::Tan,  Op::Asin,  Op::Acos,  Op::Atan,
                                    Op::Sinh, Op::Cosh,  Op::Tanh, Op::Asinh, Op::Acosh, Op::Atanh,
                                    Op::Erf,  Op::Erfc,  Op::Pow,  Op::Atan2};
      Op op = choose(kOps);
      Expr x = gen(t, Sh::N, depth - 1, Need::Exact);
      std::string text;
      if (op == Op::Pow || op == Op::Atan2) {
        Expr y = gen(t, Sh::N, depth - 1, Need::Exact);
        text = op == Op::Pow ? fmt::format("({} ** {})", x.text, y.text)
                             : fmt::format("atan2({}, {})", x.text, y.text);
      } else {
        text = fmt::format("{}({})", ir::spelling(op), x.text);
      }
      return {{text, t, kInf, 0}, {RootRule::Ulp, op, 0, ""}};
    }
    if (mode < 9 && isFloat(t)) { // a sum of an exact operand, scaled by sum(|terms|)
      Expr x = gen(t, Sh::N, depth - 1, Need::Exact);
      static constexpr const char *kAxes[] = {"axis=0", "axis=1", "axis=(0, 1)", "axis=-1"};
      const char *axis = choose(kAxes);
      bool keep = chance(50);
      size_t which = pick(3);
      const char *fn = which == 0 ? "sum" : which == 1 ? "mean" : "cumsum";
      std::string args = which == 2 ? (pick(2) ? "axis=1" : "axis=0")
                                    : fmt::format("{}{}", axis, keep ? ", keepdims=True" : "");
      std::string text = fmt::format("{}({}, {})", fn, x.text, args);
      // fa: |x| of the finite terms (jittest::finiteAbsHelper).
      std::string companion = fmt::format("{}(fa({}), {})", fn, x.text, args);
      int meanAxes = which != 1                                ? -1
                     : std::string_view(axis) == "axis=0"      ? 0
                     : std::string_view(axis) == "axis=(0, 1)" ? 2
                                                               : 1;
      return {{text, t, kInf, 0}, {RootRule::SumScale, Op::Add, 0, companion, meanAxes}};
    }
    Expr e = gen(t, Sh::N, depth, mode < 15 ? Need::Bounded : Need::Any);
    if (e.exact())
      return {e, {RootRule::Exact, Op::Add, 0, ""}};
    return {e, {RootRule::Bounded, Op::Add, e.err, ""}};
  }

  // --- expressions
  Expr gen(DType t, Sh sh, int depth, Need need) {
    if (depth <= 0 || chance(10))
      return leaf(t, sh, need);
    for (int attempt = 0; attempt < 8; ++attempt) {
      std::optional<Expr> e;
      if (t == DType::Bool)
        e = boolForm(sh, depth);
      else if (!isFloat(t))
        e = intForm(t, sh, depth);
      else if (need == Need::Exact || (need == Need::Any && chance(50)))
        e = exactFloatForm(t, sh, depth);
      else
        e = boundedFloatForm(t, sh, depth);
      if (e && satisfies(*e, need))
        return *e;
    }
    return leaf(t, sh, need);
  }

  static bool satisfies(const Expr &e, Need need) {
    if (!e.exact() && !e.bounded())
      return false; // the invariant: an inexact value is always bounded
    switch (need) {
    case Need::Exact:
      return e.exact();
    case Need::Bounded:
      return e.bounded();
    case Need::Any:
      return true;
    }
    return false;
  }

  std::string place(const std::string &name, Sh sh) {
    if (sh == Sh::N)
      return name;
    return pick(2) ? fmt::format("transpose({})", name) : name + ".T";
  }

  Expr leaf(DType t, Sh sh, Need need) {
    std::string in = place(inputName(t, pick(2) == 1), sh);
    if (!isFloat(t))
      return {in, t, intRange(t), 0};
    if (need != Need::Bounded && !(need == Need::Any && chance(30)))
      return {in, t, kInf, 0};
    switch (pick(3)) {
    case 0: {
      static constexpr double kLo[] = {-3, -1, -0.5, 0};
      static constexpr double kHi[] = {0.5, 1, 2, 4};
      double lo = choose(kLo), hi = choose(kHi);
      return {fmt::format("clip({}, {}, {})", in, lo, hi), t, std::max(-lo, hi), 0};
    }
    case 1:
      return {fmt::format("tanh({})", in), t, 1, roundingErr(t, 1, ulpOf(Op::Tanh, t))};
    default: {
      DType small = pick(2) ? DType::I8 : DType::U8;
      return {fmt::format("cast({}, '{}')", place(inputName(small, pick(2) == 1), sh), longName(t)),
              t, 255, 0};
    }
    }
  }

  // An operand broadcast against an expression of shape sh: a row, a column, a scalar
  // constant, or a keepdims reduction.
  Expr broadcastOperand(DType t, Sh sh, int depth, Need need) {
    std::string lname(longName(t));
    size_t form = pick(4);
    if (form == 0) { // the row v: f32[4]
      std::string row = t == DType::F32 ? "v" : fmt::format("cast(v, '{}')", lname);
      if (t == DType::Bool)
        row = "(v > 0.0)";
      if (sh == Sh::T)
        row += "[:, None]";
      if (isFloat(t) && need != Need::Exact)
        return {fmt::format("clip({}, -2, 2)", row), t, 2, 0};
      return {row, t, isFloat(t) ? kInf : intRange(t), 0};
    }
    if (form == 1) { // the column c: i32[B, 1]
      std::string col = t == DType::I32 ? "c" : fmt::format("cast(c, '{}')", lname);
      if (t == DType::Bool)
        col = "(c > 0)";
      if (sh == Sh::T)
        col = fmt::format("transpose({})", col);
      return {col, t, capped(t, isFloat(t) ? 0x1p31 : intRange(t)), 0};
    }
    if (form == 2) { // a weak scalar of the same kind
      if (t == DType::Bool)
        return {pick(2) ? "True" : "False", t, 1, 0};
      if (!isFloat(t)) {
        static constexpr const char *kInts[] = {"1", "2", "3", "5", "7", "0"};
        const char *v = choose(kInts);
        return {v, t, intRange(t), 0};
      }
      static constexpr const char *kFloats[] = {"0.5", "-1.25", "3.0",  "0.001",
                                                "0.0", "2.0",   "-0.0", "0.1"};
      const char *v = choose(kFloats);
      return {v, t, 3, 0};
    }
    return keepdimsReduction(t, sh, depth, need);
  }

  // A reduction with keepdims=True of a fresh operand, which broadcasts against shape sh.
  Expr keepdimsReduction(DType t, Sh sh, int depth, Need need) {
    // The axis of size C is 1 for [B, C] and 0 for [C, B].
    int fourAxis = sh == Sh::N ? 1 : 0;
    double c = double(c_);
    size_t axisChoice = pick(3);
    std::string axis = axisChoice == 0   ? fmt::format("{}", fourAxis)
                       : axisChoice == 1 ? fmt::format("{}", 1 - fourAxis)
                                         : "(0, 1)";
    double n = axisChoice == 0 ? c : axisChoice == 1 ? kMaxB : c * kMaxB;
    if (t == DType::Bool) {
      DType from = anyType();
      Expr x = gen(from, sh, depth - 1, Need::Exact);
      return {fmt::format("{}({}, axis={}, keepdims=True)", pick(2) ? "any" : "all", x.text, axis),
              t, 1, 0};
    }
    if (!isFloat(t)) {
      size_t which = pick(5);
      if (which == 4 && axisChoice != 2) { // argmax/argmin along the axis of size C only
        DType from = anyType();
        Expr x = gen(from, sh, depth - 1, Need::Exact);
        std::string arg = fmt::format("{}({}, axis={}, keepdims=True)",
                                      pick(2) ? "argmax" : "argmin", x.text, fourAxis);
        if (t != DType::I64)
          arg = fmt::format("cast({}, '{}')", arg, longName(t));
        return {arg, t, intRange(t), 0};
      }
      static constexpr const char *kFns[] = {"sum", "prod", "max", "min"};
      Expr x = gen(t, sh, depth - 1, Need::Exact);
      return {fmt::format("{}({}, axis={}, keepdims=True)", kFns[which % 4], x.text, axis), t,
              intRange(t), 0};
    }
    // Floats.
    if (need == Need::Exact || chance(30)) {
      // max/min are exact; +0.0 turns -0 into +0, so that which zero wins does not matter.
      Expr x = gen(t, sh, depth - 1, Need::Exact);
      return {fmt::format("{}(({} + 0.0), axis={}, keepdims=True)", pick(2) ? "max" : "min", x.text,
                          axis),
              t, x.mag, 0};
    }
    Expr x = gen(t, sh, depth - 1, Need::Bounded);
    if (!x.bounded())
      return x; // rejected by the caller
    switch (pick(5)) {
    case 0: { // sum
      double mag = capped(t, n * x.mag);
      return {fmt::format("sum({}, axis={}, keepdims=True)", x.text, axis), t, mag,
              n * x.err + (n + 2) * roundingErr(t, mag)};
    }
    case 1: // mean
      return {fmt::format("mean({}, axis={}, keepdims=True)", x.text, axis), t, x.mag,
              x.err + (n + 3) * roundingErr(t, x.mag)};
    case 2: // max/min: as far apart as the operands (exact for exact ones)
      return {fmt::format("{}(({} + 0.0), axis={}, keepdims=True)", pick(2) ? "max" : "min", x.text,
                          axis),
              t, x.mag, x.err};
    case 3: { // prod over the axis of size C of factors near 1
      double bound = c_ == 4 ? 1.5 : 1.1;
      double r = std::min(x.mag, bound), mag = std::pow(r, c);
      return {fmt::format("prod(clip({}, -{}, {}), axis={}, keepdims=True)", x.text, bound, bound,
                          fourAxis),
              t, mag, c * std::pow(r, c - 1) * x.err + (c + 2) * roundingErr(t, mag)};
    }
    default: { // logsumexp: within log(n) above the largest operand
      double mag = x.mag + std::log(n) + 1;
      double ulps = ulpOf(Op::Exp, t) + ulpOf(Op::Log, t) + n + 4;
      return {fmt::format("logsumexp({}, axis={}, keepdims=True)", x.text, axis), t, mag,
              x.err + roundingErr(t, mag, ulps)};
    }
    }
  }

  // Data movement that keeps shape sh and the operand's values (so its bounds too).
  Expr rearrange(const Expr &x, DType t, Sh sh, int depth, Need need) {
    auto keep = [&](std::string text) { return Expr{std::move(text), t, x.mag, x.err}; };
    // A second operand of the same kind, for the forms that take two.
    auto second = [&]() { return gen(t, sh, depth - 1, x.exact() ? Need::Exact : need); };
    if (sh == Sh::N) {
      switch (pick(13)) {
      case 0:
        return keep(fmt::format("{}[::-1]", x.text));
      case 1:
        return keep(fmt::format("{}[:, ::-1]", x.text));
      case 2:
        return keep(fmt::format("concat(split({}, 2, axis=1)[::-1], axis=1)", x.text));
      case 3: {
        Expr y = second();
        return {fmt::format("concat([{}[:, 2:], {}[:, :2]], axis=1)", x.text, y.text), t,
                std::max(x.mag, y.mag), std::max(x.err, y.err)};
      }
      case 4: {
        Expr y = second();
        return {fmt::format("concat([{}[:, ::-2], {}[:, 1::2]], axis=1)", x.text, y.text), t,
                std::max(x.mag, y.mag), std::max(x.err, y.err)};
      }
      case 5: {
        if (t == DType::Bool)
          return keep(
              fmt::format("pad({}, ((0, 0), (2, 1)), mode='reflect')[:, 1:{}]", x.text, c_ + 1));
        static constexpr const char *kModes[] = {"constant", "reflect", "symmetric"};
        const char *mode = choose(kModes);
        if (std::string_view(mode) == "constant") {
          Expr out = keep(
              fmt::format("pad({}, ((0, 0), (2, 1)), constant_values=1)[:, 1:{}]", x.text, c_ + 1));
          out.mag = std::max(out.mag, 1.0);
          return out;
        }
        return keep(
            fmt::format("pad({}, ((0, 0), (2, 1)), mode='{}')[:, 1:{}]", x.text, mode, c_ + 1));
      }
      case 6:
        return keep(fmt::format("tile({}[:, 1:{}], (1, 2))", x.text, 1 + c_ / 2));
      case 7:
        return keep(fmt::format("repeat({}[:, ::2], 2, axis=1)", x.text));
      case 8:
        return keep(pick(2) ? fmt::format("{}[:, {}]", x.text, indexList())
                            : fmt::format("gather({}, {}, axis=1)", x.text, indexList()));
      case 9:
        return keep(fmt::format("reshape(transpose(reshape({}, (-1, 2, 2)), (0, 2, 1)), (-1, {}))",
                                x.text, c_));
      case 10:
        return keep(pick(2) ? fmt::format("squeeze(expand_dims({}, 1), 1)", x.text)
                            : fmt::format("{}[:, None, :][:, 0]", x.text));
      case 11: {
        Expr y = second();
        return {fmt::format("stack([{}, {}], axis=-1)[:, :, 1]", x.text, y.text), t, y.mag, y.err};
      }
      default:
        return keep(fmt::format("flip({}, axis=1)", x.text));
      }
    }
    switch (pick(6)) {
    case 0:
      return keep(fmt::format("{}[::-1]", x.text));
    case 1:
      return keep(fmt::format("{}[:, ::-1]", x.text));
    case 2:
      return keep(fmt::format("concat(split({}, 2, axis=0)[::-1], axis=0)", x.text));
    case 3:
      return keep(fmt::format("pad({}, ((2, 1), (0, 0)), mode='symmetric')[1:{}]", x.text, c_ + 1));
    case 4:
      return keep(fmt::format("{}[{}]", x.text, indexList()));
    default:
      return keep(fmt::format("flip({}, axis=0)", x.text));
    }
  }

  // An operand of shape sh that is either another expression or something broadcast.
  Expr operand(DType t, Sh sh, int depth, Need need) {
    return chance(35) ? broadcastOperand(t, sh, depth, need) : gen(t, sh, depth - 1, need);
  }

  // The pairs of distinct dtypes that promote to t (no bool: it takes no arithmetic).
  std::optional<std::pair<DType, DType>> promotingPair(DType t) {
    std::vector<std::pair<DType, DType>> pairs;
    for (DType a : kAll)
      for (DType b : kAll)
        if (a != b && a != DType::Bool && b != DType::Bool && promote(a, b) == t)
          pairs.emplace_back(a, b);
    if (pairs.empty())
      return std::nullopt;
    return pairs[pick(pairs.size())];
  }

  Expr castFrom(DType t, Sh sh, int depth, bool exactOnly) {
    DType from = anyType();
    while (from == t)
      from = anyType();
    // A float cast to an integer or bool takes an exact operand (truncation is discontinuous).
    Need need = (!isFloat(t) || exactOnly || !isFloat(from)) ? Need::Exact : Need::Any;
    Expr x = gen(from, sh, depth - 1, need);
    std::string text = pick(4) == 0 ? fmt::format("{}.astype('{}')", x.text, longName(t))
                                    : fmt::format("cast({}, '{}')", x.text, longName(t));
    if (!isFloat(t))
      return {text, t, intRange(t), 0};
    double mag = capped(t, isFloat(from) ? x.mag : intRange(from));
    double err = x.exact() ? 0 : x.err + roundingErr(t, mag);
    return {text, t, mag, err};
  }

  // --- bool
  std::optional<Expr> boolForm(Sh sh, int depth) {
    const DType t = DType::Bool;
    switch (pick(9)) {
    case 0: { // a comparison of two exact values of one dtype
      DType from = anyType();
      Expr x = gen(from, sh, depth - 1, Need::Exact);
      Expr y = operand(from, sh, depth, Need::Exact);
      static constexpr const char *kOps[] = {"==", "!=", "<", "<=", ">", ">="};
      if (!y.exact())
        return std::nullopt;
      return Expr{fmt::format("({} {} {})", x.text, choose(kOps), y.text), t, 1, 0};
    }
    case 1: { // a comparison across dtypes (promoted)
      DType a = anyType(), b = anyType();
      Expr x = gen(a, sh, depth - 1, Need::Exact), y = gen(b, sh, depth - 1, Need::Exact);
      static constexpr const char *kFns[] = {"less", "greater_equal", "equal", "not_equal"};
      return Expr{fmt::format("{}({}, {})", choose(kFns), x.text, y.text), t, 1, 0};
    }
    case 2: {
      Expr x = gen(t, sh, depth - 1, Need::Exact), y = operand(t, sh, depth, Need::Exact);
      static constexpr const char *kFns[] = {"logical_and", "logical_or", "logical_xor"};
      static constexpr const char *kOps[] = {"and", "or"};
      if (pick(2))
        return Expr{fmt::format("{}({}, {})", choose(kFns), x.text, y.text), t, 1, 0};
      return Expr{fmt::format("({} {} {})", x.text, choose(kOps), y.text), t, 1, 0};
    }
    case 3:
      return Expr{fmt::format("(not {})", gen(t, sh, depth - 1, Need::Exact).text), t, 1, 0};
    case 4: {
      DType from = floatType();
      static constexpr const char *kFns[] = {"isnan", "isinf", "isfinite"};
      return Expr{fmt::format("{}({})", choose(kFns), gen(from, sh, depth - 1, Need::Exact).text),
                  t, 1, 0};
    }
    case 5:
      return castFrom(t, sh, depth, true);
    case 6:
      return whereForm(t, sh, depth, Need::Exact);
    case 7:
      return rearrange(gen(t, sh, depth - 1, Need::Exact), t, sh, depth, Need::Exact);
    default: {
      Expr x = gen(t, sh, depth - 1, Need::Exact), y = operand(t, sh, depth, Need::Exact);
      return Expr{fmt::format("{}({}, {})", pick(2) ? "maximum" : "minimum", x.text, y.text), t, 1,
                  0};
    }
    }
  }

  Expr whereForm(DType t, Sh sh, int depth, Need need) {
    Expr cond = chance(30) ? broadcastOperand(DType::Bool, sh, depth, Need::Exact)
                           : gen(DType::Bool, sh, depth - 1, Need::Exact);
    Expr x = operand(t, sh, depth, need), y = gen(t, sh, depth - 1, need);
    if (pick(2))
      std::swap(x, y);
    return {fmt::format("where({}, {}, {})", cond.text, x.text, y.text), t, std::max(x.mag, y.mag),
            std::max(x.err, y.err)};
  }

  // --- integers: every operation is exact (wrapping)
  std::optional<Expr> intForm(DType t, Sh sh, int depth) {
    double range = intRange(t);
    auto exact = [&](std::string text) { return Expr{std::move(text), t, range, 0}; };
    switch (pick(12)) {
    case 0:
    case 1: {
      static constexpr const char *kOps[] = {"+", "-", "*", "//", "%"};
      Expr x = gen(t, sh, depth - 1, Need::Exact), y = operand(t, sh, depth, Need::Exact);
      if (pick(4) == 0)
        std::swap(x, y);
      return exact(fmt::format("({} {} {})", x.text, choose(kOps), y.text));
    }
    case 2: {
      auto p = promotingPair(t);
      if (!p)
        return std::nullopt;
      static constexpr const char *kOps[] = {"+", "-", "*", "//", "%"};
      Expr x = gen(p->first, sh, depth - 1, Need::Exact);
      Expr y = gen(p->second, sh, depth - 1, Need::Exact);
      return exact(fmt::format("({} {} {})", x.text, choose(kOps), y.text));
    }
    case 3: {
      static constexpr const char *kFns[] = {"abs", "negative", "sign", "square"};
      Expr x = gen(t, sh, depth - 1, Need::Exact);
      if (pick(3) == 0)
        return exact(fmt::format("(-{})", x.text));
      return exact(fmt::format("{}({})", choose(kFns), x.text));
    }
    case 4: {
      Expr x = gen(t, sh, depth - 1, Need::Exact);
      if (pick(2))
        return exact(fmt::format("({} ** {})", x.text, pick(4)));
      Expr y = gen(t, sh, depth - 1, Need::Exact);
      return exact(fmt::format("({} ** {})", x.text, y.text));
    }
    case 5: {
      Expr x = gen(t, sh, depth - 1, Need::Exact), y = operand(t, sh, depth, Need::Exact);
      return exact(fmt::format("{}({}, {})", pick(2) ? "maximum" : "minimum", x.text, y.text));
    }
    case 6:
      return whereForm(t, sh, depth, Need::Exact);
    case 7:
      return castFrom(t, sh, depth, true);
    case 8:
      return rearrange(gen(t, sh, depth - 1, Need::Exact), t, sh, depth, Need::Exact);
    case 9: {
      Expr x = gen(t, sh, depth - 1, Need::Exact);
      Expr r = keepdimsReduction(t, sh, depth, Need::Exact);
      static constexpr const char *kOps[] = {"+", "-", "*"};
      return exact(fmt::format("({} {} {})", x.text, choose(kOps), r.text));
    }
    case 10: { // scans along the axis of size C
      Expr x = gen(t, sh, depth - 1, Need::Exact);
      return exact(fmt::format("{}({}, axis={})", pick(2) ? "cumsum" : "cumprod", x.text,
                               sh == Sh::N ? 1 : 0));
    }
    default: { // a transpose of the other layout, or a matrix product with w
      if (pick(2))
        return exact(fmt::format("transpose({})", gen(t, other(sh), depth - 1, Need::Exact).text));
      Expr x = gen(t, sh, depth - 1, Need::Exact);
      std::string wt = t == DType::I8 ? "w" : fmt::format("cast(w, '{}')", longName(t));
      return exact(sh == Sh::N ? fmt::format("({} @ {})", x.text, wt)
                               : fmt::format("({} @ {})", wt, x.text));
    }
    }
  }

  // --- floats, exact: everything here is reproduced bit for bit
  std::optional<Expr> exactFloatForm(DType t, Sh sh, int depth) {
    auto exact = [&](std::string text) { return Expr{std::move(text), t, kInf, 0}; };
    switch (pick(13)) {
    case 0:
    case 1: {
      static constexpr const char *kOps[] = {"+", "-", "*", "/", "//", "%"};
      Expr x = gen(t, sh, depth - 1, Need::Exact), y = operand(t, sh, depth, Need::Exact);
      if (!y.exact())
        return std::nullopt;
      if (pick(4) == 0)
        std::swap(x, y);
      return exact(fmt::format("({} {} {})", x.text, choose(kOps), y.text));
    }
    case 2: {
      auto p = promotingPair(t);
      if (!p)
        return std::nullopt;
      static constexpr const char *kOps[] = {"+", "-", "*", "/", "//", "%"};
      Expr x = gen(p->first, sh, depth - 1, Need::Exact);
      Expr y = gen(p->second, sh, depth - 1, Need::Exact);
      return exact(fmt::format("({} {} {})", x.text, choose(kOps), y.text));
    }
    case 3: {
      static constexpr const char *kFns[] = {
          "abs",    "negative", "sign",  "floor",      "ceil",  "round",    "trunc",       "sqrt",
          "square", "relu",     "rsqrt", "reciprocal", "relu6", "softsign", "hard_sigmoid"};
      return exact(fmt::format("{}({})", choose(kFns), gen(t, sh, depth - 1, Need::Exact).text));
    }
    case 4: {
      Expr x = gen(t, sh, depth - 1, Need::Exact), y = operand(t, sh, depth, Need::Exact);
      if (!y.exact())
        return std::nullopt;
      return exact(fmt::format("{}({}, {})", pick(2) ? "maximum" : "minimum", x.text, y.text));
    }
    case 5:
      return whereForm(t, sh, depth, Need::Exact);
    case 6:
      return castFrom(t, sh, depth, true);
    case 7:
      return rearrange(gen(t, sh, depth - 1, Need::Exact), t, sh, depth, Need::Exact);
    case 8: {
      Expr x = gen(t, sh, depth - 1, Need::Exact);
      Expr r = keepdimsReduction(t, sh, depth, Need::Exact);
      if (!r.exact())
        return std::nullopt;
      return exact(fmt::format("({} - {})", x.text, r.text));
    }
    case 9: // integer division gives f32
      if (t != DType::F32)
        return std::nullopt;
      {
        DType a = choose(kIntTypes), b = choose(kIntTypes);
        while (!isInteger(promote(a, b))) // u64 with a signed integer is f64: f64 division
          b = choose(kIntTypes);
        Expr x = gen(a, sh, depth - 1, Need::Exact), y = gen(b, sh, depth - 1, Need::Exact);
        return exact(fmt::format("({} / {})", x.text, y.text));
      }
    case 10: // x ** 2 is x * x (f64 pow may round x * x differently: not for f64)
      if (t == DType::F64)
        return std::nullopt;
      return exact(fmt::format("({} ** 2)", gen(t, sh, depth - 1, Need::Exact).text));
    case 11:
      return exact(fmt::format("transpose({})", gen(t, other(sh), depth - 1, Need::Exact).text));
    default: { // argmax of anything, as a number
      DType from = anyType();
      Expr x = gen(from, sh, depth - 1, Need::Exact);
      int axis = sh == Sh::N ? 1 : 0;
      return exact(fmt::format("(cast({}({}, axis={}, keepdims=True), '{}') + {})",
                               pick(2) ? "argmax" : "argmin", x.text, axis, longName(t),
                               gen(t, sh, depth - 1, Need::Exact).text));
    }
    }
  }

  // --- floats, bounded: may be inexact, always with a magnitude bound
  std::optional<Expr> boundedFloatForm(DType t, Sh sh, int depth) {
    switch (pick(12)) {
    case 0: { // clip anything
      Expr x = gen(t, sh, depth - 1, Need::Any);
      double lo = -double(1 + pick(3)), hi = double(pick(4)) + 0.5;
      // Both engines' results lie in [lo, hi]: they differ by no more than its width, however
      // far apart the operands are.
      return Expr{fmt::format("clip({}, {}, {})", x.text, lo, hi), t,
                  std::min(x.mag, std::max(-lo, hi)), std::min(x.err, hi - lo)};
    }
    case 1:
    case 2: { // a bounded function of anything
      struct Fn {
        const char *name;
        Op op;       // whose ULP bound applies
        double lip;  // Lipschitz constant
        double mag;  // bound of the result
        double ulps; // extra roundings of the composite
      };
      static constexpr Fn kFns[] = {{"tanh", Op::Tanh, 1, 1, 0},  {"sin", Op::Sin, 1, 1, 0},
                                    {"cos", Op::Cos, 1, 1, 0},    {"atan", Op::Atan, 1, 1.6, 0},
                                    {"erf", Op::Erf, 1.13, 1, 0}, {"sigmoid", Op::Exp, 0.25, 1, 3}};
      Fn f = choose(kFns);
      Expr x = gen(t, sh, depth - 1, Need::Any);
      return Expr{fmt::format("{}({})", f.name, x.text), t, f.mag,
                  f.lip * x.err + roundingErr(t, f.mag, ulpOf(f.op, t) + f.ulps)};
    }
    case 3: { // arithmetic of bounded values
      Expr x = gen(t, sh, depth - 1, Need::Bounded), y = operand(t, sh, depth, Need::Bounded);
      if (!x.bounded() || !y.bounded())
        return std::nullopt;
      if (pick(3) == 0)
        std::swap(x, y);
      size_t op = pick(3);
      double mag = op == 2 ? x.mag * y.mag : x.mag + y.mag;
      mag = capped(t, mag);
      // 0 times an unbounded error is 0 here: an exact operand contributes none.
      auto times = [](double a, double b) { return a == 0 || b == 0 ? 0 : a * b; };
      double err =
          op == 2 ? times(x.err, y.mag) + times(y.err, x.mag) + times(x.err, y.err) : x.err + y.err;
      if (!x.exact() || !y.exact()) // exact operands give bit-identical results
        err += roundingErr(t, mag);
      static constexpr const char *kOps[] = {"+", "-", "*"};
      return Expr{fmt::format("({} {} {})", x.text, kOps[op], y.text), t, mag, err};
    }
    case 4: {
      Expr x = gen(t, sh, depth - 1, Need::Bounded), y = operand(t, sh, depth, Need::Bounded);
      return Expr{fmt::format("{}({}, {})", pick(2) ? "maximum" : "minimum", x.text, y.text), t,
                  std::max(x.mag, y.mag), std::max(x.err, y.err)};
    }
    case 5:
      return whereForm(t, sh, depth, Need::Bounded);
    case 6: { // a keepdims reduction combined with a bounded value
      Expr x = gen(t, sh, depth - 1, Need::Bounded);
      Expr r = keepdimsReduction(t, sh, depth, Need::Bounded);
      if (!x.bounded() || !r.bounded())
        return std::nullopt;
      double mag = capped(t, x.mag + r.mag);
      double err = x.exact() && r.exact() ? 0 : x.err + r.err + roundingErr(t, mag);
      return Expr{fmt::format("({} {} {})", x.text, pick(2) ? "+" : "-", r.text), t, mag, err};
    }
    case 7: { // softmax: Lipschitz 2 in the max norm
      Expr x = gen(t, sh, depth - 1, Need::Any);
      int axis = int(pick(2));
      double n = (sh == Sh::N) == (axis == 1) ? double(c_) : kMaxB;
      return Expr{fmt::format("softmax({}, axis={})", x.text, axis), t, 1,
                  2 * x.err + roundingErr(t, 1, ulpOf(Op::Exp, t) + n + 4)};
    }
    case 8: { // l2_normalize of an exact value (not Lipschitz near 0: exact operands only)
      Expr x = gen(t, sh, depth - 1, Need::Exact);
      int axis = int(pick(2));
      double n = (sh == Sh::N) == (axis == 1) ? double(c_) : kMaxB;
      return Expr{fmt::format("l2_normalize({}, axis={})", x.text, axis), t, 1,
                  roundingErr(t, 1, n + 6)};
    }
    case 9: { // cumsum along the axis of size C, or exp of a small value
      Expr x = gen(t, sh, depth - 1, Need::Bounded);
      if (!x.bounded())
        return std::nullopt;
      if (pick(2) && x.mag <= 4) {
        double mag = std::exp(x.mag);
        return Expr{fmt::format("exp({})", x.text), t, mag,
                    mag * std::expm1(x.err) + roundingErr(t, mag, ulpOf(Op::Exp, t))};
      }
      double c = double(c_), mag = capped(t, c * x.mag);
      return Expr{fmt::format("cumsum({}, axis={})", x.text, sh == Sh::N ? 1 : 0), t, mag,
                  c * x.err + (c + 2) * roundingErr(t, mag)};
    }
    case 10: { // a matrix product with clip(w, -2, 2): C terms
      Expr x = gen(t, sh, depth - 1, Need::Bounded);
      if (!x.bounded())
        return std::nullopt;
      std::string wt = fmt::format("clip(cast(w, '{}'), -2, 2)", longName(t));
      double c = double(c_), mag = capped(t, 2 * c * x.mag);
      return Expr{sh == Sh::N ? fmt::format("({} @ {})", x.text, wt)
                              : fmt::format("(transpose({}) @ {})", wt, x.text),
                  t, mag, 2 * c * x.err + (c + 2) * roundingErr(t, mag)};
    }
    default: {
      if (pick(2)) { // a cast from another float type (or an exact integer)
        Expr e = castFrom(t, sh, depth, false);
        if (!e.bounded())
          return std::nullopt;
        return e;
      }
      Expr x = gen(t, other(sh), depth - 1, Need::Bounded);
      Expr out = rearrange(x, t, other(sh), depth, Need::Bounded);
      out.text = fmt::format("transpose({})", out.text);
      return out;
    }
    }
  }

  // A gather list of C indices, some out of range (they are clamped).
  std::string indexList() {
    std::string out;
    for (int64_t k = 0; k < c_; ++k)
      out += fmt::format("{}{}", k ? ", " : "", int64_t(pick(size_t(c_ + 6))) - 3);
    return "[" + out + "]";
  }

  std::mt19937_64 rng_;
  int64_t c_ = 4; // C: the size of the axis that is not B
};

// Two [B, C] inputs of every dtype (inputName), a row, a column and a matrix.
jittest::Inputs inputsFor(int64_t c) {
  jittest::Inputs inputs;
  for (bool second : {false, true})
    for (DType t : kAll)
      inputs.emplace_back(inputName(t, second), fmt::format("{}[B, {}]", shortName(t), c));
  inputs.emplace_back("v", fmt::format("f32[{}]", c));
  inputs.emplace_back("c", "i32[B, 1]");
  inputs.emplace_back("w", fmt::format("i8[{}, {}]", c, c));
  return inputs;
}

std::vector<Array> randomInputs(int64_t b, int64_t c, std::mt19937_64 &rng) {
  std::vector<Array> arrays;
  for (int copy = 0; copy < 2; ++copy)
    for (DType t : kAll)
      arrays.push_back(jittest::randomArray(t, {b, c}, rng, 8, 0.25));
  arrays.push_back(jittest::randomArray(DType::F32, {c}, rng, 4, 0.1));
  arrays.push_back(jittest::randomArray(DType::I32, {b, 1}, rng));
  arrays.push_back(jittest::randomArray(DType::I8, {c, c}, rng));
  return arrays;
}

std::string paramsOf(const jittest::Inputs &inputs) {
  std::string params;
  for (const auto &[name, type] : inputs)
    params += (params.empty() ? "" : ", ") + name;
  return params;
}

// One program: "" or what went wrong.
std::string testProgram(const std::vector<Root> &roots, int64_t c, uint64_t seed, int n,
                        std::mt19937_64 &rng, bool &skipped) {
  const jittest::Inputs inputs = inputsFor(c);
  const std::string params = paramsOf(inputs);
  std::string body;
  for (const Root &r : roots)
    body += (body.empty() ? "" : ", ") + r.expr.text;
  std::string source =
      fmt::format("lambda {}: {}", params, roots.size() == 1 ? body : "(" + body + ")");
  std::string context = fmt::format(
      "FAIL program {} of seed {} (replay: lamina_jit_random_test {} {})", n, seed, n + 1, seed);
  std::string error;
  auto program = jittest::compileSource(source, inputs, error);
  if (!program)
    return fmt::format("{}: the generator made a program sema rejects (a test bug): {}", context,
                       error);
  // The generator predicted each output's dtype; a wrong prediction means its bounds are
  // about another program.
  for (size_t o = 0; o < roots.size(); ++o) {
    DType got = program->fn.typeOf(program->fn.outputs[o]).dtype;
    if (got != roots[o].expr.t)
      return fmt::format("{}: output {} is {}, the generator expected {} (a test bug)\n  {}",
                         context, o, shortName(got), shortName(roots[o].expr.t), source);
  }
  auto kernel = jittest::compileKernel(*program, error);
  if (!kernel) {
    for (std::string_view bug : kKnownCompileBugs)
      if (error.find(bug) != std::string::npos) {
        skipped = true;
        return "";
      }
    return fmt::format("{}: {}", context, error);
  }
  // Companion programs for the sums' scales.
  std::vector<std::optional<jittest::Program>> companions(roots.size());
  for (size_t o = 0; o < roots.size(); ++o) {
    if (roots[o].rule.kind != RootRule::SumScale)
      continue;
    companions[o] = jittest::compileSource(
        jittest::finiteAbsHelper() + fmt::format("lambda {}: {}", params, roots[o].rule.companion),
        inputs, error);
    if (!companions[o])
      return fmt::format("{}: the companion does not check (a test bug): {}", context, error);
  }
  for (int64_t b : {int64_t(0), int64_t(1), int64_t(3), kMaxB}) {
    std::vector<Array> arrays = randomInputs(b, c, rng);
    std::vector<Tolerance> tolerances;
    for (size_t o = 0; o < roots.size(); ++o) {
      const Root &r = roots[o];
      DType t = r.expr.t;
      switch (r.rule.kind) {
      case RootRule::Exact:
        tolerances.push_back(Tolerance::exact());
        break;
      case RootRule::Bounded:
        tolerances.push_back(Tolerance::close(0, 2 * r.rule.err + 4 * jittest::denormMinOf(t)));
        break;
      case RootRule::Ulp: {
        double bound = ulpOf(r.rule.op, t);
        tolerances.push_back(
            Tolerance::ulp(t == DType::F16 || t == DType::BF16 ? bound + 1 : bound));
        break;
      }
      case RootRule::SumScale: {
        jittest::Outcome scale = jittest::interpretProgram(*companions[o], arrays);
        if (!scale.outputs)
          return fmt::format("{}: the companion does not run: {}", context, scale.diagnostics);
        // A mean's scale is a mean of |terms|: the accumulator holds that many times more.
        int meanAxes = r.rule.meanAxes;
        double terms = meanAxes < 0    ? 1
                       : meanAxes == 0 ? double(b)
                       : meanAxes == 1 ? double(c)
                                       : double(c) * double(b);
        tolerances.push_back(Tolerance::sum(
            jittest::sumTolerance(t), std::make_shared<const Array>((*scale.outputs)[0]), terms));
        break;
      }
      }
    }
    // Every other program runs on two threads with every stage split however small, and
    // reductions over axis 0 in chunks of one row and up (Layout.h's split reductions).
    jit::RunOptions split;
    split.parallelThreshold = 0;
    split.chunkRows = 1;
    split.chunkWork = 1;
    bool odd = n % 2 == 1;
    std::string report = jittest::differential(
        *program, *kernel, arrays, tolerances, executorWithThreads(odd ? 2 : 1),
        fmt::format("{} (B={}{})", context, b, odd ? ", split" : ""), {},
        odd ? split : jit::RunOptions{});
    if (!report.empty())
      return report;
  }
  return "";
}

} // namespace

struct RandomPrograms::State {
  explicit State(uint64_t s) : seed(s), generator(s), rng(s ^ 0x9E3779B97F4A7C15ull) {}
  uint64_t seed;
  Generator generator;
  std::mt19937_64 rng;
};

RandomPrograms::RandomPrograms(uint64_t seed) : state_(std::make_unique<State>(seed)) {}
RandomPrograms::~RandomPrograms() = default;

RandomPrograms::Result RandomPrograms::next(int n) {
  State &s = *state_;
  Result result;
  std::vector<Root> roots = s.generator.program(1 + int(s.rng() % 6));
  for (const Root &r : roots)
    result.roots.push_back({int(r.rule.kind), r.rule.err, r.expr.text});
  result.problem = testProgram(roots, s.generator.width(), s.seed, n, s.rng, result.skipped);
  return result;
}

} // namespace lamina::jittest
