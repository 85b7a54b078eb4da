#include "runtime/support/Boundary.h"

#include "runtime/support/Report.h"

#include <memory>
#include <new>
#include <stdexcept>

namespace lamina {

namespace {

// Reporting allocates too (the message, the record). What failed was usually far larger, so
// that normally succeeds; when even it cannot, the host gets a copy of this Error, made at
// load time: its code fits the string's inline buffer, its text is shared between copies
// and it has no records, so throwing a copy allocates nothing.
const Error kOutOfMemory("E0706", "error[E0706]: out of memory");

[[noreturn]] void outOfMemory(const char *detail, const char *entry) {
  try {
    raiseKind(DiagKind::OutOfMemory, fmt::format(fmt::runtime(detail), entry));
  } catch (const std::bad_alloc &) {
    throw kOutOfMemory;
  }
}

} // namespace

void rethrowAtBoundary(const char *entry) {
  try {
    throw;
  } catch (const std::bad_alloc &) {
    outOfMemory("an allocation in lamina::{} failed", entry);
  } catch (const std::length_error &) {
    outOfMemory("lamina::{} needed a container larger than memory can hold", entry);
  } catch (const std::bad_weak_ptr &) {
    raiseKind(DiagKind::InternalError,
              fmt::format("lamina::{} used an object not owned by a std::shared_ptr", entry));
  }
}

} // namespace lamina
