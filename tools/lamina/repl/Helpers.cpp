#include "tools/lamina/repl/Helpers.h"

namespace lamina::cli::repl {

std::shared_ptr<const SourceFile> helperSource() {
  static const auto source = std::make_shared<const SourceFile>(
      "<repl helpers>",
      "def randn(shape, seed=None, dtype=None, mean=0.0, stddev=1.0):\n"
      "    return variable(random_normal(shape, mean, stddev, dtype, seed), trainable=False)\n"
      "def rand(shape, seed=None, dtype=None, low=0.0, high=1.0):\n"
      "    return variable(random_uniform(shape, low, high, dtype, seed), trainable=False)\n");
  return source;
}

const std::vector<std::string> &helperNames() {
  static const std::vector<std::string> names{"randn", "rand"};
  return names;
}

} // namespace lamina::cli::repl
