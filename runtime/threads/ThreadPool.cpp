#include "runtime/threads/ThreadPool.h"

#include <algorithm>
#include <map>
#include <memory>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace lamina {

namespace {

// Set while this thread runs a loop body (worker threads always), so that a nested parallelFor
// runs inline instead of queueing behind the loop that contains it.
thread_local bool tInsideBody = false;

class InsideBody {
public:
  InsideBody() : previous_(tInsideBody) { tInsideBody = true; }
  ~InsideBody() { tInsideBody = previous_; }
  InsideBody(const InsideBody &) = delete;
  InsideBody &operator=(const InsideBody &) = delete;

private:
  bool previous_;
};

// The layout of ThreadPool::state_.
constexpr uint64_t kClosed = uint64_t(1) << 31;
constexpr uint64_t kActiveMask = kClosed - 1;
constexpr unsigned epochOf(uint64_t state) { return unsigned(state >> 32); }
constexpr uint64_t activeOf(uint64_t state) { return state & kActiveMask; }
constexpr uint64_t makeState(unsigned epoch, uint64_t flags) {
  return uint64_t(epoch) << 32 | flags;
}

// Tells the core this is a spin loop: saves power and lets the sibling hyperthread run.
inline void cpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// Runs every piece on the calling thread, in order: the same partition as a parallel run.
// noexcept like the parallel path, so a throwing body fails the same way whichever path runs it.
void runInline(int64_t n, int64_t pieces, LoopBody body) noexcept {
  InsideBody inside;
  for (int64_t i = 0; i < pieces; ++i)
    body(chunkBegin(n, pieces, i), chunkBegin(n, pieces, i + 1));
}

} // namespace

ThreadPool::ThreadPool(unsigned threads, std::chrono::microseconds spin)
    : spin_(spin), state_(makeState(0, kClosed)) {
  const unsigned workers = std::max(threads, 1u) - 1;
  workers_.reserve(workers);
  try {
    for (unsigned i = 0; i < workers; ++i)
      // Epoch 0 is the closed state set above, so a worker that starts late still sees the
      // first loop as new.
      workers_.emplace_back([this] { workerLoop(0); });
  } catch (...) {
    // std::thread's destructor terminates on a joinable thread: stop the ones started.
    stopWorkers();
    throw;
  }
}

ThreadPool::~ThreadPool() { stopWorkers(); }

void ThreadPool::stopWorkers() noexcept {
  stopping_.store(true, std::memory_order_relaxed);
  publish(makeState(epochOf(state_.load(std::memory_order_relaxed)) + 1, kClosed));
  for (std::thread &worker : workers_)
    worker.join();
  workers_.clear();
}

void ThreadPool::parallelFor(int64_t n, int64_t chunks, LoopBody body) {
  const int64_t pieces = chunkCount(n, chunks);
  if (pieces == 0)
    return;
  // Inline when there is nothing to share, when called from inside a body (the other threads
  // are busy with the enclosing loop), or when another thread's loop holds the pool: waiting
  // for it would serialize the callers and could deadlock if that loop waits on this caller.
  if (pieces == 1 || workers_.empty() || tInsideBody ||
      busy_.exchange(true, std::memory_order_acquire)) {
    runInline(n, pieces, body);
    return;
  }

  // No worker is inside a loop now (the previous owner waited for them to leave), so the fields
  // can be written; publish() then releases them to the workers that join.
  body_ = &body;
  n_ = n;
  pieces_ = pieces;
  nextPiece_.store(0, std::memory_order_relaxed);
  publish(makeState(epochOf(state_.load(std::memory_order_relaxed)) + 1, 0));
  {
    InsideBody inside;
    runPieces();
  }
  // Every piece is claimed; close the loop so that late workers do not join, then wait for the
  // ones inside to finish their last pieces.
  state_.fetch_or(kClosed, std::memory_order_relaxed);
  waitForWorkersToLeave();
  body_ = nullptr;
  busy_.store(false, std::memory_order_release);
}

void ThreadPool::publish(uint64_t state) noexcept {
  // Sequentially consistent, paired with the sleeping worker's increment of sleepers_ and
  // reload of state_: either that worker sees the new epoch, or this thread sees it asleep and
  // wakes it. The lock makes sure a worker seen asleep is already waiting on wakeUp_.
  state_.store(state, std::memory_order_seq_cst);
  if (sleepers_.load(std::memory_order_seq_cst) > 0) {
    { std::lock_guard<std::mutex> lock(sleepMutex_); }
    wakeUp_.notify_all();
  }
}

void ThreadPool::runPieces() noexcept {
  // noexcept: a throwing body terminates here rather than leaving other threads in the loop.
  for (;;) {
    const int64_t i = nextPiece_.fetch_add(1, std::memory_order_relaxed);
    if (i >= pieces_)
      return;
    (*body_)(chunkBegin(n_, pieces_, i), chunkBegin(n_, pieces_, i + 1));
  }
}

void ThreadPool::waitForWorkersToLeave() noexcept {
  // The workers inside are running at most one piece each. Spin at first (about 25 us: the join
  // is on the critical path), then yield so that on a loaded machine a preempted worker can get
  // the core back.
  for (unsigned spins = 0; activeOf(state_.load(std::memory_order_acquire)) != 0; ++spins) {
    if (spins < 1024)
      cpuRelax();
    else
      std::this_thread::yield();
  }
}

void ThreadPool::workerLoop(unsigned seenEpoch) noexcept {
  tInsideBody = true;
  for (;;) {
    const uint64_t state = waitForNewEpoch(seenEpoch);
    if (stopping_.load(std::memory_order_relaxed))
      return;
    seenEpoch = epochOf(state);
    if (tryJoin(state)) {
      runPieces();
      // Release: the pieces' writes and this worker's last reads of the fields happen before
      // the owner sees the count drop and returns.
      state_.fetch_sub(1, std::memory_order_release);
    }
  }
}

uint64_t ThreadPool::waitForNewEpoch(unsigned seenEpoch) noexcept {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point deadline = Clock::now() + spin_;
  for (unsigned spins = 1;; ++spins) {
    const uint64_t state = state_.load(std::memory_order_acquire);
    if (epochOf(state) != seenEpoch)
      return state;
    // Reading the clock costs about as much as a few pauses; check it now and then.
    if (spins % 64 == 0 && Clock::now() >= deadline)
      break;
    cpuRelax();
  }
  std::unique_lock<std::mutex> lock(sleepMutex_);
  sleepers_.fetch_add(1, std::memory_order_seq_cst);
  uint64_t state = 0;
  wakeUp_.wait(lock, [&] {
    state = state_.load(std::memory_order_seq_cst);
    return epochOf(state) != seenEpoch;
  });
  sleepers_.fetch_sub(1, std::memory_order_relaxed);
  return state;
}

bool ThreadPool::tryJoin(uint64_t state) noexcept {
  // Joining is one compare-and-swap on the whole word, so it fails if the loop was closed or
  // replaced since the worker saw it; acquire makes the owner's fields visible.
  const unsigned epoch = epochOf(state);
  while ((state & kClosed) == 0 && epochOf(state) == epoch) {
    if (state_.compare_exchange_weak(state, state + 1, std::memory_order_acquire,
                                     std::memory_order_relaxed))
      return true;
  }
  return false;
}

Executor &executorWithThreads(unsigned threads) {
  threads = std::max(threads, 1u);
  // Never destroyed: a pool joined during static destruction could wait on a host thread still
  // running a kernel, and workers blocked at exit cost nothing.
  static std::mutex *mutex = new std::mutex;
  static auto *pools = new std::map<unsigned, std::unique_ptr<ThreadPool>>;
  std::lock_guard<std::mutex> lock(*mutex);
  std::unique_ptr<ThreadPool> &pool = (*pools)[threads];
  if (!pool)
    pool = std::make_unique<ThreadPool>(threads);
  return *pool;
}

Executor &defaultExecutor() {
  static Executor &executor = executorWithThreads(std::thread::hardware_concurrency());
  return executor;
}

} // namespace lamina
