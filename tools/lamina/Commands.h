#pragma once

#include "compiler/diag/TextRenderer.h"
#include "compiler/parse/Parse.h"
#include "tools/lamina/Input.h"

#include <CLI/CLI.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace lamina::cli {

/// What every command that reads sources shares: the inputs and how to report on them.
struct SourceOptions {
  std::vector<std::string> files;
  std::string expr;
  ParseLimits limits;
  RenderOptions render;
};

/// Adds `FILE...` and `--expr SRC` to `command`.
void addSourceOptions(CLI::App &command, SourceOptions &options);

/// Parses every input in turn and calls `onModule` for each one that parsed. Returns the
/// worst exit code seen: I/O errors beat input errors.
int forEachModule(const SourceOptions &options,
                  const std::function<int(const SourceFile &, const ast::Module &)> &onModule);

/// Each command registers its subcommand and returns the action to run when it is chosen.
using Action = std::function<int()>;
Action addFmtCommand(CLI::App &app, SourceOptions &options);
Action addCheckCommand(CLI::App &app, SourceOptions &options);
Action addEmitCommand(CLI::App &app, SourceOptions &options);

} // namespace lamina::cli
