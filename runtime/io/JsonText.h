#pragma once

// Writing JSON strings: one escaping for every JSON lamina writes (safetensors headers, model
// configs).

#include <string>
#include <string_view>

namespace lamina::io {

/// Appends `s` as a quoted JSON string, escaped as serde_json (the safetensors reference's
/// writer) escapes it: `"` and `\`, the short escapes, `\u00XX` for other control characters;
/// everything else (UTF-8 included) as it is.
void appendJsonString(std::string &out, std::string_view s);

} // namespace lamina::io
