#pragma once

// Keras activation names, each as the lamina function that computes it. This table is the
// allowlist: a config naming anything else is refused.

#include <optional>
#include <string>
#include <vector>

namespace lamina {

/// `lambda x: relu(x)` for "relu"; nothing for an unknown name.
std::optional<std::string> activationSource(const std::string &name);
/// Its body alone, an expression of `x`: `relu(x)`.
std::optional<std::string> activationBody(const std::string &name);
/// Every accepted name (for messages and docs).
const std::vector<std::string> &activationNames();

} // namespace lamina
