// The .safetensors reader and writer: round trips, the layout against files written by hand
// from the format's description, and damaged or hostile files, each of which must give an
// error message rather than a crash or a huge allocation.

#include "runtime/io/Safetensors.h"
#include "compiler/types/Elements.h"

#include "FileSupport.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <sys/stat.h>

using namespace lamina;
using namespace lamina::io;
namespace fs = std::filesystem;

namespace {

using Arrays = std::vector<std::pair<std::string, Array>>;

/// A fresh directory named lamina-st-XXXXXX, removed with everything in it at the end of
/// the test.
struct TempDir : test::TempDir {
  TempDir() : test::TempDir("lamina-st") {}
};

/// An array whose bytes are a pattern that differs element to element (0/1 for bool).
Array patterned(DType dtype, std::vector<int64_t> shape, unsigned seed = 0) {
  Array a;
  a.dtype = dtype;
  a.shape = std::move(shape);
  a.bytes.resize(static_cast<size_t>(a.elementCount()) * byteSize(dtype));
  for (size_t i = 0; i < a.bytes.size(); ++i)
    a.bytes[i] =
        dtype == DType::Bool ? std::byte((i + seed) % 3 == 0) : std::byte((i + seed) * 37 + 11);
  return a;
}

/// An array of raw bit patterns of `width` bytes each, little-endian.
Array bits(DType dtype, std::initializer_list<uint64_t> values) {
  Array a;
  a.dtype = dtype;
  a.shape = {int64_t(values.size())};
  unsigned width = byteSize(dtype);
  for (uint64_t v : values)
    for (unsigned k = 0; k < width; ++k)
      a.bytes.push_back(std::byte((v >> (8 * k)) & 0xff));
  return a;
}

void checkSame(const Array &a, const Array &b) {
  CHECK(a.dtype == b.dtype);
  CHECK(a.shape == b.shape);
  CHECK(a.bytes == b.bytes);
}

/// The arrays read back, by name, which must be exactly `expected`.
void checkSameArrays(const NamedArrays &got, const Arrays &expected) {
  INFO(got.error);
  REQUIRE(got.error.empty());
  REQUIRE(got.arrays.size() == expected.size());
  std::map<std::string, const Array *> byName;
  for (const auto &[name, a] : got.arrays)
    byName[name] = &a;
  REQUIRE(byName.size() == expected.size());
  for (const auto &[name, a] : expected) {
    CAPTURE(name);
    REQUIRE(byName.count(name) == 1);
    checkSame(*byName[name], a);
  }
}

std::string le64(uint64_t n) {
  std::string out;
  for (int i = 0; i < 8; ++i)
    out += static_cast<char>((n >> (8 * i)) & 0xff);
  return out;
}

/// A .safetensors file with the given header JSON (not padded) and data.
std::vector<std::byte> stFile(std::string_view json, std::string_view data = "") {
  return test::bytesOf(le64(json.size()) + std::string(json) + std::string(data));
}

/// parseSafetensors' error for a header and data; "" when it parses. A failure returns no
/// arrays.
std::string parseError(std::string_view json, std::string_view data = "",
                       const IoLimits &limits = {}) {
  NamedArrays r = parseSafetensors("t.safetensors", stFile(json, data), limits);
  if (!r.error.empty())
    CHECK(r.arrays.empty());
  return r.error;
}

bool contains(const std::string &text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

/// One tensor's entry in a header.
std::string entry(std::string_view name, std::string_view dtype, std::string_view shape,
                  uint64_t begin, uint64_t end) {
  return "\"" + std::string(name) + "\":{\"dtype\":\"" + std::string(dtype) +
         "\",\"shape\":" + std::string(shape) + ",\"data_offsets\":[" + std::to_string(begin) +
         "," + std::to_string(end) + "]}";
}

const DType kAllDTypes[] = {DType::Bool, DType::I8,  DType::U8,  DType::I16, DType::U16,
                            DType::I32,  DType::U32, DType::I64, DType::U64, DType::F16,
                            DType::BF16, DType::F32, DType::F64};

/// Several tensors of different sizes, and metadata: the file the damage tests start from.
Arrays sampleArrays() {
  return {{"weight", patterned(DType::F32, {2, 3})}, {"bias", patterned(DType::F64, {3})},
          {"mask", patterned(DType::Bool, {5})},     {"empty", patterned(DType::I32, {0, 4})},
          {"scalar", patterned(DType::BF16, {})},    {"ids", patterned(DType::I64, {2})}};
}
const SafetensorsMetadata kSampleMetadata = {{"format", "pt"}, {"author", "lamina"}};

} // namespace

TEST_CASE("safetensors: every dtype round-trips at rank 0, 1 and 3 and with empty dimensions") {
  TempDir dir;
  Arrays all;
  for (DType t : kAllDTypes)
    for (const std::vector<int64_t> &shape :
         {std::vector<int64_t>{}, {5}, {2, 3, 4}, {3, 0, 2}, {0}})
      all.emplace_back(std::string(shortName(t)) + "_" + std::to_string(all.size()),
                       patterned(t, shape, unsigned(all.size())));
  SafetensorsMetadata metadata = {{"format", "pt"}, {"", "empty key"}, {"z", ""}};
  std::string path = dir / "all.safetensors";
  REQUIRE(writeSafetensors(path, all, metadata) == "");
  SafetensorsMetadata readMetadata = {{"stale", "entry"}};
  NamedArrays back = readSafetensors(path, {}, &readMetadata);
  checkSameArrays(back, all);
  SafetensorsMetadata sorted = metadata;
  std::sort(sorted.begin(), sorted.end());
  CHECK(readMetadata == sorted);

  std::vector<std::byte> encoded = encodeSafetensors(all, metadata);
  CHECK(encoded == test::fileBytes(path));
  SafetensorsMetadata parsedMetadata;
  checkSameArrays(parseSafetensors("all.safetensors", encoded, {}, &parsedMetadata), all);
  CHECK(parsedMetadata == sorted);

  // Without metadata, and with no tensors at all.
  REQUIRE(writeSafetensors(path, all) == "");
  checkSameArrays(readSafetensors(path, {}, &readMetadata), all);
  CHECK(readMetadata.empty());
  REQUIRE(writeSafetensors(path, {}) == "");
  CHECK(test::fileBytes(path) == test::bytesOf(le64(8) + "{}      "));
  checkSameArrays(readSafetensors(path), {});
}

TEST_CASE("safetensors: float bit patterns, NaN payloads included, are kept exactly") {
  Arrays arrays = {
      {"f32", bits(DType::F32, {0x7fc00001, 0x7f800001, 0xffffffff, 0x80000000, 0x00000001,
                                0x7f800000, 0xff800000, 0x3f800000})},
      {"f64", bits(DType::F64, {0x7ff8000000000001, 0x7ff0000000000001, 0xfff8deadbeef0000,
                                0x8000000000000000, 0x0000000000000001})},
      {"f16", bits(DType::F16, {0x7c01, 0xfe00, 0x7e55, 0x8000, 0x0001, 0x7c00})},
      {"bf16", bits(DType::BF16, {0x7f81, 0xffc1, 0x7fc0, 0x8000, 0x0001, 0xff80})},
      {"i64", bits(DType::I64, {0x8000000000000000, 0x7fffffffffffffff, 0xffffffffffffffff})},
      {"i32", bits(DType::I32, {0x80000000, 0x7fffffff, 0xffffffff})},
      {"i8", bits(DType::I8, {0x80, 0x7f, 0xff})},
      {"u8", bits(DType::U8, {0x00, 0xff})}};
  TempDir dir;
  REQUIRE(writeSafetensors(dir / "f.safetensors", arrays) == "");
  checkSameArrays(readSafetensors(dir / "f.safetensors"), arrays);
}

TEST_CASE("safetensors: the writer's layout follows the format, byte for byte") {
  // Written by hand from the format's description: u64 N, N bytes of JSON padded with spaces
  // to a multiple of 8, then the data; tensors by element size (largest first), then by name;
  // "__metadata__" first, sorted by key.
  Arrays arrays = {{"c", bits(DType::Bool, {1, 0, 1})},
                   {"b", bits(DType::I32, {1, 0xfffffffe})},
                   {"a", bits(DType::F32, {0x3fc00000})},
                   {"d", bits(DType::F64, {0x4000000000000000})},
                   {"e\"\\\n\x01\xc3\xa9", bits(DType::U8, {7})}};
  SafetensorsMetadata metadata = {{"version", "1"}, {"format", "pt"}};
  std::string json = "{\"__metadata__\":{\"format\":\"pt\",\"version\":\"1\"},"
                     "\"d\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]},"
                     "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]},"
                     "\"b\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[12,20]},"
                     "\"c\":{\"dtype\":\"BOOL\",\"shape\":[3],\"data_offsets\":[20,23]},"
                     "\"e\\\"\\\\\\n\\u0001\xc3\xa9\":{\"dtype\":\"U8\",\"shape\":[1],"
                     "\"data_offsets\":[23,24]}}";
  json.append((8 - json.size() % 8) % 8, ' ');
  REQUIRE(json.size() % 8 == 0);
  std::string data = std::string("\0\0\0\0\0\0\0\x40", 8) + std::string("\0\0\xc0\x3f", 4) +
                     std::string("\1\0\0\0\xfe\xff\xff\xff", 8) + std::string("\1\0\1", 3) + "\x07";
  std::vector<std::byte> expected = test::bytesOf(le64(json.size()) + json + data);
  CHECK(encodeSafetensors(arrays, metadata) == expected);
  TempDir dir;
  REQUIRE(writeSafetensors(dir / "x.safetensors", arrays, metadata) == "");
  CHECK(test::fileBytes(dir / "x.safetensors") == expected);

  // Deterministic: the order of the arguments does not matter.
  std::reverse(arrays.begin(), arrays.end());
  std::reverse(metadata.begin(), metadata.end());
  CHECK(encodeSafetensors(arrays, metadata) == expected);

  // The reader returns tensors in the order of their data.
  SafetensorsMetadata readMetadata;
  NamedArrays back = parseSafetensors("x.safetensors", expected, {}, &readMetadata);
  REQUIRE(back.error == "");
  std::vector<std::string> names;
  for (const auto &[name, a] : back.arrays)
    names.push_back(name);
  CHECK(names == std::vector<std::string>{"d", "a", "b", "c", "e\"\\\n\x01\xc3\xa9"});
  CHECK(readMetadata == SafetensorsMetadata{{"format", "pt"}, {"version", "1"}});
  checkSameArrays(back, arrays);
}

TEST_CASE("safetensors: I16, U16, U32 and U64 are read as the format lays them out") {
  std::string json = "{" + entry("a", "I16", "[2]", 0, 4) + "," + entry("b", "U16", "[1]", 4, 6) +
                     "," + entry("c", "U32", "[1]", 6, 10) + "," +
                     entry("d", "U64", "[1]", 10, 18) + "}";
  std::string data = std::string("\x00\x80\xff\x7f", 4) + std::string("\xff\xff", 2) +
                     std::string("\xff\xff\xff\xff", 4) +
                     std::string("\x00\x00\x00\x00\x00\x00\x00\x80", 8);
  NamedArrays r = parseSafetensors("t.safetensors", stFile(json, data));
  REQUIRE(r.error == "");
  REQUIRE(r.arrays.size() == 4);
  CHECK(r.arrays[0].second.dtype == DType::I16);
  CHECK(loadInt(r.arrays[0].second, 0) == INT16_MIN);
  CHECK(loadInt(r.arrays[0].second, 1) == INT16_MAX);
  CHECK(r.arrays[1].second.dtype == DType::U16);
  CHECK(loadInt(r.arrays[1].second, 0) == UINT16_MAX);
  CHECK(r.arrays[2].second.dtype == DType::U32);
  CHECK(loadInt(r.arrays[2].second, 0) == UINT32_MAX);
  CHECK(r.arrays[3].second.dtype == DType::U64);
  CHECK(uint64_t(loadInt(r.arrays[3].second, 0)) == uint64_t(1) << 63);
  // And written back with the same names.
  std::vector<std::byte> encoded = encodeSafetensors(r.arrays);
  std::string text(reinterpret_cast<const char *>(encoded.data()), encoded.size());
  for (const char *name : {"\"I16\"", "\"U16\"", "\"U32\"", "\"U64\""})
    CHECK(contains(text, name));
}

TEST_CASE("safetensors: files written by other writers are read") {
  // Whitespace, another key order, tensors listed out of data order, a header padded with
  // spaces and nothing else, unsorted metadata, escapes in names.
  std::string json = "{ \"b\" : { \"data_offsets\" : [ 4 , 12 ] , \"shape\" : [ 2 ] ,\n"
                     "  \"dtype\" : \"I32\" } ,\t\"__metadata__\" : { \"z\" : \"1\", \"a\" : "
                     "\"\\u00e9\" },\r\n \"\\u0061\\/x\" : {\"dtype\":\"F32\",\"shape\":[],"
                     "\"data_offsets\":[0,4]}}     ";
  std::string data = std::string("\0\0\x80\x3f", 4) + std::string("\2\0\0\0\3\0\0\0", 8);
  SafetensorsMetadata metadata;
  NamedArrays r = parseSafetensors("t.safetensors", stFile(json, data), {}, &metadata);
  REQUIRE(r.error == "");
  REQUIRE(r.arrays.size() == 2);
  CHECK(r.arrays[0].first == "a/x");
  CHECK(r.arrays[0].second.dtype == DType::F32);
  CHECK(r.arrays[0].second.shape.empty());
  CHECK(r.arrays[0].second.bytes == test::bytesOf(std::string_view("\0\0\x80\x3f", 4)));
  CHECK(r.arrays[1].first == "b");
  CHECK(r.arrays[1].second.dtype == DType::I32);
  CHECK(r.arrays[1].second.shape == std::vector<int64_t>{2});
  CHECK(metadata == SafetensorsMetadata{{"a", "\xc3\xa9"}, {"z", "1"}});
  // Empty tensors may sit anywhere their offsets are within the data: at the start, between
  // others, at the end.
  CHECK(parseError("{" + entry("e0", "F32", "[0]", 0, 0) + "," + entry("a", "U8", "[2]", 0, 2) +
                       "," + entry("e1", "F64", "[3,0]", 2, 2) + "," +
                       entry("b", "U8", "[1]", 2, 3) + "," + entry("e2", "I8", "[0]", 3, 3) + "}",
                   "abc") == "");
  CHECK(parseError("{" + entry("e", "F32", "[0]", 0, 0) + "}") == "");
}

TEST_CASE("safetensors: a file truncated at any byte is an error") {
  std::vector<std::byte> whole = encodeSafetensors(sampleArrays(), kSampleMetadata);
  REQUIRE(whole.size() > 100);
  REQUIRE(parseSafetensors("t", whole).error == "");
  TempDir dir;
  std::string cut = dir / "cut.safetensors";
  for (size_t n = 0; n < whole.size(); ++n) {
    CAPTURE(n);
    std::span<const std::byte> part(whole.data(), n);
    SafetensorsMetadata metadata = {{"stale", "entry"}};
    NamedArrays parsed = parseSafetensors("t.safetensors", part, {}, &metadata);
    CHECK(parsed.arrays.empty());
    CHECK(parsed.error.starts_with("t.safetensors: "));
    CHECK(metadata.empty());
    // readSafetensors takes another path: it reads the header, then each tensor.
    test::writeBytes(cut, part);
    NamedArrays read = readSafetensors(cut);
    CHECK(read.arrays.empty());
    CHECK(read.error.starts_with(cut + ": "));
  }
  CHECK(parseSafetensors("t.safetensors", {}).error ==
        "t.safetensors: truncated: 0 bytes is too short for a .safetensors file, which starts "
        "with an 8-byte header length");
  // Cut inside the data: the last tensor's offsets run past its end.
  std::span<const std::byte> part(whole.data(), whole.size() - 1);
  CHECK(contains(parseSafetensors("t.safetensors", part).error, "run past the end of the data"));
}

TEST_CASE("safetensors: the header length must fit the file and the limit") {
  CHECK(parseSafetensors("model.safetensors", test::bytesOf(le64(UINT64_MAX) + "{}")).error ==
        "model.safetensors: header length 18446744073709551615 is larger than the file");
  CHECK(parseSafetensors("t.safetensors", test::bytesOf(le64(0) + "{}")).error ==
        "t.safetensors: header length is 0; the shortest header is '{}'");
  CHECK(parseSafetensors("t.safetensors", test::bytesOf(le64(0))).error ==
        "t.safetensors: header length is 0; the shortest header is '{}'");
  CHECK(parseSafetensors("t.safetensors", test::bytesOf(le64(3) + "{}")).error ==
        "t.safetensors: header length 3 is larger than the file");
  CHECK(parseSafetensors("t.safetensors", test::bytesOf(le64(2) + "{}")).error == "");
  CHECK(parseSafetensors("t.safetensors", test::bytesOf(std::string_view("\2\0\0", 3))).error ==
        "t.safetensors: truncated: 3 bytes is too short for a .safetensors file, which starts "
        "with an 8-byte header length");

  // A header over the limit is refused even when the file holds it.
  std::string big = "{}" + std::string(kMaxSafetensorsHeaderBytes - 1, ' ');
  CHECK(parseSafetensors("t.safetensors", test::bytesOf(le64(big.size()) + big)).error ==
        "t.safetensors: header length 16777217 is more than the limit of 16777216 bytes");
  big.pop_back();
  CHECK(parseSafetensors("t.safetensors", test::bytesOf(le64(big.size()) + big)).error == "");

  // The same through files, and a huge length is found before anything is allocated.
  TempDir dir;
  test::writeBytes(dir / "huge.safetensors", test::bytesOf(le64(UINT64_MAX) + "{}"));
  CHECK(readSafetensors(dir / "huge.safetensors").error ==
        dir / "huge.safetensors" + ": header length 18446744073709551615 is larger than the file");
  test::writeBytes(dir / "short.safetensors", test::bytesOf("\1"));
  CHECK(contains(readSafetensors(dir / "short.safetensors").error, "truncated: 1 byte is too"));
}

TEST_CASE("safetensors: data offsets must tile the data exactly") {
  std::string a = entry("a", "U8", "[4]", 0, 4), b = entry("b", "U8", "[4]", 4, 8);
  CHECK(parseError("{" + a + "," + b + "}", "01234567") == "");
  // Out of range.
  CHECK(parseError("{" + a + "," + b + "}", "0123456") ==
        "t.safetensors: tensor 'b': data_offsets [4, 8] run past the end of the data, which has "
        "7 bytes");
  CHECK(contains(
      parseError("{" + entry("a", "U8", "[1]", 18446744073709551614u, 18446744073709551615u) + "}",
                 "x"),
      "run past the end of the data"));
  // Overlapping.
  CHECK(parseError("{" + a + "," + entry("b", "U8", "[4]", 2, 6) + "}", "012345") ==
        "t.safetensors: tensor 'b' (data_offsets [2, 6]) overlaps tensor 'a' (data_offsets [0, "
        "4])");
  CHECK(contains(parseError("{" + a + "," + entry("b", "U8", "[4]", 0, 4) + "}", "0123"),
                 "overlaps"));
  CHECK(contains(parseError("{" + a + "," + entry("e", "U8", "[0]", 2, 2) + "}", "0123"),
                 "tensor 'e' (data_offsets [2, 2]) overlaps tensor 'a'"));
  // A hole.
  CHECK(parseError("{" + a + "," + entry("b", "U8", "[4]", 5, 9) + "}", "012345678") ==
        "t.safetensors: bytes 4 to 5 of the data belong to no tensor (tensor 'b' has "
        "data_offsets [5, 9])");
  CHECK(contains(parseError("{" + entry("b", "U8", "[4]", 1, 5) + "}", "01234"),
                 "bytes 0 to 1 of the data belong to no tensor"));
  // Trailing bytes.
  CHECK(parseError("{" + a + "," + b + "}", "012345678") ==
        "t.safetensors: 1 byte of data after the last tensor's (8 of 9 data bytes are described "
        "by the header)");
  CHECK(contains(parseError("{}", "x"), "1 byte of data after the last tensor's"));
  // Begin after end.
  CHECK(parseError("{" + entry("a", "U8", "[0]", 4, 0) + "}", "0123") ==
        "t.safetensors: tensor 'a': data_offsets [4, 0] end before they begin");
  // Not two non-negative integers.
  CHECK(parseError("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0]}}", "x") ==
        "t.safetensors: tensor 'a': 'data_offsets' has 1 value; it needs 2, begin and end");
  CHECK(
      contains(parseError("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1,1]}}", "x"),
               "'data_offsets' has more than 2 values"));
  CHECK(parseError("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[-1,0]}}", "x") ==
        "t.safetensors: tensor 'a': data offset -1 is negative");
  CHECK(
      contains(parseError("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1.0]}}", "x"),
               "data offset '1.0' is not an integer from 0 to 2^64 - 1"));
  CHECK(contains(parseError("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],"
                            "\"data_offsets\":[0,18446744073709551616]}}",
                            "x"),
                 "data offset '18446744073709551616' is not an integer"));
  CHECK(contains(parseError("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":{}}}", "x"),
                 "'data_offsets' is an object, not an array of two non-negative integers"));
  CHECK(
      contains(parseError("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,[1]]}}", "x"),
               "tensor 'a': a data offset is an array, not a non-negative integer"));
}

TEST_CASE("safetensors: dtypes lamina does not have are errors naming the tensor") {
  for (const char *dtype : {"F8_E5M2", "F8_E4M3", "F4"}) {
    CAPTURE(dtype);
    CHECK(parseError("{" + entry("w", dtype, "[1]", 0, 2) + "}", "xx") ==
          "t.safetensors: tensor 'w' has dtype '" + std::string(dtype) +
              "', which lamina does not support (supported: BOOL, I8, U8, I16, U16, I32, U32, "
              "I64, U64, F16, BF16, F32, F64)");
  }
  CHECK(parseError("{" + entry("w", "float32", "[1]", 0, 4) + "}", "xxxx") ==
        "t.safetensors: tensor 'w' has unknown dtype 'float32' (supported: BOOL, I8, U8, I16, "
        "U16, I32, U32, I64, U64, F16, BF16, F32, F64)");
  // Complex data gets E0417's advice.
  CHECK(parseError("{" + entry("w", "C64", "[1]", 0, 8) + "}", "xxxxxxxx") ==
        "t.safetensors: tensor 'w' has dtype 'C64': lamina has no complex dtypes (`C64`); keep "
        "the real and imaginary parts as two real tensors (E0417)");
  CHECK(contains(parseError("{\"w\":{\"dtype\":4,\"shape\":[1],\"data_offsets\":[0,4]}}", "xxxx"),
                 "tensor 'w': 'dtype' is the number '4', not a string"));
}

TEST_CASE("safetensors: shapes are checked against the data and for overflow") {
  CHECK(parseError("{" + entry("w", "F32", "[2,3]", 0, 20) + "}", std::string(20, 'x')) ==
        "t.safetensors: tensor 'w': data_offsets [0, 20] hold 20 bytes but shape [2, 3] of F32 "
        "needs 24");
  CHECK(contains(parseError("{" + entry("w", "F32", "[]", 0, 0) + "}"), "hold 0 bytes"));
  // 2^40 x 2^40 elements overflow 64 bits; the error comes before anything is allocated.
  IoLimits none{.maxBytes = UINT64_MAX};
  CHECK(parseError("{" + entry("w", "F32", "[1099511627776,1099511627776]", 0, 4) + "}", "xxxx",
                   none) ==
        "t.safetensors: tensor 'w': the non-zero dimensions of shape [1099511627776, "
        "1099511627776] of F32 multiply to 2^63 bytes or more");
  CHECK(contains(
      parseError("{" + entry("w", "U8", "[0,4294967296,4294967296]", 0, 0) + "}", "", none),
      "multiply to 2^63 bytes or more"));
  CHECK(contains(
      parseError("{" + entry("w", "U8", "[4294967296,4294967296,0]", 0, 0) + "}", "", none),
      "multiply to 2^63 bytes or more"));
  CHECK(parseError("{" + entry("w", "U8", "[1048576,1048576,0]", 0, 0) + "}") == "");
  // Within 64 bits but more than the limit, or than the file holds.
  CHECK(parseError("{" + entry("w", "F32", "[1099511627776]", 0, 4398046511104) + "}") ==
        "t.safetensors: tensor 'w': shape [1099511627776] of F32 is 4398046511104 bytes, more "
        "than the limit of 4294967296 bytes");
  CHECK(parseError("{" + entry("w", "F32", "[2,3]", 0, 24) + "}", std::string(24, 'x'),
                   IoLimits{.maxBytes = 23}) ==
        "t.safetensors: tensor 'w': shape [2, 3] of F32 is 24 bytes, more than the limit of 23 "
        "bytes");
  CHECK(contains(
      parseError("{" + entry("w", "U8", "[4611686018427387904]", 0, 4611686018427387904) + "}", "",
                 none),
      "run past the end of the data, which has 0 bytes"));
  // Negative, fractional and too large dimensions.
  CHECK(parseError("{" + entry("w", "F32", "[2,-3]", 0, 0) + "}") ==
        "t.safetensors: tensor 'w': dimension -3 is negative");
  CHECK(contains(parseError("{" + entry("w", "F32", "[2.5]", 0, 0) + "}"),
                 "dimension '2.5' is not an integer from 0 to 2^63 - 1"));
  CHECK(contains(parseError("{" + entry("w", "F32", "[1e3]", 0, 0) + "}"),
                 "dimension '1e3' is not an integer"));
  CHECK(contains(parseError("{" + entry("w", "U8", "[9223372036854775808]", 0, 0) + "}"),
                 "dimension '9223372036854775808' is not an integer from 0 to 2^63 - 1"));
  CHECK(contains(parseError("{" + entry("w", "U8", "[99999999999999999999999]", 0, 0) + "}"),
                 "is not an integer from 0 to 2^63 - 1"));
  CHECK(contains(parseError("{" + entry("w", "U8", "[\"2\"]", 0, 0) + "}"),
                 "a dimension is the string '2', not a non-negative integer"));
  CHECK(contains(parseError("{" + entry("w", "U8", "2", 0, 0) + "}"),
                 "'shape' is the number '2', not an array of dimensions"));
  CHECK(
      contains(parseError("{" + entry("w", "U8", "[[2]]", 0, 0) + "}"), "a dimension is an array"));
  // -0 is 0, as JSON parsers read it.
  CHECK(parseError("{" + entry("w", "U8", "[-0]", 0, 0) + "}") == "");
  // Rank 8 is read, rank 9 is an error.
  CHECK(parseError("{" + entry("w", "U8", "[1,1,1,1,1,1,1,2]", 0, 2) + "}", "xx") == "");
  CHECK(parseError("{" + entry("w", "U8", "[1,1,1,1,1,1,1,1,2]", 0, 2) + "}", "xx") ==
        "t.safetensors: tensor 'w' has more than 8 dimensions");
}

TEST_CASE("safetensors: the header's structure is checked, duplicate keys included") {
  std::string w = entry("w", "U8", "[1]", 0, 1);
  // Duplicate keys, which JSON parsers usually merge silently.
  CHECK(parseError("{" + w + "," + w + "}", "x") ==
        "t.safetensors: the header has the key 'w' twice");
  CHECK(parseError("{\"w\":{\"dtype\":\"U8\",\"dtype\":\"U8\",\"shape\":[1],"
                   "\"data_offsets\":[0,1]}}",
                   "x") == "t.safetensors: tensor 'w' has the key 'dtype' twice");
  CHECK(parseError("{\"__metadata__\":{\"a\":\"1\",\"a\":\"2\"}}") ==
        "t.safetensors: '__metadata__' has the key 'a' twice");
  CHECK(parseError("{\"__metadata__\":{},\"__metadata__\":{}}") ==
        "t.safetensors: the header has the key '__metadata__' twice");
  // Not an object.
  for (const char *json : {"[]", "\"w\"", "1", "null", " {}", "\n{}"}) {
    CAPTURE(json);
    CHECK(parseError(json) ==
          "t.safetensors: header is not a JSON object: it does not start with '{'");
  }
  // Missing, unknown and mistyped fields.
  CHECK(parseError("{\"w\":{\"dtype\":\"U8\",\"shape\":[1]}}", "x") ==
        "t.safetensors: tensor 'w' has no 'data_offsets' key");
  CHECK(parseError("{\"w\":{\"shape\":[0],\"data_offsets\":[0,0]}}") ==
        "t.safetensors: tensor 'w' has no 'dtype' key");
  CHECK(parseError("{\"w\":{\"dtype\":\"U8\",\"data_offsets\":[0,1]}}", "x") ==
        "t.safetensors: tensor 'w' has no 'shape' key");
  CHECK(parseError("{\"w\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1],\"x\":1}}",
                   "x") == "t.safetensors: tensor 'w' has the unknown key 'x' (the keys are "
                           "'dtype', 'shape' and 'data_offsets')");
  CHECK(parseError("{\"w\":[1]}") == "t.safetensors: tensor 'w' is an array, not an object with "
                                     "'dtype', 'shape' and 'data_offsets'");
  CHECK(contains(parseError("{\"w\":null}"), "tensor 'w' is null, not an object"));
  // Metadata must be an object of strings.
  CHECK(parseError("{\"__metadata__\":{\"epoch\":3}}") ==
        "t.safetensors: '__metadata__' value of 'epoch' is the number '3', not a string");
  CHECK(contains(parseError("{\"__metadata__\":{\"a\":{}}}"), "value of 'a' is an object"));
  CHECK(contains(parseError("{\"__metadata__\":{\"a\":null}}"), "value of 'a' is null"));
  CHECK(contains(parseError("{\"__metadata__\":{\"a\":[\"x\"]}}"), "value of 'a' is an array"));
  CHECK(contains(parseError("{\"__metadata__\":{\"a\":true}}"), "value of 'a' is true"));
  CHECK(parseError("{\"__metadata__\":\"x\"}") ==
        "t.safetensors: '__metadata__' is the string 'x', not an object of strings");
  CHECK(contains(parseError("{\"__metadata__\":[]}"), "'__metadata__' is an array"));
  // Names: non-empty and valid UTF-8 (checked by the JSON parser), control characters shown
  // escaped in messages, long ones cut short.
  CHECK(parseError("{" + entry("", "U8", "[1]", 0, 1) + "}", "x") ==
        "t.safetensors: a tensor has an empty name");
  CHECK(parseError("{" + entry("\xff", "U8", "[1]", 0, 1) + "}", "x") ==
        "t.safetensors: malformed header JSON at byte 10: the string is not valid UTF-8");
  CHECK(parseError("{" + entry("\xc0\xaf", "U8", "[1]", 0, 1) + "}", "x") ==
        "t.safetensors: malformed header JSON at byte 10: the string is not valid UTF-8");
  CHECK(parseError("{" + entry("\\ud800", "U8", "[1]", 0, 1) + "}", "x") ==
        "t.safetensors: malformed header JSON at byte 10: a high surrogate must be followed by a "
        "low one");
  CHECK(contains(parseError("{" + entry("a\\nb", "F8_E5M2", "[1]", 0, 2) + "}", "xx"),
                 "tensor 'a\\x0ab' has dtype 'F8_E5M2'"));
  std::string longName(1000, 'n');
  std::string message = parseError("{" + entry(longName, "F8_E5M2", "[1]", 0, 2) + "}", "xx");
  CHECK(contains(message, "tensor '" + std::string(60, 'n') + "...' has dtype 'F8_E5M2'"));
  CHECK(message.size() < 250); // the 60 bytes quoted and the list of supported dtypes
  // Malformed JSON, trailing text, a string that never ends.
  CHECK(parseError("{\"w\":}") ==
        "t.safetensors: malformed header JSON at byte 13: `}` is not the start of a JSON value");
  CHECK(parseError("{}x") ==
        "t.safetensors: malformed header JSON at byte 10: unexpected text after the value");
  CHECK(contains(parseError("{} {}"), "malformed header JSON"));
  CHECK(contains(parseError("{\"w"), "malformed header JSON"));
  CHECK(contains(parseError("{\"w\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]"),
                 "malformed header JSON"));
  CHECK(parseError(std::string("{\0}", 3)) ==
        "t.safetensors: malformed header JSON at byte 9: expected a key in quotes, found byte "
        "0x00");
  CHECK(parseError("{\"a\":tru}") ==
        "t.safetensors: malformed header JSON at byte 13: `t` is not the start of a JSON value");
  // The messages name a character, never a token, which may be huge: a string that never
  // ends is reported where it starts.
  std::string unterminated = parseError("{\"" + std::string(100000, 'a'));
  CHECK(unterminated == "t.safetensors: malformed header JSON at byte 9: string is not closed");
  std::string hugeNumber = parseError("{\"a\":1" + std::string(100000, '0') + "e999999}");
  CHECK(contains(hugeNumber, "malformed header JSON at byte 13: `1000"));
  CHECK(contains(hugeNumber, "...")); // cut short
  CHECK(hugeNumber.size() < 300);
  // Padding is spaces (other JSON whitespace is accepted too, as the reference does).
  CHECK(parseError("{}  \n\t ") == "");
  // Brackets inside strings are not nesting.
  CHECK(parseError("{" + entry("[[[[[[[[[[{{{{{{{{{{\\\"[[[[[[[[[", "U8", "[1]", 0, 1) + "}",
                   "x") == "");
}

TEST_CASE("safetensors: data offsets are exact integers up to 2^64 - 1, in strict JSON") {
  // Beyond 2^53 a double would round 9007199254740993 to ...992: the offsets stay exact.
  CHECK(parseError("{" + entry("w", "U8", "[0]", 9007199254740993, 9007199254740993) + "}") ==
        "t.safetensors: tensor 'w': data_offsets [9007199254740993, 9007199254740993] run past "
        "the end of the data, which has 0 bytes");
  CHECK(parseError("{" + entry("w", "U8", "[1]", 18446744073709551614u, 18446744073709551615u) +
                   "}") == "t.safetensors: tensor 'w': data_offsets [18446744073709551614, "
                           "18446744073709551615] run past the end of the data, which has 0 "
                           "bytes");
  // Negative, fractional, exponent and non-finite forms are not offsets.
  CHECK(
      parseError(
          "{\"a\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[0,-18446744073709551617]}}") ==
      "t.safetensors: tensor 'a': data offset -18446744073709551617 is negative");
  CHECK(parseError("{\"a\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[0,-0.5]}}") ==
        "t.safetensors: tensor 'a': data offset '-0.5' is not an integer from 0 to 2^64 - 1");
  CHECK(parseError("{\"a\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[0,0e0]}}") ==
        "t.safetensors: tensor 'a': data offset '0e0' is not an integer from 0 to 2^64 - 1");
  CHECK(parseError("{\"a\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[0,-0]}}") == "");
  // Python's NaN and Infinity, which configs accept, are not JSON.
  CHECK(parseError("{\"a\":{\"dtype\":\"U8\",\"shape\":[NaN],\"data_offsets\":[0,0]}}") ==
        "t.safetensors: malformed header JSON at byte 36: `N` is not the start of a JSON value");
  CHECK(parseError("{\"a\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[0,Infinity]}}") ==
        "t.safetensors: malformed header JSON at byte 57: `I` is not the start of a JSON value");
  // Nor is a byte-order mark, which JSON does not allow in front of the header.
  CHECK(parseError("\xEF\xBB\xBF{}") ==
        "t.safetensors: header is not a JSON object: it does not start with '{'");
}

TEST_CASE("safetensors: names and metadata may hold \\u0000, as serde_json writes it") {
  Arrays arrays = {{std::string("a\0b", 3), patterned(DType::U8, {2})}};
  SafetensorsMetadata metadata = {{std::string("k\0", 2), std::string("\0v", 2)}};
  std::vector<std::byte> file = encodeSafetensors(arrays, metadata);
  std::string text(reinterpret_cast<const char *>(file.data()), file.size());
  CHECK(contains(text, "\"a\\u0000b\""));
  SafetensorsMetadata back;
  checkSameArrays(parseSafetensors("t.safetensors", file, {}, &back), arrays);
  CHECK(back == metadata);
}

TEST_CASE("safetensors: deep nesting is refused at its first level too many") {
  // The header's structure allows three levels (header, tensor, shape): the first array or
  // object where it has none is refused as it opens, before the reader descends into it.
  std::string deep = "{\"w\":" + std::string(100000, '[');
  CHECK(parseError(deep) == "t.safetensors: tensor 'w' is an array, not an object with 'dtype', "
                            "'shape' and 'data_offsets'");
  CHECK(parseError("{\"w\":{\"shape\":[" + std::string(100000, '[')) ==
        "t.safetensors: tensor 'w': a dimension is an array, not a non-negative integer");
  std::string closed =
      "{\"__metadata__\":{\"k\":" + std::string(100000, '{') + std::string(100000, '}') + "}}";
  CHECK(parseError(closed) ==
        "t.safetensors: '__metadata__' value of 'k' is an object, not a string");
  // Past kMaxSafetensorsJsonDepth too (the reader's own limit, tested with the reader).
  CHECK(contains(parseError("{\"a\":[[[[[[[[1]]]]]]]]}"), "tensor 'a' is an array"));
  TempDir dir;
  test::writeBytes(dir / "deep.safetensors", stFile(deep));
  CHECK(contains(readSafetensors(dir / "deep.safetensors").error, "tensor 'w' is an array"));
}

TEST_CASE("safetensors: bool bytes other than 0 and 1 are errors") {
  std::string json = "{" + entry("b", "BOOL", "[3]", 0, 3) + "}";
  CHECK(parseError(json, std::string_view("\1\0\1", 3)) == "");
  CHECK(parseError(json, std::string_view("\1\0\2", 3)) ==
        "t.safetensors: tensor 'b': bool data byte at offset 65 is 0x02; bool values must be 0 "
        "or 1");
  TempDir dir;
  test::writeBytes(dir / "b.safetensors", stFile(json, std::string_view("\1\xff\1", 3)));
  CHECK(contains(readSafetensors(dir / "b.safetensors").error, "is 0xff; bool values"));
}

TEST_CASE("safetensors: at most kMaxSafetensorsTensors tensors are read") {
  auto header = [](uint64_t count) {
    std::string json = "{";
    for (uint64_t i = 0; i < count; ++i)
      json += (i ? "," : "") + entry("t" + std::to_string(i), "U8", "[0]", 0, 0);
    return json + "}";
  };
  CHECK(parseError(header(kMaxSafetensorsTensors + 1)) ==
        "t.safetensors: the header has more than 65536 tensors");
  NamedArrays r = parseSafetensors("t", stFile(header(kMaxSafetensorsTensors)));
  CHECK(r.error == "");
  CHECK(r.arrays.size() == kMaxSafetensorsTensors);
}

TEST_CASE("safetensors: the writer refuses what it cannot write and writes nothing") {
  TempDir dir;
  std::string path = dir / "x.safetensors";
  Array ok = patterned(DType::U8, {1});
  auto refused = [&](const Arrays &arrays, const SafetensorsMetadata &metadata = {}) {
    CHECK(encodeSafetensors(arrays, metadata).empty());
    return writeSafetensors(path, arrays, metadata);
  };
  CHECK(refused({{"a", ok}, {"a", ok}}) == path + ": two arrays are named 'a'");
  CHECK(refused({{"", ok}}) == path + ": an array has an empty name");
  CHECK(refused({{"__metadata__", ok}}) ==
        path + ": an array cannot be named '__metadata__', the key of the metadata");
  CHECK(refused({{"bad\xff", ok}}) == path + ": array name 'bad\xff' is not valid UTF-8");
  CHECK(contains(refused({{"\xed\xa0\x80", ok}}), "is not valid UTF-8")); // a surrogate
  CHECK(contains(refused({{"\xc0\x80", ok}}), "is not valid UTF-8"));     // overlong
  CHECK(contains(refused({{"a", ok}}, {{"k", "\xf5\x80\x80\x80"}}), "metadata 'k' is not valid"));
  CHECK(refused({{"a", ok}}, {{"k", "1"}, {"k", "2"}}) ==
        path + ": two metadata entries have the key 'k'");

  Array nine = patterned(DType::U8, {1, 1, 1, 1, 1, 1, 1, 1, 1});
  CHECK(refused({{"a", nine}}) == path + ": array 'a': array has 9 dimensions, more than 8");
  Array shortData = patterned(DType::F32, {2, 3});
  shortData.bytes.pop_back();
  CHECK(refused({{"a", shortData}}) ==
        path + ": array 'a': array holds 23 bytes but its shape [2, 3] and dtype need 24");
  Array negative = patterned(DType::F32, {});
  negative.shape = {-1};
  CHECK(refused({{"a", negative}}) == path + ": array 'a': dimension 0 is negative (-1)");
  Array huge = patterned(DType::F32, {});
  huge.shape = {1099511627776, 1099511627776};
  CHECK(refused({{"a", huge}}) ==
        path + ": array 'a': array shape [1099511627776, 1099511627776] has 2^63 bytes or more");
  Array badBool = patterned(DType::Bool, {3});
  badBool.bytes[1] = std::byte{2};
  CHECK(refused({{"a", badBool}}) == path + ": array 'a': bool element 1 is 2, not 0 or 1");
  Array badType = ok;
  badType.dtype = static_cast<DType>(200);
  CHECK(contains(refused({{"a", badType}}), "invalid dtype"));

  Arrays tooMany;
  for (uint64_t i = 0; i <= kMaxSafetensorsTensors; ++i)
    tooMany.emplace_back("t" + std::to_string(i), Array{DType::U8, {0}, {}});
  CHECK(contains(refused(tooMany), "65537 arrays are more than the limit of 65536"));
  CHECK(contains(refused({{std::string(kMaxSafetensorsHeaderBytes, 'n'), ok}}),
                 "the header would be"));
  CHECK(fs::is_empty(dir.path));
}

TEST_CASE("safetensors: writes replace the file atomically and leave no temporary behind") {
  TempDir dir;
  std::string path = dir / "a.safetensors";
  REQUIRE(writeSafetensors(path, {{"x", patterned(DType::I64, {4})}}) == "");
  REQUIRE(writeSafetensors(path, {{"y", patterned(DType::U8, {2})}}, {{"k", "v"}}) == "");
  SafetensorsMetadata metadata;
  NamedArrays r = readSafetensors(path, {}, &metadata);
  REQUIRE(r.error == "");
  REQUIRE(r.arrays.size() == 1);
  CHECK(r.arrays[0].first == "y");
  CHECK(metadata == SafetensorsMetadata{{"k", "v"}});
  std::vector<std::string> names;
  for (const auto &e : fs::directory_iterator(dir.path))
    names.push_back(e.path().filename().string());
  CHECK(names == std::vector<std::string>{"a.safetensors"});
  std::string missing = dir / "no/such/dir/a.safetensors";
  CHECK(writeSafetensors(missing, {{"x", patterned(DType::U8, {1})}}) ==
        missing + ": cannot write: no such file or directory");
}

TEST_CASE("safetensors: only regular files are read") {
  TempDir dir;
  CHECK(readSafetensors(dir.path.string()).error ==
        dir.path.string() + ": cannot read: is a directory");
  CHECK(readSafetensors(dir / "none.safetensors").error ==
        dir / "none.safetensors" + ": cannot open: no such file or directory");
  // A FIFO with no writer: refused at once rather than waited on.
  std::string fifo = dir / "fifo";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  CHECK(readSafetensors(fifo).error == fifo + ": cannot read: not a regular file");
  if (fs::exists("/dev/zero"))
    CHECK(readSafetensors("/dev/zero").error == "/dev/zero: cannot read: not a regular file");
  // A symbolic link to a regular file is read.
  REQUIRE(writeSafetensors(dir / "real.safetensors", {{"x", patterned(DType::U8, {1})}}) == "");
  fs::create_symlink(dir / "real.safetensors", dir / "link.safetensors");
  CHECK(readSafetensors(dir / "link.safetensors").error == "");
}
