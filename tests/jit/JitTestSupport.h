#pragma once

// Differential testing of the JIT against the reference interpreter (docs/performance.md,
// "Vector math"): compile a source for given input types, run both engines on the same arrays,
// and compare every output under an explicit rule. A mismatch report names the source, the
// input types, the input values at the first mismatching element and both results, so that it
// can be replayed by hand with `lamina run`.

#include "compiler/driver/Driver.h"
#include "compiler/ir/Ir.h"
#include "compiler/types/Array.h"
#include "lamina/Executor.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace lamina::jittest {

/// Input parameters and their types as text: `{"x", "f32[B, 4]"}`.
using Inputs = std::vector<std::pair<std::string, std::string>>;

/// A source checked for some input types.
struct Program {
  std::string source;
  Inputs inputs;
  std::shared_ptr<const SourceFile> file;
  ir::Function fn;

  /// "x: f32[B, 4], y: f32[4]".
  std::string signature() const;
};

/// Parses and analyzes `source`; nothing (and `error` set) if anything is reported or the
/// function does not verify.
std::optional<Program> compileSource(const std::string &source, const Inputs &inputs,
                                     std::string &error);

/// The options every test compiles with: no on-disk cache (tests must not depend on, or
/// pollute, the user's cache folder).
driver::CompileOptions testCompileOptions();

/// The kernel for `program`; null (and `error` set) if the JIT fails.
std::shared_ptr<const driver::Kernel>
compileKernel(const Program &program, std::string &error,
              const driver::CompileOptions &options = testCompileOptions());

/// What one engine made of a call: the outputs, or the diagnostics it reported
/// ("E0701: message; ...").
struct Outcome {
  std::optional<std::vector<Array>> outputs;
  std::string diagnostics;
  /// The code of the first diagnostic ("E0701"), "" when there was none.
  std::string firstCode;
};

/// `arrays` are given in the order of Program::inputs (the request's order); both runners map
/// them onto the function's inputs by their bindings.
Outcome interpretProgram(const Program &program, const std::vector<Array> &arrays,
                         const std::vector<Array> &variables = {});
Outcome runKernel(const Program &program, const driver::Kernel &kernel,
                  const std::vector<Array> &arrays, Executor &executor,
                  const std::vector<Array> &variables = {}, const driver::RunOptions &options = {});

/// How one output of the JIT must agree with the interpreter's.
struct Tolerance {
  enum class Rule : uint8_t { Exact, Ulp, Close };
  Rule rule = Rule::Exact;
  /// Exact: a +0 where the interpreter has -0 (or the reverse) is accepted. For max/min
  /// reductions, whose order of combination decides which zero survives.
  bool zeroSignFree = false;
  /// Ulp: the most ULPs of the output dtype between the results (NaN must meet NaN, an
  /// infinity is one ULP beyond the largest finite value, and two zeros must have one sign).
  double ulps = 0;
  /// Close: |jit - interp| <= rel * scale + abs, where scale is |interp| or, when given,
  /// |scale[i]| (same element count as the output: the sum of the |finite terms| for a sum;
  /// see finiteAbsHelper). NaN must meet NaN and an infinity the same infinity, unless the
  /// other value is within the allowed difference of overflowing; the sign of zero is free.
  double rel = 0, abs = 0;
  std::shared_ptr<const Array> scale;
  /// Close with a scale that sums |terms| (see sum()): the scale times this is the most the
  /// accumulator reaches (the count of terms, when the scale is a mean of |terms|); 0 when
  /// the scale is not such a sum.
  double accumulated = 0;

  static Tolerance exact() { return {}; }
  static Tolerance exactAnyZero() {
    Tolerance t;
    t.zeroSignFree = true;
    return t;
  }
  static Tolerance ulp(double n) {
    Tolerance t;
    t.rule = Rule::Ulp;
    t.ulps = n;
    return t;
  }
  static Tolerance close(double rel, double abs, std::shared_ptr<const Array> scale = nullptr) {
    Tolerance t;
    t.rule = Rule::Close;
    t.rel = rel;
    t.abs = abs;
    t.scale = std::move(scale);
    return t;
  }
  /// A float sum (or mean, or product of matrices) computed in another order: within
  /// rel * sumOfAbs[i], where sumOfAbs is the sum of the |finite terms| (the mean of them for a
  /// mean: then `terms` is their count). Where that sum reaches the accumulator's overflow,
  /// anything goes: the terms overflow in some orders and not in others.
  static Tolerance sum(double rel, std::shared_ptr<const Array> sumOfAbs, double terms = 1) {
    Tolerance t = close(rel, 0, std::move(sumOfAbs));
    t.accumulated = terms;
    return t;
  }
  std::string describe() const;
};

/// A lamina helper `fa(v)`: |v| in f64 where v is finite, 0 elsewhere. Put before a lambda
/// that computes a Close rule's scale (sum(fa(x)) for sum(x)): infinite terms make the result
/// infinite or NaN in every order, so only the finite ones bound the rounding.
std::string finiteAbsHelper();

/// Integer and bool outputs are always compared exactly, whatever the rule.
struct Mismatch {
  int64_t index = -1; // flat index of the first bad element; -1 for a dtype/shape mismatch
  std::string what;   // why it does not match
};
std::optional<Mismatch> compareArrays(const Array &want, const Array &got, const Tolerance &tol);

/// Runs the interpreter and the kernel on `arrays` and compares every output (`tolerances`
/// holds one rule per output, or one for all; empty means exact). When the interpreter
/// refuses the call, the kernel must refuse it with the same first diagnostic code. Returns
/// "" or a report that starts with `context` (a seed, a test name).
std::string differential(const Program &program, const driver::Kernel &kernel,
                         const std::vector<Array> &arrays, const std::vector<Tolerance> &tolerances,
                         Executor &executor, const std::string &context = "",
                         const std::vector<Array> &variables = {},
                         const driver::RunOptions &options = {});
/// The same with the interpreter's outcome for `arrays` already known (a caller that needs the
/// expected values for its tolerances then interprets once, not twice).
std::string differential(const Program &program, const driver::Kernel &kernel,
                         const std::vector<Array> &arrays, const Outcome &want,
                         const std::vector<Tolerance> &tolerances, Executor &executor,
                         const std::string &context = "", const std::vector<Array> &variables = {},
                         const driver::RunOptions &options = {});

/// What a suite did, for the summary at its end (a refactoring of a suite must not shrink
/// these): kernels compiled, calls that ran both engines (or two runs of the JIT) and
/// compared them, and output arrays compared (compareArrays).
struct Counts {
  uint64_t kernels = 0, calls = 0, outputs = 0;
};
Counts counts();
/// Counts a comparison of engines made without differential() (e.g. one thread against two).
void countCall();

/// The report for a mismatch found outside differential() (e.g. between two JIT runs).
std::string mismatchReport(const Program &program, const std::vector<Array> &arrays, size_t output,
                           const Array &want, const Array &got, const Mismatch &mismatch,
                           const std::string &wantName, const std::string &gotName,
                           const Tolerance &tol);

// --- values

/// One element as text: `1.5 (0x1.8p+0)`, `nan`, `-0.0`, `127`, `True`; f16/bf16 also show
/// their bits.
std::string describeElement(const Array &a, int64_t index);
/// "f32[3, 4]".
std::string typeOf(const Array &a);
/// The array as a flat list (at most `limit` elements, then "...").
std::string describeArray(const Array &a, size_t limit = 16);

/// The machine epsilon (2^-(digits-1)) of a float dtype.
double epsilonOf(DType t);
/// The relative tolerance of a float sum compared against sum(|terms|): 1e-5 (f32), 1e-12
/// (f64); a 16-bit sum is rounded to its format (one ULP apart at most) and a mean's division
/// rounds once more, so two ULPs of that format are added.
double sumTolerance(DType t);
/// The smallest positive subnormal, smallest normal and largest finite value of a float dtype.
double denormMinOf(DType t);
double normalMinOf(DType t);
double maxFiniteOf(DType t);

/// An array of `dtype` and `shape` holding `values` (converted with the cast rules), repeated
/// cyclically to fill the shape.
Array arrayOf(DType dtype, std::vector<int64_t> shape, const std::vector<double> &values);
/// The same for integer values (wrapped to the dtype's width; bool is `!= 0`).
Array intArrayOf(DType dtype, std::vector<int64_t> shape, const std::vector<int64_t> &values);
/// Raw bit patterns (for NaN payloads and signalling NaNs): f16/bf16 take the low 16 bits,
/// f32 the low 32.
void setBits(Array &a, int64_t index, uint64_t bits);

/// Float values that stress a float dtype: NaN, ±Inf, ±0, the subnormal and normal limits,
/// ±max, ±1, ±0.5, halfway cases, values next to 1 and near the overflow and underflow
/// thresholds of exp/sinh/cosh, near pi/2, large sine arguments, the integer types' limits.
std::vector<double> specialValues(DType t);
/// Integer values that stress an integer (or bool) dtype: its limits, 0, ±1, small values,
/// and for i64 values no double holds.
std::vector<int64_t> specialInts(DType t);
/// Signalling and payload-carrying NaNs, as raw bits of the dtype.
std::vector<uint64_t> nanPatterns(DType t);

/// A random value over every magnitude of a float dtype (random exponent and mantissa, either
/// sign, subnormals included, no NaN or Inf).
double randomAnyMagnitude(DType t, std::mt19937_64 &rng);
/// A random array: for floats a mix of `specialValues`, all magnitudes and uniform values in
/// [-range, range]; for integers random bits and the special values.
Array randomArray(DType t, std::vector<int64_t> shape, std::mt19937_64 &rng, double range = 8,
                  double specialShare = 0.2);
/// For float reductions compared with a tolerance: uniform values in [-range, range] (some on
/// a grid of 1/8, for ties) and a few of NaN, ±Inf, ±0, ±1, 0.5 and the smallest subnormal,
/// but no huge finite values, whose sums overflow in one order of accumulation and not in
/// another. Integers as randomArray.
Array moderateArray(DType t, std::vector<int64_t> shape, std::mt19937_64 &rng, double range = 4,
                    double specialShare = 0.02);

} // namespace lamina::jittest
