#include "tools/lamina/repl/Loop.h"

#include "tools/lamina/repl/Continuation.h"
#include "tools/lamina/repl/Interrupt.h"
#include "tools/lamina/repl/LineEditor.h"

#include <optional>
#include <vector>

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

// The lines read so far. A def ended by an empty line is held back until the next line: an
// indented one continues it (a def pasted with empty lines inside its body), anything else is
// submitted after it. A def prints nothing, so holding it back shows nothing either.
struct Input {
  std::string buffer, heldDef;
};

bool isIndented(const std::string &line) {
  return !line.empty() && (line[0] == ' ' || line[0] == '\t') &&
         line.find_first_not_of(" \t") != std::string::npos;
}

bool isMultiLineDef(const std::string &buffer) {
  size_t first = buffer.find_first_not_of(" \t\r\n");
  return first != std::string::npos && buffer.compare(first, 4, "def ") == 0 &&
         buffer.size() >= 2 && buffer[buffer.size() - 2] == '\n';
}

std::vector<std::string> splitLines(const std::string &text) {
  std::vector<std::string> lines;
  for (size_t begin = 0;;) {
    size_t end = text.find('\n', begin);
    lines.push_back(text.substr(begin, end - begin));
    if (end == std::string::npos)
      return lines;
    begin = end + 1;
  }
}

// Submits what is held and what is complete, merging the outcomes (failed if any failed).
std::optional<Session::Outcome> flush(Session &session, std::string &text,
                                      std::optional<Session::Outcome> sofar) {
  if (text.empty() || (sofar && sofar->quit))
    return sofar;
  Session::Outcome outcome = session.submit(text);
  text.clear();
  if (sofar)
    outcome.ok = outcome.ok && sofar->ok;
  return outcome;
}

// Adds `line`; submits whatever became complete (nothing while an input continues).
std::optional<Session::Outcome> addLine(Session &session, Input &input, const std::string &line) {
  std::optional<Session::Outcome> outcome;
  if (!input.heldDef.empty()) {
    if (isIndented(line)) {
      input.buffer = std::move(input.heldDef) + line + "\n";
      input.heldDef.clear();
      return std::nullopt; // the def goes on: it ends at its next empty line
    }
    outcome = flush(session, input.heldDef, outcome);
  }
  input.buffer += line;
  input.buffer += '\n';
  if (input.buffer.size() <= kMaxInput && !isCompleteInput(input.buffer))
    return outcome;
  if (input.buffer.size() <= kMaxInput && isMultiLineDef(input.buffer) &&
      !(outcome && outcome->quit)) {
    input.heldDef = std::move(input.buffer);
    input.buffer.clear();
    return outcome;
  }
  return flush(session, input.buffer, outcome);
}

} // namespace

int runScript(Session &session, std::FILE *in) {
  bool failed = false;
  Input input;
  std::string line;
  bool quit = false;
  while (!quit && readLine(in, line, kMaxInput)) {
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    if (std::optional<Session::Outcome> outcome = addLine(session, input, line)) {
      failed = failed || !outcome->ok;
      quit = outcome->quit;
    }
  }
  for (std::string *rest : {&input.heldDef, &input.buffer})
    if (!quit && !rest->empty()) {
      Session::Outcome outcome = session.submit(*rest);
      failed = !outcome.ok || failed;
      quit = outcome.quit;
    }
  return failed ? 1 : 0;
}

int runInteractive(Session &session, const std::string &historyFile) {
  installInterruptHandler();
  LineEditor editor(historyFile, [&session](const std::string &line, size_t cursor) {
    return complete(line, cursor, session.names());
  });
  Input input;
  // The history holds whole inputs, so Up recalls a def as it was typed, not line by line.
  std::string entry;    // the lines of the input being typed
  bool entered = false; // whether the history already holds `entry` (a def held back)
  for (bool quit = false; !quit;) {
    std::string typed;
    LineEditor::Status status = editor.read(input.buffer.empty() ? ">>> " : "... ", typed);
    if (status == LineEditor::Status::EndOfInput) {
      std::fputs("\n", stdout);
      flush(session, input.heldDef, std::nullopt);
      break;
    }
    clearInterrupt();
    if (status == LineEditor::Status::Interrupted) {
      input.buffer.clear(); // Ctrl-C drops the whole multi-line input (a finished def stays)
      flush(session, input.heldDef, std::nullopt);
      continue;
    }
    std::vector<std::string> lines = splitLines(typed);
    // A recalled multi-line entry is a finished input: Enter submits it whole.
    if (lines.size() > 1 && lines.back().find_first_not_of(" \t") != std::string::npos)
      lines.emplace_back();
    for (const std::string &line : lines) {
      bool continuesDef = !input.heldDef.empty() && isIndented(line);
      if (input.buffer.empty() && !continuesDef) {
        entry.clear();
        entered = false;
      }
      entry += entry.empty() ? line : "\n" + line;
      std::optional<Session::Outcome> outcome = addLine(session, input, line);
      if (input.buffer.empty()) { // submitted, or a def held back: the entry is whole
        if (entered)
          editor.forgetLast();
        editor.remember(entry.substr(0, entry.find_last_not_of('\n') + 1));
        entered = true;
      }
      if (outcome && outcome->quit) {
        quit = true;
        break;
      }
    }
  }
  editor.save();
  return 0;
}

} // namespace lamina::cli::repl
