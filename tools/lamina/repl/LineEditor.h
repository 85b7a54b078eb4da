#pragma once

// Interactive line editing with libedit (BSD licence): emacs keys, history kept in a file
// across sessions, reverse search on Ctrl-R, Tab completion, Ctrl-C that abandons the line.
// The only file that includes libedit's header.

#include "tools/lamina/repl/Completion.h"

#include <functional>
#include <memory>
#include <string>

namespace lamina::cli::repl {

class LineEditor {
public:
  using Completer = std::function<Completion(const std::string &line, size_t cursor)>;
  static constexpr int kHistoryLength = 1000;

  /// `historyFile` empty: no history file (the session still has one in memory).
  LineEditor(std::string historyFile, Completer completer);
  ~LineEditor(); // saves the history
  LineEditor(const LineEditor &) = delete;
  LineEditor &operator=(const LineEditor &) = delete;

  enum class Status { Line, Interrupted, EndOfInput };
  /// Reads one line (without its newline) after showing `prompt`.
  Status read(const std::string &prompt, std::string &line);
  /// Adds a line to the history (blank lines and repeats of the last one are skipped).
  void remember(const std::string &line);
  /// Writes the history file (owner-only permissions); true on success or without a file.
  bool save();

  /// The default history file: $XDG_STATE_HOME/lamina/history, else
  /// ~/.local/state/lamina/history; empty when neither can be found. Creates the folder.
  static std::string defaultHistoryFile();

  /// libedit's callbacks reach the editor through this (their client data).
  struct State;

private:
  std::unique_ptr<State> state_;
};

} // namespace lamina::cli::repl
