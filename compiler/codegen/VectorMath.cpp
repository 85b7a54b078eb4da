#include "compiler/codegen/VectorMath.h"

#include <llvm/IR/Constants.h>
#include <llvm/IR/DerivedTypes.h>
#include <llvm/IR/GlobalVariable.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/Module.h>

#include <array>
#include <cassert>
#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

// How the approximations were made. Each table is a minimax fit (Remez exchange in 60-digit
// arithmetic, weighted for the relative error of the final result, on the interval its
// comment names). Most f32 tables, and the f64 ones where rounding showed, then had their
// coefficients fixed one at a time, lowest first, at their float/double values with the rest
// refitted, so rounding them costs little. Evaluation and argument reduction add to the fits'
// own errors (all well under an ulp); ulpBound() gives what tests/vecmath measures end to end.
//
// Every function is built from a few cores (exp with a scale, log split into exponent and
// mantissa, sin/cos argument reduction) and written once for both precisions: the helpers
// take the coefficient table of the element type.

namespace lamina::codegen {
namespace {

using llvm::Value;

// ---------------------------------------------------------------------------------------------
// Coefficient tables.
// ---------------------------------------------------------------------------------------------

// e^r = 1 + r + r^2 * P(r), |r| <= ln2/2 (relative error of e^r).
constexpr double kExpF[] = {0x1.fffffcp-2, 0x1.55548cp-3, 0x1.555858p-5, 0x1.123de0p-7,
                            0x1.6ac74ep-10};
constexpr double kExpD[] = {0x1.000000000000ap-1,  0x1.5555555555503p-3,  0x1.555555555060bp-5,
                            0x1.1111111124d60p-7,  0x1.6c16c184b27eep-10, 0x1.a01a013d186cdp-13,
                            0x1.a019989d66f08p-16, 0x1.71def1852df45p-19, 0x1.28aecaaaf88c2p-22,
                            0x1.ade615b80f927p-26};
// e^r - 1 = r + r^2 * P(r), |r| <= ln2/2 (relative error of e^r - 1, stricter than exp's).
constexpr double kExpm1F[] = {0x1p-1,        0x1.55552cp-3,  0x1.555502p-5,
                              0x1.1155a8p-7, 0x1.6d2e4ap-10, 0x1.3b8acep-13};
constexpr double kExpm1D[] = {0x1p-1,
                              0x1.5555555555559p-3,
                              0x1.5555555555559p-5,
                              0x1.111111110f6f8p-7,
                              0x1.6c16c16c1620ap-10,
                              0x1.a01a01af9aa7fp-13,
                              0x1.a01a019fd915p-16,
                              0x1.71ddf93a01a87p-19,
                              0x1.27e4f7bf6075cp-22,
                              0x1.af5d313b8c1fcp-26,
                              0x1.1f36c4e0baca3p-29};

// f32 log(1+f) = f + f^2 * P(f); log2(1+f) = f * P(f); log10(1+f) = f * P(f); f in
// [sqrt(2)/2 - 1, sqrt(2) - 1].
constexpr double kLogF[] = {-0x1.fffffap-2, 0x1.5556f6p-2, -0x1.0004cap-2, 0x1.98d22cp-3,
                            -0x1.53524ep-3, 0x1.317f52p-3, -0x1.2559c8p-3, 0x1.66ce68p-4};
constexpr double kLog2F[] = {0x1.715476p+0,  -0x1.71547p-1,  0x1.ec73d8p-2,
                             -0x1.715c4ep-2, 0x1.26d38p-2,   -0x1.e95bcap-3,
                             0x1.b9c94ap-3,  -0x1.a87e02p-3, 0x1.01b78ap-3};
constexpr double kLog10F[] = {0x1.bcb7bp-2,   -0x1.bcb7aap-3, 0x1.287c68p-3,
                              -0x1.bcc124p-4, 0x1.63019p-4,   -0x1.269f8ap-4,
                              0x1.09fb5ap-4,  -0x1.ff23bap-5, 0x1.365276p-5};
// f64: log(1+f) = 2s + s * z * P(z), s = f / (2 + f), z = s^2 <= 0.1716^2.
constexpr double kLogD[] = {0x1.5555555555593p-1, 0x1.999999997fcabp-2, 0x1.249249420124bp-2,
                            0x1.c71c51fb79d46p-3, 0x1.746641ee29ffcp-3, 0x1.39a1687413e1ep-3,
                            0x1.2f08c9d7659b3p-3};
// f64 pow's double-double log: 2 atanh(s) = 2s + (2/3) s^3 + s^5 * P(z).
constexpr double kLogPowD[] = {0x1.9999999999b31p-2, 0x1.2492492457b6cp-2, 0x1.c71c722d93faap-3,
                               0x1.745ce9d3038a2p-3, 0x1.3b1eef1cbc6acp-3, 0x1.0f7f9f52d3389p-3,
                               0x1.0e45763b599d7p-3};

// sin(r) = r + r^3 * P(r^2); cos(r) = 1 - r^2/2 + r^4 * P(r^2); |r| <= pi/4 * 1.001.
constexpr double kSinF[] = {-0x1.555546p-3, 0x1.110774p-7, -0x1.9951eap-13};
constexpr double kCosF[] = {0x1.55554ap-5, -0x1.6c0c28p-10, 0x1.99e80cp-16};
constexpr double kSinD[] = {-0x1.5555555555548p-3, 0x1.111111110f730p-7,   -0x1.a01a019be9217p-13,
                            0x1.71de35552b50ep-19, -0x1.ae5e4b83e0631p-26, 0x1.5d8b559264de6p-33};
constexpr double kCosD[] = {0x1.555555555554bp-5,   -0x1.6c16c16c15005p-10, 0x1.a01a019c8c7d7p-16,
                            -0x1.27e4f7ef0d719p-22, 0x1.1ee9d9c69d81cp-29,  -0x1.8fa55394f0581p-37};
// tan(r) = r + r^3 * P(r^2), |r| <= pi/4 * 1.001.
constexpr double kTanF[] = {0x1.55556p-2, 0x1.110d9ap-3,  0x1.badaep-5, 0x1.5cb268p-6,
                            0x1.63214p-7, 0x1.5fbb3ep-14, 0x1.1f1264p-8};
constexpr double kTanD[] = {0x1.555555555555ep-2,  0x1.11111111105d2p-3,   0x1.ba1ba1babf34fp-5,
                            0x1.664f485d24965p-6,  0x1.226e3a8187e87p-7,   0x1.d6d2e7a91a9e2p-9,
                            0x1.7db18f40d312p-10,  0x1.34bc17f5f7cbep-11,  0x1.ff2eae5e967ep-13,
                            0x1.5e782456f4fb9p-14, 0x1.19f6fe44db825p-14,  -0x1.ae3442b72421bp-16,
                            0x1.98127f1694f34p-15, -0x1.975bbacdd3b48p-16, 0x1.48dc8c135a6afp-17};
// atan(t) = t + t^3 * P(t^2), |t| <= tan(pi/8).
constexpr double kAtanF[] = {-0x1.55554ap-2, 0x1.9991e2p-3, -0x1.23b9a2p-3, 0x1.b22456p-4,
                             -0x1.f2e5a8p-5};
constexpr double kAtanD[] = {-0x1.5555555555554p-2, 0x1.9999999999584p-3,  -0x1.249249246f58dp-3,
                             0x1.c71c71b458cfap-4,  -0x1.745d1450477b5p-4, 0x1.3b1364f01b648p-4,
                             -0x1.110beb7625234p-4, 0x1.e167bb60bb975p-5,  -0x1.ab3bf3f513fd9p-5,
                             0x1.6fe4f2637e8b5p-5,  -0x1.0fd55d2ba8f05p-5, 0x1.e84cf279e410ap-7};
// asin(s) = s + s^3 * P(s^2), 0 <= s <= 1/2.
constexpr double kAsinF[] = {0x1.5555c8p-3, 0x1.330204p-4, 0x1.747bbap-5, 0x1.8c3e2ap-6,
                             0x1.595c8cp-5};
constexpr double kAsinD[] = {0x1.5555555555577p-3, 0x1.333333332e131p-4, 0x1.6db6db7212682p-5,
                             0x1.f1c71a94f2c04p-6, 0x1.6e8bdee04784cp-6, 0x1.1c49f05c21d25p-6,
                             0x1.ca1f8d86604b4p-7, 0x1.758588d370baap-7, 0x1.613c91796987ap-7,
                             0x1.e5f53c4d8c07dp-9, 0x1.639c8791b3c0fp-6, -0x1.57fd96005203bp-6,
                             0x1.0b46c3c357f62p-5};
// f32 tanh(x) = x * P(x^2) / Q(x^2), |x| <= 9.02 (relative error 0.31 * 2^-24 after rounding;
// MathOptions::accurateTanhF32 = false).
constexpr double kTanhP[] = {0x1p+0,         0x1.0bf16ap-3,  0x1.96b76ap-9,  0x1.75f058p-17,
                             -0x1.5ac1ep-26, 0x1.ce7a58p-35, -0x1.7beca8p-44};
constexpr double kTanhQ[] = {0x1p+0, 0x1.db4e06p-2, 0x1.914448p-6, 0x1.0ad61ap-12};
// erf(x) = x * P(x^2), |x| <= 1.
constexpr double kErfF[] = {0x1.20dd74p+0, -0x1.81262cp-2,  0x1.cdfc8ep-4,  -0x1.b4d20ap-6,
                            0x1.3c27bap-8, -0x1.f9b17ep-12, -0x1.b9b916p-16};
constexpr double kErfD[] = {0x1.20dd750429b6dp+0,   -0x1.812746b03799dp-2,  0x1.ce2f21a03f8b9p-4,
                            -0x1.b82ce311a97d5p-6,  0x1.565bcceeda34ap-8,   -0x1.c02daeb703066p-11,
                            0x1.f9a296b45baafp-14,  -0x1.f4c82f0035c8dp-17, 0x1.b96b575616c08p-20,
                            -0x1.5b8c6c08a3b7dp-23, 0x1.d3dda5f65d582p-27,  -0x1.a23e00692cf21p-31};
// erfc(x) = exp(-x^2) * P(t) (f32) / t * P(2t - 1) (f64), t = 1 / (1 + x/2), 0 <= x <= 10.06
// (f32) / 27.3 (f64). f64's form keeps every term of the sum small against the result (erfc(x)
// exp(x^2) / t stays within [0.28, 1]), so rounding the coefficients costs no accuracy.
constexpr double kErfcF[] = {0x1.c6b71p-19, 0x1.20c2ep-2,   0x1.2237bp-2,   0x1.e562p-3,
                             0x1.c757bcp-3, -0x1.cbad34p-5, 0x1.10377p-2,   -0x1.67dde6p-2,
                             0x1.dc27acp-6, 0x1.759cecp-3,  -0x1.e60a68p-4, 0x1.8b5748p-6};
constexpr double kErfcD[] = {
    0x1.058671b52c776p-1,   0x1.5fd386754eff9p-2,   0x1.1e2deea6b1175p-3,   0x1.2a88e6107d648p-6,
    -0x1.606e41552a3c5p-7,  -0x1.a89eaff87d199p-9,  0x1.9517bb7125382p-10,  0x1.b6fbf9a1c1636p-12,
    -0x1.5ba438802f8b8p-12, -0x1.2054147d24facp-16, 0x1.2efa3295ae828p-14,  -0x1.1e7661521ee33p-16,
    -0x1.6c03312d00757p-17, 0x1.0e78f95050a15p-17,  -0x1.2d8ac52b0b157p-21, -0x1.e94d2aefbe77cp-20,
    0x1.0c026f7bbf1c9p-20,  0x1.1399f01cb3697p-30,  -0x1.2e9cc9dee3e64p-22, 0x1.55ca8a557a5eap-23,
    -0x1.72905e9ee9e68p-28, -0x1.bf64b5bb1afe8p-25, 0x1.0d96b32a49e7fp-25,  0x1.943807e6c0815p-29,
    -0x1.6c211fc90858bp-27, 0x1.510e1e97df67dp-29,  0x1.7051177b2dd92p-30,  -0x1.241da8120c3b0p-31};

// The fraction bits of 2/pi, most significant first (bit 1 of word 0 is 2^-1).
constexpr std::array<uint32_t, 8> kTwoOverPiBits = {0xa2f9836e, 0x4e441529, 0xfc2757d1, 0xf534ddc0,
                                                    0xdb629599, 0x3c439041, 0xfe5163ab, 0xdebbc561};

// A constant split into a head of the element type and the rounded remainder.
struct Split {
  double f32hi, f32lo, f64hi, f64lo;
};
constexpr Split kLn2 = {0x1.62e43p-1, -0x1.05c61p-29, 0x1.62e42fefa39efp-1, 0x1.abc9e3b39803fp-56};
constexpr Split kLog10Of2 = {0x1.344136p-2, -0x1.ec10cp-27, 0x1.34413509f79ffp-2,
                             -0x1.9dc1da994fd21p-59};
constexpr Split kInvLn10 = {0x1.bcb7b2p-2, -0x1.5b235ep-27, 0x1.bcb7b1526e50ep-2,
                            0x1.95355baaafad3p-57};
constexpr Split kInvLn2 = {0x1.715476p+0, 0x1.4ae0cp-26, 0x1.71547652b82fep+0,
                           0x1.777d0ffda0d24p-56};
constexpr Split kPi = {0x1.921fb6p+1, -0x1.777a5cp-24, 0x1.921fb54442d18p+1, 0x1.1a62633145c07p-53};
constexpr Split kPiOver2 = {0x1.921fb6p+0, -0x1.777a5cp-25, 0x1.921fb54442d18p+0,
                            0x1.1a62633145c07p-54};
constexpr Split kPiOver4 = {0x1.921fb6p-1, -0x1.777a5cp-26, 0x1.921fb54442d18p-1,
                            0x1.1a62633145c07p-55};
// pi/2 in three doubles, for the f64 Cody-Waite reduction.
constexpr double kPiOver2D[] = {0x1.921fb54442d18p+0, 0x1.1a62633145c07p-54,
                                -0x1.f1976b7ed8fbcp-110};
constexpr double kTwoOverPiD = 0x1.45f306dc9c883p-1;

// ---------------------------------------------------------------------------------------------
// Emission helpers over one floating-point type (scalar or vector) and its same-shape integer.
// ---------------------------------------------------------------------------------------------

class Fp {
public:
  Fp(llvm::IRBuilderBase &builder, llvm::Type *type) : b(builder), ty(type) {
    llvm::Type *elem = ty->getScalarType();
    isDouble = elem->isDoubleTy();
    assert(isDouble || elem->isFloatTy());
    bits = isDouble ? 64 : 32;
    mantBits = isDouble ? 52 : 23;
    bias = isDouble ? 1023 : 127;
    ity = llvm::Type::getIntNTy(ty->getContext(), bits);
    if (auto *vt = llvm::dyn_cast<llvm::FixedVectorType>(ty))
      ity = llvm::FixedVectorType::get(ity, vt->getNumElements());
  }

  // The same shape with the other element type (f32 <-> f64).
  llvm::Type *otherType() const {
    llvm::Type *elem = isDouble ? b.getFloatTy() : b.getDoubleTy();
    if (auto *vt = llvm::dyn_cast<llvm::FixedVectorType>(ty))
      return llvm::FixedVectorType::get(elem, vt->getNumElements());
    return elem;
  }

  // Pick the f32 or f64 variant of a constant or table.
  double pick(double f32, double f64) const { return isDouble ? f64 : f32; }
  std::span<const double> pick(std::span<const double> f32, std::span<const double> f64) const {
    return isDouble ? f64 : f32;
  }
  Value *hi(const Split &s) { return c(isDouble ? s.f64hi : s.f32hi); }
  Value *lo(const Split &s) { return c(isDouble ? s.f64lo : s.f32lo); }

  Value *c(double v) { return llvm::ConstantFP::get(ty, v); }
  Value *ci(int64_t v) { return llvm::ConstantInt::get(ity, uint64_t(v), true); }
  Value *inf() { return c(HUGE_VAL); }
  Value *nan() { return c(std::nan("")); }

  Value *add(Value *x, Value *y) { return b.CreateFAdd(x, y); }
  Value *sub(Value *x, Value *y) { return b.CreateFSub(x, y); }
  Value *mul(Value *x, Value *y) { return b.CreateFMul(x, y); }
  Value *div(Value *x, Value *y) { return b.CreateFDiv(x, y); }
  Value *neg(Value *x) { return b.CreateFNeg(x); }
  Value *fma(Value *x, Value *y, Value *z) {
    return b.CreateIntrinsic(llvm::Intrinsic::fma, {ty}, {x, y, z});
  }
  Value *abs(Value *x) { return b.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, x); }
  Value *sqrt(Value *x) { return b.CreateUnaryIntrinsic(llvm::Intrinsic::sqrt, x); }
  Value *copysign(Value *mag, Value *sign) {
    return b.CreateBinaryIntrinsic(llvm::Intrinsic::copysign, mag, sign);
  }

  Value *olt(Value *x, Value *y) { return b.CreateFCmpOLT(x, y); }
  Value *ole(Value *x, Value *y) { return b.CreateFCmpOLE(x, y); }
  Value *ogt(Value *x, Value *y) { return b.CreateFCmpOGT(x, y); }
  Value *oge(Value *x, Value *y) { return b.CreateFCmpOGE(x, y); }
  Value *oeq(Value *x, Value *y) { return b.CreateFCmpOEQ(x, y); }
  Value *ult(Value *x, Value *y) { return b.CreateFCmpULT(x, y); }
  Value *isNan(Value *x) { return b.CreateFCmpUNO(x, x); }
  Value *sel(Value *cond, Value *x, Value *y) { return b.CreateSelect(cond, x, y); }
  Value *both(Value *p, Value *q) { return b.CreateAnd(p, q); }
  Value *either(Value *p, Value *q) { return b.CreateOr(p, q); }
  Value *signBit(Value *x) { return b.CreateICmpSLT(toInt(x), ci(0)); }
  // x with its sign flipped where s is negative (an xor of sign bits).
  Value *withSignOf(Value *x, Value *s) {
    Value *sign = b.CreateAnd(toInt(s), ci(int64_t(uint64_t(1) << (bits - 1))));
    return fromInt(b.CreateXor(toInt(x), sign));
  }

  Value *toInt(Value *x) { return b.CreateBitCast(x, ity); }
  Value *fromInt(Value *i) { return b.CreateBitCast(i, ty); }

  // Clamps x into [lo, hi]; NaN passes through (unlike minnum/maxnum, which drop it).
  Value *clamp(Value *x, double lo, double hi) {
    Value *y = sel(ogt(x, c(hi)), c(hi), x);
    return sel(olt(y, c(lo)), c(lo), y);
  }

  // Horner's rule: coeffs[0] + x * (coeffs[1] + x * (...)).
  Value *poly(Value *x, std::span<const double> coeffs) {
    assert(!coeffs.empty());
    Value *r = c(coeffs.back());
    for (size_t i = coeffs.size() - 1; i-- > 0;)
      r = fma(r, x, c(coeffs[i]));
    return r;
  }

  // Round to nearest even for |x| < 2^(mantBits - 1), without SSE4.1: adding 1.5 * 2^mantBits
  // leaves the integer in the low mantissa bits. Returns the rounded value; *low receives the
  // integer's bits (two's complement in the low mantBits bits) when asked for.
  Value *roundSmall(Value *x, Value **low = nullptr) {
    double magic = 1.5 * std::ldexp(1.0, int(mantBits));
    Value *t = add(x, c(magic));
    if (low)
      *low = b.CreateSub(toInt(t), toInt(c(magic)));
    return sub(t, c(magic));
  }

  // 2^n for an integer n in the normal exponent range.
  Value *pow2(Value *n) { return fromInt(b.CreateShl(b.CreateAdd(n, ci(bias)), ci(mantBits))); }

  // p * 2^n for n in twice the normal exponent range, as two exact scalings so that results
  // that overflow or underflow (into subnormals) are rounded once.
  Value *scale(Value *p, Value *n) {
    Value *n1 = b.CreateAShr(n, ci(1));
    Value *n2 = b.CreateSub(n, n1);
    return mul(mul(p, pow2(n1)), pow2(n2));
  }

  llvm::IRBuilderBase &b;
  llvm::Type *ty;
  llvm::Type *ity = nullptr;
  bool isDouble = false;
  unsigned bits = 0, mantBits = 0;
  int bias = 0;
};

// Where f(x) rounds to x (odd functions with f(x) = x + O(x^3)), keep x itself: this is
// exact, keeps the sign of zero and avoids underflow in the polynomial for subnormals.
Value *keepTiny(Fp &f, Value *x, Value *result, double threshold) {
  return f.sel(f.olt(f.abs(x), f.c(threshold)), x, result);
}

// ---------------------------------------------------------------------------------------------
// exp, expm1 and the hyperbolic functions built on them.
// ---------------------------------------------------------------------------------------------

// e^(x + xlo) * 2^shift. x must be clamped to [-760, 760] (f64) / [-110, 100] (f32), which
// covers every result from overflow to underflow; xlo (optional) is a small correction.
Value *expScaled(Fp &f, Value *x, Value *xlo, int shift) {
  Value *nInt = nullptr;
  Value *n = f.roundSmall(f.mul(x, f.hi(kInvLn2)), &nInt);
  Value *r = f.fma(f.neg(n), f.hi(kLn2), x); // exact: x - n * ln2hi has few significant bits
  r = f.fma(f.neg(n), f.lo(kLn2), r);
  if (xlo)
    r = f.add(r, xlo);
  Value *q = f.poly(r, f.pick(kExpF, kExpD));
  Value *p = f.add(f.c(1), f.fma(f.mul(r, r), q, r));
  return f.scale(p, f.b.CreateAdd(nInt, f.ci(shift)));
}

Value *clampForExp(Fp &f, Value *x) { return f.clamp(x, f.pick(-110, -760), f.pick(100, 760)); }

Value *emitExp(Fp &f, Value *x) { return expScaled(f, clampForExp(f, x), nullptr, 0); }

// e^x - 1 = 2^n (e^r - 1) + 2^n - 1, computed as 2 * (h * em + (h - 1/2)) with h = 2^(n-1) so
// that h stays finite up to the overflow threshold.
Value *emitExpm1(Fp &f, Value *x) {
  // Below -30 (f32) / -40 (f64) the result is -1 to the last bit; above 88.8 / 709.8 it
  // overflows, and n - 1 still fits the exponent range.
  Value *xc = f.clamp(x, f.pick(-30, -40), f.pick(88.8, 709.8));
  Value *nInt = nullptr;
  Value *n = f.roundSmall(f.mul(xc, f.hi(kInvLn2)), &nInt);
  Value *r = f.fma(f.neg(n), f.hi(kLn2), xc);
  r = f.fma(f.neg(n), f.lo(kLn2), r);
  Value *em = f.fma(f.mul(r, r), f.poly(r, f.pick(kExpm1F, kExpm1D)), r);
  Value *h = f.pow2(f.b.CreateSub(nInt, f.ci(1)));
  Value *res = f.mul(f.c(2), f.fma(h, em, f.sub(h, f.c(0.5))));
  return keepTiny(f, x, res, f.pick(0x1p-25, 0x1p-54));
}

// sinh |x| >= 10 (f32) / 20 (f64), and cosh everywhere, from e^|x| / 2 (e^-|x| is below
// half an ulp there); smaller sinh from expm1 without cancellation: (E + E / (E + 1)) / 2.
Value *emitSinh(Fp &f, Value *x) {
  Value *a = f.abs(x);
  Value *half = expScaled(f, clampForExp(f, a), nullptr, -1);
  Value *e = emitExpm1(f, a);
  Value *small = f.mul(f.c(0.5), f.add(e, f.div(e, f.add(e, f.c(1)))));
  Value *res = f.sel(f.olt(a, f.c(f.pick(10, 20))), small, half);
  return f.copysign(res, x);
}

Value *emitCosh(Fp &f, Value *x) {
  Value *half = expScaled(f, clampForExp(f, f.abs(x)), nullptr, -1);
  return f.add(half, f.div(f.c(0.25), half));
}

// f32 tanh, all in float: tanh|x| = E / (E + 2) with E = e^(2|x|) - 1 computed as expm1 is, so
// that E keeps its relative accuracy near 0 and one formula serves every |x| (near 1, the
// quotient of nearly equal values costs only the roundings of E + 2 and of the division). With
// 2|x| = n ln2 + 2h, |h| <= ln2/4, E = 2^n (e^(2h) - 1) + (2^n - 1): the second term is exact
// (n >= 0) and the first has expm1's relative error. Measured over every float: 2 ulps, in 18
// vector operations and one division (gelu's tanh is on the hot path).
Value *tanhF32(Fp &f, Value *x) {
  Value *a = f.abs(x);
  // tanh rounds to 1 from 9.0109 on, and so does E / (E + 2) at 9.1, where 2^n is still far
  // from overflow; this keeps infinities out, and select(a > c, c, a) lets NaN through.
  Value *ac = f.sel(f.ogt(a, f.c(9.1)), f.c(9.1), a);
  // n = round(2|x| / ln2): adding 1.5 * 2^23 leaves n in t's low mantissa bits.
  Value *magic = f.c(0x1.8p23);
  Value *t = f.fma(ac, f.c(2 * kInvLn2.f32hi), magic);
  Value *n = f.sub(t, magic);
  // h = |x| - n ln2/2 is exact: the fma's product is, and for n >= 1 (|x| >= ln2/4) the
  // difference is a multiple of 2^-26 below 1/4, 24 bits. ln2's float tail is left out: it
  // moves E by n * 2e-9 relative, under a tenth of an ulp of the result while n is small
  // enough for E's error to show in it (the quotient damps it by 2 / (E + 2)).
  Value *h = f.fma(n, f.c(-0.5 * kLn2.f32hi), ac);
  // (e^(2h) - 1) / 2 = h + h^2 Q(h) with Q(h) = 2 P(2h), P expm1's table (exact rescaling).
  // Q is evaluated as its even and odd parts in h^2: as many fmas as Horner's rule in h,
  // and the dependency chain, which bounds this loop's speed as much as the count does, is
  // two fmas shorter.
  static_assert(std::size(kExpm1F) == 6, "the split below takes six coefficients");
  std::array<double, std::size(kExpm1F)> q{};
  for (size_t k = 0; k < q.size(); ++k)
    q[k] = std::ldexp(kExpm1F[k], int(k) + 1);
  Value *z = f.mul(h, h);
  Value *even = f.poly(z, std::array{q[0], q[2], q[4]});
  Value *odd = f.poly(z, std::array{q[1], q[3], q[5]});
  Value *halfEm = f.fma(z, f.fma(h, odd, even), h);
  // 2^(n+1) from t's bits: shifting t left by 23 drops its exponent and leaves n << 23, which
  // added to 2.0's bits scales it by 2^n. Then E = 2^(n+1) * halfEm + (2^n - 1).
  Value *twoS = f.fromInt(f.b.CreateAdd(f.b.CreateShl(f.toInt(t), f.ci(23)), f.toInt(f.c(2))));
  Value *e = f.fma(twoS, halfEm, f.fma(twoS, f.c(0.5), f.c(-1)));
  // Subnormal x come through exactly (h = x, E = 2x), and the sign of zero from copysign.
  return f.copysign(f.div(e, f.add(e, f.c(2))), x);
}

// f32 by default tanhF32; with MathOptions::accurateTanhF32 = false a rational minimax fit in
// float, fewer operations but four roundings near 1. f64: E / (E + 2) with E = expm1(2|x|).
Value *emitTanh(Fp &f, Value *x, const MathOptions &options) {
  if (!f.isDouble && options.accurateTanhF32)
    return tanhF32(f, x);
  Value *a = f.abs(x);
  if (!f.isDouble) {
    Value *z = f.mul(x, x);
    Value *r = f.div(f.mul(x, f.poly(z, kTanhP)), f.poly(z, kTanhQ));
    // tanh rounds to 1 from 9.0109 on; the fit covers [0, 9.02].
    return f.sel(f.ogt(a, f.c(9.01)), f.copysign(f.c(1), x), r);
  }
  Value *e = emitExpm1(f, f.mul(f.c(2), a));
  Value *r = f.div(e, f.add(e, f.c(2)));
  r = f.sel(f.ogt(a, f.c(22)), f.c(1), r);
  return keepTiny(f, x, f.copysign(r, x), 0x1p-27);
}

// ---------------------------------------------------------------------------------------------
// Logarithms.
// ---------------------------------------------------------------------------------------------

// u = 2^k * m with m in [sqrt(2)/2, sqrt(2)); returns f = m - 1 (exact) and k as a float.
struct LogSplit {
  Value *f;
  Value *k;
};

LogSplit splitLog(Fp &f, Value *u, bool subnormals) {
  Value *kAdjust = f.ci(0);
  if (subnormals) {
    // Scale subnormals into the normal range first (2^32 / 2^64 covers the smallest).
    Value *sub = f.olt(u, f.c(f.pick(0x1p-126, 0x1p-1022)));
    u = f.sel(sub, f.mul(u, f.c(f.pick(0x1p32, 0x1p64))), u);
    kAdjust = f.sel(sub, f.ci(f.isDouble ? -64 : -32), f.ci(0));
  }
  // Subtracting the bits of sqrt(2)/2 makes the exponent field k and leaves the mantissa
  // offset, so adding them back gives m in [sqrt(2)/2, sqrt(2)).
  Value *base = f.toInt(f.c(f.pick(0x1.6a09e6p-1, 0x1.6a09e667f3bcdp-1)));
  Value *ix = f.b.CreateSub(f.toInt(u), base);
  Value *k = f.b.CreateAdd(f.b.CreateAShr(ix, f.ci(f.mantBits)), kAdjust);
  Value *mask = f.ci((int64_t(1) << f.mantBits) - 1);
  Value *m = f.fromInt(f.b.CreateAdd(f.b.CreateAnd(ix, mask), base));
  return {f.sub(m, f.c(1)), f.b.CreateSIToFP(k, f.ty)};
}

enum class LogBase { E, Two, Ten };

// log_base(2^k * (1 + f)) + corr / ln(base), where corr is a small correction to the argument
// (log1p's rounding error of 1 + x, divided by 1 + x).
Value *logFromSplit(Fp &f, LogSplit split, Value *corr, LogBase base) {
  Value *fr = split.f;
  Value *k = split.k;
  if (!f.isDouble) {
    if (base == LogBase::E) {
      Value *lp = f.fma(f.mul(fr, fr), f.poly(fr, kLogF), fr);
      Value *inner = f.add(lp, f.fma(k, f.lo(kLn2), corr));
      return f.fma(k, f.hi(kLn2), inner);
    }
    bool two = base == LogBase::Two;
    Value *lp = f.mul(fr, f.poly(fr, two ? std::span<const double>(kLog2F) : kLog10F));
    Value *inner = f.fma(corr, two ? f.hi(kInvLn2) : f.hi(kInvLn10), lp);
    if (two)
      return f.add(k, inner);
    return f.fma(k, f.hi(kLog10Of2), f.fma(k, f.lo(kLog10Of2), inner));
  }
  // f64: log(1+f) = f - f^2/2 + s (f^2/2 + R), s = f / (2 + f): the division only reaches
  // the small correction term, so its rounding hardly matters.
  Value *hfsq = f.mul(f.c(0.5), f.mul(fr, fr));
  Value *s = f.div(fr, f.add(f.c(2), fr));
  Value *z = f.mul(s, s);
  Value *r = f.mul(z, f.poly(z, kLogD));
  Value *tail = f.mul(s, f.add(hfsq, r));
  if (base == LogBase::E) {
    tail = f.add(tail, f.fma(k, f.lo(kLn2), corr));
    return f.fma(k, f.hi(kLn2), f.sub(fr, f.sub(hfsq, tail)));
  }
  Value *lp = f.sub(fr, f.sub(hfsq, f.add(tail, corr)));
  const Split &inv = base == LogBase::Two ? kInvLn2 : kInvLn10;
  Value *y = f.fma(lp, f.hi(inv), f.mul(lp, f.lo(inv)));
  if (base == LogBase::Two)
    return f.add(k, y);
  return f.fma(k, f.hi(kLog10Of2), f.fma(k, f.lo(kLog10Of2), y));
}

// C's special cases for a logarithm of v: log(+inf) = +inf, log(0) = -inf, v < 0 is NaN.
Value *logSpecials(Fp &f, Value *v, Value *res, double zeroAt) {
  res = f.sel(f.oeq(v, f.inf()), f.inf(), res);
  res = f.sel(f.oeq(v, f.c(zeroAt)), f.neg(f.inf()), res);
  return f.sel(f.ult(v, f.c(zeroAt)), f.nan(), res);
}

Value *emitLog(Fp &f, Value *x, LogBase base) {
  Value *res = logFromSplit(f, splitLog(f, x, true), f.c(0), base);
  return logSpecials(f, x, res, 0);
}

// log1p(x) = log(u) + log(1 + e/u), u = 1 + x rounded and e its exact rounding error.
Value *emitLog1p(Fp &f, Value *x) {
  Value *u = f.add(f.c(1), x);
  // Knuth's TwoSum: e = (1 + x) - u exactly, whatever the magnitudes.
  Value *bv = f.sub(u, f.c(1));
  Value *av = f.sub(u, bv);
  Value *e = f.add(f.sub(f.c(1), av), f.sub(x, bv));
  Value *res = logFromSplit(f, splitLog(f, u, false), f.div(e, u), LogBase::E);
  res = logSpecials(f, x, res, -1);
  return keepTiny(f, x, res, f.pick(0x1p-25, 0x1p-54));
}

// log1p of u >= 0 (no special cases beyond +inf); the inverse hyperbolics use it.
Value *log1pNonNegative(Fp &f, Value *u) {
  Value *v = f.add(f.c(1), u);
  Value *bv = f.sub(v, f.c(1));
  Value *av = f.sub(v, bv);
  Value *e = f.add(f.sub(f.c(1), av), f.sub(u, bv));
  Value *res = logFromSplit(f, splitLog(f, v, false), f.div(e, v), LogBase::E);
  return f.sel(f.oeq(u, f.inf()), f.inf(), res);
}

// asinh |x| = log1p(|x| + x^2 / (1 + sqrt(1 + x^2))); for |x| > 2^13 / 2^28, log(2|x|).
Value *emitAsinh(Fp &f, Value *x) {
  Value *a = f.abs(x);
  Value *big = f.ogt(a, f.c(f.pick(0x1p13, 0x1p28)));
  Value *a2 = f.mul(a, a);
  Value *u = f.add(a, f.div(a2, f.add(f.c(1), f.sqrt(f.add(f.c(1), a2)))));
  Value *r = log1pNonNegative(f, f.sel(big, f.sub(a, f.c(1)), u)); // log1p(a - 1) = log(a)
  r = f.add(r, f.sel(big, f.hi(kLn2), f.c(0)));
  return keepTiny(f, x, f.copysign(r, x), f.pick(0x1p-12, 0x1p-27));
}

// acosh x = log1p((x - 1) + sqrt((x - 1)(x + 1))), exact in x - 1 near 1; log(2x) when big.
Value *emitAcosh(Fp &f, Value *x) {
  Value *big = f.ogt(x, f.c(f.pick(0x1p13, 0x1p28)));
  Value *xm1 = f.sub(x, f.c(1));
  Value *u = f.add(xm1, f.sqrt(f.mul(xm1, f.add(x, f.c(1)))));
  Value *r = log1pNonNegative(f, f.sel(big, xm1, u));
  r = f.add(r, f.sel(big, f.hi(kLn2), f.c(0)));
  return f.sel(f.ult(x, f.c(1)), f.nan(), r);
}

// atanh |x| = log1p(2|x| / (1 - |x|)) / 2, written as 2a + 2a^2 / (1 - a) below 1/2, where
// 1 - a is inexact: its rounding then only reaches the smaller term.
Value *emitAtanh(Fp &f, Value *x) {
  Value *a = f.abs(x);
  Value *oneMinus = f.sub(f.c(1), a);
  Value *twoA = f.add(a, a);
  Value *smallArg = f.add(twoA, f.div(f.mul(twoA, a), oneMinus));
  Value *bigArg = f.div(twoA, oneMinus);
  Value *u = f.sel(f.olt(a, f.c(0.5)), smallArg, bigArg);
  // |x| > 1 gives u < -1 (or NaN for inf): NaN, as C says.
  Value *v = f.add(f.c(1), u);
  Value *bv = f.sub(v, f.c(1));
  Value *av = f.sub(v, bv);
  Value *e = f.add(f.sub(f.c(1), av), f.sub(u, bv));
  Value *r = logFromSplit(f, splitLog(f, v, false), f.div(e, v), LogBase::E);
  r = f.sel(f.oeq(u, f.inf()), f.inf(), r);
  r = f.sel(f.ult(u, f.c(-1)), f.nan(), r);
  r = f.mul(f.c(0.5), r);
  return keepTiny(f, x, f.copysign(r, x), f.pick(0x1p-12, 0x1p-27));
}

// ---------------------------------------------------------------------------------------------
// sin, cos, tan.
// ---------------------------------------------------------------------------------------------

// |x| = (q + r / (pi/2)) * (pi/2) with |r| <= pi/4 (a hair more) and q's low two bits.
struct Reduced {
  Value *r;
  Value *rlo; // a correction to r (f64 only; nullptr otherwise)
  Value *q;   // integer of f's integer type; only q & 3 matters
};

// The f32 table: for x = m * 2^e (m a 24-bit integer), x * 2/pi mod 4 = m * F(e) mod 4 with
// F(e) = 2^e * 2/pi mod 4, which needs only the bits of 2/pi from 2^(1-e) down: a double-double
// per exponent, e = -149 .. 104, stored hi, lo, hi, lo, ...
llvm::GlobalVariable *fracTable(llvm::Module &module) {
  const char *name = "lamina.vecmath.two_over_pi_mod4";
  if (llvm::GlobalVariable *g = module.getNamedGlobal(name))
    return g;
  auto bit = [](int i) { // bit i >= 1 of 2/pi's fraction
    return (kTwoOverPiBits[size_t(i - 1) / 32] >> (31 - (i - 1) % 32)) & 1;
  };
  auto bitsAt = [&](int first) { // 53 bits from `first`, as an integer
    uint64_t v = 0;
    for (int i = first; i < first + 53; ++i)
      v = v << 1 | bit(i);
    return double(v);
  };
  std::vector<double> data;
  for (int e = -149; e <= 104; ++e) {
    // Bits before 2^(1-e) weigh 4 or more once scaled by 2^e: dropped (they are 0 mod 4).
    int first = e - 1 > 1 ? e - 1 : 1;
    data.push_back(std::ldexp(bitsAt(first), e - (first + 52)));
    data.push_back(std::ldexp(bitsAt(first + 53), e - (first + 105)));
  }
  llvm::Constant *init = llvm::ConstantDataArray::get(module.getContext(), data);
  return new llvm::GlobalVariable(module, init->getType(), true, llvm::GlobalValue::PrivateLinkage,
                                  init, name);
}

// f32: an exact reduction for every float, in double: x * 2/pi mod 4 from the table above.
// Large arguments cost nothing extra, and no lane needs a slower path.
Reduced reduceF32(Fp &f, Value *ax) {
  llvm::IRBuilderBase &b = f.b;
  Fp d(b, f.otherType());
  Value *xb = f.toInt(ax);
  Value *field = b.CreateLShr(xb, f.ci(23));
  Value *isSub = b.CreateICmpEQ(field, f.ci(0));
  Value *mant = b.CreateAnd(xb, f.ci(0x7fffff));
  Value *m = f.sel(isSub, mant, b.CreateOr(mant, f.ci(0x800000)));
  // Table index e + 149; inf and NaN (field 255) are clamped in and give NaN later.
  Value *idx = f.sel(isSub, f.ci(0), b.CreateSub(field, f.ci(1)));
  idx = f.sel(b.CreateICmpUGT(idx, f.ci(253)), f.ci(253), idx);
  Value *idx2 = b.CreateShl(idx, f.ci(1));
  llvm::GlobalVariable *table = fracTable(*b.GetInsertBlock()->getModule());
  auto load = [&](Value *i) -> Value * {
    Value *ptr = b.CreateInBoundsGEP(b.getDoubleTy(), table, {i});
    if (d.ty->isVectorTy())
      return b.CreateMaskedGather(d.ty, ptr, llvm::Align(8));
    return b.CreateAlignedLoad(d.ty, ptr, llvm::Align(8));
  };
  Value *fhi = load(idx2);
  Value *flo = load(b.CreateOr(idx2, f.ci(1)));
  Value *md = b.CreateUIToFP(m, d.ty);
  Value *p = d.mul(md, fhi);
  Value *pe = d.fma(md, fhi, d.neg(p)); // exact product error
  Value *pl = d.mul(md, flo);
  // p mod 4 into [-2, 2], then its nearest integer q1 and the exact fraction.
  Value *p4 = d.fma(d.c(-4), d.roundSmall(d.mul(p, d.c(0.25))), p);
  Value *q1 = d.roundSmall(p4);
  Value *fr = d.add(d.add(d.sub(p4, q1), pe), pl);
  Value *q2 = d.roundSmall(fr);
  fr = d.sub(fr, q2);
  Value *qInt = nullptr;
  d.roundSmall(d.add(q1, q2), &qInt);
  Value *r = d.mul(fr, d.c(kPiOver2D[0]));
  return {b.CreateFPTrunc(r, f.ty), nullptr, b.CreateTrunc(qInt, f.ity)};
}

// f64: Cody-Waite with pi/2 in three parts, the first product exact by fma and the second
// kept as a double-double. q = x * 2/pi rounded may be off by one for |x| above 2^42 (the
// product's rounding), so a second step folds r back into [-pi/4, pi/4]. Beyond 2^51 q no
// longer fits the rounding trick and the caller returns NaN (see ulpBound()).
Reduced reduceF64(Fp &f, Value *ax) {
  Value *qInt = nullptr;
  Value *q = f.roundSmall(f.mul(ax, f.c(kTwoOverPiD)), &qInt);
  Value *nq = f.neg(q);
  Value *r1 = f.fma(nq, f.c(kPiOver2D[0]), ax); // exact
  Value *w = f.mul(q, f.c(kPiOver2D[1]));
  Value *wErr = f.fma(q, f.c(kPiOver2D[1]), f.neg(w));
  // TwoSum r1 - w.
  Value *r2 = f.sub(r1, w);
  Value *bv = f.sub(r2, r1);
  Value *av = f.sub(r2, bv);
  Value *r2Err = f.add(f.sub(r1, av), f.sub(f.neg(w), bv));
  Value *lo = f.sub(r2Err, wErr);
  lo = f.fma(nq, f.c(kPiOver2D[2]), lo);
  // The fix-up step: q2 is -1, 0 or 1.
  Value *q2Int = nullptr;
  Value *q2 = f.roundSmall(f.mul(r2, f.c(kTwoOverPiD)), &q2Int);
  r2 = f.fma(f.neg(q2), f.c(kPiOver2D[0]), r2);
  lo = f.fma(f.neg(q2), f.c(kPiOver2D[1]), lo);
  Value *r = f.add(r2, lo);
  Value *rlo = f.sub(lo, f.sub(r, r2));
  return {r, rlo, f.b.CreateAdd(qInt, q2Int)};
}

// f32, fast: Cody-Waite in float with pi/2 in three parts; the first product is exact by
// fma, and the reduced argument stays within the bound while q < 2^17 or so (the limit is
// measured by tests/vecmath; kFastTrigLimit).
Reduced reduceF32Fast(Fp &f, Value *ax) {
  Value *qInt = nullptr;
  Value *q = f.roundSmall(f.mul(ax, f.c(0x1.45f306p-1)), &qInt);
  Value *nq = f.neg(q);
  Value *r = f.fma(nq, f.c(0x1.921fb6p+0), ax);
  r = f.fma(nq, f.c(-0x1.777a5cp-25), r);
  r = f.fma(nq, f.c(-0x1.ee59dap-50), r);
  return {r, nullptr, qInt};
}

Reduced reduce(Fp &f, Value *ax, const MathOptions &options) {
  if (f.isDouble)
    return reduceF64(f, ax);
  return options.exactTrigF32 ? reduceF32(f, ax) : reduceF32Fast(f, ax);
}

// sin(r + rlo) and cos(r + rlo) on |r| <= pi/4.
Value *sinPoly(Fp &f, Value *r, Value *rlo) {
  Value *z = f.mul(r, r);
  Value *small = f.mul(f.mul(r, z), f.poly(z, f.pick(kSinF, kSinD)));
  if (rlo) // sin(r + rlo) ~ sin(r) + rlo * (1 - z/2)
    small = f.add(small, f.fma(f.mul(f.c(-0.5), z), rlo, rlo));
  return f.add(r, small);
}

Value *cosPoly(Fp &f, Value *r, Value *rlo) {
  Value *z = f.mul(r, r);
  Value *hz = f.mul(f.c(0.5), z);
  Value *w = f.sub(f.c(1), hz);
  // (1 - w) - hz recovers the rounding error of w.
  Value *tail = f.sub(f.sub(f.c(1), w), hz);
  tail = f.fma(f.mul(z, z), f.poly(z, f.pick(kCosF, kCosD)), tail);
  if (rlo) // cos(r + rlo) ~ cos(r) - rlo * r
    tail = f.fma(f.neg(r), rlo, tail);
  return f.add(w, tail);
}

// NaN for infinities and NaN, and beyond the reach of the reduction: f64 from 2^51 on, fast
// f32 from kFastTrigLimit on.
Value *finiteOrNan(Fp &f, Value *x, Value *res, const MathOptions &options) {
  double limit = f.isDouble ? 0x1p51 : options.exactTrigF32 ? HUGE_VAL : kFastTrigLimit;
  return f.sel(f.olt(f.abs(x), f.c(limit)), res, f.nan());
}

Value *qBit(Fp &f, Value *q, int bit) {
  return f.b.CreateICmpNE(f.b.CreateAnd(q, f.ci(bit)), f.ci(0));
}

Value *emitSinCos(Fp &f, Value *x, bool cosine, const MathOptions &options) {
  Value *ax = f.abs(x);
  Reduced red = reduce(f, ax, options);
  Value *s = sinPoly(f, red.r, red.rlo);
  Value *c = cosPoly(f, red.r, red.rlo);
  Value *odd = qBit(f, red.q, 1);
  if (!cosine) {
    Value *res = f.sel(odd, c, s);
    res = f.sel(qBit(f, red.q, 2), f.neg(res), res);
    // sin(-x) = -sin(x); tiny x come through the reduction and polynomial unchanged.
    return finiteOrNan(f, x, f.withSignOf(res, x), options);
  }
  Value *res = f.sel(odd, s, c);
  Value *q1 = f.b.CreateAdd(red.q, f.ci(1));
  res = f.sel(qBit(f, q1, 2), f.neg(res), res);
  return finiteOrNan(f, x, res, options);
}

Value *emitTan(Fp &f, Value *x, const MathOptions &options) {
  Value *ax = f.abs(x);
  Reduced red = reduce(f, ax, options);
  Value *r = red.r;
  Value *z = f.mul(r, r);
  Value *small = f.mul(f.mul(r, z), f.poly(z, f.pick(kTanF, kTanD)));
  if (red.rlo) // tan(r + rlo) ~ tan(r) + rlo * (1 + r^2)
    small = f.add(small, f.fma(z, red.rlo, red.rlo));
  Value *t = f.add(r, small);
  Value *res = f.sel(qBit(f, red.q, 1), f.div(f.c(-1), t), t);
  return finiteOrNan(f, x, f.withSignOf(res, x), options);
}

// ---------------------------------------------------------------------------------------------
// Inverse trigonometric functions.
// ---------------------------------------------------------------------------------------------

// atan(a) for a >= 0 (or NaN): reduced to |t| <= tan(pi/8) by atan(a) = pi/2 + atan(-1/a)
// above tan(3pi/8) and pi/4 + atan((a-1)/(a+1)) above tan(pi/8); one division either way.
Value *atanNonNegative(Fp &f, Value *a) {
  Value *big = f.ogt(a, f.c(2.414213562373095));
  Value *mid = f.ogt(a, f.c(0.41421356237309503));
  Value *num = f.sel(big, f.c(-1), f.sel(mid, f.sub(a, f.c(1)), a));
  Value *den = f.sel(big, a, f.sel(mid, f.add(a, f.c(1)), f.c(1)));
  Value *t = f.div(num, den);
  Value *baseHi = f.sel(big, f.hi(kPiOver2), f.sel(mid, f.hi(kPiOver4), f.c(0)));
  Value *baseLo = f.sel(big, f.lo(kPiOver2), f.sel(mid, f.lo(kPiOver4), f.c(0)));
  Value *z = f.mul(t, t);
  Value *p = f.fma(f.mul(t, z), f.poly(z, f.pick(kAtanF, kAtanD)), baseLo);
  return f.add(baseHi, f.add(t, p));
}

Value *emitAtan(Fp &f, Value *x) {
  Value *res = f.copysign(atanNonNegative(f, f.abs(x)), x);
  return keepTiny(f, x, res, f.pick(0x1p-12, 0x1p-27));
}

// atan2(y, x) = atan(|y| / |x|), mirrored into the quadrant; 0/0 and inf/inf get the ratio
// C prescribes (0 and 1).
Value *emitAtan2(Fp &f, Value *y, Value *x) {
  Value *ay = f.abs(y);
  Value *ax = f.abs(x);
  Value *t = f.div(ay, ax);
  t = f.sel(f.both(f.oeq(ay, f.inf()), f.oeq(ax, f.inf())), f.c(1), t);
  t = f.sel(f.both(f.oeq(ay, f.c(0)), f.oeq(ax, f.c(0))), f.c(0), t);
  Value *a = atanNonNegative(f, t);
  Value *mirrored = f.add(f.sub(f.hi(kPi), a), f.lo(kPi));
  a = f.sel(f.signBit(x), mirrored, a);
  return f.copysign(a, y);
}

// asin and acos: |x| <= 1/2 directly; above, asin(|x|) = pi/2 - 2 asin(sqrt((1 - |x|) / 2)),
// with the square root carried to double length.
Value *emitAsinAcos(Fp &f, Value *x, bool cosine) {
  Value *a = f.abs(x);
  Value *big = f.ogt(a, f.c(0.5));
  Value *z = f.sel(big, f.mul(f.sub(f.c(1), a), f.c(0.5)), f.mul(a, a));
  Value *s = f.sel(big, f.sqrt(z), a);
  // sqrt(z) - s, exactly enough: (z - s^2) / 2s; zero on the small branch.
  Value *sLo =
      f.sel(f.both(big, f.ogt(z, f.c(0))), f.div(f.fma(f.neg(s), s, z), f.add(s, s)), f.c(0));
  Value *tail = f.fma(f.mul(s, z), f.poly(z, f.pick(kAsinF, kAsinD)), sLo); // asin(s) - s
  if (!cosine) {
    // pi/2 - 2s - 2 tail: pi/2 - 2s is exact where it matters (Sterbenz).
    Value *bigRes =
        f.sub(f.sub(f.hi(kPiOver2), f.add(s, s)), f.sub(f.add(tail, tail), f.lo(kPiOver2)));
    Value *res = f.sel(big, bigRes, f.add(s, tail));
    return f.copysign(res, x); // NaN for |x| > 1 from the square root
  }
  Value *p = f.add(s, tail); // asin(s)
  Value *twoP = f.add(f.add(s, s), f.add(tail, tail));
  Value *neg = f.signBit(x);
  Value *bigRes = f.sel(neg, f.add(f.sub(f.hi(kPi), twoP), f.lo(kPi)), twoP);
  Value *smallRes = f.sub(f.hi(kPiOver2), f.sub(f.copysign(p, x), f.lo(kPiOver2)));
  return f.sel(big, bigRes, smallRes);
}

// ---------------------------------------------------------------------------------------------
// erf, erfc.
// ---------------------------------------------------------------------------------------------

// erfc(a) for a >= 0: exp(-a^2) * G(t), t = 1 / (1 + a/2), with a^2 carried to double
// length. G is steep enough in t that t's own rounding would cost two ulps, so t's error (and
// f64's 2t - 1, the variable its table is fitted in) is carried and applied through G's
// derivative, which follows from g(a) = erfc(a) exp(a^2): dg/da = 2a g - 2/sqrt(pi).
Value *erfcNonNegative(Fp &f, Value *a) {
  Value *ac = f.clamp(a, 0, f.pick(10.06, 27.3)); // the result underflows to 0 beyond
  Value *half = f.mul(ac, f.c(0.5));
  Value *d = f.add(f.c(1), half);
  Value *bv = f.sub(d, f.c(1));
  Value *av = f.sub(d, bv);
  Value *dLo = f.add(f.sub(f.c(1), av), f.sub(half, bv)); // 1 + a/2 = d + dLo exactly
  Value *t = f.div(f.c(1), d);
  Value *tLo = f.mul(t, f.sub(f.fma(f.neg(t), d, f.c(1)), f.mul(t, dLo))); // 1/(d+dLo) - t
  // dG/dt = dg/da * da/dt = (2a g - 2/sqrt(pi)) * (-2 d^2), needed only roughly.
  auto slopeAt = [&](Value *g) {
    return f.mul(f.mul(f.c(-2), f.mul(d, d)), f.fma(f.add(ac, ac), g, f.c(-1.1283791670955126)));
  };
  Value *g = nullptr;
  if (!f.isDouble) {
    g = f.poly(t, kErfcF);
    g = f.fma(slopeAt(g), tLo, g);
  } else {
    // G = t H(2t - 1): t's error moves both factors; the rounding of 2t - 1 (vLo, exact)
    // only H's argument, where d(H(2t - 1))/dt * vLo / 2 = (slope - H) * vLo / 2.
    Value *v = f.fma(t, f.c(2), f.c(-1));
    Value *vLo = f.sub(f.mul(t, f.c(2)), f.add(v, f.c(1))); // exact for t < 1/2, 0 above
    Value *hv = f.poly(v, kErfcD);
    g = f.mul(t, hv);
    Value *slope = slopeAt(g);
    g = f.fma(slope, tLo, f.fma(f.sub(slope, hv), f.mul(vLo, f.c(0.5)), g));
  }
  Value *h = f.mul(ac, ac);
  Value *l = f.fma(ac, ac, f.neg(h));
  return f.mul(expScaled(f, f.neg(h), f.neg(l), 0), g);
}

Value *emitErf(Fp &f, Value *x) {
  Value *a = f.abs(x);
  Value *small = f.mul(x, f.poly(f.mul(x, x), f.pick(kErfF, kErfD)));
  Value *large = f.copysign(f.sub(f.c(1), erfcNonNegative(f, a)), x);
  return f.sel(f.olt(a, f.c(1)), small, large);
}

Value *emitErfc(Fp &f, Value *x) {
  Value *e = erfcNonNegative(f, f.abs(x));
  return f.sel(f.olt(x, f.c(0)), f.sub(f.c(2), e), e);
}

// ---------------------------------------------------------------------------------------------
// pow.
// ---------------------------------------------------------------------------------------------

struct IntTest {
  Value *isInt;
  Value *isOdd;
};

// Whether y is an integer, and an odd one, by rounding with the 2^(p-1) trick; everything
// from 2^(p-1) up is an integer, and from 2^p up even.
IntTest classifyExponent(Fp &f, Value *y) {
  double half = std::ldexp(1.0, int(f.mantBits));
  Value *ay = f.abs(y);
  auto isInteger = [&](Value *v) {
    Value *r = f.sub(f.add(v, f.c(half)), f.c(half));
    return f.either(f.oge(v, f.c(half)), f.oeq(r, v));
  };
  Value *isInt = isInteger(ay);
  Value *halfIsInt = isInteger(f.mul(ay, f.c(0.5)));
  Value *isOdd = f.both(isInt, f.b.CreateNot(halfIsInt));
  return {isInt, isOdd};
}

// f64: log|x| as a double-double accurate to about 2^-64 relative (y log|x| may reach 745 for
// a finite result, so log's own double rounding would cost tens of ulps).
struct DD {
  Value *hi, *lo;
};

DD logDoubleDouble(Fp &f, Value *ax) {
  LogSplit sp = splitLog(f, ax, true);
  Value *fr = sp.f;
  // s = f / (2 + f) to double length: u + ue = 2 + f exactly, then the residual of the
  // division.
  Value *u = f.add(f.c(2), fr);
  Value *ue = f.add(f.sub(f.c(2), u), fr);
  Value *s = f.div(fr, u);
  Value *rem = f.sub(f.fma(f.neg(s), u, fr), f.mul(s, ue));
  Value *sLo = f.div(rem, u);
  // (2/3) s^3 to double length: s^2 = zh + zl exactly, s^3 = s * zh (+ error) + s * zl + ...
  Value *zh = f.mul(s, s);
  Value *zl = f.fma(s, s, f.neg(zh));
  Value *c3 = f.mul(s, zh);
  Value *c3Err = f.fma(s, zh, f.neg(c3));
  Value *c3Lo = f.fma(s, zl, f.fma(f.mul(f.c(3), zh), sLo, c3Err));
  Value *twoThirdsHi = f.c(0x1.5555555555555p-1);
  Value *twoThirdsLo = f.c(0x1.5555555555555p-55);
  Value *t3 = f.mul(c3, twoThirdsHi);
  Value *t3Err = f.fma(c3, twoThirdsHi, f.neg(t3));
  Value *t3Lo = f.fma(c3Lo, twoThirdsHi, f.fma(c3, twoThirdsLo, t3Err));
  // The rest, s^5 * P(s^2), needs only double precision.
  Value *t5 = f.mul(f.mul(c3, zh), f.poly(zh, kLogPowD));
  // k ln2 as a double-double.
  Value *kh = f.mul(sp.k, f.hi(kLn2));
  Value *kl = f.fma(sp.k, f.lo(kLn2), f.fma(sp.k, f.hi(kLn2), f.neg(kh)));
  // Sum: kh + 2s + t3 + small terms, with TwoSum where the magnitudes can compare.
  Value *twoS = f.add(s, s);
  Value *s1 = f.add(kh, twoS);
  Value *bv = f.sub(s1, kh);
  Value *av = f.sub(s1, bv);
  Value *e1 = f.add(f.sub(kh, av), f.sub(twoS, bv));
  Value *s2 = f.add(s1, t3);
  bv = f.sub(s2, s1);
  av = f.sub(s2, bv);
  Value *e2 = f.add(f.sub(s1, av), f.sub(t3, bv));
  Value *small = f.add(f.add(f.add(e1, e2), f.add(kl, f.add(sLo, sLo))), f.add(t3Lo, t5));
  Value *hi = f.add(s2, small);
  Value *lo = f.sub(small, f.sub(hi, s2));
  return {hi, lo};
}

Value *emitPow(Fp &f, Value *x, Value *y) {
  Value *ax = f.abs(x);
  Value *mag = nullptr;
  if (!f.isDouble) {
    // f32: |x|^y = e^(y log|x|) in double: log's error of 2^-52 times |y log x| <= 104 is far
    // below a float's ulp, and the one rounding to float is the only one that shows.
    Fp d(f.b, f.otherType());
    Value *xd = f.b.CreateFPExt(ax, d.ty);
    Value *yd = f.b.CreateFPExt(y, d.ty);
    Value *l = logSpecials(d, xd, logFromSplit(d, splitLog(d, xd, false), d.c(0), LogBase::E), 0);
    Value *w = d.mul(yd, l);
    mag = f.b.CreateFPTrunc(expScaled(d, clampForExp(d, w), nullptr, 0), f.ty);
  } else {
    DD l = logDoubleDouble(f, ax);
    Value *wh = f.mul(y, l.hi);
    Value *wl = f.fma(y, l.lo, f.fma(y, l.hi, f.neg(wh)));
    // Far outside the finite range the low part may be NaN (inf - inf): drop it there.
    wl = f.sel(f.olt(f.abs(wh), f.c(2000)), wl, f.c(0));
    mag = expScaled(f, clampForExp(f, wh), wl, 0);
    // log(0), log(inf) and y = +-inf, where the double-double has no meaning: 0 or inf by
    // whether |x|^y grows.
    Value *special =
        f.either(f.either(f.oeq(ax, f.c(0)), f.oeq(ax, f.inf())), f.oeq(f.abs(y), f.inf()));
    Value *grows = f.b.CreateICmpEQ(f.ogt(ax, f.c(1)), f.ogt(y, f.c(0)));
    mag = f.sel(special, f.sel(grows, f.inf(), f.c(0)), mag);
  }
  IntTest yt = classifyExponent(f, y);
  Value *res = f.sel(f.both(f.signBit(x), yt.isOdd), f.neg(mag), mag);
  // A finite negative base with a non-integer exponent has no real power.
  Value *finiteNeg = f.both(f.olt(x, f.c(0)), f.ogt(x, f.neg(f.inf())));
  res = f.sel(f.both(finiteNeg, f.b.CreateNot(yt.isInt)), f.nan(), res);
  res = f.sel(f.either(f.isNan(x), f.isNan(y)), f.nan(), res);
  // The results C fixes at 1 even for NaN operands.
  res = f.sel(f.both(f.oeq(ax, f.c(1)), f.oeq(f.abs(y), f.inf())), f.c(1), res);
  res = f.sel(f.oeq(x, f.c(1)), f.c(1), res);
  return f.sel(f.oeq(y, f.c(0)), f.c(1), res);
}

bool isFloatingPoint(Value *v) {
  llvm::Type *t = v->getType()->getScalarType();
  return t->isFloatTy() || t->isDoubleTy();
}

} // namespace

llvm::Value *emitUnaryMath(llvm::IRBuilderBase &b, ir::Op op, llvm::Value *x,
                           const MathOptions &options) {
  if (!isFloatingPoint(x))
    return nullptr;
  Fp f(b, x->getType());
  switch (op) {
  case ir::Op::Exp:
    return emitExp(f, x);
  case ir::Op::Expm1:
    return emitExpm1(f, x);
  case ir::Op::Log:
    return emitLog(f, x, LogBase::E);
  case ir::Op::Log2:
    return emitLog(f, x, LogBase::Two);
  case ir::Op::Log10:
    return emitLog(f, x, LogBase::Ten);
  case ir::Op::Log1p:
    return emitLog1p(f, x);
  case ir::Op::Sin:
    return emitSinCos(f, x, false, options);
  case ir::Op::Cos:
    return emitSinCos(f, x, true, options);
  case ir::Op::Tan:
    return emitTan(f, x, options);
  case ir::Op::Asin:
    return emitAsinAcos(f, x, false);
  case ir::Op::Acos:
    return emitAsinAcos(f, x, true);
  case ir::Op::Atan:
    return emitAtan(f, x);
  case ir::Op::Sinh:
    return emitSinh(f, x);
  case ir::Op::Cosh:
    return emitCosh(f, x);
  case ir::Op::Tanh:
    return emitTanh(f, x, options);
  case ir::Op::Asinh:
    return emitAsinh(f, x);
  case ir::Op::Acosh:
    return emitAcosh(f, x);
  case ir::Op::Atanh:
    return emitAtanh(f, x);
  case ir::Op::Erf:
    return emitErf(f, x);
  case ir::Op::Erfc:
    return emitErfc(f, x);
  case ir::Op::Neg: // exact operations: an LLVM instruction or intrinsic each (Arith.cpp)
  case ir::Op::Abs:
  case ir::Op::Sign:
  case ir::Op::Sqrt:
  case ir::Op::Floor:
  case ir::Op::Ceil:
  case ir::Op::Round:
  case ir::Op::Trunc:
  case ir::Op::Not:
  case ir::Op::IsNan:
  case ir::Op::IsInf:
  case ir::Op::IsFinite:
  case ir::Op::Cast:
    return nullptr;
#define LAMINA_SKIP_UNARY
#include "compiler/ir/OpCases.inc"
    return nullptr;
  }
  return nullptr;
}

llvm::Value *emitBinaryMath(llvm::IRBuilderBase &b, ir::Op op, llvm::Value *x, llvm::Value *y) {
  if (!isFloatingPoint(x) || x->getType() != y->getType())
    return nullptr;
  Fp f(b, x->getType());
  switch (op) {
  case ir::Op::Pow:
    return emitPow(f, x, y);
  case ir::Op::Atan2:
    return emitAtan2(f, x, y);
  case ir::Op::Add: // exact operations: an LLVM instruction each (Arith.cpp)
  case ir::Op::Sub:
  case ir::Op::Mul:
  case ir::Op::Div:
  case ir::Op::FloorDiv:
  case ir::Op::Mod:
  case ir::Op::Max:
  case ir::Op::Min:
  case ir::Op::And:
  case ir::Op::Or:
  case ir::Op::Xor:
  case ir::Op::Shl:
  case ir::Op::Shr:
    return nullptr;
#define LAMINA_SKIP_BINARY
#include "compiler/ir/OpCases.inc"
    return nullptr;
  }
  return nullptr;
}

double ulpBound(ir::Op op, bool isDouble) {
  struct Bound {
    ir::Op op;
    double f32, f64;
  };
  // The largest error tests/vecmath measured over several seeds, plus one ulp of margin (pow
  // f32 is one rounding of a double result: 1 by construction; tanh f32's 2 was measured over
  // every float). f64 is measured against glibc, whose own error (up to an ulp or two for
  // erfc, sinh, cosh, tanh) is included. f64 sin/cos/tan hold it for |x| < 2^51 and return NaN
  // beyond (no Payne-Hanek reduction); f32 sin/cos/tan with MathOptions::exactTrigF32 = false
  // hold it for |x| < kFastTrigLimit.
  static constexpr Bound kBounds[] = {
      {ir::Op::Exp, 2, 2},   {ir::Op::Expm1, 2, 3}, {ir::Op::Log, 2, 2},  {ir::Op::Log1p, 3, 2},
      {ir::Op::Log2, 3, 2},  {ir::Op::Log10, 3, 3}, {ir::Op::Sin, 3, 2},  {ir::Op::Cos, 2, 2},
      {ir::Op::Tan, 4, 3},   {ir::Op::Asin, 3, 3},  {ir::Op::Acos, 2, 2}, {ir::Op::Atan, 3, 3},
      {ir::Op::Sinh, 3, 3},  {ir::Op::Cosh, 2, 3},  {ir::Op::Tanh, 3, 4}, {ir::Op::Asinh, 3, 2},
      {ir::Op::Acosh, 4, 3}, {ir::Op::Atanh, 3, 2}, {ir::Op::Erf, 3, 3},  {ir::Op::Erfc, 4, 5},
      {ir::Op::Pow, 1, 2},   {ir::Op::Atan2, 3, 3},
  };
  for (const Bound &bd : kBounds)
    if (bd.op == op)
      return isDouble ? bd.f64 : bd.f32;
  return 0;
}

double ulpBound(ir::Op op, bool isDouble, const MathOptions &options) {
  if (op == ir::Op::Tanh && !isDouble && !options.accurateTanhF32)
    return 6; // measured 5: four float roundings where an ulp is twice the unit roundoff
  return ulpBound(op, isDouble);
}

} // namespace lamina::codegen
