// The REPL's line handling on any bytes, as `lamina repl FILE` reads a script: lines joined into
// inputs (brackets, defs with blank lines, `:` commands), each checked and run by a session
// that keeps its names and defs. Beyond "no crash": a script with a failed input printed an
// error, and no input ever ends in an internal error (a failure without its own diagnostic).
// The session reads and writes no files, runs on the interpreter (`:set engine jit` switches)
// under the harnesses' byte budget, and `:time` at most ten times.

#include "FuzzSupport.h"

#include "tools/lamina/repl/Loop.h"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

using namespace lamina;

namespace {

// The values go nowhere; the errors are read back after each input.
bool dropOutput() { return std::freopen("/dev/null", "w", stdout) != nullptr; }

// Whether a diagnostic's own header says E0007. Only the header counts: the quoted source
// lines below it, and messages that quote the input, may hold any text at all.
bool internalError(const std::string &printed) {
  for (size_t at = 0; at < printed.size();) {
    size_t end = std::min(printed.find('\n', at), printed.size());
    std::string_view line(printed.data() + at, end - at);
    size_t header = line.find(": error[");
    if (line.starts_with("<") && header != std::string_view::npos &&
        line.substr(header + 8).starts_with("E0007]"))
      return true;
    at = end + 1;
  }
  return false;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static bool dropped = dropOutput();
  if (!dropped)
    std::abort();
  std::string text(reinterpret_cast<const char *>(data), size);
  char *errorText = nullptr;
  size_t errorSize = 0;
  std::FILE *errors = ::open_memstream(&errorText, &errorSize);
  if (!errors)
    std::abort();

  cli::repl::SessionSettings settings;
  settings.eval.interpreter = true;
  settings.eval.threads = 1;
  settings.eval.byteBudget = fuzz::kFuzzBudget;
  settings.eval.compile.diskCache = false;
  settings.files = false;
  settings.maxTimeRuns = 10;
  settings.errors = errors;
  int status = 0;
  if (std::FILE *in = ::fmemopen(text.data(), text.size(), "r")) { // none for no bytes
    cli::repl::Session session(settings);
    status = cli::repl::runScript(session, in);
    std::fclose(in);
  }
  std::fclose(errors);
  std::string printed(errorText, errorSize);
  std::free(errorText);
  if (status != 0 && printed.empty())
    fuzz::fail("repl: a failed input printed nothing", text);
  if (internalError(printed))
    fuzz::fail("repl: an internal error:\n" + printed, text);
  return 0;
}
