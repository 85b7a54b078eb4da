#pragma once

// Strict UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF), the one
// definition the source checks, the JSON reader and the safetensors reader use.

#include <cstddef>
#include <string_view>

namespace lamina {

/// Length of the well-formed UTF-8 sequence starting at byte `i` of `text`, or 0 when it is
/// malformed (or cut short by the end of `text`).
size_t utf8SequenceLength(std::string_view text, size_t i);

/// Whether all of `text` is well-formed UTF-8.
bool isValidUtf8(std::string_view text);

} // namespace lamina
