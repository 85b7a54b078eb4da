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
  /// Reads one line (without its newline) after showing `prompt`; a multi-line entry recalled
  /// from the history comes back as one text with its newlines inside.
  Status read(const std::string &prompt, std::string &line);
  /// Adds an entry to the history (blank ones and repeats of the last one are skipped). An
  /// entry may span lines: libedit shows and edits it whole, and read() returns it whole.
  void remember(const std::string &entry);
  /// Removes the entry remember() added last, if it is still the newest.
  void forgetLast();
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
