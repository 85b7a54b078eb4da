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

using namespace lamina;

namespace {

// The values go nowhere; the errors are read back after each input.
bool dropOutput() { return std::freopen("/dev/null", "w", stdout) != nullptr; }

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
  // By its code: the text "internal error" may well be in the input the diagnostic quotes.
  if (printed.find("error[E0007]") != std::string::npos)
    fuzz::fail("repl: an internal error:\n" + printed, text);
  return 0;
}
