// lamina's one JSON reader (runtime/io/JsonReader): the events it reports with their offsets,
// exact 64-bit integers, duplicate keys, the limits, the two dialects, and errors located at
// their byte. The Json tree built on it is tested through the public API (tests/runtime).

#include "runtime/io/JsonReader.h"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <string>

using namespace lamina::io;

namespace {

/// Writes each event as a word with its offsets, e.g. "{0 k(1,4) 5 }6"; stops (returns false)
/// at the event numbered `stopAt`.
class Recorder final : public JsonHandler {
public:
  std::string log;
  std::vector<JsonNumber> numbers;
  std::vector<std::vector<uint32_t>> offsets;
  size_t stopAt = SIZE_MAX;

  bool null(size_t b, size_t e) override { return add("null" + span(b, e)); }
  bool boolean(bool v, size_t b, size_t e) override {
    return add((v ? "true" : "false") + span(b, e));
  }
  bool number(const JsonNumber &n, size_t b, size_t e) override {
    numbers.push_back(n);
    return add("n" + span(b, e));
  }
  bool string(std::string &&v, std::vector<uint32_t> &&at, size_t b, size_t e) override {
    offsets.push_back(std::move(at));
    return add("s:" + v + span(b, e));
  }
  bool beginObject(size_t at) override { return add("{" + std::to_string(at)); }
  bool key(std::string &&name, size_t b, size_t e) override {
    return add("k:" + name + span(b, e));
  }
  bool endObject(size_t e) override { return add("}" + std::to_string(e)); }
  bool beginArray(size_t at) override { return add("[" + std::to_string(at)); }
  bool endArray(size_t e) override { return add("]" + std::to_string(e)); }

private:
  static std::string span(size_t b, size_t e) {
    return "(" + std::to_string(b) + "," + std::to_string(e) + ")";
  }
  bool add(const std::string &word) {
    log += (log.empty() ? "" : " ") + word;
    return ++events_ != stopAt;
  }
  size_t events_ = 0;
};

JsonError readWith(std::string_view text, Recorder &r, const JsonReadOptions &o = {}) {
  return readJson(text, r, o);
}

/// The error of reading `text`, which must be one.
JsonError errorOf(std::string_view text, const JsonReadOptions &o = {}) {
  Recorder r;
  JsonError e = readJson(text, r, o);
  CHECK(e);
  return e;
}

const JsonReadOptions kStrict = JsonReadOptions::strict({});

} // namespace

TEST_CASE("json reader: events in text order, with their offsets") {
  Recorder r;
  JsonError e = readWith(R"( {"a": [1, "x", true, null], "b": {}} )", r);
  CHECK_FALSE(e);
  CHECK(r.log == "{1 k:a(2,5) [7 n(8,9) s:x(11,14) true(16,20) null(22,26) ]27 k:b(29,32) {34 "
                 "}36 }37");
  // String offsets: each decoded byte maps to where it came from, an escape to its backslash,
  // then the closing quote.
  Recorder s;
  CHECK_FALSE(readWith(R"("a\nb")", s));
  REQUIRE(s.offsets.size() == 1);
  CHECK(s.offsets[0] == std::vector<uint32_t>{1, 2, 4, 5});
  // Not kept unless asked for.
  Recorder t;
  CHECK_FALSE(readWith(R"("a\nb")", t, kStrict));
  REQUIRE(t.offsets.size() == 1);
  CHECK(t.offsets[0].empty());
}

TEST_CASE("json reader: integers are exact up to 2^64 - 1, beyond a double's 2^53") {
  Recorder r;
  CHECK_FALSE(readWith("[9007199254740993, 18446744073709551615, 18446744073709551616, -0, "
                       "-9223372036854775808, -9223372036854775809, 2.0, 1e3]",
                       r));
  REQUIRE(r.numbers.size() == 8);
  const auto &n = r.numbers;
  CHECK(n[0].integral);
  CHECK(n[0].magnitude == 9007199254740993u);
  CHECK(n[0].value == 9007199254740992.0); // the double rounds; the magnitude does not
  CHECK(n[1].magnitude == 18446744073709551615u);
  CHECK_FALSE(n[1].asInt64());
  CHECK(n[2].integral);
  CHECK_FALSE(n[2].magnitude); // 2^64: no exact value, only the double
  CHECK(n[2].value == 18446744073709551616.0);
  CHECK(n[3].negative);
  CHECK(n[3].magnitude == 0u);
  CHECK(n[3].asInt64() == 0);
  CHECK(n[4].asInt64() == INT64_MIN);
  CHECK(n[5].magnitude == 9223372036854775809u);
  CHECK_FALSE(n[5].asInt64());
  CHECK_FALSE(n[6].integral);
  CHECK_FALSE(n[6].magnitude);
  CHECK(n[6].text == "2.0");
  CHECK_FALSE(n[7].integral);
  CHECK(n[7].value == 1000.0);
}

TEST_CASE("json reader: a duplicate key is an error naming both places") {
  Recorder r;
  JsonError e = readWith(R"({"a": 1, "b": {"a": 2}, "a": 3})", r);
  CHECK(e.kind == JsonError::Kind::DuplicateKey);
  CHECK(e.key == "a");
  CHECK(e.at == 24);
  CHECK(e.length == 3);
  CHECK(e.firstAt == 1);
  CHECK(e.message == "key \"a\" appears twice");
  // The key is refused before the handler sees it; keys of other objects do not count.
  CHECK(r.log == "{0 k:a(1,4) n(6,7) k:b(9,12) {14 k:a(15,18) n(20,21) }22");
  // Escapes are decoded before keys are compared.
  CHECK(errorOf(R"({"a": 1, "\u0061": 2})").kind == JsonError::Kind::DuplicateKey);
}

TEST_CASE("json reader: the handler stops the reading") {
  Recorder r;
  r.stopAt = 3;
  JsonError e = readWith("[1, 2, 3, 4]", r);
  CHECK(e.kind == JsonError::Kind::Stopped);
  CHECK(r.log == "[0 n(1,2) n(4,5)");
}

TEST_CASE("json reader: limits are checked before the work they bound") {
  JsonLimits small{.maxBytes = 10, .maxDepth = 2};
  JsonReadOptions o;
  o.limits = small;
  // Too large: refused before any event.
  Recorder r;
  JsonError big = readWith("[1, 2, 3, 4]", r, o);
  CHECK(big.kind == JsonError::Kind::TooLarge);
  CHECK(big.message == "the text is 12 bytes, more than the limit of 10");
  CHECK(r.log.empty());
  // Too deep: refused at the bracket, before descending.
  Recorder d;
  JsonError deep = readWith("[[[1]]]", d, o);
  CHECK(deep.kind == JsonError::Kind::TooDeep);
  CHECK(deep.at == 2);
  CHECK(deep.message == "nests deeper than the limit of 2 levels");
  CHECK(d.log == "[0 [1");
  // A hostile depth costs one error, not the stack.
  JsonError hostile = errorOf(std::string(1000000, '['));
  CHECK(hostile.kind == JsonError::Kind::TooDeep);
  CHECK(hostile.at == 64);
}

TEST_CASE("json reader: errors name the byte where the text goes wrong") {
  struct Case {
    std::string text;
    size_t at;
    std::string message;
  };
  const Case cases[] = {
      {"{} x", 3, "unexpected text after the value"},
      {"[1,]", 3, "`]` is not the start of a JSON value"},
      {"[1 2]", 3, "expected `,` or `]`, found `2`"},
      {"{\"a\" 1}", 5, "expected `:` after the key"},
      {"{1: 2}", 1, "expected a key in quotes, found `1`"},
      {"[01]", 1, "numbers do not start with 0"},
      {"[1.]", 1, "a `.` must be followed by digits"},
      {"[1e]", 1, "an exponent needs digits"},
      {"[-]", 1, "a number needs digits"},
      {"[1e400]", 1, "`1e400` is too large for a double"},
      {"\"ab", 0, "string is not closed"},
      {"[\"a\xff\"]", 3, "the string is not valid UTF-8"},
      {"[\"\xed\xa0\x80\"]", 2, "the string is not valid UTF-8"}, // an encoded surrogate
      {"\"\\ud800\"", 1, "a high surrogate must be followed by a low one"},
      {"\"\\udc00\"", 1, "a low surrogate without a high one"},
      {"\"\\x\"", 1, "`\\x` is not a JSON escape"},
      {"\"a\tb\"", 2, "byte 0x09 must be escaped inside a string"},
      {"[1", 0, "`[` is never closed"},
      {"", 0, "unexpected end of input; expected a value"},
      {"tru", 0, "`t` is not the start of a JSON value"},
  };
  for (const Case &c : cases) {
    CAPTURE(c.text);
    JsonError e = errorOf(c.text);
    CHECK(e.kind == JsonError::Kind::Syntax);
    CHECK(e.at == c.at);
    CHECK(e.message == c.message);
  }
}

TEST_CASE("json reader: configs' dialect and the strict one") {
  // Configs: Python's non-finite numbers, a byte-order mark; no NUL in strings.
  Recorder r;
  CHECK_FALSE(readWith("\xEF\xBB\xBF[NaN, Infinity, -Infinity]", r));
  REQUIRE(r.numbers.size() == 3);
  CHECK(std::isnan(r.numbers[0].value));
  CHECK(r.numbers[1].value == INFINITY);
  CHECK(r.numbers[2].value == -INFINITY);
  CHECK(r.numbers[2].negative);
  CHECK_FALSE(r.numbers[2].integral);
  CHECK(errorOf(R"("a\u0000")").message == "`\\u0000` (NUL) is not allowed in strings");
  // Strict: RFC 8259 as serde_json reads it.
  CHECK(errorOf("[NaN]", kStrict).message == "`N` is not the start of a JSON value");
  CHECK(errorOf("[-Infinity]", kStrict).message == "a number needs digits");
  CHECK(errorOf("\xEF\xBB\xBF{}", kStrict).message == "byte 0xef is not the start of a JSON value");
  Recorder s;
  CHECK_FALSE(readWith(R"("a\u0000b")", s, kStrict));
  CHECK(s.log == std::string("s:a\0b(0,10)", 11));
}
