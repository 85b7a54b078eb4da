// The REPL's line handling on any bytes, as `lamina repl FILE` reads a script: lines joined into
// inputs (brackets, defs with blank lines, `:` commands), each checked and run by a session
// that keeps its names and defs. Beyond "no crash": a script with a failed input printed an
// error, and no input ever ends in an internal error (a failure without its own diagnostic).
// The session reads and writes no files, runs on the interpreter (`:set engine jit` switches)
// under the harnesses' byte budget, and `:time` at most ten times.

#include "FuzzSupport.h"

#include "tools/lamina/repl/Loop.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

using namespace lamina;

namespace {

// Standard error goes to an append-only scratch file the harness reads back after each input;
// standard output (the values) is dropped.
int captureStderr() {
  if (!std::freopen("/dev/null", "w", stdout))
    std::abort();
  char path[] = "/tmp/lamina-fuzz-repl-XXXXXX";
  int err = ::mkstemp(path);
  if (err < 0)
    std::abort();
  ::unlink(path);
  ::fcntl(err, F_SETFL, O_APPEND);
  std::fflush(stderr);
  ::dup2(err, STDERR_FILENO);
  return err;
}

std::string readAll(int fd) {
  std::string out;
  char buffer[4096];
  for (off_t at = 0;;) {
    ssize_t n = ::pread(fd, buffer, sizeof buffer, at);
    if (n <= 0)
      return out;
    out.append(buffer, size_t(n));
    at += n;
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static int err = captureStderr();
  if (::ftruncate(err, 0) != 0)
    std::abort();
  std::string text(reinterpret_cast<const char *>(data), size);

  cli::repl::SessionSettings settings;
  settings.eval.interpreter = true;
  settings.eval.threads = 1;
  settings.eval.byteBudget = fuzz::kFuzzBudget;
  settings.eval.compile.diskCache = false;
  settings.files = false;
  settings.maxTimeRuns = 10;
  int status = 0;
  {
    cli::repl::Session session(settings);
    std::FILE *in = ::fmemopen(text.data(), text.size(), "r");
    if (!in) // fmemopen refuses an empty buffer: an empty script
      return 0;
    status = cli::repl::runScript(session, in);
    std::fclose(in);
  }
  std::fflush(stderr);
  std::string errors = readAll(err);
  if (status != 0 && errors.empty())
    fuzz::fail("repl: a failed input printed nothing", text);
  if (errors.find("internal error") != std::string::npos)
    fuzz::fail("repl: an internal error:\n" + errors, text);
  return 0;
}
