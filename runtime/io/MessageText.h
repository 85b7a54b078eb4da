#pragma once

// The words of the .npy and .safetensors readers' and writers' error messages, written once so
// that both formats name counts and quote file text alike. Internal to lamina_io.

#include <cstdint>
#include <string>
#include <string_view>

namespace lamina::io::detail {

/// "1 byte", "2 bytes".
std::string plural(uint64_t n, std::string_view unit);

/// Text from a file in an error message: quoted, control characters escaped (\x0a), cut short
/// on a character boundary after `max` bytes ("...'"), so that a 16 MiB name does not become
/// a 16 MiB message and a message never holds a broken UTF-8 sequence or a raw line break.
std::string quote(std::string_view text, size_t max = 60);

/// The error of a read or write that ran out of memory: the limits are checked before
/// allocating, but they may still be more than the machine has.
std::string outOfMemory(std::string_view name);

/// Why an array of complex dtype `quotedDType` is refused: diagnostic E0417's words and code
/// ("dtype '<c8': lamina has no complex dtypes; ... (E0417)").
std::string complexData(std::string_view quotedDType);

} // namespace lamina::io::detail
