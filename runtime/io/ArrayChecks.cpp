#include "runtime/io/ArrayChecks.h"

#include <cstdio>

namespace lamina::io::detail {

std::string checkDTypeAndShape(const Array &a) {
  if (static_cast<unsigned>(a.dtype) >= unsigned(kDTypeCount))
    return "array has an invalid dtype (" + std::to_string(static_cast<unsigned>(a.dtype)) + ")";
  if (a.shape.size() > kMaxRank)
    return "array has " + std::to_string(a.shape.size()) + " dimensions, more than " +
           std::to_string(kMaxRank);
  for (size_t i = 0; i < a.shape.size(); ++i)
    if (a.shape[i] < 0)
      return "dimension " + std::to_string(i) + " is negative (" + std::to_string(a.shape[i]) + ")";
  return "";
}

std::string checkBoolValues(const Array &a) {
  if (a.dtype == DType::Bool)
    for (size_t i = 0; i < a.bytes.size(); ++i)
      if (std::to_integer<unsigned>(a.bytes[i]) > 1)
        return "bool element " + std::to_string(i) + " is " +
               std::to_string(std::to_integer<unsigned>(a.bytes[i])) + ", not 0 or 1";
  return "";
}

ShapeBytes shapeBytes(const std::vector<int64_t> &shape, unsigned itemBytes) {
  ShapeBytes out;
  int64_t product = itemBytes;
  for (int64_t d : shape) {
    if (d == 0)
      out.empty = true;
    else if (out.fits && __builtin_mul_overflow(product, d, &product))
      out.fits = false;
  }
  out.bytes = out.empty || !out.fits ? 0 : uint64_t(product);
  return out;
}

std::string checkBoolBytes(std::span<const std::byte> data, uint64_t fileOffset) {
  for (size_t i = 0; i < data.size(); ++i)
    if (std::to_integer<unsigned>(data[i]) > 1) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02x", std::to_integer<unsigned>(data[i]));
      return "bool data byte at offset " + std::to_string(fileOffset + i) + " is " + hex +
             "; bool values must be 0 or 1";
    }
  return "";
}

} // namespace lamina::io::detail
