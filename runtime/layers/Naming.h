#pragma once

// Layer names: Keras gives unnamed layers `dense`, `dense_1`, `dense_2`, ... per process.

#include <string>

namespace lamina {

/// The next name for `prefix` (thread-safe).
std::string uniqueLayerName(const std::string &prefix);

} // namespace lamina
