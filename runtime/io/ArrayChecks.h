#pragma once

// The checks of an array that the .npy and .safetensors writers share, before they write it.
// Each writer checks the byte count itself, between the two, in its own words. Internal to
// lamina_io.

#include "runtime/io/Npy.h"

#include <string>

namespace lamina::io::detail {

/// The checks of an array's dtype and shape, in this order: a valid dtype, at most kMaxRank
/// dimensions, none of them negative. Returns "" or the message.
std::string checkDTypeAndShape(const Array &a);

/// The last check: a bool array holds only 0 and 1. Returns "" or the message, which names
/// the first element that is neither.
std::string checkBoolValues(const Array &a);

} // namespace lamina::io::detail
