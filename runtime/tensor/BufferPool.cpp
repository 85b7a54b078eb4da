#include "runtime/tensor/BufferPool.h"

#include "lamina/Tensor.h"
#include "runtime/support/Report.h"

#include <bit>
#include <cstdlib>
#include <fmt/format.h>
#include <map>
#include <mutex>
#include <sys/mman.h>
#include <vector>

namespace lamina {
namespace {

struct Pool {
  std::mutex mutex;
  std::map<size_t, std::vector<void *>> free; // capacity -> released buffers
  size_t cachedBytes = 0, cachedBuffers = 0, limit = size_t(1) << 30;
  uint64_t hits = 0, misses = 0;

  void trimTo(size_t bytes) {
    while (cachedBytes > bytes && !free.empty()) {
      auto largest = std::prev(free.end());
      std::free(largest->second.back());
      largest->second.pop_back();
      cachedBytes -= largest->first;
      --cachedBuffers;
      if (largest->second.empty())
        free.erase(largest);
    }
  }
};

constexpr size_t kHugePage = size_t(2) << 20;

Pool &thePool() {
  static Pool *pool = new Pool; // never destroyed: tensors may outlive static destruction
  return *pool;
}

// The size class: `bytes` rounded up to 2^k, 1.25·2^k, 1.5·2^k or 1.75·2^k.
size_t sizeClass(size_t bytes) {
  if (bytes < pool::kPooledFrom)
    return (bytes + pool::kAlignment - 1) / pool::kAlignment * pool::kAlignment;
  size_t top = std::bit_floor(bytes), quarter = top / 4;
  return (bytes + quarter - 1) / quarter * quarter;
}

} // namespace

namespace pool {

void *acquire(size_t bytes, size_t &capacity) {
  capacity = sizeClass(bytes == 0 ? kAlignment : bytes);
  if (capacity >= kPooledFrom) {
    Pool &p = thePool();
    std::lock_guard lock(p.mutex);
    if (auto it = p.free.find(capacity); it != p.free.end()) {
      void *data = it->second.back();
      it->second.pop_back();
      if (it->second.empty())
        p.free.erase(it);
      p.cachedBytes -= capacity;
      --p.cachedBuffers;
      ++p.hits;
      return data;
    }
    ++p.misses;
  }
  // Large buffers are placed on 2 MiB boundaries and offered to the kernel as huge pages
  // (Linux's default transparent-huge-page mode is "madvise"): one fault and one TLB entry per
  // 2 MiB instead of 512, for buffers that are streamed through on every call.
  bool huge = capacity >= kHugePage;
  void *data =
      std::aligned_alloc(huge ? kHugePage : kAlignment,
                         huge ? (capacity + kHugePage - 1) / kHugePage * kHugePage : capacity);
  if (!data)
    raiseKind(DiagKind::OutOfMemory,
              fmt::format("cannot allocate {} bytes for a tensor", capacity));
  if (huge)
    ::madvise(data, capacity, MADV_HUGEPAGE); // advice only: failure changes nothing
  return data;
}

void release(void *data, size_t capacity) {
  if (capacity >= kPooledFrom) {
    Pool &p = thePool();
    std::lock_guard lock(p.mutex);
    if (p.cachedBytes + capacity <= p.limit) {
      p.free[capacity].push_back(data);
      p.cachedBytes += capacity;
      ++p.cachedBuffers;
      return;
    }
  }
  std::free(data);
}

} // namespace pool

BufferPoolStats bufferPoolStats() {
  Pool &p = thePool();
  std::lock_guard lock(p.mutex);
  return {p.cachedBytes, p.cachedBuffers, p.hits, p.misses};
}

void setBufferPoolLimit(size_t bytes) {
  Pool &p = thePool();
  std::lock_guard lock(p.mutex);
  p.limit = bytes;
  p.trimTo(bytes);
}

void clearBufferPool() {
  Pool &p = thePool();
  std::lock_guard lock(p.mutex);
  p.trimTo(0);
}

} // namespace lamina
