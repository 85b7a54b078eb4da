// LruCache (compiler/support/LruCache.h), the one bounded cache every lamina cache is made of:
// it never holds more than its capacity, evicts the least recently used entry first, and hands
// back what leaves it so that its owner can release it outside a lock.

#include "compiler/support/LruCache.h"

#include <doctest/doctest.h>

#include <memory>
#include <span>
#include <string>
#include <vector>

using namespace lamina;

namespace {

std::vector<std::string> keysOf(const LruCache<std::string, int>::Evicted &evicted) {
  std::vector<std::string> keys;
  for (const auto &[key, value] : evicted)
    keys.push_back(key);
  return keys;
}

} // namespace

TEST_CASE("LruCache: evicts the least recently used entry past its capacity") {
  LruCache<std::string, int> cache(3);
  CHECK(cache.insert("a", 1).empty());
  CHECK(cache.insert("b", 2).empty());
  CHECK(cache.insert("c", 3).empty());
  REQUIRE(cache.find("a")); // `a` becomes the most recent; `b` the least
  CHECK(*cache.find("a") == 1);
  CHECK(keysOf(cache.insert("d", 4)) == std::vector<std::string>{"b"});
  CHECK(cache.size() == 3);
  CHECK(cache.find("b") == nullptr);
  CHECK(keysOf(cache.insert("e", 5)) == std::vector<std::string>{"c"});
  CHECK(cache.find("a"));
  CHECK(cache.find("d"));
  CHECK(cache.find("e"));
}

TEST_CASE("LruCache: a repeated key replaces its value and hands the old one back") {
  LruCache<std::string, int> cache(2);
  CHECK(cache.insert("a", 1).empty());
  CHECK(cache.insert("b", 2).empty());
  auto replaced = cache.insert("a", 10); // and `a` is now the most recent
  REQUIRE(replaced.size() == 1);
  CHECK(replaced.front().second == 1);
  CHECK(cache.size() == 2);
  CHECK(*cache.find("a") == 10);
  CHECK(keysOf(cache.insert("c", 3)) == std::vector<std::string>{"b"});
}

TEST_CASE("LruCache: a smaller capacity evicts at once, the least recent first") {
  LruCache<std::string, int> cache(4);
  for (const char *key : {"a", "b", "c", "d"})
    CHECK(cache.insert(key, 0).empty());
  cache.find("a");
  CHECK(keysOf(cache.setCapacity(2)) == std::vector<std::string>{"c", "b"});
  CHECK(cache.capacity() == 2);
  CHECK(cache.size() == 2);
  CHECK(cache.setCapacity(0).size() == 1); // at least one entry
  CHECK(cache.capacity() == 1);
  CHECK(cache.find("a"));
  CHECK(cache.clear().size() == 1);
  CHECK(cache.size() == 0);
  CHECK(cache.find("a") == nullptr);
}

TEST_CASE("LruCache: an order over spans finds a vector key from a span without copying") {
  struct Less {
    bool operator()(std::span<const int64_t> a, std::span<const int64_t> b) const {
      return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end());
    }
  };
  LruCache<std::vector<int64_t>, std::shared_ptr<int>, Less> cache(2);
  CHECK(cache.insert({1, 2}, std::make_shared<int>(12)).empty());
  CHECK(cache.insert({3}, std::make_shared<int>(3)).empty());
  const int64_t symbols[] = {1, 2};
  auto *found = cache.find(std::span<const int64_t>(symbols));
  REQUIRE(found);
  CHECK(**found == 12);
  // What leaves the cache is still alive in the hand-back until the owner drops it.
  auto evicted = cache.insert({4, 5}, std::make_shared<int>(45));
  REQUIRE(evicted.size() == 1);
  CHECK(evicted.front().first == std::vector<int64_t>{3});
  CHECK(*evicted.front().second == 3);
}
