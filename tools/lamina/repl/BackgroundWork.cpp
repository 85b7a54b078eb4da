#include "tools/lamina/repl/BackgroundWork.h"

#include "tools/lamina/repl/Interrupt.h"

#include <chrono>

namespace lamina::cli::repl {

namespace {

/// Whether an abandoned task has finished, read under its lock. A template only because
/// BackgroundWork::Task is private.
template <class Task> bool isDone(Task &task) {
  std::lock_guard lock(task.mutex);
  return task.done;
}

} // namespace

BackgroundWork::~BackgroundWork() {
  // Only finished threads are left here when the caller followed allFinished(); detaching is
  // the fallback that keeps a still-running one from terminating the process.
  for (Abandoned &a : abandoned_) {
    if (isDone(*a.task))
      a.thread.join();
    else
      a.thread.detach();
  }
}

bool BackgroundWork::run(std::function<void()> work) {
  allFinished(); // reap what finished since the last call
  auto task = std::make_shared<Task>();
  std::thread thread([task, work = std::move(work)]() mutable {
    work();
    work = nullptr; // release the computation's state on this thread, before reporting
    {
      std::lock_guard lock(task->mutex);
      task->done = true;
    }
    task->finished.notify_all();
  });
  {
    std::unique_lock lock(task->mutex);
    while (!task->done && !interruptPending())
      task->finished.wait_for(lock, std::chrono::milliseconds(20));
    if (task->done) {
      lock.unlock();
      thread.join();
      return true;
    }
  }
  abandoned_.push_back({std::move(thread), task});
  return false;
}

bool BackgroundWork::allFinished() {
  std::vector<Abandoned> running;
  for (Abandoned &a : abandoned_) {
    if (isDone(*a.task))
      a.thread.join();
    else
      running.push_back(std::move(a));
  }
  abandoned_ = std::move(running);
  return abandoned_.empty();
}

} // namespace lamina::cli::repl
