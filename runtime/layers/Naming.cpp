#include "runtime/layers/Naming.h"

#include <mutex>
#include <unordered_map>

namespace lamina {

// One counter per prefix, as Keras keeps them: memory stays bounded however many layers a
// long-running host makes. A name chosen by hand is not tracked; models check that the names
// of their own layers are unique.
std::string uniqueLayerName(const std::string &prefix) {
  static std::mutex *mutex = new std::mutex;
  static auto *next = new std::unordered_map<std::string, int64_t>;
  std::lock_guard lock(*mutex);
  int64_t k = (*next)[prefix]++;
  return k == 0 ? prefix : prefix + "_" + std::to_string(k);
}

} // namespace lamina
