#include "compiler/ast/Dump.h"
#include "tools/lamina/Commands.h"

#include <fmt/format.h>

namespace lamina::cli {

// lamina emit --stage ast [FILE... | --expr SRC]
Action addEmitCommand(CLI::App &app, SourceOptions &options) {
  auto stage = std::make_shared<std::string>("ast");
  CLI::App *command = app.add_subcommand("emit", "Print what a compiler stage makes of a source");
  addSourceOptions(*command, options);
  command->add_option("--stage", *stage, "the stage to print: ast (the syntax tree, with ranges)")
      ->check(CLI::IsMember({"ast"}))
      ->capture_default_str();
  return [&options, stage] {
    return forEachModule(options, [](const SourceFile &file, const ast::Module &module) {
      fmt::print("{}", ast::dump(module, file));
      return int(kExitOk);
    });
  };
}

} // namespace lamina::cli
