// `.npz` bytes (a zip archive of `.npy` members): an error message or arrays that each write
// back as a `.npy` and read again unchanged. The archive reader works on files, so each input
// is written to one private temporary file first.

#include "FuzzSupport.h"

#include "runtime/io/Npy.h"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>

using namespace lamina;

namespace {

const std::string &scratchPath() {
  static const std::string path = [] {
    std::string p = "/tmp/lamina-npz-fuzz-XXXXXX";
    int fd = ::mkstemp(p.data());
    if (fd < 0)
      std::abort();
    ::close(fd);
    std::atexit([] { std::remove(scratchPath().c_str()); });
    return p;
  }();
  return path;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view text(reinterpret_cast<const char *>(data), size);
  std::FILE *f = std::fopen(scratchPath().c_str(), "wb");
  if (!f || std::fwrite(data, 1, size, f) != size || std::fclose(f) != 0)
    std::abort();
  io::NamedArrays r = io::readNpz(scratchPath());
  if (!r.error.empty())
    return 0;
  for (const auto &[name, array] : r.arrays) {
    std::vector<std::byte> again = io::encodeNpy(array);
    io::ReadResult back = io::parseNpy(name, again);
    if (again.empty() || !back.array || back.array->bytes != array.bytes ||
        back.array->shape != array.shape)
      fuzz::fail("an .npz member does not read back as it was written: " + name, text);
  }
  return 0;
}
