#include "runtime/io/ArrayChecks.h"

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

} // namespace lamina::io::detail
