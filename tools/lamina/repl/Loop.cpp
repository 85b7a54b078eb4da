#include "tools/lamina/repl/Loop.h"

#include "tools/lamina/repl/Continuation.h"
#include "tools/lamina/repl/Interrupt.h"
#include "tools/lamina/repl/LineEditor.h"

#include <optional>

namespace lamina::cli::repl {
namespace {

// One line of `in` without its newline, keeping at most `cap` bytes of it (the rest is read
// and dropped, so a huge line costs no memory). False at the end of the input.
bool readLine(std::FILE *in, std::string &line, size_t cap) {
  line.clear();
  bool any = false;
  for (int c; (c = std::getc(in)) != EOF;) {
    any = true;
    if (c == '\n')
      return true;
    if (line.size() < cap)
      line.push_back(char(c));
  }
  return any;
}

// More than the parser accepts: submitted at once, to be reported as too large.
constexpr size_t kMaxInput = 64 * 1024 + 1;

// Adds `line` to the input gathered in `buffer`; once that input is complete (or too large to
// wait for more), submits it, clears `buffer` and returns the outcome. Nothing until then.
std::optional<Session::Outcome> addLine(Session &session, std::string &buffer,
                                        const std::string &line) {
  buffer += line;
  buffer += '\n';
  if (buffer.size() <= kMaxInput && !isCompleteInput(buffer))
    return std::nullopt;
  Session::Outcome outcome = session.submit(buffer);
  buffer.clear();
  return outcome;
}

} // namespace

int runScript(Session &session, std::FILE *in) {
  bool failed = false;
  std::string buffer, line;
  bool quit = false;
  while (!quit && readLine(in, line, kMaxInput)) {
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    if (std::optional<Session::Outcome> outcome = addLine(session, buffer, line)) {
      failed = failed || !outcome->ok;
      quit = outcome->quit;
    }
  }
  if (!quit && !buffer.empty())
    failed = !session.submit(buffer).ok || failed;
  return failed ? 1 : 0;
}

int runInteractive(Session &session, const std::string &historyFile) {
  installInterruptHandler();
  LineEditor editor(historyFile, [&session](const std::string &line, size_t cursor) {
    return complete(line, cursor, session.names());
  });
  std::string buffer;
  for (;;) {
    std::string line;
    LineEditor::Status status = editor.read(buffer.empty() ? ">>> " : "... ", line);
    if (status == LineEditor::Status::EndOfInput) {
      std::fputs("\n", stdout);
      break;
    }
    clearInterrupt();
    if (status == LineEditor::Status::Interrupted) {
      buffer.clear(); // Ctrl-C drops the whole multi-line input
      continue;
    }
    editor.remember(line);
    std::optional<Session::Outcome> outcome = addLine(session, buffer, line);
    if (outcome && outcome->quit)
      break;
  }
  editor.save();
  return 0;
}

} // namespace lamina::cli::repl
