#pragma once

// What Tab offers at the cursor: REPL commands at the start of a line, `:set` options, and
// otherwise every name a source can call (the builtins and their aliases, from sema's
// registry), the helpers, the session's defs and values, and the keywords. Qualified names
// are offered one namespace level at a time (`t` offers `tf.`, `tf.` offers `tf.nn.`).

#include <string>
#include <vector>

namespace lamina::cli::repl {

struct Completion {
  size_t wordBegin = 0;                // where the word being completed starts
  std::vector<std::string> candidates; // each starts with the word; sorted, unique
  bool addSpace = false;               // after a unique candidate (commands)
};

/// `names` are the session's own (defs, values, helpers); builtins are added here.
Completion complete(const std::string &line, size_t cursor, const std::vector<std::string> &names);

/// The REPL's commands, as typed (":help", ...).
const std::vector<std::string> &commandNames();

} // namespace lamina::cli::repl
