#pragma once

// The read-submit loops: one for a terminal (libedit, prompts, history) and one for scripts
// (a file or a pipe: lines in, results out, no prompts or escape codes).

#include "tools/lamina/repl/Session.h"

#include <cstdio>
#include <string>

namespace lamina::cli::repl {

/// Reads inputs from the terminal until `:quit` or Ctrl-D. Returns the exit code (0).
int runInteractive(Session &session, const std::string &historyFile);

/// Reads inputs from `in` until its end or `:quit`. Returns 1 if any input failed, else 0.
int runScript(Session &session, std::FILE *in);

} // namespace lamina::cli::repl
