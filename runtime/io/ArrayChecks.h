#pragma once

// The checks of an array's shape and data that the .npy and .safetensors formats share: the
// writers' checks of an array before they write it, and the readers' checks of what a file
// declares and holds. Each caller words the byte-count mismatch itself, in its format's terms.
// Internal to lamina_io.

#include "runtime/io/Npy.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace lamina::io::detail {

/// The checks of an array's dtype and shape, in this order: a valid dtype, at most kMaxRank
/// dimensions, none of them negative. Returns "" or the message.
std::string checkDTypeAndShape(const Array &a);

/// The last check: a bool array holds only 0 and 1. Returns "" or the message, which names
/// the first element that is neither.
std::string checkBoolValues(const Array &a);

/// The byte count of an array of `shape` (no negative dimension) with `itemBytes` elements.
struct ShapeBytes {
  uint64_t bytes = 0; // 0 when `empty`
  bool empty = false; // a dimension is 0
  /// Whether the non-zero dimensions multiply to less than 2^63 bytes. Like NumPy, this holds
  /// even when another dimension is zero, which keeps Array::elementCount() from overflowing
  /// whatever the order of the dimensions.
  bool fits = true;
};
ShapeBytes shapeBytes(const std::vector<int64_t> &shape, unsigned itemBytes);

/// A reader's check of bool data: only bytes 0 and 1. `fileOffset` is where `data` starts in
/// the file, so that the message names the first other byte where a hex dump shows it.
/// Returns "" or the message.
std::string checkBoolBytes(std::span<const std::byte> data, uint64_t fileOffset);

} // namespace lamina::io::detail
