#pragma once

// lamina's own Executor: a fixed set of worker threads that kernels split their outer loops over.
// A fork/join must cost about a microsecond (docs/architecture.md, "Runtime"), so idle workers
// spin briefly before they block, and chunks are claimed from an atomic counter rather than
// assigned.

#include "lamina/Executor.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace lamina {

class ThreadPool final : public Executor {
public:
  /// How long an idle worker spins, waiting for the next parallelFor, before it blocks. On the
  /// 2-core KVM machines a blocked worker took about 25 us to wake (its vCPU halts) against
  /// 0.3 us for a spinning one, so the spin outlasts the gaps between back-to-back kernel calls
  /// (a benchmark loop, the layers of a model); after it, an idle pool uses no CPU.
  static constexpr std::chrono::microseconds kDefaultSpin{50};

  /// A pool in which `threads` threads work on each loop: the caller and `threads - 1` workers.
  /// threads <= 1 starts no worker and runs every loop inline. `spin` is the idle workers' spin
  /// before blocking (tests use zero to exercise the blocking path).
  explicit ThreadPool(unsigned threads, std::chrono::microseconds spin = kDefaultSpin);
  /// Joins the workers. No parallelFor may be running on this pool.
  ~ThreadPool() override;

  ThreadPool(const ThreadPool &) = delete;
  ThreadPool &operator=(const ThreadPool &) = delete;

  unsigned concurrency() const override { return unsigned(workers_.size()) + 1; }

  /// One loop at a time per pool: a caller that finds the pool busy with another thread's loop
  /// runs its own inline instead of waiting, so concurrent callers never wait on each other's
  /// work, and a nested call (from inside a body) always runs inline.
  void parallelFor(int64_t n, int64_t chunks, LoopBody body) override;

private:
  void workerLoop(unsigned seenEpoch) noexcept;
  uint64_t waitForNewEpoch(unsigned seenEpoch) noexcept;
  bool tryJoin(uint64_t state) noexcept;
  void runPieces() noexcept;
  void waitForWorkersToLeave() noexcept;
  void publish(uint64_t state) noexcept;
  void stopWorkers() noexcept;

  // Keeps the word workers spin on away from the one they write while claiming pieces, and
  // both away from the read-only fields.
  static constexpr size_t kCacheLine = 64;

  // The current loop, written only by the thread holding busy_ while no worker is inside it.
  const LoopBody *body_ = nullptr;
  int64_t n_ = 0;
  int64_t pieces_ = 0;
  std::chrono::microseconds spin_;
  std::vector<std::thread> workers_;
  std::atomic<bool> stopping_{false};

  // Taken for the duration of one loop; see parallelFor.
  alignas(kCacheLine) std::atomic<bool> busy_{false};
  // The next piece to claim.
  alignas(kCacheLine) std::atomic<int64_t> nextPiece_{0};
  // Epoch of the current loop (high 32 bits), whether it is closed to new workers (bit 31), and
  // how many workers are inside it (low bits). One word, so that a worker joins a loop only if
  // it is still the one it saw and still open: its fields are then stable until it leaves.
  alignas(kCacheLine) std::atomic<uint64_t> state_;
  // Workers that gave up spinning block here; sleepers_ lets parallelFor skip the notify (a
  // system call) when every worker is still spinning.
  alignas(kCacheLine) std::atomic<unsigned> sleepers_{0};
  std::mutex sleepMutex_;
  std::condition_variable wakeUp_;
};

/// The process-wide pool, created on first use with std::thread::hardware_concurrency()
/// threads. Configuration stays explicit: no environment variable changes it.
Executor &defaultExecutor();

/// A pool of `threads` threads, created on first use and shared by every caller asking for the
/// same count (so `--threads 1` and `--threads 2` in one process reuse their pools); threads <= 1
/// runs everything inline on the caller. The pools live until the process exits.
Executor &executorWithThreads(unsigned threads);

} // namespace lamina
