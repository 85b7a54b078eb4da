#pragma once

#include <cstdint>
#include <string_view>

namespace lamina {

/// Terminal columns one code point takes: 0 for combining marks, 2 for East Asian wide and
/// emoji, 1 otherwise. Enough to keep carets under the right character; not a full wcwidth.
int codePointWidth(char32_t cp);

/// Decodes one UTF-8 sequence at `text[i]`, advancing `i`. Invalid bytes decode as U+FFFD
/// one byte at a time.
char32_t decodeUtf8(std::string_view text, size_t &i);

} // namespace lamina
