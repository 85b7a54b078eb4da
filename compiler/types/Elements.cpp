#include "compiler/types/Elements.h"

#include "compiler/support/Unreachable.h"

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

namespace lamina {
namespace {

template <class T> T load(const Array &a, int64_t index) {
  T v;
  std::memcpy(&v, a.bytes.data() + index * int64_t(sizeof(T)), sizeof(T));
  return v;
}

template <class T> void store(Array &a, int64_t index, T v) {
  std::memcpy(a.bytes.data() + index * int64_t(sizeof(T)), &v, sizeof(T));
}

struct IntRange {
  int64_t lo, hi;
};

IntRange rangeOf(DType t) {
  switch (t) {
  case DType::Bool:
    return {0, 1};
  case DType::I8:
    return {INT8_MIN, INT8_MAX};
  case DType::U8:
    return {0, UINT8_MAX};
  case DType::I16:
    return {INT16_MIN, INT16_MAX};
  case DType::U16:
    return {0, UINT16_MAX};
  case DType::I32:
    return {INT32_MIN, INT32_MAX};
  case DType::U32:
    return {0, UINT32_MAX};
  case DType::I64:
    return {INT64_MIN, INT64_MAX};
  case DType::U64: // the values an int64 carries: lamina's Python ints stop at 2^63 - 1
    return {0, INT64_MAX};
  case DType::F16: // a float's conversions go through I64 (floatToInt)
  case DType::BF16:
  case DType::F32:
  case DType::F64:
    LAMINA_UNREACHABLE("the integer range of a float type");
  }
  LAMINA_UNREACHABLE("not a dtype");
}

} // namespace

uint16_t floatToHalf(float f) {
  uint32_t x = std::bit_cast<uint32_t>(f);
  uint16_t sign = uint16_t((x >> 16) & 0x8000);
  uint32_t absx = x & 0x7FFFFFFF;
  if (absx >= 0x7F800000) // Inf or NaN (keep NaN quiet)
    return uint16_t(sign | 0x7C00 | (absx > 0x7F800000 ? 0x200 : 0));
  if (absx >= 0x477FF000) // rounds to a value beyond the largest half: overflow to Inf
    return uint16_t(sign | 0x7C00);
  if (absx < 0x38800000) { // subnormal half (or zero): scale so the rounding is done by fp
    float scaled = std::bit_cast<float>(absx) * 16777216.0f; // 2^24: one half ulp is 1
    return uint16_t(sign | uint16_t(std::nearbyint(scaled)));
  }
  // Normal: rebias the exponent, round the mantissa to 10 bits, to nearest even.
  uint32_t mant = absx & 0x7FFFFF;
  uint32_t exp = (absx >> 23) - 127 + 15;
  uint32_t half = (exp << 10) | (mant >> 13);
  uint32_t rest = mant & 0x1FFF;
  if (rest > 0x1000 || (rest == 0x1000 && (half & 1)))
    ++half;
  return uint16_t(sign | half);
}

float halfToFloat(uint16_t h) {
  uint32_t sign = uint32_t(h & 0x8000) << 16;
  uint32_t exp = (h >> 10) & 0x1F, mant = h & 0x3FF;
  if (exp == 0) {
    float v = std::ldexp(float(mant), -24);
    return sign ? -v : v;
  }
  if (exp == 31)
    return std::bit_cast<float>(sign | 0x7F800000 | (mant << 13));
  return std::bit_cast<float>(sign | ((exp - 15 + 127) << 23) | (mant << 13));
}

uint16_t floatToBFloat16(float f) {
  uint32_t x = std::bit_cast<uint32_t>(f);
  if ((x & 0x7FFFFFFF) > 0x7F800000)
    return uint16_t((x >> 16) | 0x40);
  uint32_t roundingBias = 0x7FFF + ((x >> 16) & 1);
  return uint16_t((x + roundingBias) >> 16);
}

float bfloat16ToFloat(uint16_t h) { return std::bit_cast<float>(uint32_t(h) << 16); }

namespace {

// Rounds a double to the nearest value (ties to even) of a binary format with `digits`
// significant bits, smallest normal exponent `minExp` and largest finite value `maxFinite`,
// in one step: going through float first would round twice (1 + 2^-11 + 2^-40 must become
// the f16 above 1, not 1).
double roundToFormat(double v, int digits, int minExp, double maxFinite) {
  if (!std::isfinite(v) || v == 0)
    return v;
  int exp = 0;
  std::frexp(v, &exp); // v = m * 2^exp, 0.5 <= |m| < 1
  int scaleExp = std::max(exp, minExp + 1) - digits;
  double rounded = std::ldexp(std::nearbyint(std::ldexp(v, -scaleExp)), scaleExp);
  if (std::fabs(rounded) > maxFinite)
    return std::copysign(HUGE_VAL, v);
  return rounded;
}

} // namespace

double roundToFloat(DType t, double v) {
  switch (t) {
  case DType::F32:
    return double(float(v));
  case DType::F16:
    return roundToFormat(v, 11, -14, 65504.0);
  case DType::BF16:
    return roundToFormat(v, 8, -126, 3.3895313892515355e38);
  case DType::F64:
    return v;
  case DType::Bool:
  case DType::I8:
  case DType::U8:
  case DType::I16:
  case DType::U16:
  case DType::I32:
  case DType::U32:
  case DType::I64:
  case DType::U64:
    LAMINA_UNREACHABLE("rounding to an integer type is floatToInt's");
  }
  LAMINA_UNREACHABLE("not a dtype");
}

int64_t lowestInt(DType t) { return rangeOf(t).lo; }

bool fitsIn(DType t, int64_t v) {
  IntRange r = rangeOf(t);
  return v >= r.lo && v <= r.hi;
}

int64_t wrapToInt(DType t, int64_t v) {
  switch (t) {
  case DType::Bool:
    return v != 0;
  case DType::I8:
    return int8_t(uint8_t(uint64_t(v)));
  case DType::U8:
    return uint8_t(uint64_t(v));
  case DType::I16:
    return int16_t(uint16_t(uint64_t(v)));
  case DType::U16:
    return uint16_t(uint64_t(v));
  case DType::I32:
    return int32_t(uint32_t(uint64_t(v)));
  case DType::U32:
    return uint32_t(uint64_t(v));
  case DType::I64:
  case DType::U64: // the bits: a u64 at or above 2^63 is carried as a negative int64
    return v;
  case DType::F16:
  case DType::BF16:
  case DType::F32:
  case DType::F64:
    LAMINA_UNREACHABLE("wrapping to a float type");
  }
  LAMINA_UNREACHABLE("not a dtype");
}

int64_t floatToInt(DType t, double v) {
  if (t == DType::Bool)
    return v != 0; // NaN != 0
  if (std::isnan(v))
    return 0;
  if (t == DType::U64) { // [0, 2^64 - 1], carried in an int64's bits
    double truncated = std::trunc(v);
    if (truncated <= 0)
      return 0;
    if (truncated >= 18446744073709551616.0) // 2^64
      return int64_t(UINT64_MAX);
    return int64_t(uint64_t(truncated));
  }
  IntRange r = rangeOf(t);
  double truncated = std::trunc(v);
  // 2^63 is exactly representable; anything at or above it saturates.
  if (truncated >= 9223372036854775808.0 || truncated >= double(r.hi))
    return r.hi;
  if (truncated <= double(r.lo))
    return r.lo;
  return int64_t(truncated);
}

double loadFloat(const Array &a, int64_t i) {
  switch (a.dtype) {
  case DType::F16:
    return halfToFloat(load<uint16_t>(a, i));
  case DType::BF16:
    return bfloat16ToFloat(load<uint16_t>(a, i));
  case DType::F32:
    return load<float>(a, i);
  case DType::F64:
    return load<double>(a, i);
  case DType::Bool:
  case DType::I8:
  case DType::U8:
  case DType::I16:
  case DType::U16:
  case DType::I32:
  case DType::U32:
  case DType::I64:
  case DType::U64:
    return intToDouble(a.dtype, loadInt(a, i));
  }
  LAMINA_UNREACHABLE("not a dtype");
}

int64_t loadInt(const Array &a, int64_t i) {
  switch (a.dtype) {
  case DType::Bool:
    return load<uint8_t>(a, i) != 0;
  case DType::I8:
    return load<int8_t>(a, i);
  case DType::U8:
    return load<uint8_t>(a, i);
  case DType::I16:
    return load<int16_t>(a, i);
  case DType::U16:
    return load<uint16_t>(a, i);
  case DType::I32:
    return load<int32_t>(a, i);
  case DType::U32:
    return load<uint32_t>(a, i);
  case DType::I64:
  case DType::U64: // the bits (see wrapToInt)
    return load<int64_t>(a, i);
  case DType::F16:
  case DType::BF16:
  case DType::F32:
  case DType::F64:
    return floatToInt(DType::I64, loadFloat(a, i));
  }
  LAMINA_UNREACHABLE("not a dtype");
}

void storeFloat(Array &a, int64_t i, double v) {
  switch (a.dtype) {
  case DType::F16: // rounded once from double, then exact in float
    return store(a, i, floatToHalf(float(roundToFloat(DType::F16, v))));
  case DType::BF16:
    return store(a, i, floatToBFloat16(float(roundToFloat(DType::BF16, v))));
  case DType::F32:
    return store(a, i, float(v));
  case DType::F64:
    return store(a, i, v);
  case DType::Bool:
  case DType::I8:
  case DType::U8:
  case DType::I16:
  case DType::U16:
  case DType::I32:
  case DType::U32:
  case DType::I64:
  case DType::U64:
    return storeInt(a, i, floatToInt(a.dtype, v));
  }
  LAMINA_UNREACHABLE("not a dtype");
}

void storeInt(Array &a, int64_t i, int64_t v) {
  switch (a.dtype) {
  case DType::Bool:
    return store(a, i, uint8_t(v != 0));
  case DType::I8:
    return store(a, i, int8_t(wrapToInt(DType::I8, v)));
  case DType::U8:
    return store(a, i, uint8_t(wrapToInt(DType::U8, v)));
  case DType::I16:
    return store(a, i, int16_t(wrapToInt(DType::I16, v)));
  case DType::U16:
    return store(a, i, uint16_t(wrapToInt(DType::U16, v)));
  case DType::I32:
    return store(a, i, int32_t(wrapToInt(DType::I32, v)));
  case DType::U32:
    return store(a, i, uint32_t(wrapToInt(DType::U32, v)));
  case DType::I64:
  case DType::U64:
    return store(a, i, v);
  case DType::F16:
  case DType::BF16:
  case DType::F32:
  case DType::F64:
    return storeFloat(a, i, double(v));
  }
  LAMINA_UNREACHABLE("not a dtype");
}

double intToDouble(DType t, int64_t v) { return t == DType::U64 ? double(uint64_t(v)) : double(v); }

float intToFloat(DType t, int64_t v) { return t == DType::U64 ? float(uint64_t(v)) : float(v); }

Array makeArray(DType dtype, std::vector<int64_t> shape) {
  Array a;
  a.dtype = dtype;
  a.shape = std::move(shape);
  a.bytes.assign(size_t(a.elementCount()) * byteSize(dtype), std::byte{0});
  return a;
}

} // namespace lamina
