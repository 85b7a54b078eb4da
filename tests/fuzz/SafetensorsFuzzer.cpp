// `.safetensors` bytes: an error message or tensors that write back and read again unchanged.

#include "FuzzSupport.h"

#include "runtime/io/Safetensors.h"

#include <algorithm>

using namespace lamina;

namespace {

std::vector<std::pair<std::string, Array>> sorted(std::vector<std::pair<std::string, Array>> v) {
  std::sort(v.begin(), v.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
  return v;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view text(reinterpret_cast<const char *>(data), size);
  io::SafetensorsMetadata metadata;
  io::NamedArrays r =
      io::parseSafetensors("in.safetensors", fuzz::bytesOf(data, size), {}, &metadata);
  if (!r.error.empty())
    return 0;
  std::vector<std::byte> again = io::encodeSafetensors(r.arrays, metadata);
  if (again.empty())
    fuzz::fail("tensors read from a .safetensors cannot be written back", text);
  io::NamedArrays back = io::parseSafetensors("again.safetensors", again);
  auto a = sorted(r.arrays), b = sorted(back.arrays);
  bool same = back.error.empty() && a.size() == b.size();
  for (size_t k = 0; same && k < a.size(); ++k)
    same = a[k].first == b[k].first && a[k].second.dtype == b[k].second.dtype &&
           a[k].second.shape == b[k].second.shape && a[k].second.bytes == b[k].second.bytes;
  if (!same)
    fuzz::fail("a .safetensors does not read back as it was written: " + back.error, text);
  return 0;
}
