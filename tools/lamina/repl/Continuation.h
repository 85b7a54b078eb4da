#pragma once

// When the REPL has read a whole input: Python's rules, for lamina. An input continues while
// a bracket is open, and a `def` whose body is not on its header's line continues until an
// empty line (indentation carries no meaning in lamina, so the empty line is what ends it).

#include <string>

namespace lamina::cli::repl {

/// Whether `buffer` (the lines read so far, each ending in a newline) is a complete input.
bool isCompleteInput(const std::string &buffer);

} // namespace lamina::cli::repl
