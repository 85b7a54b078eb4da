// Strict UTF-8 (compiler/diag/Utf8): the one validator the source checks, the JSON reader and
// the safetensors reader share, at every boundary RFC 3629 draws.

#include "compiler/diag/Utf8.h"

#include <doctest/doctest.h>

#include <string>

using namespace lamina;

TEST_CASE("utf8: sequence lengths at every boundary of RFC 3629") {
  struct Case {
    std::string bytes;
    size_t length; // of the sequence at byte 0; 0: malformed
  };
  const Case cases[] = {
      {"A", 1},
      {"\x7F", 1},
      {"\xC2\x80", 2},         // U+0080, the first 2-byte code point
      {"\xC1\xBF", 0},         // overlong U+007F
      {"\xDF\xBF", 2},         // U+07FF
      {"\xE0\xA0\x80", 3},     // U+0800
      {"\xE0\x9F\xBF", 0},     // overlong U+07FF
      {"\xED\x9F\xBF", 3},     // U+D7FF, below the surrogates
      {"\xED\xA0\x80", 0},     // U+D800, a surrogate
      {"\xEF\xBF\xBF", 3},     // U+FFFF
      {"\xF0\x90\x80\x80", 4}, // U+10000
      {"\xF0\x8F\xBF\xBF", 0}, // overlong U+FFFF
      {"\xF4\x8F\xBF\xBF", 4}, // U+10FFFF, the last code point
      {"\xF4\x90\x80\x80", 0}, // above U+10FFFF
      {"\xF5\x80\x80\x80", 0}, // no such lead byte
      {"\x80", 0},             // a continuation byte alone
      {"\xE2\x82", 0},         // cut short
      {"\xE2\x28\xA1", 0},     // a bad continuation
  };
  for (const Case &c : cases) {
    CAPTURE(c.bytes);
    CHECK(utf8SequenceLength(c.bytes, 0) == c.length);
    CHECK(isValidUtf8(c.bytes) == (c.length == c.bytes.size()));
  }
  CHECK(utf8SequenceLength("", 0) == 0);
  CHECK(isValidUtf8(""));
  CHECK(isValidUtf8("lambda x: x \xE2\x86\x92 \xF0\x9F\x98\x80"));
  CHECK(!isValidUtf8(std::string("ok\xC3", 3)));
}
