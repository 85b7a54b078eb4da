// Types: dtype promotion and names, symbolic dimensions, element conversions and the textual
// tensor types of the command line.

#include "compiler/types/DType.h"
#include "compiler/types/Dim.h"
#include "compiler/types/Elements.h"
#include "compiler/types/TypeSpec.h"

#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <string>

using namespace lamina;

namespace {

constexpr DType kAll[] = {DType::Bool, DType::I8,  DType::U8,  DType::I16, DType::U16,
                          DType::I32,  DType::U32, DType::I64, DType::U64, DType::F16,
                          DType::BF16, DType::F32, DType::F64};
static_assert(std::size(kAll) == kDTypeCount, "kAll lists every dtype");

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

Dim sym(const char *name) { return Dim::symbol(name); }

// The checked operations, unwrapped: the test fails (rather than crashes) on nothing.
Dim add(const Dim &a, const Dim &b) {
  auto r = Dim::add(a, b);
  REQUIRE(r);
  return *r;
}
Dim sub(const Dim &a, const Dim &b) {
  auto r = Dim::sub(a, b);
  REQUIRE(r);
  return *r;
}
Dim mul(const Dim &a, const Dim &b) {
  auto r = Dim::mul(a, b);
  REQUIRE(r);
  return *r;
}

} // namespace

// ---------------------------------------------------------------------------------------------
// Promotion

TEST_CASE("promote: NumPy's np.promote_types for every pair of the dtypes NumPy has") {
  // The table is NumPy's own output (tests/fixtures/make_promotion_table.py), so a pair lamina
  // gets wrong cannot be matched by a wrong expectation written beside it.
  std::ifstream file(LAMINA_SOURCE_DIR "/tests/fixtures/promotion/numpy_promote_types.txt");
  REQUIRE(file);
  std::set<std::pair<DType, DType>> seen;
  std::string line;
  while (std::getline(file, line)) {
    if (line.empty() || line[0] == '#')
      continue;
    std::istringstream fields(line);
    std::string a, b, want;
    REQUIRE((fields >> a >> b >> want));
    CAPTURE(line);
    auto ta = parseDType(a), tb = parseDType(b), tw = parseDType(want);
    REQUIRE(ta);
    REQUIRE(tb);
    REQUIRE(tw);
    CHECK(shortName(promote(*ta, *tb)) == shortName(*tw));
    seen.insert({*ta, *tb});
  }
  // Every ordered pair but those with bf16, which NumPy does not have.
  for (DType a : kAll)
    for (DType b : kAll)
      if (a != DType::BF16 && b != DType::BF16) {
        CAPTURE(shortName(a));
        CAPTURE(shortName(b));
        CHECK(seen.count({a, b}) == 1);
      }
  CHECK(seen.size() == size_t(kDTypeCount - 1) * size_t(kDTypeCount - 1));
}

TEST_CASE("promote: bf16, which NumPy lacks, by the same rule as f16") {
  using enum DType;
  // The smallest float at least as wide as bf16 that holds every value of the other operand:
  // 8-bit integers fit in bf16's 8 significant bits; 16-bit ones need f32, wider ones f64;
  // with f16 (neither holds the other) f32, as JAX.
  constexpr std::pair<DType, DType> kWith[] = {
      {Bool, BF16}, {I8, BF16}, {U8, BF16}, {I16, F32},   {U16, F32}, {I32, F64}, {U32, F64},
      {I64, F64},   {U64, F64}, {F16, F32}, {BF16, BF16}, {F32, F32}, {F64, F64}};
  static_assert(std::size(kWith) == kDTypeCount);
  for (auto [other, want] : kWith) {
    CAPTURE(shortName(other));
    CHECK(shortName(promote(BF16, other)) == shortName(want));
    CHECK(shortName(promote(other, BF16)) == shortName(want));
  }
}

TEST_CASE("promotionOrder: bool, integers by width (signed first), floats by width") {
  std::string order;
  for (DType t : promotionOrder())
    order += std::string(shortName(t)) + " ";
  CHECK(order == "bool i8 u8 i16 u16 i32 u32 i64 u64 f16 bf16 f32 f64 ");
}

TEST_CASE("the enum's values are ABI: the first nine keep their numbers, new dtypes follow") {
  // include/lamina.h numbers them the same (static_assert in runtime/capi/CApi.cpp).
  using enum DType;
  constexpr DType kByValue[] = {Bool, I8, U8, I32, I64, F16, BF16, F32, F64, I16, U16, U32, U64};
  for (size_t k = 0; k < std::size(kByValue); ++k)
    CHECK(static_cast<size_t>(kByValue[k]) == k);
}

TEST_CASE("isComplexDTypeName: complex spellings, and not the real ones") {
  for (const char *name : {"complex64", "complex128", "complex", "c8", "c16", "C64", "cdouble"})
    CHECK(isComplexDTypeName(name));
  CHECK_FALSE(isComplexDTypeName("c64", /*codes=*/false));
  CHECK(isComplexDTypeName("complex64", /*codes=*/false));
  for (DType t : kAll) {
    CHECK_FALSE(isComplexDTypeName(shortName(t)));
    CHECK_FALSE(isComplexDTypeName(longName(t)));
  }
}

TEST_CASE("promote is symmetric, idempotent, and never narrower than either operand") {
  for (DType a : kAll) {
    CHECK(promote(a, a) == a);
    for (DType b : kAll) {
      CAPTURE(shortName(a));
      CAPTURE(shortName(b));
      CHECK(promote(a, b) == promote(b, a));
      DType p = promote(a, b);
      CHECK(promote(p, a) == p);
      CHECK(promote(p, b) == p);
    }
  }
}

TEST_CASE("promoteWeak: a Python scalar takes the tensor's dtype unless its kind is higher") {
  for (DType t : kAll) {
    CAPTURE(shortName(t));
    // A weak bool never changes anything.
    CHECK(promoteWeak(t, WeakKind::Bool) == t);
    // A weak int keeps a number tensor's type; a bool tensor meeting an int becomes i64, as
    // in JAX (`bool_tensor == 2` compares numbers; `bool_tensor + 1` is still an error).
    CHECK(promoteWeak(t, WeakKind::Int) == (t == DType::Bool ? DType::I64 : t));
    // A weak float keeps a float tensor's type and makes any other the default float.
    CHECK(promoteWeak(t, WeakKind::Float) == (isFloat(t) ? t : DType::F32));
  }
  // NumPy 2 (NEP 50): a Python int never widens an unsigned array either.
  CHECK(promoteWeak(DType::U16, WeakKind::Int) == DType::U16);
  CHECK(promoteWeak(DType::U64, WeakKind::Int) == DType::U64);
  CHECK(promoteWeak(DType::I16, WeakKind::Float) == DType::F32);
  CHECK(kDefaultFloat == DType::F32);
}

TEST_CASE("dtype properties") {
  using enum DType;
  CHECK(byteSize(Bool) == 1);
  CHECK(byteSize(I8) == 1);
  CHECK(byteSize(U8) == 1);
  CHECK(byteSize(I16) == 2);
  CHECK(byteSize(U16) == 2);
  CHECK(byteSize(I32) == 4);
  CHECK(byteSize(U32) == 4);
  CHECK(byteSize(I64) == 8);
  CHECK(byteSize(U64) == 8);
  CHECK(kindOf(U16) == DTypeKind::Unsigned);
  CHECK(kindOf(U64) == DTypeKind::Unsigned);
  CHECK(kindOf(I16) == DTypeKind::Signed);
  CHECK(isUnsigned(U32));
  CHECK_FALSE(isUnsigned(I16));
  CHECK_FALSE(isUnsigned(Bool));
  CHECK(npyDescr(I16) == "<i2");
  CHECK(npyDescr(U16) == "<u2");
  CHECK(npyDescr(U32) == "<u4");
  CHECK(npyDescr(U64) == "<u8");
  CHECK(byteSize(F16) == 2);
  CHECK(byteSize(BF16) == 2);
  CHECK(byteSize(F32) == 4);
  CHECK(byteSize(F64) == 8);
  CHECK(kindOf(Bool) == DTypeKind::Bool);
  CHECK(kindOf(I8) == DTypeKind::Signed);
  CHECK(kindOf(U8) == DTypeKind::Unsigned);
  CHECK(kindOf(I64) == DTypeKind::Signed);
  CHECK(kindOf(BF16) == DTypeKind::Float);
  CHECK(isInteger(U8));
  CHECK_FALSE(isInteger(Bool));
  CHECK_FALSE(isFloat(Bool));
  CHECK(computeType(F16) == F32);
  CHECK(computeType(BF16) == F32);
  CHECK(computeType(F64) == F64);
  CHECK(computeType(I8) == I8);
  CHECK(npyDescr(F32) == "<f4");
  CHECK(npyDescr(U8) == "|u1");
  CHECK(npyDescr(Bool) == "|b1");
  CHECK(npyDescr(BF16).empty());
}

TEST_CASE("parseDType: short names, long names, other spellings, unknown names") {
  using enum DType;
  for (DType t : kAll) {
    CAPTURE(shortName(t));
    CHECK(parseDType(shortName(t)) == t);
    CHECK(parseDType(longName(t)) == t);
  }
  CHECK(shortName(I8) == "i8");
  CHECK(longName(I8) == "int8");
  CHECK(longName(U8) == "uint8");
  CHECK(longName(BF16) == "bfloat16");
  CHECK(longName(F16) == "float16");
  CHECK(parseDType("float32") == F32);
  CHECK(parseDType("int64") == I64);
  CHECK(parseDType("bfloat16") == BF16);
  CHECK(parseDType("float") == F32);
  CHECK(parseDType("double") == F64);
  CHECK(parseDType("half") == F16);
  CHECK(parseDType("int") == I64);
  CHECK(parseDType("bool_") == Bool);
  CHECK(parseDType("int16") == I16);
  CHECK(parseDType("uint16") == U16);
  CHECK(parseDType("u32") == U32);
  CHECK(parseDType("uint64") == U64);
  for (const char *bad : {"", "f128", "i128", "int128", "uint128", "u1", "F32", "Float32", "f32 ",
                          " f32", "float32[", "complex64", "string"}) {
    CAPTURE(bad);
    CHECK_FALSE(parseDType(bad));
  }
}

// ---------------------------------------------------------------------------------------------
// Dim

TEST_CASE("Dim: constants") {
  CHECK(Dim(5).isConstant());
  CHECK(Dim(5).constant() == 5);
  CHECK(Dim(5).asConstant() == 5);
  CHECK(Dim(0).isConstant());
  CHECK(Dim(0).asConstant() == 0);
  CHECK(Dim().asConstant() == 0);
  CHECK(Dim() == Dim(0));
  CHECK(Dim(0).str() == "0");
  CHECK(Dim(512).str() == "512");
  CHECK(Dim(-3).str() == "-3");
  CHECK(Dim(INT64_MIN).str() == "-9223372036854775808");
  CHECK(add(2, 3) == Dim(5));
  CHECK(sub(2, 3) == Dim(-1));
  CHECK(mul(4, 8) == Dim(32));
  CHECK(sub(7, 7) == Dim(0));
  CHECK(mul(7, 0) == Dim(0));
  CHECK(Dim(3).symbols().empty());
}

TEST_CASE("Dim: symbols") {
  Dim b = sym("B");
  CHECK_FALSE(b.isConstant());
  CHECK_FALSE(b.asConstant());
  CHECK(b.constant() == 0);
  CHECK(b.str() == "B");
  CHECK(b == sym("B"));
  CHECK_FALSE(b == sym("N"));
  CHECK_FALSE(b == Dim(1));
  CHECK(b.symbols() == std::vector<std::string>{"B"});
  CHECK(add(b, 4).constant() == 4); // the constant term of B + 4
}

TEST_CASE("Dim: canonical forms make equal polynomials equal") {
  Dim b = sym("B"), n = sym("N"), c = sym("C");
  CHECK(mul(b, n) == mul(n, b));
  CHECK(add(b, b) == mul(2, b));
  CHECK(add(b, b) == mul(b, 2));
  CHECK(add(b, n) == add(n, b));
  CHECK(add(add(b, 1), n) == add(n, add(1, b)));
  CHECK(sub(add(b, n), n) == b);
  CHECK(sub(b, b) == Dim(0));
  CHECK(sub(b, b).isConstant());
  CHECK(add(mul(2, b), mul(-2, b)) == Dim(0));
  CHECK(mul(mul(b, n), c) == mul(c, mul(n, b)));
  // Distribution: (B + 1) * (N + 2) == B*N + 2*B + N + 2.
  CHECK(mul(add(b, 1), add(n, 2)) == add(add(mul(b, n), mul(2, b)), add(n, 2)));
  // (B + 1)^2 - B*B - 2*B == 1.
  Dim sq = mul(add(b, 1), add(b, 1));
  CHECK(sub(sub(sq, mul(b, b)), mul(2, b)) == Dim(1));
  CHECK_FALSE(mul(b, b) == b);
  CHECK_FALSE(mul(b, b) == mul(2, b));
  CHECK(mul(add(n, mul(b, c)), 1).symbols() == std::vector<std::string>{"B", "C", "N"});
  CHECK(mul(b, b).symbols() == std::vector<std::string>{"B"});
}

TEST_CASE("Dim: str() formatting") {
  Dim b = sym("B"), n = sym("N");
  CHECK(add(b, b).str() == "2*B");
  CHECK(mul(n, b).str() == "B*N");
  CHECK(mul(b, b).str() == "B*B");
  CHECK(add(b, 4).str() == "B + 4");
  CHECK(add(4, b).str() == "B + 4");
  CHECK(sub(b, 4).str() == "B - 4");
  CHECK(sub(4, b).str() == "-B + 4");
  CHECK(mul(-1, b).str() == "-B");
  CHECK(mul(-3, b).str() == "-3*B");
  CHECK(add(b, n).str() == "B + N");
  CHECK(add(n, b).str() == "B + N");
  CHECK(sub(b, n).str() == "B - N");
  CHECK(add(mul(3, n), b).str() == "B + 3*N");
  CHECK(mul(add(b, 1), add(b, 1)).str() == "2*B + B*B + 1");
  CHECK(mul(mul(2, b), mul(3, n)).str() == "6*B*N");
}

TEST_CASE("Dim: divExact") {
  Dim b = sym("B"), n = sym("N");
  auto div = [](const Dim &x, const Dim &y) { return Dim::divExact(x, y); };
  // Constant divisors.
  CHECK(div(6, 3) == Dim(2));
  CHECK(div(-6, 3) == Dim(-2));
  CHECK(div(0, 5) == Dim(0));
  CHECK(div(b, 1) == b);
  CHECK(div(add(mul(2, b), 4), 2) == add(b, 2));
  CHECK(div(mul(6, mul(b, n)), -3) == mul(-2, mul(b, n)));
  CHECK_FALSE(div(7, 2));
  CHECK_FALSE(div(add(mul(2, b), 3), 2));
  CHECK_FALSE(div(b, 2));
  // Division by zero.
  CHECK_FALSE(div(6, 0));
  CHECK_FALSE(div(b, 0));
  CHECK_FALSE(div(0, 0));
  // Monomial divisors: every term must contain the divisor.
  CHECK(div(mul(b, n), n) == b);
  CHECK(div(mul(b, n), b) == n);
  CHECK(div(add(mul(b, n), b), b) == add(n, 1));
  CHECK(div(mul(b, b), b) == b);
  CHECK(div(mul(4, b), mul(2, b)) == Dim(2));
  CHECK(div(b, b) == Dim(1));
  CHECK_FALSE(div(add(b, n), b));
  CHECK_FALSE(div(add(b, 1), b));
  CHECK_FALSE(div(b, mul(b, b)));
  CHECK_FALSE(div(b, n));
  CHECK_FALSE(div(6, b));
  CHECK_FALSE(div(b, mul(2, b)));
  // A divisor of several terms is never exact.
  CHECK_FALSE(div(mul(add(b, 1), 2), add(b, 1)));
  // INT64_MIN / -1 does not fit.
  CHECK_FALSE(div(INT64_MIN, -1));
  CHECK_FALSE(div(mul(INT64_MIN, b), -1));
  CHECK(div(INT64_MIN, 1) == Dim(INT64_MIN));
}

TEST_CASE("Dim: evaluate with bindings") {
  Dim b = sym("B"), n = sym("N");
  Dim poly = add(add(mul(2, b), mul(b, n)), 1); // 2*B + B*N + 1
  CHECK(poly.evaluate({{"B", 3}, {"N", 4}}) == 19);
  CHECK(poly.evaluate({{"B", 3}, {"N", 4}, {"C", 100}}) == 19);
  CHECK_FALSE(poly.evaluate({{"B", 3}}));
  CHECK_FALSE(poly.evaluate({}));
  CHECK(Dim(7).evaluate({}) == 7);
  CHECK(Dim(0).evaluate({}) == 0);
  CHECK(sub(b, n).evaluate({{"B", 2}, {"N", 5}}) == -3);
  // Overflow while evaluating gives nothing.
  CHECK_FALSE(mul(b, b).evaluate({{"B", int64_t(1) << 32}}));
  CHECK(mul(b, b).evaluate({{"B", int64_t(1) << 31}}) == int64_t(1) << 62);
  CHECK_FALSE(add(b, INT64_MAX).evaluate({{"B", 1}}));
  CHECK(add(b, INT64_MAX).evaluate({{"B", -1}}) == INT64_MAX - 1);
}

TEST_CASE("Dim: overflow returns nothing") {
  Dim b = sym("B");
  const int64_t p40 = int64_t(1) << 40;
  CHECK_FALSE(Dim::add(INT64_MAX, 1));
  CHECK_FALSE(Dim::add(INT64_MIN, -1));
  CHECK(Dim::add(INT64_MAX, -1) == Dim(INT64_MAX - 1));
  CHECK_FALSE(Dim::mul(p40, p40));
  CHECK(Dim::mul(int64_t(1) << 31, int64_t(1) << 31) == Dim(int64_t(1) << 62));
  CHECK_FALSE(Dim::sub(0, INT64_MIN)); // -INT64_MIN
  CHECK_FALSE(Dim::sub(b, INT64_MIN));
  CHECK_FALSE(Dim::sub(INT64_MIN, 1));
  CHECK_FALSE(Dim::mul(INT64_MIN, -1));
  CHECK_FALSE(Dim::mul(mul(p40, b), p40));
  CHECK_FALSE(Dim::add(add(b, INT64_MAX), 1));
  CHECK_FALSE(Dim::add(mul(INT64_MAX, b), b)); // the coefficient of B overflows
  CHECK(Dim::sub(INT64_MAX, INT64_MAX) == Dim(0));
}

TEST_CASE("Dim: element counts and shape strings") {
  Dim b = sym("B"), n = sym("N");
  CHECK(shapeString({}) == "[]");
  CHECK(shapeString({b, 512}) == "[B, 512]");
  CHECK(shapeString({add(b, 1), mul(b, n), 0}) == "[B + 1, B*N, 0]");
  CHECK(knownElementCount({}) == 1);
  CHECK(knownElementCount({2, 3, 4}) == 24);
  CHECK(knownElementCount({2, 0, 4}) == 0);
  CHECK_FALSE(knownElementCount({2, b}));
  CHECK_FALSE(knownElementCount({int64_t(1) << 32, int64_t(1) << 32}));
  CHECK(knownElementCount({int64_t(1) << 31, int64_t(1) << 31}) == int64_t(1) << 62);
  auto c = elementCount({b, 4, 8});
  REQUIRE(c);
  CHECK(*c == mul(32, b));
  CHECK(c->str() == "32*B");
  CHECK(elementCount({b, n}) == mul(n, b));
  CHECK(elementCount({}) == Dim(1));
  CHECK(elementCount({3, 5}) == Dim(15));
  CHECK(elementCount({b, 0}) == Dim(0));
  CHECK_FALSE(elementCount({int64_t(1) << 40, b, int64_t(1) << 40}));
}

// ---------------------------------------------------------------------------------------------
// Elements

TEST_CASE("f16: exact values, round to nearest even, overflow, NaN, signed zero") {
  CHECK(floatToHalf(1.0f) == 0x3C00);
  CHECK(floatToHalf(-2.0f) == 0xC000);
  CHECK(floatToHalf(0.5f) == 0x3800);
  CHECK(floatToHalf(65504.0f) == 0x7BFF); // the largest half
  CHECK(halfToFloat(0x7BFF) == 65504.0f);
  // Round to nearest, ties to even, on the 10-bit mantissa.
  const float ulp1 = std::ldexp(1.0f, -10);          // spacing of halves in [1, 2)
  CHECK(floatToHalf(1.0f + ulp1 / 2) == 0x3C00);     // tie, to even (0)
  CHECK(floatToHalf(1.0f + 3 * ulp1 / 2) == 0x3C02); // tie, to even (2)
  CHECK(floatToHalf(1.0f + ulp1 / 2 + std::ldexp(1.0f, -20)) == 0x3C01); // above the tie
  CHECK(floatToHalf(1.0f + ulp1 / 2 - std::ldexp(1.0f, -20)) == 0x3C00); // below the tie
  CHECK(floatToHalf(2049.0f) == 0x6800);                                 // 2048: tie to even
  CHECK(floatToHalf(2051.0f) == 0x6802);                                 // 2052: tie to even
  CHECK(floatToHalf(2047.5f) == 0x6800); // a tie that carries into the exponent
  CHECK(halfToFloat(floatToHalf(0.1f)) == 0.0999755859375f);
  CHECK(halfToFloat(floatToHalf(1.0f / 3.0f)) == 0.333251953125f);
  // Overflow: at and above 65520 (the tie between 65504 and 65536) to infinity.
  CHECK(floatToHalf(65519.0f) == 0x7BFF);
  CHECK(floatToHalf(65520.0f) == 0x7C00);
  CHECK(floatToHalf(1e6f) == 0x7C00);
  CHECK(floatToHalf(-1e6f) == 0xFC00);
  CHECK(floatToHalf(std::numeric_limits<float>::max()) == 0x7C00);
  CHECK(floatToHalf(std::numeric_limits<float>::infinity()) == 0x7C00);
  CHECK(floatToHalf(-std::numeric_limits<float>::infinity()) == 0xFC00);
  CHECK(std::isinf(halfToFloat(0x7C00)));
  CHECK(halfToFloat(0xFC00) < 0);
  // NaN stays NaN (quiet), with its sign.
  uint16_t nan = floatToHalf(std::numeric_limits<float>::quiet_NaN());
  CHECK((nan & 0x7C00) == 0x7C00);
  CHECK((nan & 0x03FF) != 0);
  CHECK(std::isnan(halfToFloat(nan)));
  // A NaN whose payload is only in the low bits (lost by the shift) must not become inf.
  uint16_t lowNaN = floatToHalf(std::bit_cast<float>(uint32_t(0x7F800001)));
  CHECK(std::isnan(halfToFloat(lowNaN)));
  CHECK(std::isnan(halfToFloat(floatToHalf(-std::numeric_limits<float>::quiet_NaN()))));
  CHECK(std::isnan(halfToFloat(0x7E00)));
  CHECK(std::isnan(halfToFloat(0xFC01)));
  // Signed zero.
  CHECK(floatToHalf(0.0f) == 0x0000);
  CHECK(floatToHalf(-0.0f) == 0x8000);
  CHECK(halfToFloat(0x8000) == 0.0f);
  CHECK(std::signbit(halfToFloat(0x8000)));
  CHECK_FALSE(std::signbit(halfToFloat(0x0000)));
}

TEST_CASE("f16: subnormals") {
  const float tiny = std::ldexp(1.0f, -24); // the smallest subnormal half
  CHECK(floatToHalf(tiny) == 0x0001);
  CHECK(halfToFloat(0x0001) == tiny);
  CHECK(floatToHalf(-tiny) == 0x8001);
  CHECK(floatToHalf(tiny / 2) == 0x0000);     // tie between 0 and tiny: to even (0)
  CHECK(floatToHalf(-tiny / 2) == 0x8000);    // ... keeping the sign
  CHECK(floatToHalf(tiny * 0.75f) == 0x0001); // above the tie
  CHECK(floatToHalf(tiny * 0.25f) == 0x0000);
  CHECK(floatToHalf(tiny * 1.5f) == 0x0002); // tie between 1 and 2: to even
  CHECK(floatToHalf(tiny * 2.5f) == 0x0002); // tie between 2 and 3: to even
  CHECK(floatToHalf(tiny * 1023) == 0x03FF); // the largest subnormal
  CHECK(halfToFloat(0x03FF) == tiny * 1023);
  CHECK(floatToHalf(tiny * 1023.5f) == 0x0400); // a tie that rounds up to the smallest normal
  CHECK(floatToHalf(std::ldexp(1.0f, -14)) == 0x0400);
  CHECK(halfToFloat(0x0400) == std::ldexp(1.0f, -14));
  CHECK(floatToHalf(1e-10f) == 0x0000);
  CHECK(floatToHalf(std::numeric_limits<float>::denorm_min()) == 0x0000);
}

TEST_CASE("f16: every half value converts to float and back unchanged") {
  int mismatches = 0;
  for (uint32_t h = 0; h <= 0xFFFF; ++h) {
    float f = halfToFloat(uint16_t(h));
    bool isNaN = (h & 0x7C00) == 0x7C00 && (h & 0x03FF) != 0;
    if (isNaN) {
      mismatches += !std::isnan(f);
      continue;
    }
    mismatches += floatToHalf(f) != h;
  }
  CHECK(mismatches == 0);
}

TEST_CASE("bf16: round to nearest even, overflow, NaN, signed zero, subnormals") {
  CHECK(floatToBFloat16(1.0f) == 0x3F80);
  CHECK(bfloat16ToFloat(0x3F80) == 1.0f);
  CHECK(floatToBFloat16(-2.0f) == 0xC000);
  const float ulp1 = std::ldexp(1.0f, -7);               // spacing of bf16 values in [1, 2)
  CHECK(floatToBFloat16(1.0f + ulp1 / 2) == 0x3F80);     // tie, to even
  CHECK(floatToBFloat16(1.0f + 3 * ulp1 / 2) == 0x3F82); // tie, to even
  CHECK(floatToBFloat16(1.0f + ulp1 / 2 + std::ldexp(1.0f, -20)) == 0x3F81); // above
  CHECK(floatToBFloat16(1.0f + ulp1 / 2 - std::ldexp(1.0f, -20)) == 0x3F80); // below
  CHECK(bfloat16ToFloat(floatToBFloat16(0.1f)) == 0.10009765625f);
  CHECK(floatToBFloat16(255.5f) == floatToBFloat16(256.0f)); // 255.5: a tie up to even 256
  CHECK(bfloat16ToFloat(floatToBFloat16(257.0f)) == 256.0f); // 257: a tie down to even 256
  CHECK(bfloat16ToFloat(floatToBFloat16(259.0f)) == 260.0f); // 259: a tie up to even 260
  // Overflow: the largest float rounds to infinity; the largest bf16 stays.
  CHECK(floatToBFloat16(std::numeric_limits<float>::max()) == 0x7F80);
  CHECK(floatToBFloat16(-std::numeric_limits<float>::max()) == 0xFF80);
  CHECK(floatToBFloat16(bfloat16ToFloat(0x7F7F)) == 0x7F7F);
  CHECK(floatToBFloat16(std::numeric_limits<float>::infinity()) == 0x7F80);
  CHECK(floatToBFloat16(-std::numeric_limits<float>::infinity()) == 0xFF80);
  // NaN stays NaN, also when the payload is only in the bits that are dropped.
  CHECK(std::isnan(bfloat16ToFloat(floatToBFloat16(std::numeric_limits<float>::quiet_NaN()))));
  CHECK(std::isnan(bfloat16ToFloat(floatToBFloat16(std::bit_cast<float>(uint32_t(0x7F800001))))));
  CHECK(std::isnan(bfloat16ToFloat(floatToBFloat16(std::bit_cast<float>(uint32_t(0xFFFFFFFF))))));
  // Signed zero.
  CHECK(floatToBFloat16(0.0f) == 0x0000);
  CHECK(floatToBFloat16(-0.0f) == 0x8000);
  CHECK(std::signbit(bfloat16ToFloat(0x8000)));
  // Subnormals: bf16 has float's exponent range, so float subnormals round on 7 bits too.
  CHECK(floatToBFloat16(std::bit_cast<float>(uint32_t(0x00010000))) == 0x0001);
  CHECK(floatToBFloat16(std::bit_cast<float>(uint32_t(0x00008000))) == 0x0000); // tie to even
  CHECK(floatToBFloat16(std::bit_cast<float>(uint32_t(0x00018000))) == 0x0002); // tie to even
  CHECK(floatToBFloat16(std::bit_cast<float>(uint32_t(0x00008001))) == 0x0001);
  CHECK(bfloat16ToFloat(0x0001) == std::bit_cast<float>(uint32_t(0x00010000)));
  // Every non-NaN bf16 value round-trips.
  int mismatches = 0;
  for (uint32_t h = 0; h <= 0xFFFF; ++h) {
    float f = bfloat16ToFloat(uint16_t(h));
    if (std::isnan(f))
      continue;
    mismatches += floatToBFloat16(f) != h;
  }
  CHECK(mismatches == 0);
}

TEST_CASE("roundToFloat rounds to what the dtype holds") {
  CHECK(roundToFloat(DType::F64, 0.1) == 0.1);
  CHECK(roundToFloat(DType::F32, 0.1) == double(0.1f));
  CHECK(roundToFloat(DType::F32, 0.1) != 0.1);
  CHECK(roundToFloat(DType::F16, 0.1) == 0.0999755859375);
  CHECK(roundToFloat(DType::BF16, 0.1) == 0.10009765625);
  CHECK(std::isinf(roundToFloat(DType::F16, 70000.0)));
  CHECK(std::isinf(roundToFloat(DType::F32, 1e300)));
  CHECK(std::isnan(roundToFloat(DType::F16, kNaN)));
  CHECK(std::signbit(roundToFloat(DType::F16, -0.0)));
  CHECK(roundToFloat(DType::F16, 2049.0) == 2048.0);
}

TEST_CASE("floatToInt truncates toward zero and saturates for every integer dtype") {
  using enum DType;
  struct Range {
    DType t;
    int64_t lo, hi;
  };
  for (Range r :
       {Range{I8, INT8_MIN, INT8_MAX}, Range{U8, 0, UINT8_MAX}, Range{I16, INT16_MIN, INT16_MAX},
        Range{U16, 0, UINT16_MAX}, Range{I32, INT32_MIN, INT32_MAX}, Range{U32, 0, UINT32_MAX},
        Range{I64, INT64_MIN, INT64_MAX}}) {
    CAPTURE(shortName(r.t));
    CHECK(floatToInt(r.t, kNaN) == 0);
    CHECK(floatToInt(r.t, -kNaN) == 0);
    CHECK(floatToInt(r.t, kInf) == r.hi);
    CHECK(floatToInt(r.t, -kInf) == r.lo);
    CHECK(floatToInt(r.t, 1e300) == r.hi);
    CHECK(floatToInt(r.t, -1e300) == r.lo);
    CHECK(floatToInt(r.t, 2.9) == 2);
    CHECK(floatToInt(r.t, 0.99) == 0);
    CHECK(floatToInt(r.t, -0.99) == 0);
    CHECK(floatToInt(r.t, -0.0) == 0);
    CHECK(floatToInt(r.t, double(r.hi)) == r.hi);
    CHECK(floatToInt(r.t, double(r.lo)) == r.lo);
    if (r.lo < 0)
      CHECK(floatToInt(r.t, -2.9) == -2);
    else
      CHECK(floatToInt(r.t, -2.9) == 0); // saturates at 0
  }
  // Just inside and just outside each range.
  CHECK(floatToInt(I8, 127.9) == 127);
  CHECK(floatToInt(I8, 128.0) == 127);
  CHECK(floatToInt(I8, -128.9) == -128);
  CHECK(floatToInt(I8, -129.0) == -128);
  CHECK(floatToInt(U8, 255.5) == 255);
  CHECK(floatToInt(U8, 256.0) == 255);
  CHECK(floatToInt(U8, -1.0) == 0);
  CHECK(floatToInt(I32, 2147483647.5) == INT32_MAX);
  CHECK(floatToInt(I32, 2147483648.0) == INT32_MAX);
  CHECK(floatToInt(I32, -2147483648.9) == INT32_MIN);
  CHECK(floatToInt(I32, -2147483649.0) == INT32_MIN);
  CHECK(floatToInt(I32, 3e9) == INT32_MAX);
  CHECK(floatToInt(I64, 9223372036854775808.0) == INT64_MAX);           // 2^63
  CHECK(floatToInt(I64, 9223372036854774784.0) == 9223372036854774784); // largest below 2^63
  CHECK(floatToInt(I64, -9223372036854775808.0) == INT64_MIN);
  CHECK(floatToInt(I64, -1e19) == INT64_MIN);
  CHECK(floatToInt(I64, 1e15 + 0.5) == 1000000000000000);
  CHECK(floatToInt(I16, 32768.0) == INT16_MAX);
  CHECK(floatToInt(U16, 65535.9) == 65535);
  CHECK(floatToInt(U32, 4294967296.0) == UINT32_MAX);
  CHECK(floatToInt(U32, -0.5) == 0);
}

TEST_CASE("u64: values at or above 2^63 travel in an int64's bits, and convert unsigned") {
  using enum DType;
  auto bits = [](uint64_t v) { return int64_t(v); };
  // Float to u64 saturates at 0 and 2^64 - 1; NaN is 0.
  CHECK(floatToInt(U64, kNaN) == 0);
  CHECK(floatToInt(U64, -1.0) == 0);
  CHECK(floatToInt(U64, -kInf) == 0);
  CHECK(floatToInt(U64, kInf) == bits(UINT64_MAX));
  CHECK(floatToInt(U64, 18446744073709551616.0) == bits(UINT64_MAX)); // 2^64
  CHECK(floatToInt(U64, 9223372036854775808.0) == bits(uint64_t(1) << 63));
  CHECK(floatToInt(U64, 18446744073709549568.0) == bits(18446744073709549568u)); // below 2^64
  CHECK(floatToInt(U64, 12.75) == 12);
  // And back: the carrier is read unsigned.
  CHECK(intToDouble(U64, bits(uint64_t(1) << 63)) == 9223372036854775808.0);
  CHECK(intToDouble(U64, -1) == 18446744073709551616.0); // 2^64 - 1 rounds to 2^64
  CHECK(intToDouble(I64, -1) == -1.0);
  CHECK(intToFloat(U64, -1) == 18446744073709551616.0f);
  // Wrapping to the narrower unsigned types keeps the low bits.
  CHECK(wrapToInt(U16, 65536 + 7) == 7);
  CHECK(wrapToInt(U16, -1) == 65535);
  CHECK(wrapToInt(I16, 32768) == -32768);
  CHECK(wrapToInt(U32, -1) == UINT32_MAX);
  CHECK(wrapToInt(U64, -1) == -1);
  // Stored and loaded through an Array.
  Array a = makeArray(U64, {2});
  storeFloat(a, 0, 1e19);
  storeInt(a, 1, -2);
  CHECK(uint64_t(loadInt(a, 0)) == 10000000000000000000u);
  CHECK(loadFloat(a, 0) == 1e19);
  CHECK(loadFloat(a, 1) == 18446744073709551614.0);
  CHECK(lowestInt(U64) == 0);
  CHECK(lowestInt(I16) == INT16_MIN);
}

TEST_CASE("floatToInt to bool is `!= 0` (NaN is true)") {
  using enum DType;
  CHECK(floatToInt(Bool, 0.0) == 0);
  CHECK(floatToInt(Bool, -0.0) == 0);
  CHECK(floatToInt(Bool, 0.5) == 1);
  CHECK(floatToInt(Bool, -3.0) == 1);
  CHECK(floatToInt(Bool, 1e-300) == 1);
  CHECK(floatToInt(Bool, kNaN) == 1);
  CHECK(floatToInt(Bool, kInf) == 1);
  CHECK(floatToInt(Bool, -kInf) == 1);
}

TEST_CASE("wrapToInt wraps to the dtype's width (two's complement)") {
  using enum DType;
  CHECK(wrapToInt(I8, 127) == 127);
  CHECK(wrapToInt(I8, 128) == -128);
  CHECK(wrapToInt(I8, 255) == -1);
  CHECK(wrapToInt(I8, 256) == 0);
  CHECK(wrapToInt(I8, -129) == 127);
  CHECK(wrapToInt(I8, INT64_MIN) == 0);
  CHECK(wrapToInt(U8, 256) == 0);
  CHECK(wrapToInt(U8, 257) == 1);
  CHECK(wrapToInt(U8, -1) == 255);
  CHECK(wrapToInt(U8, -256) == 0);
  CHECK(wrapToInt(I32, int64_t(INT32_MAX) + 1) == INT32_MIN);
  CHECK(wrapToInt(I32, (int64_t(1) << 32) + 5) == 5);
  CHECK(wrapToInt(I32, -(int64_t(1) << 32) - 1) == -1);
  CHECK(wrapToInt(I32, int64_t(INT32_MIN) - 1) == INT32_MAX);
  CHECK(wrapToInt(I64, INT64_MIN) == INT64_MIN);
  CHECK(wrapToInt(I64, INT64_MAX) == INT64_MAX);
  CHECK(wrapToInt(Bool, 0) == 0);
  CHECK(wrapToInt(Bool, 2) == 1);
  CHECK(wrapToInt(Bool, -1) == 1);
  CHECK(wrapToInt(Bool, 256) == 1); // != 0, not the low byte
}

TEST_CASE("storeInt/loadInt wrap; storeFloat/loadFloat round; makeArray zero-fills") {
  using enum DType;
  Array i8 = makeArray(I8, {4});
  CHECK(i8.bytes.size() == 4);
  storeInt(i8, 0, 200);
  storeInt(i8, 1, -129);
  storeInt(i8, 2, 127);
  storeInt(i8, 3, 1000);
  CHECK(loadInt(i8, 0) == -56);
  CHECK(loadInt(i8, 1) == 127);
  CHECK(loadInt(i8, 2) == 127);
  CHECK(loadInt(i8, 3) == -24);
  CHECK(loadFloat(i8, 0) == -56.0);

  Array u8 = makeArray(U8, {3});
  storeInt(u8, 0, -1);
  storeInt(u8, 1, 256);
  storeInt(u8, 2, 300);
  CHECK(loadInt(u8, 0) == 255);
  CHECK(loadInt(u8, 1) == 0);
  CHECK(loadInt(u8, 2) == 44);

  Array i32 = makeArray(I32, {3});
  CHECK(i32.bytes.size() == 12);
  storeInt(i32, 0, (int64_t(1) << 32) + 7);
  storeInt(i32, 1, int64_t(INT32_MAX) + 1);
  storeInt(i32, 2, INT64_MIN);
  CHECK(loadInt(i32, 0) == 7);
  CHECK(loadInt(i32, 1) == INT32_MIN);
  CHECK(loadInt(i32, 2) == 0);

  Array i64 = makeArray(I64, {1});
  storeInt(i64, 0, INT64_MIN);
  CHECK(loadInt(i64, 0) == INT64_MIN);

  Array b = makeArray(Bool, {2});
  storeInt(b, 0, 5);
  storeInt(b, 1, 0);
  CHECK(loadInt(b, 0) == 1);
  CHECK(loadInt(b, 1) == 0);
  CHECK(std::to_integer<int>(b.bytes[0]) == 1);

  // A float stored into an integer array is cast: truncated and saturated.
  storeFloat(i8, 0, 300.7);
  storeFloat(i8, 1, -2.9);
  storeFloat(i8, 2, kNaN);
  CHECK(loadInt(i8, 0) == 127);
  CHECK(loadInt(i8, 1) == -2);
  CHECK(loadInt(i8, 2) == 0);
  storeFloat(b, 1, kNaN);
  CHECK(loadInt(b, 1) == 1);

  // Floats are rounded to the storage type.
  Array f16 = makeArray(F16, {2, 3});
  CHECK(f16.bytes.size() == 12);
  CHECK(f16.elementCount() == 6);
  for (int64_t k = 0; k < 6; ++k)
    CHECK(loadFloat(f16, k) == 0.0);
  storeFloat(f16, 0, 0.1);
  storeFloat(f16, 5, 1e9);
  CHECK(loadFloat(f16, 0) == 0.0999755859375);
  CHECK(std::isinf(loadFloat(f16, 5)));
  storeInt(f16, 1, 2049);
  CHECK(loadFloat(f16, 1) == 2048.0);
  CHECK(loadInt(f16, 0) == 0); // a float read as an integer truncates

  Array bf = makeArray(BF16, {1});
  storeFloat(bf, 0, 0.1);
  CHECK(loadFloat(bf, 0) == 0.10009765625);
  Array f32 = makeArray(F32, {1});
  storeFloat(f32, 0, 0.1);
  CHECK(loadFloat(f32, 0) == double(0.1f));
  Array f64 = makeArray(F64, {1});
  storeFloat(f64, 0, 0.1);
  CHECK(loadFloat(f64, 0) == 0.1);
  CHECK(makeArray(F64, {}).bytes.size() == 8); // a scalar holds one element
  CHECK(makeArray(F32, {3, 0}).bytes.empty());
}

// ---------------------------------------------------------------------------------------------
// TypeSpec

namespace {

TensorType spec(const std::string &text) {
  std::string error;
  auto t = parseTypeSpec(text, error);
  REQUIRE_MESSAGE(t, text << ": " << error);
  CHECK(error.empty());
  return *t;
}

std::string specError(const std::string &text) {
  std::string error;
  auto t = parseTypeSpec(text, error);
  CHECK_MESSAGE(!t, text << " parsed as " << (t ? t->str() : ""));
  CHECK_FALSE(error.empty());
  return error;
}

} // namespace

TEST_CASE("parseTypeSpec: dtypes, shapes, symbols, None and spaces") {
  TensorType t = spec("f32[B,256]");
  CHECK(t.dtype == DType::F32);
  REQUIRE(t.rank() == 2);
  CHECK(t.shape[0] == Dim::symbol("B"));
  CHECK(t.shape[1] == Dim(256));
  CHECK(t.str() == "f32[B, 256]");

  t = spec("float32[None, 3]");
  CHECK(t.dtype == DType::F32);
  REQUIRE(t.rank() == 2);
  CHECK(t.shape[0] == Dim::symbol("None")); // the batch symbol
  CHECK(t.shape[1] == Dim(3));

  t = spec("f32[]");
  CHECK(t.dtype == DType::F32);
  CHECK(t.rank() == 0);
  CHECK(t.str() == "f32[]");

  t = spec("i64");
  CHECK(t.dtype == DType::I64);
  CHECK(t.rank() == 0);

  t = spec("  bf16 [ B , N ,7 ]  ");
  CHECK(t.dtype == DType::BF16);
  CHECK(t.shape == Shape{Dim::symbol("B"), Dim::symbol("N"), Dim(7)});

  t = spec("uint8[0, 1]");
  CHECK(t.dtype == DType::U8);
  CHECK(t.shape == Shape{Dim(0), Dim(1)});

  t = spec("bool[ ]");
  CHECK(t.dtype == DType::Bool);
  CHECK(t.rank() == 0);

  t = spec("f64[batch_size, _n2]");
  CHECK(t.shape == Shape{Dim::symbol("batch_size"), Dim::symbol("_n2")});

  CHECK(spec("f16[1,2,3,4,5,6,7,8]").rank() == 8);
  CHECK(spec("double[2]").dtype == DType::F64);
}

TEST_CASE("parseTypeSpec: errors") {
  CHECK(specError("f128[3]").find("unknown dtype") != std::string::npos);
  CHECK(specError("f128[3]").find("f128") != std::string::npos);
  CHECK(specError("").find("unknown dtype") != std::string::npos);
  CHECK(specError("[3]").find("unknown dtype") != std::string::npos);
  CHECK(specError("int128").find("unknown dtype") != std::string::npos);
  CHECK(specError("complex64[3]").find("lamina has no complex dtypes") != std::string::npos);
  CHECK(specError("c64[B, 2]").find("(E0417)") != std::string::npos);
  std::string none;
  CHECK(parseTypeSpec("u16[B, 4]", none)->str() == "u16[B, 4]");
  // Bad dimensions.
  CHECK(specError("f32[3, -1]").find("`-1` is not a dimension") != std::string::npos);
  CHECK(specError("f32[2x]").find("`2x` is not a dimension") != std::string::npos);
  CHECK(specError("f32[3 4]").find("is not a dimension") != std::string::npos);
  CHECK(specError("f32[,3]").find("is not a dimension") != std::string::npos);
  CHECK(specError("f32[1.5]").find("is not a dimension") != std::string::npos);
  CHECK(specError("f32[B+1]").find("is not a dimension") != std::string::npos);
  CHECK(specError("f32[99999999999999999999]").find("is not a dimension") != std::string::npos);
  CHECK(specError("f32[3]]").find("is not a dimension") != std::string::npos);
  // A missing `]`.
  CHECK(specError("f32[3,").find("expected `]`") != std::string::npos);
  CHECK(specError("f32[B, 4").find("expected `]`") != std::string::npos);
  CHECK(specError("f32[3]x").find("expected `]`") != std::string::npos);
  // Too many dimensions.
  std::string many = "f32[";
  for (int k = 0; k < 65; ++k)
    many += k ? ",1" : "1";
  many += "]";
  CHECK(specError(many).find("too many dimensions") != std::string::npos);
}
