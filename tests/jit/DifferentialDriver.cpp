#include "DifferentialDriver.h"

#include <doctest/doctest.h>

#include "compiler/codegen/VectorMath.h"
#include "compiler/interp/Interpreter.h"
#include "compiler/types/Elements.h"
#include "runtime/threads/ThreadPool.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <map>
#include <mutex>
#include <regex>

namespace lamina::jitdiff {
namespace {

uint64_t gSeed = 0;

// KNOWN-BUG: JIT bugs this suite found that are not fixed yet (the suite's report lists the
// reproducers). The checks they affect are skipped, counted, and listed with their first
// report at the end of the run; remove an entry to turn them back into failures once the bug
// is fixed.
//
// Compile failures whose message contains one of these strings: the kernel's checks are
// skipped.
const std::vector<std::string_view> kKnownCompileBugs = {};

// Wrong results for some input values only. In a check whose label contains `label`, the
// input elements `affects` picks are replaced by 1 and the check asserts; the original inputs
// run as a second check whose mismatch is recorded as a known bug.
struct KnownInputBug {
  std::string_view label;
  bool (*affects)(const Array &input, int64_t index);
};

const std::vector<KnownInputBug> kKnownInputBugs = {};

// Skipped checks, by known bug: how many, and the first report (printed at the end).
std::map<std::string, std::pair<int, std::string>> gKnownBugHits;
std::mutex gKnownBugMutex;

void knownBugHit(const std::string &bug, const std::string &report) {
  std::lock_guard lock(gKnownBugMutex);
  auto &[count, first] = gKnownBugHits[bug];
  if (count++ == 0)
    first = report;
}

// KNOWN-BUG: checks that crash the process: not run at all while the bug stands (ECMAScript
// regular expressions matched against the check's label).
// (None open: a constant pad of an operand that is empty at run time read its element 0
// before the fix in ShapeElements.cpp.)
constexpr std::array<std::string_view, 0> kKnownCrashes{};

bool isKnownCrash(const std::string &label) {
  for (std::string_view crash : kKnownCrashes)
    if (std::regex_search(label, std::regex(std::string(crash)))) {
      knownBugHit(std::string(crash), label + " (not run)");
      return true;
    }
  return false;
}

bool isKnownCompileBug(const std::string &error) {
  for (std::string_view bug : kKnownCompileBugs)
    if (error.find(bug) != std::string::npos) {
      knownBugHit(std::string(bug), error);
      return true;
    }
  return false;
}

// Reports of checks with this label are recorded, not failures (none at the moment: every
// known bug is narrowed down by the lists above).
bool isKnownBug(const std::string &) { return false; }

Executor &threads(int n) { return executorWithThreads(unsigned(n)); }

// One comparison of the JIT against the interpreter, whose outcome `want` is; `label` names
// it in failures and in the known-bug list.
void agree(const std::string &label, const Program &program, const driver::Kernel &kernel,
           const std::vector<Array> &arrays, const Outcome &want,
           const std::vector<Tolerance> &tolerances, Executor &executor,
           const std::vector<Array> &variables = {}, const driver::RunOptions &options = {}) {
  if (isKnownCrash(label))
    return;
  for (const KnownInputBug &bug : kKnownInputBugs) {
    if (label.find(bug.label) == std::string::npos)
      continue;
    std::vector<Array> sanitized = arrays;
    bool affected = false;
    for (Array &a : sanitized)
      for (int64_t k = 0; k < a.elementCount(); ++k)
        if (bug.affects(a, k)) {
          storeFloat(a, k, 1.0);
          affected = true;
        }
    if (!affected)
      break;
    std::string known = jittest::differential(program, kernel, arrays, want, tolerances, executor,
                                              label + " " + seedNote(), variables, options);
    if (!known.empty())
      knownBugHit(std::string(bug.label), known);
    // The sanitized inputs have their own expected values: interpreted again.
    std::string report = jittest::differential(
        program, kernel, sanitized, tolerances, executor,
        label + " (known-bug inputs replaced by 1) " + seedNote(), variables, options);
    CHECK_MESSAGE(report.empty(), report);
    return;
  }
  std::string report = jittest::differential(program, kernel, arrays, want, tolerances, executor,
                                             label + " " + seedNote(), variables, options);
  if (!report.empty() && isKnownBug(label)) {
    knownBugHit(label, report);
    return;
  }
  CHECK_MESSAGE(report.empty(), report);
}

// The interpreter's first output for `source`.
std::shared_ptr<const Array> interpreted(const std::string &source, const Inputs &inputs,
                                         const std::vector<Array> &arrays) {
  auto program = checked(source, inputs);
  if (!program)
    return nullptr;
  Outcome out = jittest::interpretProgram(*program, arrays);
  CHECK_MESSAGE(out.outputs.has_value(), out.diagnostics);
  if (!out.outputs)
    return nullptr;
  return std::make_shared<const Array>((*out.outputs)[0]);
}

// The scale of a Close rule: `companion` with every abs() of it replaced by fa(), the |value|
// of finite terms only (jittest::finiteAbsHelper).
std::shared_ptr<const Array> scaleOf(const std::string &companion, const Inputs &inputs,
                                     const std::vector<Array> &arrays) {
  std::string source = sourceOf(inputs, companion);
  for (size_t at = source.find("abs("); at != std::string::npos; at = source.find("abs(", at))
    source.replace(at, 4, "fa(");
  return interpreted(jittest::finiteAbsHelper() + source, inputs, arrays);
}

// The tolerance of `rule` for an output whose expected value is `want`.
Tolerance toleranceOf(const Rule &rule, const Inputs &inputs, const Call &call, const Array &want) {
  DType out = want.dtype;
  if (!isFloat(out))
    return Tolerance::exact(); // compared exactly whatever the rule
  double rel = jittest::sumTolerance(out), tiny = 4 * jittest::denormMinOf(out);
  switch (rule.kind) {
  case Rule::Kind::Exact:
    return Tolerance::exact();
  case Rule::Kind::AnyZero:
    return Tolerance::exactAnyZero();
  case Rule::Kind::Ulp:
    return Tolerance::ulp(rule.a);
  case Rule::Kind::Math:
    return mathTolerance(rule.op, out);
  case Rule::Kind::SquareF64:
    return out == DType::F64 ? Tolerance::ulp(1) : Tolerance::exact();
  case Rule::Kind::Composite:
    return Tolerance::close(relativeFor(out), tiny);
  case Rule::Kind::ByInput: {
    const Array &x = call.arrays[0];
    Array scale = makeArray(DType::F64, want.shape);
    for (int64_t k = 0; k < want.elementCount(); ++k)
      storeFloat(scale, k, std::fabs(loadFloat(x, k)) + std::fabs(loadFloat(want, k)));
    return Tolerance::close(relativeFor(out), tiny, std::make_shared<const Array>(scale));
  }
  case Rule::Kind::Fraction:
    return Tolerance::close(rel, tiny);
  case Rule::Kind::Result:
    return Tolerance::close(rel, rel);
  case Rule::Kind::Sum:
    return Tolerance::sum(jittest::sumTolerance(rule.computedIn.value_or(out)),
                          scaleOf(rule.companion, inputs, call.arrays),
                          rule.perTerm ? double(call.terms) : 1);
  case Rule::Kind::Product: {
    // A product of n factors is within (n - 1) roundings of the exact one in any order.
    double n = rule.factors > 0 ? rule.factors : double(call.terms);
    return Tolerance::close(std::max(rule.a > 0 ? rule.a : rel, 2 * n * jittest::epsilonOf(out)),
                            rule.b > 0 ? rule.b : tiny);
  }
  case Rule::Kind::StdDev: {
    // var is within rel * mean(x^2); sqrt turns an error e of v into at most
    // min(e / sqrt(v), sqrt(e)).
    auto meanSquare = scaleOf(rule.companion, inputs, call.arrays);
    if (!meanSquare)
      return Tolerance::exact();
    Array allowed = makeArray(DType::F64, want.shape);
    for (int64_t k = 0; k < want.elementCount(); ++k) {
      double e = rel * loadFloat(*meanSquare, k), s = loadFloat(want, k);
      storeFloat(allowed, k,
                 std::min(s > 0 ? e / s : HUGE_VAL, std::sqrt(e)) +
                     4 * jittest::epsilonOf(out) * s);
    }
    return Tolerance::close(1, 0, std::make_shared<const Array>(allowed));
  }
  case Rule::Kind::Close:
    return Tolerance::close(rule.a, rule.b);
  }
  return Tolerance::exact();
}

// One thread against two on `arrays`: bit-identical outputs.
void threadsAgree(const std::string &label, const Program &program, const driver::Kernel &kernel,
                  const std::vector<Array> &arrays) {
  std::vector<Array> one = jitOutputs(program, kernel, arrays, threads(1));
  std::vector<Array> two = jitOutputs(program, kernel, arrays, threads(2));
  REQUIRE(one.size() == two.size());
  jittest::countCall();
  for (size_t k = 0; k < one.size(); ++k) {
    auto m = jittest::compareArrays(one[k], two[k], Tolerance::exact());
    std::string report = m ? jittest::mismatchReport(program, arrays, k, one[k], two[k], *m,
                                                     "1 thread", "2 threads", Tolerance::exact())
                           : "";
    if (m && isKnownBug(label))
      knownBugHit(label, report);
    else
      CHECK_MESSAGE(!m, label << " " << seedNote() << "\n" << report);
  }
}

// The kernel's first output against the interpreter's value of `reference` (a definition).
void agreeWithDefinition(const std::string &label, const KernelCase &c, const Program &program,
                         const driver::Kernel &kernel, const Call &call) {
  auto want = interpreted(sourceOf(c.inputs, c.reference), c.inputs, call.arrays);
  REQUIRE(want);
  std::vector<Array> got = jitOutputs(program, kernel, call.arrays, threads(1));
  REQUIRE(got.size() == 1);
  const std::vector<Rule> &rules = call.rules.empty() ? c.rules : call.rules;
  Tolerance tol = rules.empty() ? Tolerance::exact() : toleranceOf(rules[0], c.inputs, call, *want);
  jittest::countCall();
  auto m = jittest::compareArrays(*want, got[0], tol);
  CHECK_MESSAGE(!m, label << " " << seedNote() << "\n"
                          << (m ? jittest::mismatchReport(program, call.arrays, 0, *want, got[0],
                                                          *m, "definition", "kernel", tol)
                                : ""));
}

// The kernel run through views one element into larger buffers; its outputs against `want`.
void agreeThroughViews(const std::string &label, const Program &program,
                       const driver::Kernel &kernel, const std::vector<Array> &arrays,
                       const std::vector<Array> &want, const std::vector<Tolerance> &tolerances) {
  // Inputs copied one element into buffers one element longer (at least 2 elements, so that
  // an empty input still gets a non-null pointer).
  std::vector<std::vector<std::byte>> inBuffers;
  std::vector<TensorRef> inRefs;
  for (const Array &a : arrays) {
    unsigned size = byteSize(a.dtype);
    inBuffers.emplace_back((size_t(a.elementCount()) + 2) * size, std::byte{0x5A});
    if (!a.bytes.empty()) // memcpy's pointers must not be null, even for 0 bytes
      std::memcpy(inBuffers.back().data() + size, a.bytes.data(), a.bytes.size());
  }
  for (size_t k = 0; k < arrays.size(); ++k)
    inRefs.push_back(
        {arrays[k].dtype, arrays[k].shape, inBuffers[k].data() + byteSize(arrays[k].dtype)});
  // Outputs likewise, with a guard element on each side that must stay untouched.
  std::vector<std::vector<std::byte>> outBuffers;
  std::vector<TensorRef> outRefs;
  for (const Array &w : want)
    outBuffers.emplace_back((size_t(w.elementCount()) + 2) * byteSize(w.dtype), std::byte{0xA5});
  for (size_t k = 0; k < want.size(); ++k)
    outRefs.push_back(
        {want[k].dtype, want[k].shape, outBuffers[k].data() + byteSize(want[k].dtype)});
  CollectingConsumer consumer;
  DiagnosticEngine diags(consumer);
  jittest::countCall();
  bool ran = kernel.run(inRefs, {}, outRefs, threads(1), *program.file, diags);
  REQUIRE_MESSAGE(ran, label << ": "
                             << (consumer.diagnostics.empty() ? std::string("no diagnostic")
                                                              : consumer.diagnostics[0].message));
  for (size_t k = 0; k < want.size(); ++k) {
    const Array &w = want[k];
    unsigned osize = byteSize(w.dtype);
    Array got = makeArray(w.dtype, w.shape);
    if (!got.bytes.empty())
      std::memcpy(got.bytes.data(), outBuffers[k].data() + osize, got.bytes.size());
    const Tolerance &tol = tolerances.empty()       ? Tolerance::exact()
                           : tolerances.size() == 1 ? tolerances[0]
                                                    : tolerances[k];
    if (auto m = jittest::compareArrays(w, got, tol)) {
      std::string report =
          jittest::mismatchReport(program, arrays, k, w, got, *m, "interpreter", "JIT (view)", tol);
      if (isKnownBug(label))
        knownBugHit(label, report);
      else
        CHECK_MESSAGE(false, label << " " << seedNote() << "\n" << report);
    }
    bool guardsKept = true;
    for (unsigned b = 0; b < osize; ++b)
      guardsKept = guardsKept && outBuffers[k][b] == std::byte{0xA5} &&
                   outBuffers[k][outBuffers[k].size() - 1 - b] == std::byte{0xA5};
    CHECK_MESSAGE(guardsKept, label << ": output " << k << " wrote outside its view");
  }
}

// One call of a compiled case.
void runCall(const KernelCase &c, const Program &program, const driver::Kernel &kernel,
             const Call &call) {
  std::string label = call.suffix.empty() ? c.label : c.label + " " + call.suffix;
  if (!c.reference.empty()) {
    agreeWithDefinition(label, c, program, kernel, call);
    return;
  }
  if (c.run == Run::ThreadsAgree)
    threadsAgree(label, program, kernel, call.arrays);
  std::vector<Array> variables;
  if (c.run == Run::WithVariables) {
    CollectingConsumer consumer;
    DiagnosticEngine diags(consumer);
    std::vector<Array> ordered = call.arrays;
    auto symbols = bindSymbols(program.fn, ordered, *program.file, diags);
    REQUIRE(symbols);
    auto initial = initialValues(program.fn, *symbols, *program.file, diags);
    REQUIRE(initial);
    variables = std::move(*initial);
  }
  // The tolerances may depend on the expected values (gelu's scale, std's): take them first.
  Outcome want = jittest::interpretProgram(program, call.arrays, variables);
  std::vector<Tolerance> tolerances;
  const std::vector<Rule> &rules = call.rules.empty() ? c.rules : call.rules;
  if (c.refusal == Refusal::Fail)
    CHECK_MESSAGE(want.outputs.has_value(),
                  label << ": the interpreter refuses the call: " << want.diagnostics);
  if (want.outputs) {
    // Output k takes rule k, or the only one; each rule is computed for its own output.
    for (size_t k = 0; k < want.outputs->size() && !rules.empty(); ++k)
      tolerances.push_back(k < rules.size() || rules.size() == 1
                               ? toleranceOf(rules.size() == 1 ? rules[0] : rules[k], c.inputs,
                                             call, (*want.outputs)[k])
                               : Tolerance::exact());
  } else if (c.refusal == Refusal::Skip) {
    return;
  } else if (c.refusal == Refusal::Fail) {
    return; // reported above
  }
  switch (c.run) {
  case Run::MisalignedViews:
    REQUIRE_MESSAGE(want.outputs.has_value(), label << ": " << want.diagnostics);
    agreeThroughViews(label, program, kernel, call.arrays, *want.outputs, tolerances);
    break;
  case Run::SplitChunks: {
    driver::RunOptions split; // column reductions in chunks of one row and up
    split.chunkRows = 1;
    split.chunkWork = 1;
    agree(label + " (chunks of one row)", program, kernel, call.arrays, want, tolerances,
          threads(2), {}, split);
    agree(label, program, kernel, call.arrays, want, tolerances, threads(1));
    break;
  }
  case Run::TwoThreads:
    agree(label, program, kernel, call.arrays, want, tolerances, threads(2));
    break;
  case Run::ThreadsAgree:
    agree(label + " against the interpreter", program, kernel, call.arrays, want, tolerances,
          threads(2));
    break;
  case Run::OneThread:
  case Run::WithVariables:
    agree(label, program, kernel, call.arrays, want, tolerances, threads(1), variables);
    break;
  }
  if (c.expect) {
    Outcome got = jittest::runKernel(program, kernel, call.arrays, threads(1), variables);
    c.expect(label, call.arrays, want, got);
  }
}

} // namespace

void setSeed(uint64_t seed) { gSeed = seed; }
uint64_t seed() { return gSeed; }

std::mt19937_64 rngFor(std::string_view name) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (char c : name)
    h = (h ^ uint8_t(c)) * 0x100000001b3ull;
  return std::mt19937_64(gSeed ^ h);
}

std::string seedNote() { return fmt::format("(seed {})", gSeed); }

void printSummary() {
  for (const auto &[bug, hits] : gKnownBugHits)
    fmt::print("KNOWN-BUG: {} check(s) skipped for `{}`; the first:\n  {}\n\n", hits.first, bug,
               hits.second);
  jittest::Counts n = jittest::counts();
  fmt::print("jit differential: {} kernels compiled, {} calls compared, {} outputs compared\n",
             n.kernels, n.calls, n.outputs);
}

std::string typeSpec(DType t, const std::string &dims) {
  return fmt::format("{}[{}]", shortName(t), dims);
}

bool is16Bit(DType t) { return t == DType::F16 || t == DType::BF16; }

Tolerance mathTolerance(ir::Op op, DType t) {
  double bound = codegen::ulpBound(op, t == DType::F64);
  return Tolerance::ulp(is16Bit(t) ? bound + 1 : bound);
}

double relativeFor(DType t) {
  switch (t) {
  case DType::F64:
    return 1e-12;
  case DType::F16:
  case DType::BF16:
    return 4 * jittest::epsilonOf(t);
  default:
    return 1e-5;
  }
}

Array specialsArray(DType t, std::mt19937_64 &rng) {
  if (!isFloat(t)) {
    std::vector<int64_t> ints = jittest::specialInts(t);
    size_t s = ints.size();
    std::vector<int64_t> values;
    for (size_t r = 0; r < 3; ++r)
      for (size_t j = 0; j < s; ++j)
        values.push_back(ints[(j + r * 5) % s]);
    for (int k = 0; k < 13; ++k)
      values.push_back(int64_t(rng()));
    return jittest::intArrayOf(t, {int64_t(values.size())}, values);
  }
  std::vector<double> specials = jittest::specialValues(t);
  size_t s = specials.size();
  std::vector<double> values;
  for (size_t r = 0; r < 3; ++r)
    for (size_t j = 0; j < s; ++j)
      values.push_back(specials[(j + r * 5) % s]);
  for (int k = 0; k < 13; ++k)
    values.push_back(jittest::randomAnyMagnitude(t, rng));
  Array a = jittest::arrayOf(t, {int64_t(values.size())}, values);
  std::vector<uint64_t> nans = jittest::nanPatterns(t);
  for (size_t k = 0; k < nans.size(); ++k)
    jittest::setBits(a, int64_t(k * 11 + 3) % a.elementCount(), nans[k]);
  return a;
}

Array unaryInputs(DType t, int64_t n, double lo, double hi, std::mt19937_64 &rng) {
  if (!isFloat(t))
    return jittest::randomArray(t, {n}, rng);
  Array a = makeArray(t, {n});
  std::vector<double> specials = jittest::specialValues(t);
  std::uniform_real_distribution<double> unit(0, 1), uniform(lo, hi);
  for (int64_t k = 0; k < n; ++k) {
    double p = unit(rng);
    storeFloat(a, k,
               p < 0.05   ? specials[rng() % specials.size()]
               : p < 0.30 ? jittest::randomAnyMagnitude(t, rng)
                          : uniform(rng));
  }
  return a;
}

std::string sourceOf(const Inputs &inputs, const std::string &expr) {
  std::string params;
  for (const auto &[name, type] : inputs)
    params += (params.empty() ? "" : ", ") + name;
  return fmt::format("lambda {}: {}", params, expr);
}

std::optional<Program> checked(const std::string &source, const Inputs &inputs) {
  std::string error;
  auto program = jittest::compileSource(source, inputs, error);
  CHECK_MESSAGE(program.has_value(), error);
  return program;
}

std::shared_ptr<const driver::Kernel> kernelFor(const Program &program) {
  std::string error;
  auto kernel = jittest::compileKernel(program, error);
  if (!kernel && isKnownCompileBug(error))
    return nullptr;
  CHECK_MESSAGE(kernel != nullptr, error);
  return kernel;
}

std::vector<Array> jitOutputs(const Program &program, const driver::Kernel &kernel,
                              const std::vector<Array> &arrays, Executor &executor) {
  Outcome out = jittest::runKernel(program, kernel, arrays, executor);
  CHECK_MESSAGE(out.outputs.has_value(), program.source << ": " << out.diagnostics);
  return out.outputs ? *out.outputs : std::vector<Array>{};
}

void runCases(const std::vector<KernelCase> &cases) {
  // The generators of cases that continue one another, by name.
  std::map<std::string, std::mt19937_64> streams;
  for (const KernelCase &c : cases) {
    auto program = checked(sourceOf(c.inputs, c.expr), c.inputs);
    if (c.required)
      REQUIRE(program);
    if (!program)
      continue;
    std::string error;
    auto kernel = jittest::compileKernel(*program, error,
                                         c.options ? *c.options : jittest::testCompileOptions());
    if (!kernel && isKnownCompileBug(error))
      continue;
    if (c.required)
      REQUIRE_MESSAGE(kernel != nullptr, error);
    CHECK_MESSAGE(kernel != nullptr, error);
    if (!kernel)
      continue;
    if (!c.planHas.empty())
      CHECK_MESSAGE(kernel->planText().find(c.planHas) != std::string::npos,
                    c.label << "\n"
                            << kernel->planText());
    const std::string &name = c.seedName.empty() ? c.label : c.seedName;
    std::mt19937_64 fresh = rngFor(name);
    std::mt19937_64 &rng = c.continues ? streams.try_emplace(name, fresh).first->second : fresh;
    for (const Call &call : c.draw(rng))
      runCall(c, *program, *kernel, call);
  }
}

} // namespace lamina::jitdiff
