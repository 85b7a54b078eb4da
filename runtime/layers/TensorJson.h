#pragma once

// Small constant tensors inside configs (a Lambda's constant mask):
// {"dtype": "bool", "shape": [2, 3], "values": [true, false, ...]} — flat values in C order.

#include "lamina/Json.h"
#include "lamina/Tensor.h"

#include <optional>
#include <string>

namespace lamina {

/// The most elements a constant in a config may have (configs stay small; weights go in
/// weights files).
inline constexpr int64_t kMaxConfigTensorElements = 1 << 16;

Json tensorToJson(const Tensor &t);
/// Nothing, with `error` set to what is wrong, when `value` is not such an object.
std::optional<Tensor> tensorFromJson(const Json &value, std::string &error);

} // namespace lamina
