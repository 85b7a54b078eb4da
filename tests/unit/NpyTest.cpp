// The .npy/.npz reader and writer: round trips, byte identity with NumPy (the fixtures come
// from tests/fixtures/make_npy_fixtures.py), and damaged or hostile files, each of which must
// give an error message rather than a crash or a huge allocation.

#include "runtime/io/Npy.h"
#include "compiler/types/Elements.h"

#include "FileSupport.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <string>
#include <unistd.h>

using namespace lamina;
using namespace lamina::io;
namespace fs = std::filesystem;

namespace {

std::string fixture(const std::string &name) {
  return std::string(LAMINA_SOURCE_DIR) + "/tests/fixtures/npy/" + name;
}

/// A fresh directory named lamina-npy-XXXXXX, removed with everything in it at the end of
/// the test.
struct TempDir : test::TempDir {
  TempDir() : test::TempDir("lamina-npy") {}
};

/// An array whose bytes are a pattern that differs element to element (0/1 for bool).
Array patterned(DType dtype, std::vector<int64_t> shape) {
  Array a;
  a.dtype = dtype;
  a.shape = std::move(shape);
  a.bytes.resize(static_cast<size_t>(a.elementCount()) * byteSize(dtype));
  for (size_t i = 0; i < a.bytes.size(); ++i)
    a.bytes[i] = dtype == DType::Bool ? std::byte(i % 3 == 0) : std::byte(i * 37 + 11);
  return a;
}

void checkSame(const Array &a, const Array &b) {
  CHECK(a.dtype == b.dtype);
  CHECK(a.shape == b.shape);
  CHECK(a.bytes == b.bytes);
}

Array mustRead(const std::string &path) {
  ReadResult r = readNpy(path);
  INFO(r.error);
  REQUIRE(r.array);
  CHECK(r.error.empty());
  return std::move(*r.array);
}

/// A .npy file with the given header dict (not padded; readers must not care) and data.
std::vector<std::byte> npyFile(std::string_view dict, std::string_view data = "", int major = 1) {
  std::string header = std::string(dict) + "\n";
  std::string out = "\x93NUMPY";
  out += static_cast<char>(major);
  out += '\0';
  size_t lengthBytes = major == 1 ? 2 : 4;
  for (size_t i = 0; i < lengthBytes; ++i)
    out += static_cast<char>((header.size() >> (8 * i)) & 0xff);
  return test::bytesOf(out + header + std::string(data));
}

/// parseNpy's error for a header dict and data; "" when it parses.
std::string parseError(std::string_view dict, std::string_view data = "",
                       const IoLimits &limits = {}) {
  ReadResult r = parseNpy("t.npy", npyFile(dict, data), limits);
  CHECK(r.array.has_value() == r.error.empty());
  return r.error;
}

const DType kNpyDTypes[] = {DType::Bool, DType::I8,  DType::U8,  DType::I16,
                            DType::U16,  DType::I32, DType::U32, DType::I64,
                            DType::U64,  DType::F16, DType::F32, DType::F64};

// The C-order, little-endian fixtures that numpy.save wrote.
const char *const kNumpyFiles[] = {"bool_2x3.npy",   "i8_4.npy",    "u8_4.npy",    "i32_2x2.npy",
                                   "i64_3.npy",      "f16_3.npy",   "f32_2x3.npy", "f32_2x3x4.npy",
                                   "f64_scalar.npy", "f32_0x3.npy", "i16_3.npy",   "u16_3.npy",
                                   "u32_3.npy",      "u64_3.npy"};

} // namespace

TEST_CASE("every dtype round-trips at rank 0, 1 and 3 and with an empty dimension") {
  TempDir dir;
  std::vector<std::pair<std::string, Array>> all;
  for (DType t : kNpyDTypes)
    for (const std::vector<int64_t> &shape :
         {std::vector<int64_t>{}, {5}, {2, 3, 4}, {3, 0, 2}, {0}}) {
      Array a = patterned(t, shape);
      CAPTURE(shortName(t));
      CAPTURE(shape.size());
      std::string path = dir / "a.npy";
      REQUIRE(writeNpy(path, a) == "");
      checkSame(mustRead(path), a);

      std::vector<std::byte> encoded = encodeNpy(a);
      CHECK(encoded == test::fileBytes(path));
      ReadResult parsed = parseNpy("a.npy", encoded);
      REQUIRE(parsed.array);
      checkSame(*parsed.array, a);
      all.emplace_back(std::string(shortName(t)) + "_" + std::to_string(all.size()), a);
    }

  std::string npz = dir / "all.npz";
  REQUIRE(writeNpz(npz, all) == "");
  NamedArrays back = readNpz(npz);
  REQUIRE(back.error == "");
  REQUIRE(back.arrays.size() == all.size());
  for (size_t i = 0; i < all.size(); ++i) {
    CHECK(back.arrays[i].first == all[i].first);
    checkSame(back.arrays[i].second, all[i].second);
  }
}

TEST_CASE("the writer's files are byte-identical to numpy.save's") {
  TempDir dir;
  for (const char *name : kNumpyFiles) {
    CAPTURE(name);
    Array a = mustRead(fixture(name));
    std::vector<std::byte> expected = test::fileBytes(fixture(name));
    CHECK(encodeNpy(a) == expected);
    REQUIRE(writeNpy(dir / name, a) == "");
    CHECK(test::fileBytes(dir / name) == expected);
  }
}

TEST_CASE("fixture values are read as NumPy wrote them") {
  Array b = mustRead(fixture("bool_2x3.npy"));
  CHECK(b.dtype == DType::Bool);
  CHECK(b.shape == std::vector<int64_t>{2, 3});
  CHECK(b.bytes == test::bytesOf(std::string_view("\1\0\1\0\0\1", 6)));

  Array i32 = mustRead(fixture("i32_2x2.npy"));
  CHECK(i32.dtype == DType::I32);
  int32_t values[4];
  std::memcpy(values, i32.bytes.data(), sizeof values);
  CHECK(values[0] == INT32_MIN);
  CHECK(values[1] == -1);
  CHECK(values[2] == 7);
  CHECK(values[3] == INT32_MAX);

  Array f64 = mustRead(fixture("f64_scalar.npy"));
  CHECK(f64.dtype == DType::F64);
  CHECK(f64.shape.empty());
  double pi;
  REQUIRE(f64.bytes.size() == sizeof pi);
  std::memcpy(&pi, f64.bytes.data(), sizeof pi);
  CHECK(pi == 3.141592653589793);

  Array u64 = mustRead(fixture("u64_3.npy"));
  CHECK(u64.dtype == DType::U64);
  CHECK(uint64_t(loadInt(u64, 1)) == uint64_t(1) << 63);
  CHECK(uint64_t(loadInt(u64, 2)) == UINT64_MAX);
  CHECK(loadFloat(u64, 2) == 18446744073709551616.0);
  Array i16 = mustRead(fixture("i16_3.npy"));
  CHECK(i16.dtype == DType::I16);
  CHECK(loadInt(i16, 0) == INT16_MIN);
  CHECK(loadInt(i16, 2) == INT16_MAX);
  Array u16 = mustRead(fixture("u16_3.npy"));
  CHECK(u16.dtype == DType::U16);
  CHECK(loadInt(u16, 1) == 258);
  CHECK(loadInt(u16, 2) == 65535);
  Array u32 = mustRead(fixture("u32_3.npy"));
  CHECK(u32.dtype == DType::U32);
  CHECK(loadInt(u32, 1) == 16909060);
  CHECK(loadInt(u32, 2) == 4294967295);

  Array empty = mustRead(fixture("f32_0x3.npy"));
  CHECK(empty.shape == std::vector<int64_t>{0, 3});
  CHECK(empty.bytes.empty());
}

TEST_CASE("Fortran-order files are converted to C order") {
  checkSame(mustRead(fixture("f32_2x3x4_fortran.npy")), mustRead(fixture("f32_2x3x4.npy")));
  checkSame(mustRead(fixture("bool_2x3_fortran.npy")), mustRead(fixture("bool_2x3.npy")));
  // Rank 1 and empty arrays are the same in both orders.
  Array a = *parseNpy("t.npy", npyFile("{'descr': '<i4', 'fortran_order': True, 'shape': (2,)}",
                                       std::string_view("\1\0\0\0\2\0\0\0", 8)))
                 .array;
  CHECK(a.bytes == test::bytesOf(std::string_view("\1\0\0\0\2\0\0\0", 8)));
  CHECK(parseError("{'descr': '<f8', 'fortran_order': True, 'shape': (4, 0, 3)}") == "");
}

TEST_CASE("big-endian files are byte-swapped to little-endian") {
  checkSame(mustRead(fixture("i32_2x2_big.npy")), mustRead(fixture("i32_2x2.npy")));
  checkSame(mustRead(fixture("f16_3_big.npy")), mustRead(fixture("f16_3.npy")));
  checkSame(mustRead(fixture("u64_3_big.npy")), mustRead(fixture("u64_3.npy")));
  // One-byte types need no swap, whatever the byte order character.
  ReadResult r = parseNpy("t.npy", npyFile("{'descr': '>i1', 'fortran_order': False, 'shape': "
                                           "(2,)}",
                                           "\x80\x01"));
  REQUIRE(r.array);
  CHECK(r.array->dtype == DType::I8);
  CHECK(r.array->bytes == test::bytesOf("\x80\x01"));
}

TEST_CASE("versions 2.0 and 3.0 are read") {
  Array v1 = mustRead(fixture("f32_2x3.npy"));
  checkSame(mustRead(fixture("f32_2x3_v2.npy")), v1);
  checkSame(mustRead(fixture("f32_2x3_v3.npy")), v1);
  CHECK(parseNpy("t.npy", npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': ()}",
                                  std::string_view("\0\0\x80\x3f", 4), 3))
            .array);
}

TEST_CASE("numpy's .npz files are read, stored and deflated, in archive order") {
  NamedArrays two = readNpz(fixture("two.npz"));
  REQUIRE(two.error == "");
  REQUIRE(two.arrays.size() == 2);
  CHECK(two.arrays[0].first == "weights");
  checkSame(two.arrays[0].second, mustRead(fixture("f32_2x3.npy")));
  CHECK(two.arrays[1].first == "bias");
  checkSame(two.arrays[1].second, mustRead(fixture("i32_2x2.npy")));

  NamedArrays compressed = readNpz(fixture("compressed.npz"));
  REQUIRE(compressed.error == "");
  REQUIRE(compressed.arrays.size() == 2);
  CHECK(compressed.arrays[0].first == "arr_0");
  checkSame(compressed.arrays[0].second, mustRead(fixture("f32_2x3x4.npy")));
  CHECK(compressed.arrays[1].first == "arr_1");
  checkSame(compressed.arrays[1].second, mustRead(fixture("bool_2x3.npy")));

  NamedArrays extra = readNpz(fixture("extra_member.npz"));
  REQUIRE(extra.error == "");
  REQUIRE(extra.arrays.size() == 1);
  CHECK(extra.arrays[0].first == "i8");
  checkSame(extra.arrays[0].second, mustRead(fixture("i8_4.npy")));
}

TEST_CASE("an empty .npz is written as numpy.savez writes it and read back") {
  TempDir dir;
  REQUIRE(writeNpz(dir / "e.npz", {}) == "");
  CHECK(test::fileBytes(dir / "e.npz") == test::fileBytes(fixture("empty.npz")));
  NamedArrays back = readNpz(dir / "e.npz");
  CHECK(back.error == "");
  CHECK(back.arrays.empty());
}

TEST_CASE("header syntax: any key order, whitespace, trailing commas, either quote") {
  std::string_view two("\1\0\0\0\2\0\0\0", 8);
  for (std::string_view dict : {
           "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }",
           "{\"shape\":(2,),\"descr\":\"<i4\",\"fortran_order\":False}",
           "  {\n\t'fortran_order' : False ,\r\n 'shape' : ( 2 , ) ,\f'descr':'<i4',}  \n  ",
           "{'descr': '=i4', 'shape': (2,), 'fortran_order': False}",
           "{'descr': '|i4', 'shape': (2,), 'fortran_order': False}",
           "{'descr': 'i4', 'shape': (2,), 'fortran_order': False}",
       }) {
    CAPTURE(dict);
    ReadResult r = parseNpy("t.npy", npyFile(dict, two));
    INFO(r.error);
    REQUIRE(r.array);
    CHECK(r.array->dtype == DType::I32);
    CHECK(r.array->shape == std::vector<int64_t>{2});
  }
  CHECK(parseError("{'descr': '<u1', 'fortran_order': False, 'shape': (1, 2,)}", "ab") == "");
  ReadResult r =
      parseNpy("t.npy", npyFile("{'descr':'<i1','fortran_order':False,'shape':()}", "x"));
  REQUIRE(r.array);
  CHECK(r.array->dtype == DType::I8); // '<i1' is '|i1'
  CHECK(r.array->shape.empty());
}

TEST_CASE("malformed headers are errors") {
  static constexpr char kNul[] = "{'descr': '<f4', 'fortran_order': False, 'shape': ()}\0";
  const std::string_view kWithNul(kNul, sizeof kNul - 1);
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"", "expected '{' starting the header dict, found the end of the header"},
      {"{'descr': '<f4', 'fortran_order': False}", "header has no 'shape' key"},
      {"{'fortran_order': False, 'shape': ()}", "header has no 'descr' key"},
      {"{'descr': '<f4', 'shape': ()}", "header has no 'fortran_order' key"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (), 'x': 1}", "unknown key 'x'"},
      {"{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': ()}",
       "duplicate key 'descr'"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (3)}", "needs a trailing comma"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}", "dimension '-1' is negative"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (03,)}", "leading zeros"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (1.5,)}",
       "expected ',' or ')' in the shape, found '.'"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (3L,)}", "found 'L'"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': [3]}", "expected '(' starting"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (,)}", "expected a dimension"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (9223372036854775808,)}",
       "larger than 2^63 - 1"},
      {"{'descr': '<f4', 'fortran_order': 0, 'shape': ()}", "expected True or False"},
      {"{'descr': '<f4', 'fortran_order': true, 'shape': ()}", "expected True or False"},
      {"{'descr': '<f4, 'fortran_order': False, 'shape': ()}",
       "expected ',' or '}' after the value of 'descr', found 'f'"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': ()", "expected ',' or '}'"},
      {"{'descr' '<f4', 'fortran_order': False, 'shape': ()}",
       "expected ':' after 'descr', found '\''"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': ()} x",
       "expected only whitespace after the header dict, found 'x'"},
      {"{'descr': '<f4' 'fortran_order': False, 'shape': ()}", "expected ',' or '}'"},
      {"{'descr': '\\x3cf4', 'fortran_order': False, 'shape': ()}", "escape sequences"},
      {"{'descr': '<f4\xe9', 'fortran_order': False, 'shape': ()}", "unexpected byte 0xe9"},
      {"{,}", "expected a quoted key or '}', found ','"},
      {"{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': ()}", "structured dtypes"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': ()}\v", "found byte 0x0b"},
      {kWithNul, "found byte 0x00"},
  };
  for (const auto &[dictText, expected] : cases) {
    std::string_view dict = dictText; // (clang 14 cannot capture a structured binding)
    CAPTURE(dict);
    std::string error = parseError(dict);
    CHECK(error.starts_with("t.npy: "));
    CHECK(error.find(expected) != std::string::npos);
  }
  // Positions are file offsets: the header starts at byte 10 in version 1.0.
  CHECK(parseError("{'descr': '<f4', 'fortran_order': False, 'shape': (3)}") ==
        "t.npy: malformed header at byte 62: a one-dimensional shape needs a trailing comma: "
        "(n,) is a tuple, (n) is not");
}

TEST_CASE("unsupported descrs name themselves and list the supported ones") {
  for (std::string_view descr :
       {"<i16", "<u3", "|O", "<U3", "|V2", "<f4 ", "<b2", "<f", "|b", "3<f4", "<<f4", "<f16"}) {
    CAPTURE(descr);
    std::string error =
        parseError("{'descr': '" + std::string(descr) + "', 'fortran_order': False, 'shape': ()}");
    CHECK(error == "t.npy: unsupported descr '" + std::string(descr) +
                       "'; supported: '|b1', '|i1', '|u1', '<i2', '<u2', '<i4', '<u4', '<i8', "
                       "'<u8', '<f2', '<f4', '<f8', with any byte order ('<', '>', '|', '=' or "
                       "none)");
  }
}

TEST_CASE("complex data is refused with E0417's advice, in any byte order") {
  for (std::string_view descr : {"<c8", "<c16", ">c8", "c16", "=c8"}) {
    CAPTURE(descr);
    std::string error =
        parseError("{'descr': '" + std::string(descr) + "', 'fortran_order': False, 'shape': ()}");
    CHECK(error == "t.npy: dtype '" + std::string(descr) + "': lamina has no complex dtypes (`" +
                       std::string(descr) +
                       "`); keep the real and imaginary parts as two real tensors (E0417)");
  }
  // Files NumPy wrote.
  for (const char *name : {"c8_2.npy", "c16_2.npy"}) {
    ReadResult r = readNpy(fixture(name));
    CHECK_FALSE(r.array);
    CHECK(r.error.find("lamina has no complex dtypes") != std::string::npos);
    CHECK(r.error.find("(E0417)") != std::string::npos);
  }
}

TEST_CASE("text quoted from a header in an error is cut short") {
  std::string error = parseError("{'descr': '" + std::string(60000, 'x') +
                                 "', 'fortran_order': False, 'shape': ()}");
  CHECK(error.starts_with("t.npy: unsupported descr '" + std::string(40, 'x') + "...'; supported"));
  CHECK(error.size() < 250); // the 40 bytes quoted and the list of supported descrs
  CHECK(parseError("{'descr': '<f4', 'fortran_order': False, 'shape': (" + std::string(1000, '9') +
                   ",)}")
            .ends_with("...' is larger than 2^63 - 1"));
}

TEST_CASE("rank 8 is read, rank 9 is an error") {
  CHECK(parseError("{'descr': '|u1', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1,2)}", "ab") ==
        "");
  CHECK(parseError("{'descr': '|u1', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1,1,2)}", "ab")
            .find("shape has more than 8 dimensions") != std::string::npos);
  Array nine = patterned(DType::U8, {1, 1, 1, 1, 1, 1, 1, 1, 1});
  TempDir dir;
  CHECK(writeNpy(dir / "nine.npy", nine) ==
        dir / "nine.npy" + ": array has 9 dimensions, more than 8");
  CHECK(encodeNpy(nine).empty());
}

TEST_CASE("a file truncated at any byte is an error") {
  TempDir dir;
  for (const char *name : {"f32_2x3.npy", "f32_2x3_v2.npy", "bool_2x3_fortran.npy"}) {
    CAPTURE(name);
    std::vector<std::byte> whole = test::fileBytes(fixture(name));
    for (size_t n = 0; n < whole.size(); ++n) {
      CAPTURE(n);
      std::span<const std::byte> part(whole.data(), n);
      ReadResult parsed = parseNpy(name, part);
      CHECK_FALSE(parsed.array);
      CHECK(parsed.error.starts_with(std::string(name) + ": "));
      // readNpy takes another path: it checks the size before reading the data.
      test::writeBytes(dir / "cut.npy", part);
      ReadResult read = readNpy(dir / "cut.npy");
      CHECK_FALSE(read.array);
      CHECK(read.error.starts_with(dir / "cut.npy: "));
    }
  }
  CHECK(parseError("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)}", "abcd") ==
        "t.npy: truncated: the header declares 2 x 3 elements of 4 bytes (24 bytes) but 4 bytes "
        "of data follow");
  CHECK(parseNpy("t.npy", {}).error == "t.npy: truncated: 0 bytes is too short for a .npy file");
}

TEST_CASE("pipes and devices are read without knowing their size") {
  // The whole file fits in the pipe's buffer, so no thread is needed to feed it.
  auto throughPipe = [](std::span<const std::byte> bytes) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    REQUIRE(::write(fds[1], bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
    ::close(fds[1]);
    ReadResult r = readNpy("/dev/fd/" + std::to_string(fds[0]));
    ::close(fds[0]);
    return r;
  };
  std::vector<std::byte> file = test::fileBytes(fixture("f32_2x3x4_fortran.npy"));
  ReadResult whole = throughPipe(file);
  REQUIRE(whole.array);
  checkSame(*whole.array, mustRead(fixture("f32_2x3x4.npy")));
  CHECK(throughPipe(std::span(file).first(100)).error.find("truncated") != std::string::npos);
  file.push_back(std::byte{0});
  CHECK(throughPipe(file).error.find("1 byte of trailing data") != std::string::npos);
  // An endless device is rejected at its first bytes.
  if (fs::exists("/dev/zero"))
    CHECK(readNpy("/dev/zero").error ==
          "/dev/zero: not a .npy file: it does not start with \\x93NUMPY");
}

TEST_CASE("trailing data after the array is an error") {
  std::vector<std::byte> file = test::fileBytes(fixture("f32_2x3.npy"));
  file.push_back(std::byte{0});
  CHECK(parseNpy("t.npy", file).error ==
        "t.npy: 1 byte of trailing data after the 24 bytes of array data the header declares");
  TempDir dir;
  test::writeBytes(dir / "long.npy", file);
  CHECK(readNpy(dir / "long.npy").error.find("1 byte of trailing data") != std::string::npos);
}

TEST_CASE("a header declaring a huge array is an error, found before allocating") {
  CHECK(parseError("{'descr': '<f4', 'fortran_order': False, 'shape': (1099511627776, "
                   "1099511627776)}") ==
        "t.npy: header declares 1099511627776 x 1099511627776 elements of 4 bytes, more than "
        "the limit of 4294967296 bytes");
  IoLimits small{.maxBytes = 23};
  CHECK(parseError("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)}",
                   std::string(24, 'x'), small) ==
        "t.npy: header declares 2 x 3 elements of 4 bytes (24 bytes), more than the limit of 23 "
        "bytes");
  CHECK(parseError("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)}",
                   std::string(24, 'x'), IoLimits{.maxBytes = 24}) == "");
  // With no limit, the product still overflows 64 bits...
  IoLimits none{.maxBytes = UINT64_MAX};
  CHECK(parseError("{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296)}",
                   "", none)
            .find("more than the limit") != std::string::npos);
  // ...and 2^62 bytes is found missing from the file before it is allocated, which would fail.
  CHECK(parseError("{'descr': '|u1', 'fortran_order': False, 'shape': (4611686018427387904,)}", "",
                   none)
            .find("truncated: the header declares 4611686018427387904 elements") !=
        std::string::npos);
  TempDir dir;
  test::writeBytes(
      dir / "huge.npy",
      npyFile("{'descr': '|u1', 'fortran_order': False, 'shape': (4611686018427387904,)}"));
  CHECK(readNpy(dir / "huge.npy", none).error.find("truncated") != std::string::npos);
  // Like NumPy, the other dimensions of an empty shape must not overflow either, in any order.
  CHECK(parseError(
            "{'descr': '<f8', 'fortran_order': False, 'shape': (0, 4294967296, 4294967296)}") ==
        "t.npy: header declares 0 x 4294967296 x 4294967296 elements of 8 bytes: an empty shape "
        "whose other dimensions multiply to more than 2^63 bytes, which NumPy refuses too");
  CHECK(parseError("{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296, "
                   "0)}")
            .find("an empty shape") != std::string::npos);
  CHECK(parseError("{'descr': '<f8', 'fortran_order': False, 'shape': (1048576, 1048576, 0)}") ==
        "");
}

TEST_CASE("bool bytes other than 0 and 1 are errors") {
  CHECK(parseError("{'descr': '|b1', 'fortran_order': False, 'shape': (3,)}",
                   std::string_view("\1\0\2", 3)) ==
        "t.npy: bool data byte at offset 68 is 0x02; bool values must be 0 or 1");
  Array bad = patterned(DType::Bool, {3});
  bad.bytes[1] = std::byte{255};
  TempDir dir;
  CHECK(writeNpy(dir / "b.npy", bad) == dir / "b.npy" + ": bool element 1 is 255, not 0 or 1");
  CHECK_FALSE(fs::exists(dir / "b.npy"));
}

TEST_CASE("wrong magic, version or header length are errors") {
  CHECK(parseNpy("t.npy", test::bytesOf("PK\3\4 not npy")).error ==
        "t.npy: not a .npy file: it does not start with \\x93NUMPY");
  std::vector<std::byte> file = test::fileBytes(fixture("f32_2x3.npy"));
  file[6] = std::byte{4};
  CHECK(parseNpy("t.npy", file).error ==
        "t.npy: unsupported .npy format version 4.0 (supported: 1.0, 2.0, 3.0)");
  file[6] = std::byte{1};
  file[7] = std::byte{1};
  CHECK(parseNpy("t.npy", file).error.find("version 1.1") != std::string::npos);
  file[7] = std::byte{0};
  file[8] = std::byte{0xff}; // header length 0x76 -> 0xff: past the end of the 152-byte file
  CHECK(parseNpy("t.npy", file).error ==
        "t.npy: truncated: the header of 255 bytes runs past the end of the file (152 bytes)");
  std::vector<std::byte> v2 = test::fileBytes(fixture("f32_2x3_v2.npy"));
  v2[11] = std::byte{1}; // header length 2^24 + 0x74
  CHECK(parseNpy("t.npy", v2).error ==
        "t.npy: header of 16777332 bytes is longer than the limit of 65536");
}

TEST_CASE("writing bf16 or an inconsistent array is an error and writes nothing") {
  TempDir dir;
  Array bf16 = patterned(DType::BF16, {2});
  CHECK(writeNpy(dir / "x.npy", bf16) ==
        dir / "x.npy" + ": bf16 has no .npy type; cast to f32 first");
  CHECK(encodeNpy(bf16).empty());
  CHECK(writeNpz(dir / "x.npz", {{"w", bf16}}) ==
        dir / "x.npz" + ": array 'w': bf16 has no .npy type; cast to f32 first");

  Array shortData = patterned(DType::F32, {2, 3});
  shortData.bytes.pop_back();
  CHECK(writeNpy(dir / "x.npy", shortData) ==
        dir / "x.npy" + ": array holds 23 bytes but its shape and dtype need 24");
  Array negative = patterned(DType::F32, {});
  negative.shape = {-1};
  CHECK(writeNpy(dir / "x.npy", negative) == dir / "x.npy" + ": dimension 0 is negative (-1)");
  CHECK(writeNpz(dir / "x.npz",
                 {{"a", patterned(DType::U8, {1})}, {"a", patterned(DType::U8, {1})}}) ==
        dir / "x.npz" + ": two arrays are named 'a'");
  CHECK(writeNpz(dir / "x.npz", {{"", patterned(DType::U8, {1})}}).find("is empty") !=
        std::string::npos);
  CHECK(fs::is_empty(dir.path));
}

TEST_CASE("writes replace the file atomically and leave no temporary behind") {
  TempDir dir;
  REQUIRE(writeNpy(dir / "a.npy", patterned(DType::I64, {4})) == "");
  REQUIRE(writeNpy(dir / "a.npy", patterned(DType::U8, {2})) == "");
  CHECK(mustRead(dir / "a.npy").dtype == DType::U8);
  REQUIRE(writeNpz(dir / "a.npz", {{"x", patterned(DType::I8, {3})}}) == "");
  REQUIRE(writeNpz(dir / "a.npz", {{"y", patterned(DType::I8, {3})}}) == "");
  NamedArrays z = readNpz(dir / "a.npz");
  REQUIRE(z.arrays.size() == 1);
  CHECK(z.arrays[0].first == "y");
  std::vector<std::string> names;
  for (const auto &entry : fs::directory_iterator(dir.path))
    names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{"a.npy", "a.npz"});

  std::string missing = dir / "no/such/dir/a.npy";
  CHECK(writeNpy(missing, patterned(DType::U8, {1})) ==
        missing + ": cannot write: no such file or directory");
  CHECK(writeNpz(dir / "no/a.npz", {{"x", patterned(DType::U8, {1})}}).find("cannot write") !=
        std::string::npos);
}

TEST_CASE("reading a missing file or a directory is an error") {
  TempDir dir;
  CHECK(readNpy(dir / "none.npy").error ==
        dir / "none.npy" + ": cannot open: no such file or directory");
  CHECK(readNpy(dir.path.string()).error == dir.path.string() + ": cannot read: is a directory");
  CHECK(readNpz(dir / "none.npz").error ==
        dir / "none.npz" + ": cannot open: no such file or directory");
  CHECK(readNpz(fixture("f32_2x3.npy")).error.find("cannot read as a .npz (zip) archive") !=
        std::string::npos);
}

TEST_CASE(".npz limits: member count, member size, damaged members") {
  TempDir dir;
  std::vector<std::pair<std::string, Array>> many;
  for (int i = 0; i < 1025; ++i)
    many.emplace_back("m" + std::to_string(i), patterned(DType::U8, {1}));
  REQUIRE(writeNpz(dir / "many.npz", many) == "");
  CHECK(readNpz(dir / "many.npz").error ==
        dir / "many.npz" + ": archive has 1025 members, more than the limit of 1024");
  many.pop_back();
  REQUIRE(writeNpz(dir / "many.npz", many) == "");
  CHECK(readNpz(dir / "many.npz").arrays.size() == 1024);

  // A member's uncompressed size is checked before it is read; its header again after.
  Array big = patterned(DType::U8, {100000});
  REQUIRE(writeNpz(dir / "big.npz", {{"big", big}}) == "");
  CHECK(readNpz(dir / "big.npz", IoLimits{.maxBytes = 1000}).error ==
        dir / "big.npz" + ": member 'big.npy' is 100128 bytes uncompressed, more than the 66548 "
                          "bytes a .npy file within the limits holds");
  CHECK(readNpz(dir / "big.npz", IoLimits{.maxBytes = 99999}).error ==
        dir / "big.npz" + ": member 'big.npy': header declares 100000 elements of 1 byte (100000 "
                          "bytes), more than the limit of 99999 bytes");
  CHECK(readNpz(dir / "big.npz", IoLimits{.maxBytes = 100000}).error == "");

  // Flip one byte of stored array data: the CRC no longer matches.
  std::vector<std::byte> zip = test::fileBytes(dir / "big.npz");
  std::vector<std::byte> npy = encodeNpy(big);
  auto at = std::search(zip.begin(), zip.end(), npy.begin(), npy.end());
  REQUIRE(at != zip.end());
  at[static_cast<ptrdiff_t>(npy.size() / 2)] ^= std::byte{1};
  test::writeBytes(dir / "crc.npz", zip);
  NamedArrays crc = readNpz(dir / "crc.npz");
  CHECK(crc.arrays.empty());
  CHECK(crc.error.starts_with(dir / "crc.npz: member 'big.npy': "));

  // A member whose recorded sizes (both of them) claim 4 GB: the claim is within the limits,
  // but the data is not there. Reading it allocates as the data arrives, not 4 GB up front.
  Array small = patterned(DType::U8, {100});
  REQUIRE(writeNpz(dir / "small.npz", {{"a", small}}) == "");
  zip = test::fileBytes(dir / "small.npz");
  for (auto [signature, sizeAt] : {std::pair{"PK\1\2", 24}, std::pair{"PK\3\4", 22}}) {
    std::vector<std::byte> sig = test::bytesOf(signature);
    auto header = std::search(zip.begin(), zip.end(), sig.begin(), sig.end());
    REQUIRE(header != zip.end());
    header[sizeAt + 3] = std::byte{0xf0};
  }
  test::writeBytes(dir / "claims.npz", zip);
  NamedArrays claims = readNpz(dir / "claims.npz");
  CHECK(claims.arrays.empty());
  CHECK(claims.error.starts_with(dir / "claims.npz: member 'a.npy': "));

  NamedArrays twice = readNpz(fixture("duplicate.npz"));
  CHECK(twice.arrays.empty());
  CHECK(twice.error == fixture("duplicate.npz") +
                           ": cannot read as a .npz (zip) archive: two members have the same name");

  // A member that is not a valid .npy is named in the error, and nothing is returned.
  NamedArrays bad = readNpz(fixture("bad_member.npz"));
  CHECK(bad.arrays.empty());
  CHECK(bad.error == fixture("bad_member.npz") +
                         ": member 'bad.npy': truncated: 8 bytes is too short for a .npy file");
}
