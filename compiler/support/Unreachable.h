#pragma once

// LAMINA_UNREACHABLE("why"): a case no input can reach (a programmer error, like an assert).
// Switches over Op, NodeKind and DType list every enumerator and end the impossible ones here
// instead of in a `default:`, so the compiler (-Wswitch) names any case a new enumerator
// leaves out, and an impossible one stops the process, named, in every build - never a silent
// 0 or identity that would give wrong numbers.

#include <cstdio>
#include <cstdlib>

namespace lamina::detail {

[[noreturn]] inline void unreachable(const char *why, const char *file, int line) {
  std::fprintf(stderr, "lamina: internal error at %s:%d: unreachable: %s; please report this\n",
               file, line, why);
  std::abort();
}

} // namespace lamina::detail

#define LAMINA_UNREACHABLE(why) ::lamina::detail::unreachable(why, __FILE__, __LINE__)
