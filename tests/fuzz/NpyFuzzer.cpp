// `.npy` bytes: an error message or an array that writes back and reads again to the same
// dtype, shape and bytes. Allocation is bounded by the header checks (the data must be there).

#include "FuzzSupport.h"

#include "runtime/io/Npy.h"

using namespace lamina;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view text(reinterpret_cast<const char *>(data), size);
  io::ReadResult r = io::parseNpy("in.npy", fuzz::bytesOf(data, size));
  if (!r.array) {
    if (r.error.empty())
      fuzz::fail("a refused .npy has no message", text);
    return 0;
  }
  std::vector<std::byte> again = io::encodeNpy(*r.array);
  if (again.empty())
    fuzz::fail("an array read from a .npy cannot be written back", text);
  io::ReadResult back = io::parseNpy("again.npy", again);
  if (!back.array || back.array->dtype != r.array->dtype || back.array->shape != r.array->shape ||
      back.array->bytes != r.array->bytes)
    fuzz::fail("a .npy does not read back as it was written: " + back.error, text);
  return 0;
}
