#pragma once

// The IR's operations on one element, as the reference interpreter computes them (and as
// sema folds compile-time numbers): floats in double (the caller rounds to the dtype),
// integers and bools in int64 (the caller wraps to the width). Division by zero, NumPy's
// floor division and remainder, NaN in max/min and shifts past the width are defined here,
// once; the code generator must agree with them (tests/jit).

#include "compiler/ir/Ir.h"

#include <cstdint>

namespace lamina::ir::scalar {

// Integer arithmetic that wraps instead of overflowing (two's complement).
int64_t wrapAdd(int64_t a, int64_t b);
int64_t wrapSub(int64_t a, int64_t b);
int64_t wrapMul(int64_t a, int64_t b);

int64_t floorDiv(int64_t a, int64_t b); // x // 0 is 0
int64_t floorMod(int64_t a, int64_t b); // x % 0 is 0
int64_t intPow(int64_t base, int64_t exp);
double floatMod(double a, double b);
double floatFloorDiv(double a, double b);
double floatMax(double a, double b); // NaN if either is NaN
double floatMin(double a, double b);

/// A unary elementwise operation other than not, the float tests and casts.
double unaryFloat(Op op, double x);
int64_t unaryInt(Op op, int64_t x);
template <class T> bool compare(Op op, T a, T b);
double binaryFloat(Op op, double a, double b);
int64_t binaryInt(Op op, int64_t a, int64_t b);

extern template bool compare<double>(Op, double, double);
extern template bool compare<int64_t>(Op, int64_t, int64_t);
extern template bool compare<uint64_t>(Op, uint64_t, uint64_t);

// u64, carried in int64 bits (compiler/types/Elements.h): the operations whose result depends
// on reading those bits unsigned. Every other unsigned dtype's values are non-negative int64s,
// for which the signed versions above are already the unsigned ones.
int64_t unaryU64(Op op, int64_t x);
int64_t binaryU64(Op op, int64_t a, int64_t b);
bool compareU64(Op op, int64_t a, int64_t b);

/// unaryInt, binaryInt or the u64 versions, by the operands' dtype.
int64_t unaryInt(Op op, DType type, int64_t x);
int64_t binaryInt(Op op, DType type, int64_t a, int64_t b);
bool compareInt(Op op, DType type, int64_t a, int64_t b);

} // namespace lamina::ir::scalar
