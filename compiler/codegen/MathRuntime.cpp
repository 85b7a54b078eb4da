#include "compiler/codegen/MathRuntime.h"

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <math.h>

namespace lamina::codegen {
namespace {

// LLVM 19 passes half and bfloat values in the low 16 bits of an XMM register, as the x86-64
// psABI does for _Float16; GCC 12 and Clang both have _Float16 on x86-64, so it is the carrier
// for either format's bits.
__extension__ typedef _Float16 Half16;

Half16 fromBits(uint16_t bits) { return std::bit_cast<Half16>(bits); }
uint16_t toBits(Half16 h) { return std::bit_cast<uint16_t>(h); }

// Rounds x to a binary format with `expBits` exponent and `mantBits` fraction bits (f16: 5,
// 10; bf16: 8, 7), to nearest even, with subnormals, overflow to infinity and quiet NaNs. Done
// from double directly: going through float first would round twice.
uint16_t roundToNarrow(double x, int expBits, int mantBits) {
  uint16_t sign = std::signbit(x) ? uint16_t(1u << 15) : uint16_t(0);
  int expMax = (1 << (expBits - 1)) - 1;
  auto infBits = uint16_t(((1u << expBits) - 1) << mantBits);
  if (std::isnan(x))
    return uint16_t(sign | infBits | (1u << (mantBits - 1)));
  double a = std::fabs(x);
  // Halfway between the largest finite value and the next power of two rounds up (the largest
  // value's last bit is odd), so that is where infinity starts.
  if (a >= std::ldexp(2.0 - std::ldexp(1.0, -mantBits - 1), expMax))
    return uint16_t(sign | infBits);
  int expMin = 1 - expMax;
  if (a < std::ldexp(1.0, expMin)) {
    // Subnormal (or zero): a whole number of the smallest quantum; reaching 2^mantBits of them
    // gives the smallest normal's encoding, which is what the arithmetic produces anyway.
    double q = std::nearbyint(std::ldexp(a, mantBits - expMin));
    return uint16_t(sign | uint16_t(q));
  }
  int e = 0;
  std::frexp(a, &e);                                      // a = f * 2^e, f in [0.5, 1)
  e -= 1;                                                 // a in [2^e, 2^(e+1))
  double m = std::nearbyint(std::ldexp(a, mantBits - e)); // in [2^mantBits, 2^(mantBits+1)]
  // A carry out of the fraction (m = 2^(mantBits+1)) lands in the exponent field by itself.
  uint32_t enc = (uint32_t(e + expMax) << mantBits) + (uint32_t(m) - (1u << mantBits));
  return uint16_t(sign | enc);
}

float widenHalf(uint16_t h) {
  float sign = (h & 0x8000) ? -1.0f : 1.0f;
  int field = (h >> 10) & 0x1f;
  int mant = h & 0x3ff;
  if (field == 0x1f)
    return mant ? std::nanf("") : sign * HUGE_VALF;
  if (field == 0)
    return sign * std::ldexp(float(mant), -24);
  return sign * std::ldexp(float(mant | 0x400), field - 25);
}

Half16 truncDoubleToHalf(double x) { return fromBits(roundToNarrow(x, 5, 10)); }
Half16 truncFloatToHalf(float x) { return fromBits(roundToNarrow(x, 5, 10)); }
float extendHalfToFloat(Half16 h) { return widenHalf(toBits(h)); }
Half16 truncDoubleToBfloat(double x) { return fromBits(roundToNarrow(x, 8, 7)); }
Half16 truncFloatToBfloat(float x) { return fromBits(roundToNarrow(x, 8, 7)); }

// llvm.powi: x^n by repeated squaring, as compiler-rt computes it (not correctly rounded).
template <typename T> T powi(T x, int n) {
  bool inverse = n < 0;
  unsigned k = inverse ? 0u - unsigned(n) : unsigned(n);
  T r = 1;
  for (; k; k >>= 1, x *= x)
    if (k & 1)
      r *= x;
  return inverse ? 1 / r : r;
}
double powiDouble(double x, int n) { return powi(x, n); }
float powiFloat(float x, int n) { return powi(x, n); }

template <typename F> void *address(F *function) { return reinterpret_cast<void *>(function); }

} // namespace

const std::vector<RuntimeSymbol> &mathRuntimeSymbols() {
  static const std::vector<RuntimeSymbol> symbols = {
      // Double sin, cos and tan for the rare lanes beyond the vector reduction's range
      // (|x| >= 2^51): called from a block kernels enter only when such a lane exists.
      {"lamina_sin", address<double(double)>(::sin)},
      {"lamina_cos", address<double(double)>(::cos)},
      {"lamina_tan", address<double(double)>(::tan)},
      // LLVM lowers maxnum/minnum on types it has no instruction for (half) to these.
      {"fmax", address<double(double, double)>(::fmax)},
      {"fmaxf", address<float(float, float)>(::fmaxf)},
      {"fmin", address<double(double, double)>(::fmin)},
      {"fminf", address<float(float, float)>(::fminf)},
      {"fmod", address<double(double, double)>(::fmod)},
      {"fmodf", address<float(float, float)>(::fmodf)},
      {"fma", address<double(double, double, double)>(::fma)},
      {"fmaf", address<float(float, float, float)>(::fmaf)},
      {"floor", address<double(double)>(::floor)},
      {"floorf", address<float(float)>(::floorf)},
      {"ceil", address<double(double)>(::ceil)},
      {"ceilf", address<float(float)>(::ceilf)},
      {"trunc", address<double(double)>(::trunc)},
      {"truncf", address<float(float)>(::truncf)},
      {"rint", address<double(double)>(::rint)},
      {"rintf", address<float(float)>(::rintf)},
      {"nearbyint", address<double(double)>(::nearbyint)},
      {"nearbyintf", address<float(float)>(::nearbyintf)},
      {"roundeven", address<double(double)>(::roundeven)},
      {"roundevenf", address<float(float)>(::roundevenf)},
      {"sqrt", address<double(double)>(::sqrt)},
      {"sqrtf", address<float(float)>(::sqrtf)},
      {"fabs", address<double(double)>(::fabs)},
      {"fabsf", address<float(float)>(::fabsf)},
      {"lamina_gemm_f32", reinterpret_cast<void *>(lamina_gemm_f32)},
      {"lamina_gemm_f64", reinterpret_cast<void *>(lamina_gemm_f64)},
      {"memcpy", address<void *(void *, const void *, size_t)>(::memcpy)},
      {"memmove", address<void *(void *, const void *, size_t)>(::memmove)},
      {"memset", address<void *(void *, int, size_t)>(::memset)},
      {"__powidf2", address(powiDouble)},
      {"__powisf2", address(powiFloat)},
      {"__truncdfhf2", address(truncDoubleToHalf)},
      {"__truncsfhf2", address(truncFloatToHalf)},
      {"__extendhfsf2", address(extendHalfToFloat)},
      {"__gnu_h2f_ieee", address(extendHalfToFloat)},
      {"__gnu_f2h_ieee", address(truncFloatToHalf)},
      {"__truncdfbf2", address(truncDoubleToBfloat)},
      {"__truncsfbf2", address(truncFloatToBfloat)},
  };
  return symbols;
}

} // namespace lamina::codegen
