#include "tools/lamina/repl/Interrupt.h"

#include <atomic>
#include <csignal>

namespace lamina::cli::repl {
namespace {

// Lock-free, so reading and writing it from a signal handler is defined behaviour.
std::atomic<bool> gInterrupted{false};
static_assert(std::atomic<bool>::is_always_lock_free);

void onSigint(int) { gInterrupted.store(true, std::memory_order_relaxed); }

} // namespace

void installInterruptHandler() {
  struct sigaction action {};
  action.sa_handler = onSigint;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART; // reads in progress continue; the flag is polled
  sigaction(SIGINT, &action, nullptr);
}

bool interruptPending() { return gInterrupted.load(std::memory_order_relaxed); }
void clearInterrupt() { gInterrupted.store(false, std::memory_order_relaxed); }
void raiseInterrupt() { gInterrupted.store(true, std::memory_order_relaxed); }

} // namespace lamina::cli::repl
