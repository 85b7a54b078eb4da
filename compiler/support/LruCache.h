#pragma once

// LruCache: the one bounded cache every lamina cache is made of (the driver's source cache, the
// JIT's kernels, a layer's checked signatures, a kernel's bound shapes), so they all share one
// eviction rule: at most `capacity` entries, the least recently used one leaves first. The
// capacities themselves are the driver's policy (compiler/driver/CachePolicy.h).
//
// Not thread-safe: each owner guards its cache with its own mutex. What leaves the cache is
// handed back (Evicted) rather than destroyed in place, so an owner can release it after
// unlocking - dropping a kernel takes the JIT's locks.

#include <algorithm>
#include <cstddef>
#include <functional>
#include <list>
#include <map>
#include <utility>

namespace lamina {

/// `Less` orders the keys; find() takes anything it compares with a key, such as a span over
/// a cached vector, without building a key.
template <class Key, class Value, class Less = std::less<>> class LruCache {
public:
  using Entry = std::pair<Key, Value>;
  using Evicted = std::list<Entry>;

  explicit LruCache(size_t capacity) : capacity_(std::max<size_t>(capacity, 1)) {}

  size_t capacity() const { return capacity_; }
  size_t size() const { return recent_.size(); }

  /// The value under `key`, now the most recently used; null when absent. The pointer stays
  /// valid until the cache next changes.
  template <class K> Value *find(const K &key) {
    auto it = index_.find(key);
    if (it == index_.end())
      return nullptr;
    recent_.splice(recent_.begin(), recent_, it->second);
    return &it->second->second;
  }

  /// Stores `value` under `key` as the most recently used entry; hands back what it replaced
  /// or evicted past the capacity.
  [[nodiscard]] Evicted insert(Key key, Value value) {
    if (auto it = index_.find(key); it != index_.end()) {
      Evicted replaced;
      replaced.emplace_back(std::move(key), std::move(it->second->second));
      it->second->second = std::move(value);
      recent_.splice(recent_.begin(), recent_, it->second);
      return replaced;
    }
    recent_.emplace_front(std::move(key), std::move(value));
    index_.emplace(KeyRef(recent_.front().first), recent_.begin());
    return trim();
  }

  /// At most `capacity` entries (at least one) from now on; the least recent leave.
  [[nodiscard]] Evicted setCapacity(size_t capacity) {
    capacity_ = std::max<size_t>(capacity, 1);
    return trim();
  }

  [[nodiscard]] Evicted clear() {
    Evicted all;
    all.swap(recent_);
    index_.clear();
    return all;
  }

private:
  Evicted trim() {
    Evicted out;
    while (recent_.size() > capacity_) {
      index_.erase(KeyRef(recent_.back().first));
      out.splice(out.begin(), recent_, std::prev(recent_.end()));
    }
    return out;
  }

  // The index refers to the keys in the list (whose nodes never move), so a long key, such as
  // a kernel's IR, is stored once.
  using KeyRef = std::reference_wrapper<const Key>;
  struct IndexLess {
    using is_transparent = void;
    template <class T> static const T &plain(const T &key) { return key; }
    static const Key &plain(KeyRef key) { return key.get(); }
    template <class A, class B> bool operator()(const A &a, const B &b) const {
      return Less{}(plain(a), plain(b));
    }
  };

  size_t capacity_;
  std::list<Entry> recent_; // most recent first
  std::map<KeyRef, typename std::list<Entry>::iterator, IndexLess> index_;
};

} // namespace lamina
