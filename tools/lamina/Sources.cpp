#include "tools/lamina/Commands.h"

namespace lamina::cli {

void addSourceOptions(CLI::App &command, SourceOptions &options) {
  command.add_option("FILE", options.files, "lamina source files (`-` reads standard input)");
  command.add_option("-e,--expr", options.expr,
                     "a source given on the command line; `@PATH` reads it from a file");
}

int forEachModule(const SourceOptions &options, const ModuleAction &onModule) {
  std::vector<std::optional<SourceFile>> inputs;
  int worst = kExitOk;
  if (!options.expr.empty() || options.files.empty())
    inputs.push_back(readExpr(options.expr, options.limits.maxSourceBytes));
  for (const std::string &path : options.files)
    inputs.push_back(readPath(path, options.limits.maxSourceBytes));

  StreamConsumer consumer(stderr, options.render);
  for (const std::optional<SourceFile> &file : inputs) {
    if (!file) {
      worst = kExitIo;
      continue;
    }
    DiagnosticEngine diags(consumer);
    std::unique_ptr<ast::Module> module = parse(*file, diags, options.limits);
    int code = module ? onModule(*file, *module, diags) : kExitInputErrors;
    if (worst != kExitIo)
      worst = std::max(worst, code);
  }
  return worst;
}

} // namespace lamina::cli
