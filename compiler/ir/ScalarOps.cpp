#include "compiler/ir/ScalarOps.h"

#include "compiler/support/Unreachable.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace lamina::ir::scalar {

int64_t wrapAdd(int64_t a, int64_t b) { return int64_t(uint64_t(a) + uint64_t(b)); }
int64_t wrapSub(int64_t a, int64_t b) { return int64_t(uint64_t(a) - uint64_t(b)); }
int64_t wrapMul(int64_t a, int64_t b) { return int64_t(uint64_t(a) * uint64_t(b)); }

int64_t floorDiv(int64_t a, int64_t b) {
  if (b == 0)
    return 0;
  if (b == -1)
    return wrapSub(0, a); // INT_MIN // -1 wraps to INT_MIN
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0)))
    --q;
  return q;
}

int64_t floorMod(int64_t a, int64_t b) {
  if (b == 0 || b == -1)
    return 0;
  int64_t m = a % b;
  if (m != 0 && ((m < 0) != (b < 0)))
    m += b;
  return m;
}

int64_t intPow(int64_t base, int64_t exp) {
  if (exp < 0)
    return base == 1 ? 1 : base == -1 ? (exp % 2 ? -1 : 1) : 0;
  int64_t result = 1;
  while (exp > 0) {
    if (exp & 1)
      result = wrapMul(result, base);
    base = wrapMul(base, base);
    exp >>= 1;
  }
  return result;
}

// NumPy's floor division and remainder for floats (npy_divmod): the quotient is rounded from
// the exactly representable (a - fmod(a, b)) / b, so 1.0 // 0.1 is 9 as in Python, and
// a == (a // b) * b + a % b as closely as floats allow. Zero results take the sign NumPy gives.
double floatMod(double a, double b) {
  double mod = std::fmod(a, b);
  if (b == 0)
    return mod; // NaN
  if (mod != 0) {
    if ((b < 0) != (mod < 0))
      mod += b;
  } else {
    mod = std::copysign(0.0, b);
  }
  return mod;
}

double floatFloorDiv(double a, double b) {
  if (b == 0)
    return a / b; // inf or NaN, as NumPy
  double mod = std::fmod(a, b);
  double div = (a - mod) / b;
  if (mod != 0 && ((b < 0) != (mod < 0)))
    div -= 1.0;
  if (div == 0)
    return std::copysign(0.0, a / b);
  double floorDiv = std::floor(div);
  if (div - floorDiv > 0.5)
    floorDiv += 1.0;
  return floorDiv;
}

// max/min propagate NaN; otherwise `a >= b ? a : b` (so max(-0.0, 0.0) is -0.0, as NumPy).
double floatMax(double a, double b) {
  if (std::isnan(a) || std::isnan(b))
    return std::numeric_limits<double>::quiet_NaN();
  return a >= b ? a : b;
}
double floatMin(double a, double b) {
  if (std::isnan(a) || std::isnan(b))
    return std::numeric_limits<double>::quiet_NaN();
  return a <= b ? a : b;
}

double unaryFloat(Op op, double x) {
  switch (op) {
  case Op::Neg:
    return -x;
  case Op::Abs:
    return std::fabs(x);
  case Op::Sign:
    return std::isnan(x) ? x : x > 0 ? 1.0 : x < 0 ? -1.0 : x;
  case Op::Sqrt:
    return std::sqrt(x);
  case Op::Exp:
    return std::exp(x);
  case Op::Expm1:
    return std::expm1(x);
  case Op::Log:
    return std::log(x);
  case Op::Log1p:
    return std::log1p(x);
  case Op::Log2:
    return std::log2(x);
  case Op::Log10:
    return std::log10(x);
  case Op::Sin:
    return std::sin(x);
  case Op::Cos:
    return std::cos(x);
  case Op::Tan:
    return std::tan(x);
  case Op::Asin:
    return std::asin(x);
  case Op::Acos:
    return std::acos(x);
  case Op::Atan:
    return std::atan(x);
  case Op::Sinh:
    return std::sinh(x);
  case Op::Cosh:
    return std::cosh(x);
  case Op::Tanh:
    return std::tanh(x);
  case Op::Asinh:
    return std::asinh(x);
  case Op::Acosh:
    return std::acosh(x);
  case Op::Atanh:
    return std::atanh(x);
  case Op::Erf:
    return std::erf(x);
  case Op::Erfc:
    return std::erfc(x);
  case Op::Floor:
    return std::floor(x);
  case Op::Ceil:
    return std::ceil(x);
  case Op::Round:
    return std::nearbyint(x); // the default rounding mode: half to even
  case Op::Trunc:
    return std::trunc(x);
  case Op::Not:
  case Op::IsNan:
  case Op::IsInf:
  case Op::IsFinite:
  case Op::Cast:
    LAMINA_UNREACHABLE("unary() computes not, the float tests and casts itself");
#define LAMINA_SKIP_UNARY
#include "compiler/ir/OpCases.inc"
    LAMINA_UNREACHABLE("not a unary operation");
  }
  LAMINA_UNREACHABLE("not an operation");
}

int64_t unaryInt(Op op, int64_t x) {
  switch (op) {
  case Op::Neg:
    return wrapSub(0, x);
  case Op::Abs:
    return x < 0 ? wrapSub(0, x) : x;
  case Op::Sign:
    return x > 0 ? 1 : x < 0 ? -1 : 0;
  case Op::Not:
    return !x;
  case Op::Floor: // of an integer: the integer itself
  case Op::Ceil:
  case Op::Round:
  case Op::Trunc:
    return x;
#define LAMINA_FLOAT_ONLY_UNARY
#include "compiler/ir/FloatOnlyCases.inc"
    LAMINA_UNREACHABLE("a float-only operation on integers (the verifier refuses it)");
  case Op::IsNan:
  case Op::IsInf:
  case Op::IsFinite:
  case Op::Cast:
    LAMINA_UNREACHABLE("unary() computes the float tests and casts itself");
#define LAMINA_SKIP_UNARY
#include "compiler/ir/OpCases.inc"
    LAMINA_UNREACHABLE("not a unary operation");
  }
  LAMINA_UNREACHABLE("not an operation");
}

// Comparisons on doubles (NaN compares false, `ne` true) or on int64.
template <class T> bool compare(Op op, T a, T b) {
  switch (op) {
  case Op::Eq:
    return a == b;
  case Op::Ne:
    return a != b;
  case Op::Lt:
    return a < b;
  case Op::Le:
    return a <= b;
  case Op::Gt:
    return a > b;
  case Op::Ge:
    return a >= b;
#define LAMINA_SKIP_COMPARE
#include "compiler/ir/OpCases.inc"
    LAMINA_UNREACHABLE("not a comparison");
  }
  LAMINA_UNREACHABLE("not an operation");
}

double binaryFloat(Op op, double a, double b) {
  switch (op) {
  case Op::Add:
    return a + b;
  case Op::Sub:
    return a - b;
  case Op::Mul:
    return a * b;
  case Op::Div:
    return a / b;
  case Op::FloorDiv:
    return floatFloorDiv(a, b);
  case Op::Mod:
    return floatMod(a, b);
  case Op::Pow:
    return std::pow(a, b);
  case Op::Max:
    return floatMax(a, b);
  case Op::Min:
    return floatMin(a, b);
  case Op::Atan2:
    return std::atan2(a, b);
  case Op::And:
  case Op::Or:
  case Op::Xor:
  case Op::Shl:
  case Op::Shr:
    LAMINA_UNREACHABLE("a bitwise operation on floats (the verifier refuses it)");
#define LAMINA_SKIP_BINARY
#include "compiler/ir/OpCases.inc"
    LAMINA_UNREACHABLE("not a binary operation");
  }
  LAMINA_UNREACHABLE("not an operation");
}

int64_t binaryInt(Op op, int64_t a, int64_t b) {
  switch (op) {
  case Op::Add:
    return wrapAdd(a, b);
  case Op::Sub:
    return wrapSub(a, b);
  case Op::Mul:
    return wrapMul(a, b);
  case Op::FloorDiv:
    return floorDiv(a, b);
  case Op::Mod:
    return floorMod(a, b);
  case Op::Pow:
    return intPow(a, b);
  case Op::Max:
    return std::max(a, b);
  case Op::Min:
    return std::min(a, b);
  case Op::And:
    return a & b;
  case Op::Or:
    return a | b;
  case Op::Xor:
    return a ^ b;
  // The caller wraps the result to the dtype: a count at or past its width leaves no bits.
  case Op::Shl:
    return b < 0 || b >= 64 ? 0 : int64_t(uint64_t(a) << b);
  case Op::Shr: // `a` is sign-extended, so shifting past the width gives 0 or -1 as NumPy
    return b < 0 ? (a < 0 ? -1 : 0) : a >> std::min<int64_t>(b, 63);
#define LAMINA_FLOAT_ONLY_BINARY
#include "compiler/ir/FloatOnlyCases.inc"
    LAMINA_UNREACHABLE("a float-only operation on integers (the verifier refuses it)");
#define LAMINA_SKIP_BINARY
#include "compiler/ir/OpCases.inc"
    LAMINA_UNREACHABLE("not a binary operation");
  }
  LAMINA_UNREACHABLE("not an operation");
}

template bool compare<double>(Op, double, double);
template bool compare<int64_t>(Op, int64_t, int64_t);
template bool compare<uint64_t>(Op, uint64_t, uint64_t);

// Only the operations listed differ from the signed versions; negation, not, roundings,
// add, sub, mul and the bitwise operations give the same bits either way.
int64_t unaryU64(Op op, int64_t x) {
  if (op == Op::Abs) // every value is its own magnitude
    return x;
  if (op == Op::Sign)
    return x != 0;
  return unaryInt(op, x);
}

int64_t binaryU64(Op op, int64_t a, int64_t b) {
  uint64_t x = uint64_t(a), y = uint64_t(b);
  if (op == Op::FloorDiv) // of unsigned values: truncation; x // 0 is 0
    return y == 0 ? 0 : int64_t(x / y);
  if (op == Op::Mod)
    return y == 0 ? 0 : int64_t(x % y);
  if (op == Op::Pow) { // no negative exponents: every bit of `y` counts
    uint64_t result = 1;
    for (; y > 0; y >>= 1, x *= x)
      if (y & 1)
        result *= x;
    return int64_t(result);
  }
  if (op == Op::Max || op == Op::Min)
    return int64_t(op == Op::Max ? std::max(x, y) : std::min(x, y));
  if (op == Op::Shl || op == Op::Shr) // a count past the width leaves no bits; Shr is logical
    return y >= 64 ? 0 : int64_t(op == Op::Shl ? x << y : x >> y);
  return binaryInt(op, a, b);
}

bool compareU64(Op op, int64_t a, int64_t b) { return compare(op, uint64_t(a), uint64_t(b)); }

int64_t unaryInt(Op op, DType type, int64_t x) {
  return type == DType::U64 ? unaryU64(op, x) : unaryInt(op, x);
}
int64_t binaryInt(Op op, DType type, int64_t a, int64_t b) {
  return type == DType::U64 ? binaryU64(op, a, b) : binaryInt(op, a, b);
}
bool compareInt(Op op, DType type, int64_t a, int64_t b) {
  return type == DType::U64 ? compareU64(op, a, b) : compare(op, a, b);
}

} // namespace lamina::ir::scalar
