#pragma once

// Transcendental functions emitted inline as LLVM IR, so that no scalar libm call ever sits
// in a vectorized loop (LLVM 19 maps only sin, cos, tan, pow, exp and log to libmvec; one
// unmapped call keeps the whole loop scalar).
//
// Every function is straight-line code — selects, no basic blocks, no calls except LLVM
// intrinsics that are single instructions on AVX2+FMA (fma, fabs, sqrt, copysign, and masked
// gathers for the exact f32 sin/cos/tan reduction, which also adds one private 4 KiB constant
// table to the module, "lamina.vecmath.two_over_pi_mod4") — so it can be placed in any loop
// body. Values are float or double, scalar or fixed vectors of any width. On a CPU without
// FMA, LLVM lowers llvm.fma to calls of fma/fmaf (MathRuntime.h): correct, but slow.
//
// Semantics are those of C's <math.h> applied in double and rounded to the type: NaN in gives
// NaN out, infinities, signed zeros (odd functions keep the sign of zero), subnormals,
// overflow, underflow and domain errors (NaN) are as C specifies, and pow follows C's special
// cases. ulpBound() gives the documented accuracy, which tests/vecmath measures.

#include "compiler/ir/Ir.h"

namespace llvm {
class Value;
class IRBuilderBase;
} // namespace llvm

namespace lamina::codegen {

/// Choices that trade accuracy or range for speed. The defaults meet ulpBound(op, isDouble)
/// everywhere; the times are per element, 8 lanes, AVX2 code.
struct MathOptions {
  /// f32 sin, cos and tan: reduce the argument exactly for every float (in double, with a
  /// table of 2/pi's bits looked up by exponent: about 2 ns) or with a float Cody-Waite
  /// reduction (about 0.5 ns), which meets the same bound for |x| < kFastTrigLimit and gives
  /// NaN from there on.
  bool exactTrigF32 = true;
  /// f32 tanh: from e^(2|x|) - 1 in float, 2 ulps measured over every float, or a rational
  /// approximation in float, whose four roundings near 1 reach 5 ulps. In a gelu kernel (16
  /// lanes, AVX-512) about 0.27 and 0.22 ns per element.
  bool accurateTanhF32 = true;
};

/// Where MathOptions::exactTrigF32 = false stops meeting ulpBound() (NaN from here on).
inline constexpr double kFastTrigLimit = 0x1p18;

/// Emits `op` applied to x (float or double; scalar or fixed vector) with IRBuilder b at its
/// current insertion point, returning a value of x's type; nullptr if op is not one handled
/// here. Handled: Exp, Expm1, Log, Log1p, Log2, Log10, Sin, Cos, Tan, Asin, Acos, Atan, Sinh,
/// Cosh, Tanh, Asinh, Acosh, Atanh, Erf, Erfc.
llvm::Value *emitUnaryMath(llvm::IRBuilderBase &b, ir::Op op, llvm::Value *x,
                           const MathOptions &options = {});

/// Pow and Atan2 (x, y of one type; atan2 takes y first, as C's atan2(y, x) does: the first
/// operand is the ordinate). nullptr for any other op.
llvm::Value *emitBinaryMath(llvm::IRBuilderBase &b, ir::Op op, llvm::Value *x, llvm::Value *y);

/// The documented max ULP error of op for f32 / f64 (used by the differential tests); 0 for
/// ops not handled here. f64 sin/cos/tan meet it for |x| < 2^51 and give NaN beyond (no
/// Payne-Hanek reduction for double).
double ulpBound(ir::Op op, bool isDouble);
/// The same for code emitted with `options` (the fast tanh's is 6).
double ulpBound(ir::Op op, bool isDouble, const MathOptions &options);

} // namespace lamina::codegen
