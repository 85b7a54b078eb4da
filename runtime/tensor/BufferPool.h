#pragma once

// The pool behind Tensor's owned storage. Large buffers released by one call are handed to
// the next call of the same size instead of going back to the system, because glibc returns
// big blocks to the kernel (mmap) and every fresh page then costs a fault on first write
// (about 2.2 µs per 4 KiB page, several times the kernel; docs/performance.md, "Models").
// Sizes are rounded up to one of four steps per power of two, so a reused buffer wastes at
// most a quarter.

#include <cstddef>

namespace lamina::pool {

/// Buffers below this are plain aligned allocations (malloc reuses small blocks itself).
inline constexpr size_t kPooledFrom = size_t(64) << 10;
inline constexpr size_t kAlignment = 64;

/// 64-byte-aligned memory of at least `bytes`; `capacity` receives its real size, which must
/// be passed back to release(). Throws lamina::Error when the system has no memory.
void *acquire(size_t bytes, size_t &capacity);
void release(void *data, size_t capacity);

} // namespace lamina::pool
