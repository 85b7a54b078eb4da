#include "JitTestSupport.h"

#include "compiler/interp/Interpreter.h"
#include "compiler/types/Elements.h"
#include "compiler/types/TypeSpec.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <cstring>
#include <iterator>
#include <limits>
#include <numbers>

namespace lamina::jittest {
namespace {

// Relaxed atomics: the tests call the JIT from several threads at once.
std::atomic<uint64_t> gKernels{0}, gCalls{0}, gOutputs{0};

std::string describeDiagnostics(const std::vector<Diagnostic> &diagnostics) {
  std::string out;
  for (const Diagnostic &d : diagnostics) {
    LineColumn lc = d.location();
    out += fmt::format("{}{} at {}:{}: {}", out.empty() ? "" : "; ", d.info().code, lc.line,
                       lc.column, d.message);
  }
  return out;
}

Outcome outcomeOf(std::optional<std::vector<Array>> outputs, const CollectingConsumer &consumer) {
  Outcome out;
  out.outputs = std::move(outputs);
  out.diagnostics = describeDiagnostics(consumer.diagnostics);
  if (!consumer.diagnostics.empty())
    out.firstCode = std::string(consumer.diagnostics.front().info().code);
  return out;
}

// The caller's arrays in the order of the function's inputs.
std::vector<Array> inFunctionOrder(const Program &program, const std::vector<Array> &arrays) {
  std::vector<Array> out;
  for (const ir::InputDecl &in : program.fn.inputs)
    out.push_back(in.binding < arrays.size() ? arrays[in.binding] : Array{});
  return out;
}

uint64_t rawBits(const Array &a, int64_t index) {
  uint64_t bits = 0;
  unsigned size = byteSize(a.dtype);
  std::memcpy(&bits, a.bytes.data() + index * int64_t(size), size);
  return bits;
}

// The distance in representable values between two non-NaN floats of a dtype (an infinity
// is one step beyond the largest finite value; +0 and -0 are the same point).
double ulpDistance(DType t, uint64_t a, uint64_t b) {
  unsigned bits = byteSize(t) * 8;
  uint64_t sign = uint64_t(1) << (bits - 1);
  uint64_t magA = a & (sign - 1), magB = b & (sign - 1);
  bool negA = (a & sign) != 0, negB = (b & sign) != 0;
  if (negA == negB)
    return double(magA > magB ? magA - magB : magB - magA);
  return double(magA) + double(magB);
}

std::vector<int64_t> unflatten(const std::vector<int64_t> &shape, int64_t flat) {
  std::vector<int64_t> idx(shape.size(), 0);
  for (size_t a = shape.size(); a-- > 0;) {
    if (shape[a] > 0) {
      idx[a] = flat % shape[a];
      flat /= shape[a];
    }
  }
  return idx;
}

std::string indexText(const std::vector<int64_t> &idx) {
  return fmt::format("[{}]", fmt::join(idx, ", "));
}

// The input values that meet at output element `flat`: exactly for inputs that broadcast to
// the output's shape, otherwise (reductions, shape operations) the whole input when it is
// small, or its first elements.
std::string inputsAt(const Program &program, const std::vector<Array> &arrays,
                     const std::vector<int64_t> &outShape, int64_t flat) {
  std::vector<int64_t> outIdx = unflatten(outShape, flat);
  std::string text;
  for (size_t k = 0; k < arrays.size(); ++k) {
    const Array &a = arrays[k];
    std::string name = k < program.inputs.size() ? program.inputs[k].first : fmt::format("#{}", k);
    bool elementwise = a.shape.size() <= outShape.size() && flat >= 0;
    std::vector<int64_t> idx;
    size_t offset = outShape.size() - std::min(outShape.size(), a.shape.size());
    for (size_t d = 0; elementwise && d < a.shape.size(); ++d) {
      if (a.shape[d] == outShape[d + offset])
        idx.push_back(outIdx[d + offset]);
      else if (a.shape[d] == 1)
        idx.push_back(0);
      else
        elementwise = false;
    }
    if (elementwise && a.elementCount() > 0) {
      int64_t src = 0;
      for (size_t d = 0; d < idx.size(); ++d)
        src = src * a.shape[d] + idx[d];
      text += fmt::format("\n    {}{} = {}", name, indexText(idx), describeElement(a, src));
    } else {
      text += fmt::format("\n    {} ({}): {}", name, typeOf(a), describeArray(a, 32));
    }
  }
  return text;
}

} // namespace

std::string Program::signature() const {
  std::string out;
  for (const auto &[name, type] : inputs)
    out += fmt::format("{}{}: {}", out.empty() ? "" : ", ", name, type);
  return out;
}

std::optional<Program> compileSource(const std::string &source, const Inputs &inputs,
                                     std::string &error) {
  Program program;
  program.source = source;
  program.inputs = inputs;
  program.file = std::make_shared<const SourceFile>("<jit-test>", source);
  CollectingConsumer consumer;
  DiagnosticEngine diags(consumer);
  SemaRequest request;
  for (const auto &[name, spec] : inputs) {
    std::string typeError;
    std::optional<TensorType> type = parseTypeSpec(spec, typeError);
    if (!type) {
      error = fmt::format("bad input type `{}`: {}", spec, typeError);
      return std::nullopt;
    }
    request.inputs.push_back({name, *type});
  }
  std::optional<ir::Function> fn = driver::Driver::shared().check(*program.file, request, diags);
  if (!fn || !consumer.diagnostics.empty()) {
    error = fmt::format("`{}` ({}) does not check: {}", source, program.signature(),
                        describeDiagnostics(consumer.diagnostics));
    return std::nullopt;
  }
  if (std::string problem = ir::verify(*fn); !problem.empty()) {
    error = fmt::format("`{}`: the IR does not verify: {}", source, problem);
    return std::nullopt;
  }
  program.fn = std::move(*fn);
  return program;
}

driver::CompileOptions testCompileOptions() {
  driver::CompileOptions options;
  options.diskCache = false;
  options.pipeline.verifyAfterEach = true; // every pass's output checked, release builds too
  return options;
}

std::shared_ptr<const driver::Kernel> compileKernel(const Program &program, std::string &error,
                                                    const driver::CompileOptions &options) {
  std::string why;
  auto kernel = driver::Driver::shared().compile(program.fn, options, &why);
  if (kernel)
    gKernels.fetch_add(1, std::memory_order_relaxed);
  if (!kernel)
    error = fmt::format("the JIT cannot compile `{}` ({}): {}", program.source, program.signature(),
                        why);
  return kernel;
}

Outcome interpretProgram(const Program &program, const std::vector<Array> &arrays,
                         const std::vector<Array> &variables) {
  CollectingConsumer consumer;
  DiagnosticEngine diags(consumer);
  auto outputs =
      interpret(program.fn, inFunctionOrder(program, arrays), variables, *program.file, diags);
  return outcomeOf(std::move(outputs), consumer);
}

Outcome runKernel(const Program &program, const driver::Kernel &kernel,
                  const std::vector<Array> &arrays, Executor &executor,
                  const std::vector<Array> &variables, const driver::RunOptions &options) {
  CollectingConsumer consumer;
  DiagnosticEngine diags(consumer);
  auto outputs = kernel.run(inFunctionOrder(program, arrays), variables, executor, *program.file,
                            diags, options);
  return outcomeOf(std::move(outputs), consumer);
}

std::string Tolerance::describe() const {
  switch (rule) {
  case Rule::Exact:
    return zeroSignFree ? "bit-identical (NaN == NaN; +0 and -0 interchangeable)"
                        : "bit-identical (NaN == NaN, +0 != -0)";
  case Rule::Ulp:
    return fmt::format("within {} ULPs of the output dtype (NaN == NaN, zeros signed)", ulps);
  case Rule::Close:
    if (accumulated > 0)
      return fmt::format("|jit - interp| <= {:g} * scale, the sum of the |finite terms|{} "
                         "(anything where that overflows)",
                         rel, accumulated > 1 ? fmt::format(" / {}", accumulated) : "");
    return fmt::format("|jit - interp| <= {:g} * {} + {:g}", rel, scale ? "|scale|" : "|interp|",
                       abs);
  }
  return "";
}

Counts counts() {
  return {gKernels.load(std::memory_order_relaxed), gCalls.load(std::memory_order_relaxed),
          gOutputs.load(std::memory_order_relaxed)};
}

void countCall() { gCalls.fetch_add(1, std::memory_order_relaxed); }

std::optional<Mismatch> compareArrays(const Array &want, const Array &got, const Tolerance &tol) {
  gOutputs.fetch_add(1, std::memory_order_relaxed);
  if (want.dtype != got.dtype || want.shape != got.shape)
    return Mismatch{-1,
                    fmt::format("the interpreter gives {}, the JIT {}", typeOf(want), typeOf(got))};
  if (tol.scale && tol.scale->elementCount() != want.elementCount())
    return Mismatch{-1, "the tolerance's scale has another element count (a test bug)"};
  int64_t n = want.elementCount();
  bool fl = isFloat(want.dtype);
  for (int64_t k = 0; k < n; ++k) {
    if (!fl) {
      if (loadInt(want, k) != loadInt(got, k))
        return Mismatch{k, "integer values differ (integers and bools are always exact)"};
      continue;
    }
    double a = loadFloat(want, k), b = loadFloat(got, k);
    bool nanA = std::isnan(a), nanB = std::isnan(b);
    if (nanA && nanB)
      continue;
    if (tol.rule == Tolerance::Rule::Close && tol.scale && tol.accumulated > 0) {
      // Finite terms whose magnitudes add up beyond the accumulator's range (f32 for the
      // 16-bit formats) may overflow in one order of accumulation and not in another (to
      // either infinity, or to NaN when the other one is met too): nothing is bounded then.
      double s = std::fabs(loadFloat(*tol.scale, k));
      if (std::isnan(s) || s * tol.accumulated >= maxFiniteOf(computeType(want.dtype)))
        continue;
    }
    if (nanA || nanB)
      return Mismatch{k, "NaN against a number"};
    switch (tol.rule) {
    case Tolerance::Rule::Exact:
      if (rawBits(want, k) == rawBits(got, k))
        continue;
      if (a == 0 && b == 0) {
        if (tol.zeroSignFree)
          continue;
        return Mismatch{k, "the sign of zero differs"};
      }
      return Mismatch{k, "not bit-identical"};
    case Tolerance::Rule::Ulp: {
      if (a == 0 && b == 0) {
        if (std::signbit(a) == std::signbit(b))
          continue;
        return Mismatch{k, "the sign of zero differs"};
      }
      double d = ulpDistance(want.dtype, rawBits(want, k), rawBits(got, k));
      if (d <= tol.ulps)
        continue;
      return Mismatch{k, fmt::format("{} ULPs apart, at most {} allowed", d, tol.ulps)};
    }
    case Tolerance::Rule::Close: {
      double s = tol.scale ? std::fabs(loadFloat(*tol.scale, k)) : std::fabs(a);
      double allowed = tol.rel * s + tol.abs;
      if (std::isinf(a) || std::isinf(b)) {
        if (a == b)
          continue;
        // One side overflowed: fine if the other is within the tolerance of overflowing.
        double finite = std::isinf(a) ? b : a, inf = std::isinf(a) ? a : b;
        if (!std::isinf(finite) && std::signbit(finite) == std::signbit(inf) &&
            std::fabs(finite) + allowed >= maxFiniteOf(want.dtype))
          continue;
        return Mismatch{
            k, fmt::format("an infinity against {} (allowed difference {:.6g})", finite, allowed)};
      }
      if (std::fabs(a - b) <= allowed)
        continue;
      return Mismatch{k, fmt::format("|difference| {:.6g} > allowed {:.6g} (scale {:.6g})",
                                     std::fabs(a - b), allowed, s)};
    }
    }
  }
  return std::nullopt;
}

std::string finiteAbsHelper() {
  return "def fa(v): return where(isfinite(v), abs(cast(v, 'float64')), 0.0)\n";
}

std::string mismatchReport(const Program &program, const std::vector<Array> &arrays, size_t output,
                           const Array &want, const Array &got, const Mismatch &mismatch,
                           const std::string &wantName, const std::string &gotName,
                           const Tolerance &tol) {
  std::string shapes;
  for (size_t k = 0; k < arrays.size(); ++k)
    shapes +=
        fmt::format("{}{}={}", shapes.empty() ? "" : ", ",
                    k < program.inputs.size() ? program.inputs[k].first : "?", typeOf(arrays[k]));
  std::string text = fmt::format("source: {}\n  input types: {}\n  actual inputs: {}\n  output "
                                 "{} ({}): {}\n  rule: {}",
                                 program.source, program.signature(), shapes, output, typeOf(want),
                                 mismatch.what, tol.describe());
  if (mismatch.index < 0)
    return text;
  int64_t k = mismatch.index;
  text += fmt::format("\n  first mismatch at element {} {}:\n    {:<12} {}\n    {:<12} {}", k,
                      indexText(unflatten(want.shape, k)), wantName + ":", describeElement(want, k),
                      gotName + ":", describeElement(got, k));
  if (tol.scale)
    text += fmt::format("\n    scale:       {}", describeElement(*tol.scale, k));
  text += "\n  inputs at that element:" + inputsAt(program, arrays, want.shape, k);
  return text;
}

std::string differential(const Program &program, const driver::Kernel &kernel,
                         const std::vector<Array> &arrays, const std::vector<Tolerance> &tolerances,
                         Executor &executor, const std::string &context,
                         const std::vector<Array> &variables, const driver::RunOptions &options) {
  return differential(program, kernel, arrays, interpretProgram(program, arrays, variables),
                      tolerances, executor, context, variables, options);
}

std::string differential(const Program &program, const driver::Kernel &kernel,
                         const std::vector<Array> &arrays, const Outcome &want,
                         const std::vector<Tolerance> &tolerances, Executor &executor,
                         const std::string &context, const std::vector<Array> &variables,
                         const driver::RunOptions &options) {
  countCall();
  std::string head = context.empty() ? "" : context + "\n  ";
  Outcome got = runKernel(program, kernel, arrays, executor, variables, options);
  auto brief = [&](const std::string &what) {
    std::string inputs;
    for (size_t k = 0; k < arrays.size(); ++k)
      inputs += fmt::format("\n    {} ({}): {}",
                            k < program.inputs.size() ? program.inputs[k].first : "?",
                            typeOf(arrays[k]), describeArray(arrays[k], 32));
    return fmt::format("{}source: {}\n  input types: {}\n  {}\n  inputs:{}", head, program.source,
                       program.signature(), what, inputs);
  };
  if (!want.outputs) {
    if (got.outputs)
      return brief("the interpreter refuses the call (" + want.diagnostics +
                   ") but the JIT runs it");
    if (want.firstCode != got.firstCode)
      return brief(fmt::format("both refuse the call, with different diagnostics: interpreter "
                               "{}; JIT {}",
                               want.diagnostics, got.diagnostics));
    return "";
  }
  if (!got.outputs)
    return brief("the JIT refuses the call: " + got.diagnostics);
  if (want.outputs->size() != got.outputs->size())
    return brief(fmt::format("the interpreter gives {} outputs, the JIT {}", want.outputs->size(),
                             got.outputs->size()));
  for (size_t o = 0; o < want.outputs->size(); ++o) {
    Tolerance tol = tolerances.empty()       ? Tolerance::exact()
                    : tolerances.size() == 1 ? tolerances[0]
                                             : tolerances[o];
    const Array &w = (*want.outputs)[o], &g = (*got.outputs)[o];
    if (auto m = compareArrays(w, g, tol))
      return head + mismatchReport(program, arrays, o, w, g, *m, "interpreter", "JIT", tol);
  }
  return "";
}

// --- values

std::string typeOf(const Array &a) {
  return fmt::format("{}[{}]", shortName(a.dtype), fmt::join(a.shape, ", "));
}

std::string describeElement(const Array &a, int64_t index) {
  if (a.dtype == DType::Bool)
    return loadInt(a, index) ? "True" : "False";
  if (!isFloat(a.dtype))
    return fmt::format("{}", loadInt(a, index));
  double v = loadFloat(a, index);
  uint64_t bits = rawBits(a, index);
  std::string value;
  if (std::isnan(v))
    value = "nan";
  else if (a.dtype == DType::F64)
    value = fmt::format("{} ({:a})", v, v);
  else
    value = fmt::format("{} ({:a})", float(v), v);
  if (a.dtype == DType::F64)
    return fmt::format("{} [0x{:016x}]", value, bits);
  if (a.dtype == DType::F32)
    return fmt::format("{} [0x{:08x}]", value, bits);
  return fmt::format("{} [0x{:04x}]", value, bits);
}

std::string describeArray(const Array &a, size_t limit) {
  int64_t n = a.elementCount();
  std::string out = "[";
  for (int64_t k = 0; k < n && size_t(k) < limit; ++k) {
    if (k)
      out += ", ";
    if (isFloat(a.dtype)) {
      double v = loadFloat(a, k);
      out += std::isnan(v)           ? std::string("nan")
             : a.dtype == DType::F64 ? fmt::format("{}", v)
                                     : fmt::format("{}", float(v));
    } else {
      out += describeElement(a, k);
    }
  }
  if (size_t(n) > limit)
    out += fmt::format(", ... ({} elements)", n);
  return out + "]";
}

double sumTolerance(DType t) {
  switch (t) {
  case DType::F64:
    return 1e-12;
  case DType::F16:
  case DType::BF16:
    return 1e-5 + 2 * epsilonOf(t);
  default:
    return 1e-5;
  }
}

double epsilonOf(DType t) {
  switch (t) {
  case DType::F16:
    return 0x1p-10;
  case DType::BF16:
    return 0x1p-7;
  case DType::F64:
    return 0x1p-52;
  default:
    return 0x1p-23;
  }
}

double denormMinOf(DType t) {
  switch (t) {
  case DType::F16:
    return 0x1p-24;
  case DType::BF16:
    return 0x1p-133;
  case DType::F64:
    return std::numeric_limits<double>::denorm_min();
  default:
    return double(std::numeric_limits<float>::denorm_min());
  }
}

double normalMinOf(DType t) {
  switch (t) {
  case DType::F16:
    return 0x1p-14;
  case DType::F64:
    return std::numeric_limits<double>::min();
  default:
    return 0x1p-126;
  }
}

double maxFiniteOf(DType t) {
  switch (t) {
  case DType::F16:
    return 65504.0;
  case DType::BF16:
    return 3.3895313892515355e38;
  case DType::F64:
    return std::numeric_limits<double>::max();
  default:
    return double(std::numeric_limits<float>::max());
  }
}

Array arrayOf(DType dtype, std::vector<int64_t> shape, const std::vector<double> &values) {
  Array a = makeArray(dtype, std::move(shape));
  int64_t n = a.elementCount();
  for (int64_t k = 0; k < n && !values.empty(); ++k)
    storeFloat(a, k, values[size_t(k) % values.size()]); // the cast rules for integers
  return a;
}

Array intArrayOf(DType dtype, std::vector<int64_t> shape, const std::vector<int64_t> &values) {
  Array a = makeArray(dtype, std::move(shape));
  int64_t n = a.elementCount();
  for (int64_t k = 0; k < n && !values.empty(); ++k)
    storeInt(a, k, values[size_t(k) % values.size()]); // wrapped to the width
  return a;
}

void setBits(Array &a, int64_t index, uint64_t bits) {
  unsigned size = byteSize(a.dtype);
  std::memcpy(a.bytes.data() + index * int64_t(size), &bits, size);
}

std::vector<int64_t> specialInts(DType t) {
  switch (t) {
  case DType::Bool:
    return {0, 1};
  case DType::U8:
    return {0, 1, 2, 3, 7, 100, 127, 128, 200, 254, 255};
  case DType::I8:
    return {0, 1, -1, 2, -2, 3, -3, 7, -7, 100, -100, 126, 127, -127, -128};
  case DType::I16:
    return {0,   1,   -1,   2,    -2,    3,     -3,    7,      -7,
            255, 256, -256, 2049, -2049, 32766, 32767, -32767, -32768};
  case DType::U16:
    return {0, 1, 2, 3, 7, 255, 256, 2049, 32767, 32768, 65534, 65535};
  case DType::U32:
    return {0, 1, 2, 3, 7, 65535, 65536, 16777217, 2147483647, 2147483648, 4294967294, 4294967295};
  case DType::U64: {
    // The bits of values at and above 2^63 (carried as negative int64s): 2^63, 2^64 - 1, and
    // those whose conversion to double or float rounds (ties to even, past f32's range).
    std::vector<int64_t> v = {0, 1, 2, 3, 7, 255, 65536, (int64_t(1) << 53) + 1, INT64_MAX};
    for (uint64_t big : {uint64_t(1) << 63, (uint64_t(1) << 63) + 1, (uint64_t(1) << 63) + 1024,
                         (uint64_t(1) << 63) + 1025, (uint64_t(1) << 63) + 3072, UINT64_MAX,
                         UINT64_MAX - 1, UINT64_MAX - 1024, UINT64_MAX - 2048, 0xFFFFFF8000000000u,
                         0xFFFFFF7FFFFFFFFFu, 12345678901234567890u})
      v.push_back(int64_t(big));
    return v;
  }
  case DType::I32:
    return {0,
            1,
            -1,
            2,
            -2,
            3,
            -3,
            7,
            -7,
            1000,
            -65536,
            65519,
            65520,
            16777217,
            -16777217,
            INT32_MAX,
            INT32_MIN,
            INT32_MAX - 1,
            INT32_MIN + 1};
  default:
    return {0,
            1,
            -1,
            2,
            -2,
            3,
            -7,
            65520,
            16777217,
            int64_t(1) << 31,
            -(int64_t(1) << 31) - 1,
            int64_t(1) << 32,
            (int64_t(1) << 53) + 1, // not a double
            -(int64_t(1) << 53) - 1,
            (int64_t(1) << 60) + (int64_t(1) << 52) + 1, // a double rounding to bf16 gets it wrong
            (int64_t(1) << 60) + (int64_t(1) << 36) + 1, // likewise to f32
            INT64_MAX,
            INT64_MIN,
            INT64_MAX - 1,
            INT64_MIN + 1};
  }
}

std::vector<double> specialValues(DType t) {
  constexpr double inf = std::numeric_limits<double>::infinity();
  double eps = epsilonOf(t), maxF = maxFiniteOf(t), minN = normalMinOf(t), den = denormMinOf(t);
  double lnMax = std::log(maxF);
  std::vector<double> v = {
      std::numeric_limits<double>::quiet_NaN(),
      inf,
      -inf,
      0.0,
      -0.0,
      den,
      -den,
      minN - den, // the largest subnormal
      -(minN - den),
      minN,
      -minN,
      maxF,
      -maxF,
      1.0,
      -1.0,
      0.5,
      -0.5,
      1.5,
      -1.5,
      2.5,
      -2.5,
      3.5,
      2.0,
      -2.0,
      3.0,
      7.0,
      0.1,
      -0.1,
      1e-3,
      1.0 - eps / 2, // the values next to 1
      1.0 + eps,
      -(1.0 - eps / 2),
      -(1.0 + eps),
      lnMax, // exp and expm1 overflow
      lnMax * (1 + 2 * eps),
      lnMax * (1 - 2 * eps),
      -lnMax,
      lnMax + std::numbers::ln2, // sinh and cosh overflow
      -(lnMax + std::numbers::ln2),
      std::log(minN), // exp underflows to subnormals, then to zero
      std::log(den),
      std::log(den) - 1,
      std::sqrt(maxF), // x * x overflows
      std::numbers::pi / 2,
      -std::numbers::pi / 2,
      std::numbers::pi,
      1e4,
      1e6,
      -1e6,
      1e10,
      1e22,
      1e300,
      3.92,  // erf rounds to 1
      10.06, // erfc underflows (f32)
      27.3,  // erfc underflows (f64)
      9.01,  // tanh saturates (f32)
      19.1,  // tanh saturates (f64)
      127.5, // float -> integer limits
      128.0,
      -128.5,
      -129.0,
      255.5,
      256.0,
      2147483520.0,
      2147483648.0,
      -2147483904.0,
      9223372036854775808.0,
      -9223372036854775808.0,
      9223372036854774784.0,
      1.8446744073709552e19,
      65504.0, // f16 overflow boundary
      65519.99,
      65520.0,
      1.0 + 0x1p-11 + 0x1p-40, // halfway cases that a double rounding gets wrong
      1.0 + 0x1p-8 + 0x1p-40,
      1.0 + 0x1p-24 + 0x1p-50,
  };
  return v;
}

std::vector<uint64_t> nanPatterns(DType t) {
  switch (t) {
  case DType::F16:
    return {0x7E00, 0xFE00, 0x7C01, 0x7E55, 0xFC01};
  case DType::BF16:
    return {0x7FC0, 0xFFC0, 0x7F81, 0x7FD5, 0xFF81};
  case DType::F64:
    return {0x7FF8000000000000ull, 0xFFF8000000000000ull, 0x7FF0000000000001ull,
            0x7FF8000000012345ull, 0xFFF0000000000001ull};
  default:
    return {0x7FC00000, 0xFFC00000, 0x7F800001, 0x7FC12345, 0xFF800001};
  }
}

double randomAnyMagnitude(DType t, std::mt19937_64 &rng) {
  uint64_t r = rng();
  switch (t) {
  case DType::F16: {
    uint16_t exp = uint16_t(r % 31), mant = uint16_t((r >> 8) & 0x3FF);
    uint16_t sign = uint16_t((r >> 20) & 1) << 15;
    return halfToFloat(uint16_t(sign | uint16_t(exp << 10) | mant));
  }
  case DType::BF16: {
    uint16_t exp = uint16_t(r % 255), mant = uint16_t((r >> 8) & 0x7F);
    uint16_t sign = uint16_t((r >> 20) & 1) << 15;
    return bfloat16ToFloat(uint16_t(sign | uint16_t(exp << 7) | mant));
  }
  case DType::F32: {
    uint32_t exp = uint32_t(r % 255), mant = uint32_t(r >> 16) & 0x7FFFFF;
    uint32_t sign = uint32_t((r >> 40) & 1) << 31;
    return std::bit_cast<float>(sign | (exp << 23) | mant);
  }
  case DType::F64: {
    uint64_t exp = r % 2047, mant = rng() & ((uint64_t(1) << 52) - 1);
    uint64_t sign = ((r >> 20) & 1) << 63;
    return std::bit_cast<double>(sign | (exp << 52) | mant);
  }
  default:
    return 0;
  }
}

Array moderateArray(DType t, std::vector<int64_t> shape, std::mt19937_64 &rng, double range,
                    double specialShare) {
  if (!isFloat(t))
    return randomArray(t, std::move(shape), rng);
  Array a = makeArray(t, std::move(shape));
  const double specials[] = {std::numeric_limits<double>::quiet_NaN(),
                             std::numeric_limits<double>::infinity(),
                             -std::numeric_limits<double>::infinity(),
                             0.0,
                             -0.0,
                             1.0,
                             -1.0,
                             0.5,
                             denormMinOf(t)};
  std::uniform_real_distribution<double> unit(0.0, 1.0), uniform(-range, range);
  for (int64_t k = 0; k < a.elementCount(); ++k) {
    double p = unit(rng);
    storeFloat(a, k,
               p < specialShare ? specials[rng() % std::size(specials)]
               : p < 0.3        ? std::round(uniform(rng) * 8) / 8
                                : uniform(rng));
  }
  return a;
}

Array randomArray(DType t, std::vector<int64_t> shape, std::mt19937_64 &rng, double range,
                  double specialShare) {
  Array a = makeArray(t, std::move(shape));
  std::vector<double> specials = isFloat(t) ? specialValues(t) : std::vector<double>{};
  std::vector<int64_t> ints = isFloat(t) ? std::vector<int64_t>{} : specialInts(t);
  std::vector<uint64_t> nans = isFloat(t) ? nanPatterns(t) : std::vector<uint64_t>{};
  std::uniform_real_distribution<double> unit(0.0, 1.0), uniform(-range, range);
  for (int64_t k = 0; k < a.elementCount(); ++k) {
    double p = unit(rng);
    if (t == DType::Bool) {
      storeInt(a, k, int64_t(rng() & 1));
    } else if (!isFloat(t)) {
      if (p < specialShare)
        storeInt(a, k, ints[rng() % ints.size()]);
      else if (p < 0.6)
        storeInt(a, k, int64_t(rng())); // any bits, wrapped to the width
      else
        storeInt(a, k, int64_t(std::floor(uniform(rng) * 4)));
    } else if (p < specialShare * 0.1) {
      setBits(a, k, nans[rng() % nans.size()]);
    } else if (p < specialShare) {
      storeFloat(a, k, specials[rng() % specials.size()]);
    } else if (p < 0.5) {
      storeFloat(a, k, randomAnyMagnitude(t, rng));
    } else if (p < 0.6) {
      storeFloat(a, k, std::round(uniform(rng) * 4) / 4); // ties and repeated values
    } else {
      storeFloat(a, k, uniform(rng));
    }
  }
  return a;
}

} // namespace lamina::jittest
