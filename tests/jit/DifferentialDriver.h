#pragma once

// The driver of the JIT's differential suite (lamina_jit_differential_test; the rules are in
// DifferentialMain.cpp's header comment). The suite's cases are data: each table file turns
// its rows into KernelCases, and runCases() compiles each one, draws its calls, runs both
// engines and compares every output under the case's rules. Nothing else in the suite runs
// an engine, except the few tests whose subject is how a kernel is called (concurrent calls).

#include "JitTestSupport.h"

#include "compiler/ir/Ir.h"
#include "compiler/types/Array.h"

#include <functional>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace lamina::jitdiff {

using jittest::Inputs;
using jittest::Outcome;
using jittest::Program;
using jittest::Tolerance;
using Dims = std::vector<int64_t>;

// --- the run's seed

void setSeed(uint64_t seed);
uint64_t seed();
/// A generator derived from the seed and `name` (a test's label), so that one check replays
/// with `-tc=NAME --seed=N`.
std::mt19937_64 rngFor(std::string_view name);
/// "(seed N)", for failure reports.
std::string seedNote();
/// Prints the known bugs hit (KNOWN-BUG in DifferentialDriver.cpp) and the suite's counts.
void printSummary();

// --- types and tolerances shared by the tables

inline constexpr DType kFloats[] = {DType::F16, DType::BF16, DType::F32, DType::F64};
inline constexpr DType kInts[] = {DType::I8,  DType::U8,  DType::I16, DType::U16,
                                  DType::I32, DType::U32, DType::I64, DType::U64};
inline constexpr DType kAllTypes[] = {DType::Bool, DType::I8,  DType::U8,  DType::I16, DType::U16,
                                      DType::I32,  DType::U32, DType::I64, DType::U64, DType::F16,
                                      DType::BF16, DType::F32, DType::F64};

/// "f32[B, 4]".
std::string typeSpec(DType t, const std::string &dims);
bool is16Bit(DType t);
/// The ULP rule for transcendental `op` with results of dtype t: ulpBound() is measured in
/// the result's own precision for f32/f64; an f16/bf16 result is the f32 one rounded once more.
Tolerance mathTolerance(ir::Op op, DType t);
/// The relative tolerance of composites: 1e-5 (f32), 1e-12 (f64), four ULPs of a 16-bit
/// format.
double relativeFor(DType t);

/// How one output of a case must agree with the interpreter, as data: turned into a Tolerance
/// for each call once the interpreter's output is known. Integer and bool outputs are always
/// compared exactly, whatever the rule.
struct Rule {
  enum class Kind : uint8_t {
    Exact,
    AnyZero,   // exact, but +0 and -0 may trade places (max/min: the order decides)
    Ulp,       // `a` ULPs
    Math,      // within ulpBound(op) (mathTolerance)
    SquareF64, // x ** 2: exact, except that f64 pow may differ from x * x by one rounding
    Composite, // built on transcendental functions: relativeFor(out), a few subnormals absolute
    ByInput,   // Composite, relative to |x| + |result| (gelu cancels for negative x)
    Fraction,  // softmax, l2_normalize: sumTolerance(out), a few subnormals absolute
    Result,    // logsumexp, log_softmax, norm: sumTolerance(out) relative and absolute
    Sum,       // a float sum: sumTolerance * the interpreter's value of `companion`
    Product,   // n factors: (n - 1) roundings in any order
    StdDev,    // sqrt of a variance within sumTolerance * `companion` (a mean square)
    Close,     // |jit - interp| <= a * |interp| + b
  };
  Kind kind = Kind::Exact;
  ir::Op op = ir::Op::Add;
  double a = 0, b = 0;
  /// Sum, StdDev: an expression in the case's inputs whose value scales the tolerance; every
  /// abs() in it becomes the |value| of finite terms only (jittest::finiteAbsHelper).
  std::string companion;
  /// Sum: the companion is a mean of |terms|: the accumulator reaches `terms` times it.
  bool perTerm = false;
  /// Sum: the dtype the sum is computed in, when it is not the output's (the mean of
  /// integers is computed in f32).
  std::optional<DType> computedIn;
  /// Product: the count of factors; 0 means the call's `terms`.
  double factors = 0;

  static Rule exact() { return {}; }
  static Rule of(Kind k) {
    Rule r;
    r.kind = k;
    return r;
  }
  static Rule ulp(double n) {
    Rule r = of(Kind::Ulp);
    r.a = n;
    return r;
  }
  static Rule math(ir::Op op) {
    Rule r = of(Kind::Math);
    r.op = op;
    return r;
  }
  static Rule sum(std::string companion, bool perTerm = false,
                  std::optional<DType> computedIn = std::nullopt) {
    Rule r = of(Kind::Sum);
    r.companion = std::move(companion);
    r.perTerm = perTerm;
    r.computedIn = computedIn;
    return r;
  }
  static Rule stdDev(std::string meanSquare) {
    Rule r = of(Kind::StdDev);
    r.companion = std::move(meanSquare);
    return r;
  }
  /// Within max(floorRel, 2 n eps) relative and `abs` absolute; 0 for floorRel is
  /// sumTolerance(out), 0 for abs four subnormals of the output dtype.
  static Rule product(double floorRel = 0, double abs = 0, double factors = 0) {
    Rule r = of(Kind::Product);
    r.a = floorRel;
    r.b = abs;
    r.factors = factors;
    return r;
  }
  static Rule close(double rel, double abs) {
    Rule r = of(Kind::Close);
    r.a = rel;
    r.b = abs;
    return r;
  }
};

// --- inputs

/// Every special value of the dtype at several lane positions (three rotations), NaN
/// payloads and signalling NaNs, then random values to leave a scalar tail.
Array specialsArray(DType t, std::mt19937_64 &rng);
/// Random inputs for an elementwise op: mostly uniform in the op's interesting range
/// [lo, hi], a quarter over every magnitude, a few special values.
Array unaryInputs(DType t, int64_t n, double lo, double hi, std::mt19937_64 &rng);

/// One call of a kernel.
struct Call {
  std::string suffix;           // appended to the case's label: "length 7", "shape [3,5]"
  std::vector<Array> arrays;    // in the order of the case's inputs
  int64_t terms = 1;            // reductions: how many elements make one result (Rule::perTerm)
  std::vector<Rule> rules = {}; // when not empty, instead of the case's rules
};
/// The calls of a case, drawn from its generator.
using Draw = std::function<std::vector<Call>(std::mt19937_64 &rng)>;

/// A check on the JIT's outcome `got` (documented values); `want` is the interpreter's.
using Expect = std::function<void(const std::string &label, const std::vector<Array> &arrays,
                                  const Outcome &want, const Outcome &got)>;

/// What a case does when the interpreter refuses a call.
enum class Refusal : uint8_t {
  Compare, // the JIT must refuse it with the same first diagnostic code
  Skip,    // nothing (a refusal tested elsewhere)
  Fail,    // the case's calls are all valid: a failure
};

/// How the JIT runs a case's calls.
enum class Run : uint8_t {
  OneThread,
  TwoThreads,
  /// First one thread against two (bit-identical), then two threads against the interpreter.
  ThreadsAgree,
  /// Two threads with column reductions in chunks of one row and up, then one thread.
  SplitChunks,
  /// Inputs and outputs one element into larger buffers, the outputs between guard elements
  /// that must stay untouched.
  MisalignedViews,
  /// The variables' initial values from the interpreter's initialiser, passed to both.
  WithVariables,
};

/// One kernel and the calls it gets: a row of a table, for one dtype (and target).
struct KernelCase {
  std::string label; // names the checks
  std::string expr;  // the lambda's body, in the names of `inputs`
  Inputs inputs;
  Draw draw;
  std::vector<Rule> rules = {}; // one per output or one for all; empty: exact
  /// The generator's name, when not the label; `continues`: the cases that name it take
  /// their calls from one generator in turn, not each from a fresh one.
  std::string seedName = {};
  bool continues = false;
  Run run = Run::OneThread;
  Refusal refusal = Refusal::Compare;
  std::optional<driver::CompileOptions> options = std::nullopt; // testCompileOptions()
  /// The rest of the test case depends on this kernel: a compile failure ends it.
  bool required = false;
  /// The kernel's plan must mention this ("OpenBLAS", "matmul", ...).
  std::string planHas = {};
  /// Compare the kernel's first output with the interpreter's value of this expression (a
  /// definition of `expr`) instead of with `expr` itself.
  std::string reference = {};
  Expect expect = nullptr;
};

/// The source of a case: "lambda x, y: <expr>".
std::string sourceOf(const Inputs &inputs, const std::string &expr);

/// Runs the cases in order (their generators: see KernelCase::seedName).
void runCases(const std::vector<KernelCase> &cases);

// --- for the tests that call a kernel themselves

std::optional<Program> checked(const std::string &source, const Inputs &inputs);
std::shared_ptr<const driver::Kernel> kernelFor(const Program &program);
/// The JIT's outputs, which must exist.
std::vector<Array> jitOutputs(const Program &program, const driver::Kernel &kernel,
                              const std::vector<Array> &arrays, Executor &executor);

} // namespace lamina::jitdiff
