#include "tools/lamina/Commands.h"

#include <fmt/format.h>

namespace lamina::cli {

// lamina check [FILE... | --expr SRC]
// For now: parse and report. The semantics stage adds types and shapes here.
Action addCheckCommand(CLI::App &app, SourceOptions &options) {
  CLI::App *command = app.add_subcommand("check", "Check sources and report every error found");
  addSourceOptions(*command, options);
  return [&options] {
    return forEachModule(options, [](const SourceFile &file, const ast::Module &module) {
      fmt::print("{}: ok ({} item{})\n", file.name(), module.items.size(),
                 module.items.size() == 1 ? "" : "s");
      return int(kExitOk);
    });
  };
}

} // namespace lamina::cli
