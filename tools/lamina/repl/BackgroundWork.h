#pragma once

// Running a computation so that Ctrl-C can abandon it. A compile cannot be stopped from
// outside (a run can: its cancel flag), so each computation runs on a thread of its own that owns
// everything it touches (copies of the inputs, its source, its diagnostics); the REPL waits
// for it while polling the interrupt flag. An abandoned computation finishes on its own and its
// result is dropped with the last reference to its state: no lock is held by the waiting side,
// nothing is shared but the task's own mutex-protected `done` flag.

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace lamina::cli::repl {

class BackgroundWork {
public:
  BackgroundWork() = default;
  BackgroundWork(const BackgroundWork &) = delete;
  BackgroundWork &operator=(const BackgroundWork &) = delete;
  /// Joins abandoned work that has finished. Work still running must be dealt with first by
  /// calling allFinished() (see ReplCommand.cpp): a std::thread may not be destroyed running.
  ~BackgroundWork();

  /// Runs `work` on its own thread and waits. Returns false when Ctrl-C abandoned it.
  bool run(std::function<void()> work);

  /// Joins every abandoned computation that has finished; true when none is left running.
  bool allFinished();

private:
  struct Task {
    std::mutex mutex;
    std::condition_variable finished;
    bool done = false;
  };
  struct Abandoned {
    std::thread thread;
    std::shared_ptr<Task> task;
  };
  std::vector<Abandoned> abandoned_;
};

} // namespace lamina::cli::repl
