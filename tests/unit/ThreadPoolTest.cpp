// The thread pool kernels split their outer loops over: every index runs exactly once, in the
// documented pieces; concurrent, nested and blocked-out callers all complete; a pool of one
// thread runs inline; a pool of two really uses two threads. Run under TSan too.

#include "runtime/threads/ThreadPool.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <set>
#include <thread>
#include <utility>
#include <vector>

using namespace lamina;
using namespace std::chrono_literals;

namespace {

using Range = std::pair<int64_t, int64_t>;

/// Runs one loop and checks it: every index of [0, n) once, and the pieces exactly the
/// documented partition (so none is empty).
void checkCoverage(Executor &executor, int64_t n, int64_t chunks) {
  CAPTURE(n);
  CAPTURE(chunks);
  std::vector<std::atomic<int>> hits(size_t(std::max<int64_t>(n, 0)));
  std::mutex mutex;
  std::vector<Range> ranges;
  executor.parallelFor(n, chunks, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i)
      hits[size_t(i)].fetch_add(1, std::memory_order_relaxed);
    std::lock_guard<std::mutex> lock(mutex);
    ranges.emplace_back(begin, end);
  });
  CHECK(std::count_if(hits.begin(), hits.end(),
                      [](const std::atomic<int> &h) { return h.load() != 1; }) == 0);
  const int64_t pieces = chunkCount(n, chunks);
  REQUIRE(int64_t(ranges.size()) == pieces);
  std::sort(ranges.begin(), ranges.end());
  for (int64_t i = 0; i < pieces; ++i) {
    CHECK(ranges[size_t(i)] == Range{chunkBegin(n, pieces, i), chunkBegin(n, pieces, i + 1)});
    CHECK(ranges[size_t(i)].first < ranges[size_t(i)].second);
  }
}

/// Busy-waits for `duration`: work a sleeping thread could not overlap with.
void spinFor(std::chrono::microseconds duration) {
  const auto end = std::chrono::steady_clock::now() + duration;
  while (std::chrono::steady_clock::now() < end) {
  }
}

int64_t triangle(int64_t n) { return n * (n - 1) / 2; }

/// Sums [0, n) with the executor; the sum is only right if every index ran once.
int64_t parallelSum(Executor &executor, int64_t n, int64_t chunks) {
  std::atomic<int64_t> sum{0};
  executor.parallelFor(n, chunks, [&](int64_t begin, int64_t end) {
    int64_t local = 0;
    for (int64_t i = begin; i < end; ++i)
      local += i;
    sum.fetch_add(local, std::memory_order_relaxed);
  });
  return sum.load();
}

int twice(int x) { return 2 * x; }

} // namespace

TEST_CASE("ThreadPool: FunctionRef calls lambdas, mutable state and function pointers") {
  int calls = 0;
  auto count = [&calls](int by) { calls += by; };
  FunctionRef<void(int)> countRef = count;
  countRef(2);
  countRef(3);
  CHECK(calls == 5);

  const auto square = [](int x) { return x * x; };
  FunctionRef<int(int)> squareRef = square;
  CHECK(squareRef(7) == 49);

  int (*pointer)(int) = &twice;
  FunctionRef<int(int)> pointerRef = pointer;
  CHECK(pointerRef(21) == 42);

  // A result convertible to the declared one, and a discarded result.
  FunctionRef<long(int)> widened = square;
  CHECK(widened(3) == 9L);
  FunctionRef<void(int)> discarded = square;
  discarded(1);
  CHECK(sizeof(FunctionRef<void(int64_t, int64_t)>) == 2 * sizeof(void *));
}

TEST_CASE("ThreadPool: chunkCount and chunkBegin give the documented partition") {
  CHECK(chunkCount(0, 4) == 0);
  CHECK(chunkCount(-5, 4) == 0);
  CHECK(chunkCount(10, 0) == 1);
  CHECK(chunkCount(10, -3) == 1);
  CHECK(chunkCount(10, 4) == 4);
  CHECK(chunkCount(3, 100) == 3);
  CHECK(chunkCount(int64_t(1) << 40, int64_t(1) << 40) == kMaxChunks);

  for (int64_t n : {1, 2, 7, 100, 1001})
    for (int64_t pieces = 1; pieces <= n && pieces <= 64; ++pieces)
      for (int64_t i = 0; i <= pieces; ++i)
        REQUIRE(chunkBegin(n, pieces, i) == n * i / pieces);

  // Near the top of int64_t, where n * i would overflow: the ends are exact and the pieces
  // differ in size by at most one.
  const int64_t big = INT64_MAX;
  const int64_t pieces = 7;
  CHECK(chunkBegin(big, pieces, 0) == 0);
  CHECK(chunkBegin(big, pieces, pieces) == big);
  for (int64_t i = 0; i < pieces; ++i) {
    const int64_t size = chunkBegin(big, pieces, i + 1) - chunkBegin(big, pieces, i);
    CHECK((size == big / pieces || size == big / pieces + 1));
  }
  CHECK(chunkBegin(big, kMaxChunks, kMaxChunks) == big);
}

TEST_CASE("ThreadPool: every index runs exactly once, in the documented pieces") {
  ThreadPool two(2);
  ThreadPool four(4);
  ThreadPool one(1);
  for (Executor *executor : {static_cast<Executor *>(&two), static_cast<Executor *>(&four),
                             static_cast<Executor *>(&one)})
    for (int64_t n : {0, 1, 2, 3, 7, 64, 1000, 4097})
      for (int64_t chunks : {-1, 0, 1, 2, 3, 4, 7, 64, 1000, 5000})
        checkCoverage(*executor, n, chunks);
}

TEST_CASE("ThreadPool: a pool reports its thread count") {
  CHECK(ThreadPool(0).concurrency() == 1);
  CHECK(ThreadPool(1).concurrency() == 1);
  CHECK(ThreadPool(3).concurrency() == 3);
}

TEST_CASE("ThreadPool: four host threads sharing one pool all get correct results") {
  ThreadPool pool(2);
  constexpr int kHosts = 4;
  constexpr int kLoops = 300;
  std::atomic<int> wrong{0};
  std::atomic<int> done{0};
  std::vector<std::thread> hosts;
  for (int host = 0; host < kHosts; ++host)
    hosts.emplace_back([&, host] {
      for (int loop = 0; loop < kLoops; ++loop) {
        const int64_t n = 1000 + host * 37 + loop;
        if (parallelSum(pool, n, 2 + loop % 7) != triangle(n))
          wrong.fetch_add(1);
        done.fetch_add(1);
      }
    });
  for (std::thread &host : hosts)
    host.join();
  CHECK(wrong.load() == 0);
  CHECK(done.load() == kHosts * kLoops);
}

TEST_CASE("ThreadPool: a nested parallelFor runs inline inside the body and completes") {
  ThreadPool pool(2);
  ThreadPool other(2);
  constexpr int64_t kOuter = 6;
  constexpr int64_t kInner = 100;
  std::vector<std::atomic<int>> hits(kOuter * kInner * 2);
  std::atomic<int> notInline{0};
  pool.parallelFor(kOuter, kOuter, [&](int64_t begin, int64_t end) {
    const std::thread::id outerThread = std::this_thread::get_id();
    for (int64_t outer = begin; outer < end; ++outer) {
      // Into the same pool, and into another pool: both run on this thread.
      int64_t executorIndex = 0;
      for (Executor *executor : {static_cast<Executor *>(&pool), static_cast<Executor *>(&other)}) {
        const int64_t base = (executorIndex++ * kOuter + outer) * kInner;
        executor->parallelFor(kInner, 10, [&](int64_t innerBegin, int64_t innerEnd) {
          if (std::this_thread::get_id() != outerThread)
            notInline.fetch_add(1);
          for (int64_t inner = innerBegin; inner < innerEnd; ++inner)
            hits[size_t(base + inner)].fetch_add(1);
        });
      }
    }
  });
  CHECK(notInline.load() == 0);
  CHECK(std::count_if(hits.begin(), hits.end(),
                      [](const std::atomic<int> &h) { return h.load() != 1; }) == 0);
  // The pool is usable again afterwards.
  CHECK(parallelSum(pool, 1000, 4) == triangle(1000));
}

TEST_CASE("ThreadPool: a caller finding the pool busy runs its loop inline, without waiting") {
  ThreadPool pool(2);
  std::atomic<bool> secondDone{false};
  std::atomic<bool> timedOut{false};
  std::atomic<int> secondNotInline{0};
  int64_t secondSum = -1;
  std::thread::id secondThreadId;

  // The first loop's pieces wait for the second caller to finish, so they hold the pool for the
  // whole of the second call: the second call can only complete by running inline. The wait is
  // bounded so that a broken pool fails the test instead of hanging it.
  std::thread first([&] {
    pool.parallelFor(2, 2, [&](int64_t, int64_t) {
      const auto deadline = std::chrono::steady_clock::now() + 10s;
      while (!secondDone.load()) {
        if (std::chrono::steady_clock::now() > deadline) {
          timedOut.store(true);
          return;
        }
        std::this_thread::yield();
      }
    });
  });
  std::thread second([&] {
    // Give the first loop time to take the pool; if it has not yet, this call simply uses the
    // pool itself and the check below still holds for the first loop.
    std::this_thread::sleep_for(20ms);
    secondThreadId = std::this_thread::get_id();
    std::atomic<int64_t> sum{0};
    pool.parallelFor(1000, 8, [&](int64_t begin, int64_t end) {
      if (std::this_thread::get_id() != secondThreadId)
        secondNotInline.fetch_add(1);
      for (int64_t i = begin; i < end; ++i)
        sum.fetch_add(i);
    });
    secondSum = sum.load();
    secondDone.store(true);
  });
  second.join();
  first.join();
  CHECK_FALSE(timedOut.load());
  CHECK(secondSum == triangle(1000));
  CHECK(secondNotInline.load() == 0);
}

TEST_CASE("ThreadPool: one thread runs every piece inline, in order, on the caller") {
  Executor &single = executorWithThreads(1);
  CHECK(single.concurrency() == 1);
  ThreadPool zero(0);
  for (Executor *executor : {&single, static_cast<Executor *>(&zero)}) {
    const std::thread::id caller = std::this_thread::get_id();
    std::vector<Range> ranges;
    bool allOnCaller = true;
    executor->parallelFor(100, 8, [&](int64_t begin, int64_t end) {
      allOnCaller = allOnCaller && std::this_thread::get_id() == caller;
      ranges.emplace_back(begin, end);
    });
    CHECK(allOnCaller);
    REQUIRE(ranges.size() == 8);
    for (int64_t i = 0; i < 8; ++i)
      CHECK(ranges[size_t(i)] == Range{chunkBegin(100, 8, i), chunkBegin(100, 8, i + 1)});
  }
}

TEST_CASE("ThreadPool: pools are shared per thread count") {
  CHECK(&executorWithThreads(2) == &executorWithThreads(2));
  CHECK(&executorWithThreads(1) != &executorWithThreads(2));
  CHECK(&executorWithThreads(0) == &executorWithThreads(1));
  CHECK(executorWithThreads(2).concurrency() == 2);
  CHECK(&defaultExecutor() == &defaultExecutor());
  CHECK(defaultExecutor().concurrency() == std::max(std::thread::hardware_concurrency(), 1u));
  CHECK(parallelSum(defaultExecutor(), 10'000, 16) == triangle(10'000));
}

TEST_CASE("ThreadPool: a pool of two really runs pieces on two threads") {
  ThreadPool pool(2);
  REQUIRE(pool.concurrency() == 2);
  if (std::thread::hardware_concurrency() < 2) {
    MESSAGE("one hardware thread: cannot observe parallelism");
    return;
  }
  // On a loaded machine the worker may not get a core during one loop, so retry; the pieces
  // busy-wait so that the caller cannot finish them all before the worker starts.
  bool sawTwoThreads = false;
  for (int attempt = 0; attempt < 20 && !sawTwoThreads; ++attempt) {
    std::mutex mutex;
    std::set<std::thread::id> threads;
    pool.parallelFor(32, 32, [&](int64_t, int64_t) {
      spinFor(200us);
      std::lock_guard<std::mutex> lock(mutex);
      threads.insert(std::this_thread::get_id());
    });
    sawTwoThreads = threads.size() >= 2;
  }
  CHECK(sawTwoThreads);
}

TEST_CASE("ThreadPool: workers that went to sleep wake up for the next loop") {
  // Zero spin: workers block as soon as they are idle, exercising the sleep/wake path on
  // every loop; then the default spin, with pauses long enough for the workers to block.
  ThreadPool eager(3, 0us);
  ThreadPool spinning(3);
  for (ThreadPool *pool : {&eager, &spinning}) {
    int wrong = 0;
    for (int loop = 0; loop < 200; ++loop) {
      if (loop % 20 == 0)
        std::this_thread::sleep_for(2ms);
      const int64_t n = 500 + loop;
      if (parallelSum(*pool, n, 6) != triangle(n))
        ++wrong;
    }
    CHECK(wrong == 0);
  }
}

TEST_CASE("ThreadPool: destroying a pool joins its workers, whatever they are doing") {
  int constructed = 0;
  int correct = 0;
  for (int round = 0; round < 20; ++round) {
    // Destroyed before the workers may even have started.
    { ThreadPool pool(3); }
    // Destroyed while the workers spin after a loop.
    {
      ThreadPool pool(3);
      correct += parallelSum(pool, 1000, 8) == triangle(1000);
    }
    // Destroyed while the workers are blocked.
    {
      ThreadPool pool(3, 0us);
      correct += parallelSum(pool, 1000, 8) == triangle(1000);
      std::this_thread::sleep_for(1ms);
    }
    constructed += 3;
  }
  CHECK(constructed == 60);
  CHECK(correct == 40);
}
