// lamina repl [FILE] [--history FILE] [--engine jit|interp] [--threads N] [--precision N]
// The interactive session of docs/repl.md. On a terminal it edits lines with libedit; from a
// file or a pipe it reads inputs without prompts and exits 1 if any input failed.

#include "tools/lamina/Commands.h"
#include "tools/lamina/repl/LineEditor.h"
#include "tools/lamina/repl/Loop.h"
#include "tools/lamina/repl/Session.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sys/stat.h>
#include <unistd.h>

namespace lamina::cli {
namespace {

struct ReplOptions {
  std::string file;
  std::string history;
  std::string engine = "jit";
  unsigned threads = 0;
  int precision = 4;
  JitOptions jit;
};

} // namespace

Action addReplCommand(CLI::App &app, SourceOptions &options) {
  auto repl = std::make_shared<ReplOptions>();
  CLI::App *command = app.add_subcommand(
      "repl", "Interactive session: bind tensors, define functions, inspect every stage");
  command->add_option("FILE", repl->file,
                      "read the inputs from FILE (`-`: standard input) instead of the terminal");
  command->add_option("--history", repl->history,
                      "history file (default: $XDG_STATE_HOME/lamina/history)");
  command
      ->add_option("--engine", repl->engine,
                   "jit: compiled kernels; interp: the reference interpreter")
      ->check(CLI::IsMember({"jit", "interp"}))
      ->capture_default_str();
  command->add_option("--threads", repl->threads, "threads for the kernels (default: the cores)")
      ->check(CLI::Range(1u, 256u));
  command->add_option("--precision", repl->precision, "digits printed after the point")
      ->check(CLI::Range(0, 16))
      ->capture_default_str();
  addJitOptions(*command, repl->jit);
  return [&options, repl] {
    repl::SessionSettings settings;
    settings.eval = {repl->engine == "interp", repl->threads, compileOptions(repl->jit)};
    settings.print.precision = repl->precision;
    settings.render = options.render;
    settings.limits = options.limits;
    repl::Session session(settings);

    int code = 0;
    if (!repl->file.empty() && repl->file != "-") {
      struct stat st {};
      std::FILE *in = ::stat(repl->file.c_str(), &st) == 0 && S_ISREG(st.st_mode)
                          ? std::fopen(repl->file.c_str(), "rb")
                          : nullptr;
      if (!in) {
        fmt::print(stderr, "lamina: error: cannot read '{}': {}\n", repl->file,
                   errno ? std::strerror(errno) : "not a regular file");
        return int(kExitIo);
      }
      code = repl::runScript(session, in);
      std::fclose(in);
    } else if (repl->file.empty() && ::isatty(STDIN_FILENO) && ::isatty(STDOUT_FILENO)) {
      std::string history =
          repl->history.empty() ? repl::LineEditor::defaultHistoryFile() : repl->history;
      code = repl::runInteractive(session, history);
    } else {
      code = repl::runScript(session, stdin);
    }
    std::fflush(stdout);
    std::fflush(stderr);
    // An abandoned computation may still run: ending normally would run static destructors
    // (the JIT, the thread pools) under it.
    if (!session.background().allFinished())
      ::_exit(code);
    return code;
  };
}

} // namespace lamina::cli
