// The JIT against the reference interpreter, builtin by builtin (docs/performance.md,
// "Vector math").
//
//   lamina_jit_differential_test [--seed=N] [doctest options]
//
// Every unary builtin and operator runs on every float dtype and on the integer dtypes the
// language accepts, over the special values of the dtype (NaN with payloads, ±Inf, ±0,
// subnormals, the limits, ±1, ±0.5, halfway cases, the overflow thresholds), over random
// values of every magnitude, and at the lengths 0, 1, 7, 8, 9, 15, 16 and 17 around the vector
// widths (8 lanes with AVX, 16 with AVX-512).
// The 1000003-element length runs for a representative subset only ("long vectors"): one
// elementwise op per code path (plain arithmetic, a polynomial transcendental, one with range
// reduction, a rounding op, a cast) and one of each reduction kind, in f32 and f64 — the
// interpreter needs about a tenth of a second per op at that size, and the whole suite must
// stay under a minute in a release build.
//
// Comparison rules (JitTestSupport.h): bit-exact for arithmetic, comparisons, select,
// rounding, sqrt, casts and shape operations; within ulpBound() ULPs (compiler/codegen/
// VectorMath.h; f16/bf16 results one more ULP of their own format) for transcendental
// functions; composites that build on them (sigmoid, softplus, gelu, ...) within a relative
// 1e-5 (f32), 1e-12 (f64) or four ULPs of the 16-bit format, plus a few subnormals of absolute
// floor; float reductions within 1e-5 (f32) or 1e-12 (f64) times the sum of the |finite
// terms|, because the JIT accumulates in several vector accumulators in another order (and
// without a bound where that sum reaches the accumulator's overflow). Their inputs have no huge
// finite values, whose overflow depends on that order.
//
// The cases are data: the tables in DifferentialElementwise.cpp, DifferentialShapes.cpp,
// DifferentialReductions.cpp, DifferentialProducts.cpp and DifferentialExecution.cpp give, row
// by row, the expression, the dtypes it runs on, how its inputs are drawn, its tolerance rule
// and its lengths or shapes; DifferentialDriver.cpp compiles each row, runs both engines and
// compares them. The run ends with how many kernels, calls and outputs it compared.
//
// JIT bugs found and not fixed yet are listed under KNOWN-BUG in DifferentialDriver.cpp:
// their checks are skipped and counted, and the first report of each is printed at the end.
//
// Random data comes from one seed, printed first; `--seed=N` replays a run. Each test case
// derives its own generator from the seed and its name, so `-tc=NAME --seed=N` replays one.

#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include "DifferentialDriver.h"

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

int main(int argc, char **argv) {
  using namespace lamina;
  jitdiff::setSeed(uint64_t(std::chrono::steady_clock::now().time_since_epoch().count()));
  std::vector<char *> args;
  for (int k = 0; k < argc; ++k) {
    std::string_view a = argv[k];
    if (a.starts_with("--seed="))
      jitdiff::setSeed(std::strtoull(argv[k] + 7, nullptr, 10));
    else
      args.push_back(argv[k]);
  }
  fmt::print("jit differential: seed {} (replay: lamina_jit_differential_test --seed={})\n",
             jitdiff::seed(), jitdiff::seed());
  std::fflush(stdout);
  doctest::Context context(int(args.size()), args.data());
  int status = context.run();
  jitdiff::printSummary();
  return status;
}
