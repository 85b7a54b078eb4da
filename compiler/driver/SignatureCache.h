#pragma once

// A layer function's checked (and compiled) forms by input signature: the cache a Lambda,
// an Activation or a Dense epilogue asks before checking its source again. One per function,
// bounded by the driver's policy (CachePolicy::signatures), least recently used evicted, so a
// layer fed ever new shapes keeps only its recent kernels alive.

#include "compiler/driver/Driver.h"
#include "compiler/support/LruCache.h"

#include <memory>
#include <mutex>
#include <string>

namespace lamina::driver {

/// A function as checked for one input signature.
struct CheckedFunction {
  ir::Function fn;                      // sema's function (the interpreter runs it)
  std::shared_ptr<const Kernel> kernel; // the JIT's (null when only checked)
};

class SignatureCache {
public:
  using Entry = std::shared_ptr<const CheckedFunction>;

  explicit SignatureCache(Driver &driver = Driver::shared())
      : driver_(driver), entries_(driver.cachePolicy().signatures) {}

  /// The entry for `signature`, or on a miss what `make()` returns, stored. Thread-safe: a miss
  /// makes under the lock, so a signature is checked and compiled once however many threads
  /// ask; what make() throws reaches the caller and nothing is stored.
  template <class Make> Entry get(const std::string &signature, Make &&make) {
    LruCache<std::string, Entry>::Evicted evicted; // its kernels released after the lock
    std::lock_guard lock(mutex_);
    if (Entry *found = entries_.find(signature))
      return *found;
    Entry entry = make();
    // The policy as it is now: a new capacity reaches every function at its next miss.
    evicted = entries_.setCapacity(driver_.cachePolicy().signatures);
    evicted.splice(evicted.end(), entries_.insert(signature, entry));
    return entry;
  }

  /// Signatures held (at most the policy's capacity).
  size_t size() const {
    std::lock_guard lock(mutex_);
    return entries_.size();
  }

private:
  Driver &driver_;
  mutable std::mutex mutex_;
  LruCache<std::string, Entry> entries_;
};

} // namespace lamina::driver
