// lamina_jit_random_test [COUNT] [SEED] [--verbose]: RandomPrograms.h says what is generated
// and how the engines are compared.
//
// The seed is printed first; pass it back to replay (--verbose lists every program). On a
// failure the program, its inputs and the mismatch are printed, and the exit code is 1.

#include "RandomPrograms.h"

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string_view>

using namespace lamina;

int main(int argc, char **argv) {
  int count = argc > 1 ? std::atoi(argv[1]) : 2000;
  uint64_t seed = argc > 2 ? std::strtoull(argv[2], nullptr, 10)
                           : uint64_t(std::chrono::steady_clock::now().time_since_epoch().count());
  bool verbose = argc > 3 && std::string_view(argv[3]) == "--verbose";
  fmt::print("jit random programs: seed {} (replay: lamina_jit_random_test {} {})\n", seed, count,
             seed);
  std::fflush(stdout);
  jittest::RandomPrograms programs(seed);
  int failed = 0, skipped = 0;
  int rules[4] = {};
  static constexpr const char *kRuleNames[] = {"exact", "bounded", "ulp", "sum"};
  auto start = std::chrono::steady_clock::now();
  for (int n = 0; n < count; ++n) {
    jittest::RandomPrograms::Result r = programs.next(n);
    for (const jittest::RandomPrograms::RootInfo &root : r.roots) {
      ++rules[root.rule];
      if (verbose)
        fmt::print("{} [{}{}] {}\n", n, kRuleNames[root.rule],
                   root.rule == 1 ? fmt::format(" {:.3g}", root.err) : "", root.text);
    }
    skipped += r.skipped;
    if (!r.problem.empty() && ++failed <= 10)
      fmt::print("{}\n\n", r.problem);
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  fmt::print("jit random programs: {} of {} passed, {} failed, {} skipped (KNOWN-BUG) in {:.1f} "
             "s (seed {})\n",
             count - failed - skipped, count, failed, skipped, seconds, seed);
  fmt::print("  outputs compared: {} exactly, {} within an error bound, {} within ULPs, {} "
             "against sum(|terms|)\n",
             rules[0], rules[1], rules[2], rules[3]);
  return failed == 0 ? 0 : 1;
}
