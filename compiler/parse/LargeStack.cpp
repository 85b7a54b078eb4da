#include "compiler/parse/LargeStack.h"

#include <exception>
#include <pthread.h>
#include <stdexcept>

namespace lamina::parse_detail {

namespace {
struct Job {
  const std::function<void()> *work;
  std::exception_ptr error;
};

void *runJob(void *arg) {
  auto *job = static_cast<Job *>(arg);
  try {
    (*job->work)();
  } catch (...) {
    job->error = std::current_exception();
  }
  return nullptr;
}
} // namespace

void runOnLargeStack(const std::function<void()> &work, size_t stackBytes) {
  Job job{&work, nullptr};
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, stackBytes);
  pthread_t thread;
  int rc = pthread_create(&thread, &attr, runJob, &job);
  pthread_attr_destroy(&attr);
  if (rc != 0) {
    // No thread to be had (resource limits): the caller's stack is the next best thing.
    work();
    return;
  }
  pthread_join(thread, nullptr);
  if (job.error)
    std::rethrow_exception(job.error);
}

} // namespace lamina::parse_detail
