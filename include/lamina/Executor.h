#pragma once

// Where compiled kernels run their parallel loops. Kernels only ever see an Executor, so a host
// application can plug in its own scheduler (TBB, a game engine's job system...) instead of
// lamina's ThreadPool (ComputeOptions::executor). Public, and C++17 like every public header;
// the JIT, below the runtime, includes it for the same reason a host does.

#include "lamina/Export.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <type_traits>
#include <utility>

namespace lamina {

template <class Signature> class FunctionRef;

/// A non-owning reference to a callable: two words, no allocation, one indirect call. It is
/// for the hot path (a loop body handed to parallelFor), where std::function's possible heap
/// allocation and copy would cost more than a small kernel. The callable must outlive the
/// FunctionRef; passing a lambda straight to a function taking a FunctionRef is always safe.
template <class R, class... Args> class FunctionRef<R(Args...)> {
public:
  template <class F, class = std::enable_if_t<!std::is_same_v<std::decay_t<F>, FunctionRef> &&
                                              std::is_object_v<std::remove_reference_t<F>> &&
                                              std::is_invocable_r_v<R, F &, Args...>>>
  FunctionRef(F &&callable) noexcept // NOLINT(google-explicit-constructor): takes lambdas
      : object_(const_cast<void *>(static_cast<const void *>(std::addressof(callable)))),
        call_(&invoke<std::remove_reference_t<F>>) {}

  R operator()(Args... args) const { return call_(object_, std::forward<Args>(args)...); }

private:
  template <class T> static R invoke(void *object, Args... args) {
    T &callable = *static_cast<T *>(object);
    if constexpr (std::is_void_v<R>)
      std::invoke(callable, std::forward<Args>(args)...);
    else
      return std::invoke(callable, std::forward<Args>(args)...);
  }

  void *object_;
  R (*call_)(void *, Args...);
};

/// The loop body of a parallelFor: runs the iterations [begin, end).
using LoopBody = FunctionRef<void(int64_t begin, int64_t end)>;

/// The most pieces a loop is split into; more would only add claiming overhead, and the bound
/// keeps chunkBegin's arithmetic within 64 bits.
inline constexpr int64_t kMaxChunks = int64_t(1) << 31;

/// How many pieces parallelFor(n, chunks, ...) runs: `chunks` clamped to [1, min(n, kMaxChunks)],
/// or 0 when n <= 0. Asking for more chunks than iterations gives one iteration per piece, so
/// no body is ever called with an empty range.
inline int64_t chunkCount(int64_t n, int64_t chunks) {
  if (n <= 0)
    return 0;
  return std::clamp<int64_t>(chunks, 1, std::min(n, kMaxChunks));
}

/// Where piece i of `pieces` (a chunkCount result, i in [0, pieces]) starts: floor(n * i / pieces),
/// computed without the 128-bit product. Piece i covers [chunkBegin(i), chunkBegin(i + 1)). The
/// partition depends only on n and the chunk count, never on threads or timing, so a kernel
/// that keeps one partial result per piece gets the same answer on every run.
inline int64_t chunkBegin(int64_t n, int64_t pieces, int64_t i) {
  // n * i / pieces == (q * pieces + r) * i / pieces == q * i + r * i / pieces, and
  // r * i < pieces * pieces <= 2^62.
  const int64_t q = n / pieces;
  const int64_t r = n % pieces;
  return q * i + r * i / pieces;
}

/// Runs the parallel loops of kernels. Implementations must be safe to call from several
/// threads at once.
class LAMINA_API Executor {
public:
  virtual ~Executor() = default;

  /// How many threads may work on one parallelFor at once, the calling thread included.
  /// Kernels use it to choose their chunk count.
  virtual unsigned concurrency() const = 0;

  /// Calls body(begin, end) once for each piece i < chunkCount(n, chunks), covering
  /// [chunkBegin(i), chunkBegin(i + 1)), possibly concurrently, and returns when all have run.
  /// `chunks` is the most pieces to split into: the caller decides granularity. The calling
  /// thread takes part. Must be safe to call from several threads at once and from inside a
  /// body; a nested call runs inline on the calling thread (no deadlock, no oversubscription).
  ///
  /// Bodies must not throw (compiled kernels never do): an exception escaping a body calls
  /// std::terminate, because the other pieces may still be running on other threads.
  virtual void parallelFor(int64_t n, int64_t chunks, LoopBody body) = 0;
};

} // namespace lamina
