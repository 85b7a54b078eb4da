#include "tools/lamina/repl/LineEditor.h"

#include <histedit.h>

#include <algorithm>
#include <cerrno>
#include <clocale>
#include <cstdlib>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace lamina::cli::repl {

struct LineEditor::State {
  std::string historyFile;
  Completer completer;
  EditLine *el = nullptr;
  History *history = nullptr;
  std::string prompt;
  bool interrupted = false;
  std::string last;
};

namespace {

LineEditor::State &stateOf(EditLine *el) {
  void *data = nullptr;
  el_get(el, EL_CLIENTDATA, &data);
  return *static_cast<LineEditor::State *>(data);
}

char *promptOf(EditLine *el) { return stateOf(el).prompt.data(); }

size_t terminalWidth() {
  winsize ws{};
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
    return ws.ws_col;
  return 80;
}

// Lists candidates in columns under the line, as shells do; long lists are cut.
void listCandidates(const std::vector<std::string> &candidates) {
  constexpr size_t kMaxShown = 200;
  size_t widest = 0;
  for (const std::string &c : candidates)
    widest = std::max(widest, c.size());
  size_t columnWidth = widest + 2;
  size_t perLine = std::max<size_t>(1, terminalWidth() / columnWidth);
  std::string out = "\n";
  size_t shown = std::min(candidates.size(), kMaxShown);
  for (size_t i = 0; i < shown; ++i) {
    out += candidates[i];
    bool endOfLine = (i + 1) % perLine == 0 || i + 1 == shown;
    out += endOfLine ? std::string("\n") : std::string(columnWidth - candidates[i].size(), ' ');
  }
  if (shown < candidates.size())
    out += "… and " + std::to_string(candidates.size() - shown) + " more\n";
  (void)!write(STDOUT_FILENO, out.data(), out.size());
}

unsigned char completeAtCursor(EditLine *el, int) {
  LineEditor::State &state = stateOf(el);
  const LineInfo *info = el_line(el);
  std::string line(info->buffer, size_t(info->lastchar - info->buffer));
  auto cursor = size_t(info->cursor - info->buffer);
  // Tab at the start of a line, or after blanks, indents (a def's body).
  if (line.substr(0, cursor).find_first_not_of(" \t") == std::string::npos) {
    el_insertstr(el, "    ");
    return CC_REFRESH;
  }
  Completion c = state.completer(line, cursor);
  if (c.candidates.empty())
    return CC_ERROR;
  std::string word = line.substr(c.wordBegin, cursor - c.wordBegin);
  std::string common = c.candidates[0];
  for (const std::string &s : c.candidates) {
    size_t k = 0;
    while (k < common.size() && k < s.size() && common[k] == s[k])
      ++k;
    common.resize(k);
  }
  if (common.size() > word.size() || c.candidates.size() == 1) {
    std::string insert = common.substr(std::min(common.size(), word.size()));
    if (c.candidates.size() == 1 && c.addSpace)
      insert += ' ';
    if (!insert.empty())
      el_insertstr(el, insert.c_str());
    return CC_REFRESH;
  }
  listCandidates(c.candidates);
  return CC_REDISPLAY;
}

// Ctrl-C while editing: remember it, then finish the line as Enter would (moving past what
// is displayed), so the caller can drop it.
unsigned char abandonLine(EditLine *el, int) {
  stateOf(el).interrupted = true;
  el_push(el, "\005^C\n"); // to the end of the line, show ^C, newline
  return CC_NORM;
}

} // namespace

LineEditor::LineEditor(std::string historyFile, Completer completer)
    : state_(std::make_unique<State>()) {
  std::setlocale(LC_CTYPE, ""); // UTF-8 input
  state_->historyFile = std::move(historyFile);
  state_->completer = std::move(completer);
  HistEvent ev;
  state_->history = history_init();
  history(state_->history, &ev, H_SETSIZE, kHistoryLength);
  history(state_->history, &ev, H_SETUNIQUE, 1);
  if (!state_->historyFile.empty())
    history(state_->history, &ev, H_LOAD, state_->historyFile.c_str());

  EditLine *el = el_init("lamina", stdin, stdout, stderr);
  state_->el = el;
  el_set(el, EL_CLIENTDATA, state_.get());
  el_set(el, EL_EDITOR, "emacs");
  el_set(el, EL_PROMPT, promptOf);
  el_set(el, EL_HIST, history, state_->history);
  el_set(el, EL_ADDFN, "lamina-complete", "complete the word at the cursor", completeAtCursor);
  el_set(el, EL_BIND, "^I", "lamina-complete", nullptr);
  el_set(el, EL_ADDFN, "lamina-abandon", "abandon the line being edited", abandonLine);
  el_set(el, EL_BIND, "^C", "lamina-abandon", nullptr);
  el_set(el, EL_BIND, "^R", "em-inc-search-prev", nullptr);
  el_set(el, EL_BIND, "^S", "em-inc-search-next", nullptr);
  // Ctrl-C reaches the editor as a key while a line is edited (the terminal sends SIGINT only
  // while a computation runs); libedit restores the terminal's own mode between lines.
  el_set(el, EL_SETTY, "-d", "-isig", nullptr);
  el_source(el, nullptr); // the user's ~/.editrc, as every libedit program reads it
}

LineEditor::~LineEditor() {
  save();
  el_end(state_->el);
  history_end(state_->history);
}

LineEditor::Status LineEditor::read(const std::string &prompt, std::string &line) {
  state_->prompt = prompt;
  state_->interrupted = false;
  // Into the editor's terminal mode before the prompt shows (el_gets would switch only when
  // it first reads), so keys typed as soon as the prompt appears are not echoed by the
  // terminal, and an early Ctrl-C is a key, not a signal.
  el_set(state_->el, EL_PREP_TERM, 1);
  int count = 0;
  const char *text = el_gets(state_->el, &count);
  if (state_->interrupted)
    return Status::Interrupted;
  if (!text || count <= 0)
    return Status::EndOfInput;
  line.assign(text, size_t(count));
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r'))
    line.pop_back();
  return Status::Line;
}

void LineEditor::remember(const std::string &line) {
  if (line.find_first_not_of(" \t") == std::string::npos || line == state_->last)
    return;
  state_->last = line;
  HistEvent ev;
  history(state_->history, &ev, H_ENTER, line.c_str());
}

void LineEditor::forgetLast() {
  HistEvent ev;
  if (history(state_->history, &ev, H_FIRST) >= 0 && ev.str && state_->last == ev.str)
    history(state_->history, &ev, H_DEL, ev.num);
  state_->last.clear();
}

bool LineEditor::save() {
  if (state_->historyFile.empty())
    return true;
  // Create it owner-only before libedit writes it: a history can hold anything typed.
  int fd = ::open(state_->historyFile.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    return false;
  ::close(fd);
  HistEvent ev;
  return history(state_->history, &ev, H_SAVE, state_->historyFile.c_str()) >= 0;
}

std::string LineEditor::defaultHistoryFile() {
  std::string folder;
  if (const char *state = std::getenv("XDG_STATE_HOME"); state && *state == '/')
    folder = std::string(state) + "/lamina";
  else if (const char *home = std::getenv("HOME"); home && *home)
    folder = std::string(home) + "/.local/state/lamina";
  else
    return "";
  // mkdir -p, owner-only for what we create.
  for (size_t slash = 1; slash != std::string::npos;) {
    slash = folder.find('/', slash + 1);
    std::string part = folder.substr(0, slash);
    if (::mkdir(part.c_str(), 0700) != 0 && errno != EEXIST)
      return "";
  }
  return folder + "/history";
}

} // namespace lamina::cli::repl
