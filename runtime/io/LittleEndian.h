#pragma once

// Little-endian integers in file headers: the .npy header length (2 or 4 bytes) and the
// .safetensors header length (8 bytes), read and written byte by byte so that the host's own
// order never matters. Internal to lamina_io.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace lamina::io::detail {

/// The unsigned integer stored little-endian in `bytes` (at most 8 of them).
inline uint64_t readLittleEndian(std::span<const std::byte> bytes) {
  uint64_t v = 0;
  for (size_t i = bytes.size(); i-- > 0;)
    v = v << 8 | std::to_integer<uint64_t>(bytes[i]);
  return v;
}

/// Appends the low `n` bytes of `value` (n <= 8), least significant first.
inline void appendLittleEndian(std::string &out, uint64_t value, size_t n) {
  for (size_t i = 0; i < n; ++i)
    out += static_cast<char>((value >> (8 * i)) & 0xff);
}

} // namespace lamina::io::detail
