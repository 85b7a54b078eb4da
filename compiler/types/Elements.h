#pragma once

// Reading and writing one element of an Array as a double or an int64, with the conversions
// of the IR (Ir.h): the one place that knows how each dtype is stored.

#include "compiler/types/Array.h"

#include <cstdint>

namespace lamina {

// Integers travel as int64: each dtype's values, except u64, whose values at or above 2^63
// are carried in the same bits as negative int64s (wrapping arithmetic is the same; what
// differs - comparison, division, shifts, conversion to float - asks the dtype).
double loadFloat(const Array &a, int64_t index);    // any dtype, converted to double
int64_t loadInt(const Array &a, int64_t index);     // integer and bool dtypes
void storeFloat(Array &a, int64_t index, double v); // rounds to the dtype (cast rules)
void storeInt(Array &a, int64_t index, int64_t v);  // wraps to the dtype's width

/// A value rounded to what `type` can hold: f32 rounding for f32, f16/bf16 rounding (to
/// nearest even) for the storage types; integers per the IR's cast rules.
double roundToFloat(DType type, double v);
int64_t wrapToInt(DType type, int64_t v);
/// An integer of dtype `type`, carried in `v`, as a double (or a float), rounded once: u64's
/// carrier is read unsigned.
double intToDouble(DType type, int64_t v);
float intToFloat(DType type, int64_t v);
/// The lowest value of an integer dtype (0 for bool and the unsigned ones).
int64_t lowestInt(DType type);
/// Whether an integer dtype (or bool, 0 and 1) holds `v` exactly.
bool fitsIn(DType type, int64_t v);
/// Float to integer: truncate toward zero, saturate at the type's range, NaN gives 0 (for
/// u64, the carrier of the saturated value).
int64_t floatToInt(DType type, double v);

uint16_t floatToHalf(float f);
float halfToFloat(uint16_t h);
uint16_t floatToBFloat16(float f);
float bfloat16ToFloat(uint16_t h);

/// A zero-filled array of `dtype` and a known `shape`.
Array makeArray(DType dtype, std::vector<int64_t> shape);

} // namespace lamina
