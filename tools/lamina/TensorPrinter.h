#pragma once

// Prints arrays the way NumPy's array2string does with separator ", " (so a printed tensor
// pastes back as a lamina literal): nested brackets, rows wrapped at 75 columns, floats
// aligned on the decimal point in NumPy's default "maxprec" mode, exponent notation under the
// same rule as NumPy, and arrays of more than 1000 elements summarized to their first and last
// 3 items per axis with `…`.

#include "compiler/types/Array.h"

#include <string>

namespace lamina::cli {

struct PrintOptions {
  int precision = 4;        // most fractional digits of a float
  int64_t threshold = 1000; // more elements than this are summarized
  int64_t edgeItems = 3;    // items kept at each end of a summarized axis
  size_t lineWidth = 75;
};

/// The array's values alone, as NumPy prints them (`[[1. , 2.5], ...]`).
std::string formatValues(const Array &a, const PrintOptions &options = {});

/// A header with the dtype and shape (`f32[4, 8]`), a newline and the values.
std::string formatTensor(const Array &a, const PrintOptions &options = {});

} // namespace lamina::cli
