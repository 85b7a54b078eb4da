#pragma once

// The C++ API's exception boundary. A host sees failures as lamina::Error only
// (docs/embedding.md, "Errors"): an allocation that fails deep inside the compiler, a config
// reader or a file reader must not reach it as std::bad_alloc, which it could not tell from
// its own and which carries no code. Every public entry point that allocates runs its body
// through guarded(); a constructor, whose member initialisers a body cannot wrap, uses a
// function-try-block whose handler calls rethrowAtBoundary(). One translation, in one place.

#include <utility>

namespace lamina {

/// Called from a catch handler: std::bad_alloc (and std::length_error, a size past what a
/// container can hold) becomes lamina::Error E0706 naming `entry`; std::bad_weak_ptr, which
/// only a bug in lamina could raise, becomes E0007. Anything else is rethrown unchanged.
[[noreturn]] void rethrowAtBoundary(const char *entry);

/// Runs `body` (the whole of public entry point `entry`) and returns its result.
template <class Body> decltype(auto) guarded(const char *entry, Body &&body) {
  try {
    return std::forward<Body>(body)();
  } catch (...) {
    rethrowAtBoundary(entry);
  }
}

} // namespace lamina
