#pragma once

#include "compiler/types/DType.h"
#include "compiler/types/Dim.h"

#include <string>

namespace lamina {

/// A tensor type: element type and shape, printed as `f32[B, 512]` (`f32[]` for a scalar).
struct TensorType {
  DType dtype = DType::F32;
  Shape shape;

  size_t rank() const { return shape.size(); }
  std::string str() const { return std::string(shortName(dtype)) + shapeString(shape); }
  friend bool operator==(const TensorType &, const TensorType &) = default;
};

} // namespace lamina
