#include "runtime/layers/Activations.h"

#include <utility>

namespace lamina {
namespace {

// Keras name -> lamina body. Most are lamina builtins of the same name and meaning
// (docs/language.md); the rest are spelled out.
const std::vector<std::pair<std::string, std::string>> &table() {
  static const std::vector<std::pair<std::string, std::string>> t = {
      {"linear", "x"},
      {"relu", "relu(x)"},
      {"relu6", "relu6(x)"},
      {"leaky_relu", "leaky_relu(x)"},
      {"elu", "elu(x)"},
      {"selu", "selu(x)"},
      {"gelu", "gelu(x)"},
      {"sigmoid", "sigmoid(x)"},
      {"hard_sigmoid", "hard_sigmoid(x)"},
      {"softplus", "softplus(x)"},
      {"softsign", "softsign(x)"},
      {"silu", "silu(x)"},
      {"swish", "swish(x)"},
      {"hard_silu", "hard_silu(x)"},
      {"hard_swish", "hard_swish(x)"},
      {"mish", "mish(x)"},
      {"softmax", "softmax(x, axis=-1)"},
      {"log_softmax", "log_softmax(x, axis=-1)"},
      {"tanh", "tanh(x)"},
      {"exponential", "exp(x)"},
  };
  return t;
}

} // namespace

std::optional<std::string> activationBody(const std::string &name) {
  for (const auto &[keras, body] : table())
    if (keras == name)
      return body;
  return std::nullopt;
}

std::optional<std::string> activationSource(const std::string &name) {
  auto body = activationBody(name);
  return body ? std::optional("lambda x: " + *body) : std::nullopt;
}

const std::vector<std::string> &activationNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto &[keras, body] : table())
      out.push_back(keras);
    return out;
  }();
  return names;
}

} // namespace lamina
