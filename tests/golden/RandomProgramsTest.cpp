// Random well-typed programs through sema and the interpreter.
//
//   lamina_random_programs_test [COUNT] [SEED]
//
// Each program is an expression of depth at most 6 over inputs `x: f32[B, 4]`,
// `y: f32[4]` and `i: i32[B, 4]`: elementwise builtins and operators, broadcasting,
// reductions with keepdims, reversed slices, concat/split, where, casts. Every program must
//  * check without a diagnostic, for symbolic and for concrete input types, and verify;
//  * run on arrays of every batch size 0, 1 and 3 without a diagnostic;
//  * give bit-identical results whether it was checked for `B` or for the actual sizes: the
//    symbolic function, specialised at run time, means exactly what the concrete one means.
// The seed is printed first; pass it back to replay a failure.

#include "compiler/interp/Interpreter.h"
#include "compiler/parse/Parse.h"
#include "compiler/sema/Sema.h"
#include "compiler/types/Elements.h"

#include <fmt/format.h>

#include <chrono>
#include <cstring>
#include <random>
#include <string>

using namespace lamina;

namespace {

class Generator {
public:
  explicit Generator(uint64_t seed) : rng_(seed) {}

  // A float expression of shape [B, 4]: every case keeps that shape, so any case may nest in
  // any other (reductions are broadcast back against their operand). Subexpressions are made
  // into locals first, in order: the order of function arguments is unspecified in C++, and
  // a seed must give the same program with every compiler.
  std::string floatExpr(int depth) {
    if (depth == 0)
      return leaf();
    size_t form = pick(12);
    std::string a = floatExpr(depth - 1);
    switch (form) {
    case 0:
      return fmt::format("{}({})", choose(kUnary), a);
    case 1: {
      const char *op = choose(kOperators);
      return fmt::format("({} {} {})", a, op, floatExpr(depth - 1));
    }
    case 2: {
      const char *fn = choose(kBinary);
      return fmt::format("{}({}, {})", fn, a, floatExpr(depth - 1));
    }
    case 3: {
      const char *fn = choose(kReductions);
      return fmt::format("({} - {}({}, axis={}, keepdims=True))", a, fn, a,
                         pick(2) ? "-1" : "(0, 1)");
    }
    case 4: {
      std::string b = floatExpr(depth - 1), c = floatExpr(depth - 1);
      return fmt::format("where({} > {}, {}, {})", a, b, c, floatExpr(depth - 1));
    }
    case 5:
      return fmt::format("({})[:, ::-1]", a);
    case 6: // split in two halves and join them back the other way round
      return fmt::format("concat(split({}, 2, axis=1)[::-1], axis=1)", a);
    case 7:
      return fmt::format("(cast({} // 3, 'float32') + {})", intExpr(depth - 1), a);
    case 8:
      return fmt::format("softmax({}, axis={})", a, pick(2) ? "-1" : "1");
    case 9: {
      size_t lo = pick(3);
      return fmt::format("clip({}, -{}.5, {}.0)", a, lo, 1 + pick(3));
    }
    case 10:
      return fmt::format("({} * {})", a, constant());
    default:
      return fmt::format("l2_normalize({}, axis=1)", a);
    }
  }

  // An i32 expression of shape [B, 4].
  std::string intExpr(int depth) {
    if (depth == 0 || pick(3) == 0)
      return pick(2) ? "i" : "(i * 3)";
    size_t form = pick(4);
    std::string a = intExpr(depth - 1);
    switch (form) {
    case 0: {
      const char *op = choose(kIntOperators);
      return fmt::format("({} {} {})", a, op, intExpr(depth - 1));
    }
    case 1:
      return fmt::format("maximum({}, {})", a, intExpr(depth - 1));
    case 2:
      return fmt::format("(cast({}, 'int32') + {})", floatExpr(depth - 1), a);
    default:
      return fmt::format("({} - sum({}, axis=1, keepdims=True))", a, a);
    }
  }

private:
  static constexpr const char *kUnary[] = {"exp",      "tanh",  "abs",      "relu", "sigmoid",
                                           "sqrt",     "log1p", "softplus", "gelu", "elu",
                                           "negative", "floor", "sin",      "erf",  "square"};
  static constexpr const char *kOperators[] = {"+", "-", "*", "/", "%", "//"};
  static constexpr const char *kIntOperators[] = {"+", "-", "*", "//", "%"};
  static constexpr const char *kBinary[] = {"maximum", "minimum", "atan2", "pow"};
  static constexpr const char *kReductions[] = {"sum", "mean", "max", "min", "logsumexp", "std"};

  template <size_t N> const char *choose(const char *const (&options)[N]) {
    return options[pick(N)];
  }
  size_t pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }
  std::string constant() {
    static constexpr const char *kValues[] = {"0.5", "2", "-1.25", "1e-3", "3.0", "0.0"};
    return choose(kValues);
  }
  std::string leaf() {
    switch (pick(5)) {
    case 0:
      return "(x + y)";
    case 1:
      return fmt::format("(x * {})", constant());
    case 2:
      return "cast(i, 'float32')";
    default:
      return "x";
    }
  }

  std::mt19937_64 rng_;
};

Array randomArray(DType dtype, std::vector<int64_t> shape, std::mt19937_64 &rng) {
  Array a = makeArray(dtype, std::move(shape));
  std::uniform_real_distribution<double> value(-4.0, 4.0);
  for (int64_t k = 0; k < a.elementCount(); ++k)
    isFloat(dtype) ? storeFloat(a, k, value(rng)) : storeInt(a, k, int64_t(value(rng) * 5));
  return a;
}

struct Checked {
  std::optional<ir::Function> fn;
  std::string diagnostics;
};

Checked check(const SourceFile &file, const ast::Module &module,
              const std::vector<InputBinding> &inputs) {
  CollectingConsumer consumer;
  DiagnosticEngine diags(consumer);
  SemaRequest request;
  request.inputs = inputs;
  Checked out{analyze(module, file, request, diags), {}};
  for (const Diagnostic &d : consumer.diagnostics)
    out.diagnostics += d.message + "; ";
  if (out.fn)
    if (std::string problem = ir::verify(*out.fn); !problem.empty())
      out.diagnostics += "verify: " + problem;
  return out;
}

std::optional<std::vector<Array>> run(const SourceFile &file, const ir::Function &fn,
                                      const std::vector<Array> &arrays, std::string &error) {
  CollectingConsumer consumer;
  DiagnosticEngine diags(consumer);
  std::vector<Array> inputs;
  for (const ir::InputDecl &in : fn.inputs)
    inputs.push_back(arrays[in.binding]);
  auto outputs = interpret(fn, inputs, {}, file, diags);
  for (const Diagnostic &d : consumer.diagnostics)
    error += d.message + "; ";
  return outputs;
}

bool sameBits(const Array &a, const Array &b) {
  return a.dtype == b.dtype && a.shape == b.shape && a.bytes == b.bytes;
}

// One program: returns "" or what went wrong.
std::string testProgram(const std::string &source, std::mt19937_64 &rng) {
  SourceFile file("<random>", source);
  CollectingConsumer consumer;
  DiagnosticEngine diags(consumer);
  auto module = parse(file, diags);
  if (!module)
    return "does not parse: " +
           (consumer.diagnostics.empty() ? "" : consumer.diagnostics[0].message);
  Shape batch{Dim::symbol("B"), 4};
  Checked symbolic =
      check(file, *module,
            {{"x", {DType::F32, batch}}, {"y", {DType::F32, {4}}}, {"i", {DType::I32, batch}}});
  if (!symbolic.fn || !symbolic.diagnostics.empty())
    return "symbolic check: " + symbolic.diagnostics;
  for (int64_t b : {0, 1, 3}) {
    std::vector<Array> arrays{randomArray(DType::F32, {b, 4}, rng),
                              randomArray(DType::F32, {4}, rng),
                              randomArray(DType::I32, {b, 4}, rng)};
    Checked concrete =
        check(file, *module,
              {{"x", {DType::F32, {b, 4}}}, {"y", {DType::F32, {4}}}, {"i", {DType::I32, {b, 4}}}});
    if (!concrete.fn || !concrete.diagnostics.empty())
      return fmt::format("concrete check (B={}): {}", b, concrete.diagnostics);
    std::string error;
    auto viaSymbols = run(file, *symbolic.fn, arrays, error);
    auto direct = run(file, *concrete.fn, arrays, error);
    if (!viaSymbols || !direct)
      return fmt::format("run (B={}): {}", b, error);
    if (viaSymbols->size() != direct->size())
      return "different output counts";
    for (size_t k = 0; k < direct->size(); ++k)
      if (!sameBits((*viaSymbols)[k], (*direct)[k]))
        return fmt::format("B={}: output {} differs between the symbolic and the concrete function",
                           b, k);
  }
  return "";
}

} // namespace

int main(int argc, char **argv) {
  int count = argc > 1 ? std::atoi(argv[1]) : 2000;
  uint64_t seed = argc > 2 ? std::strtoull(argv[2], nullptr, 10)
                           : uint64_t(std::chrono::steady_clock::now().time_since_epoch().count());
  fmt::print("random programs: seed {} (replay: lamina_random_programs_test {} {})\n", seed, count,
             seed);
  Generator generator(seed);
  std::mt19937_64 rng(seed ^ 0x5DEECE66Dull);
  int failed = 0;
  for (int n = 0; n < count; ++n) {
    std::string source = "lambda x, y, i: " + generator.floatExpr(1 + int(rng() % 6));
    std::string problem = testProgram(source, rng);
    if (!problem.empty() && ++failed <= 10)
      fmt::print("FAIL program {} of seed {}: {}\n  {}\n", n, seed, problem, source);
  }
  fmt::print("random programs: {} of {} passed\n", count - failed, count);
  return failed == 0 ? 0 : 1;
}
