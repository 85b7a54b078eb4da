#include "tools/lamina/Commands.h"

#include <fmt/format.h>

namespace lamina::cli {

// lamina check [FILE... | --expr SRC] [--input x=f32[B,256]]... [--arg k=v]...
// Prints the type of each output (one per line; prefixed by the source's name when there are
// several sources), or the diagnostics.
Action addCheckCommand(CLI::App &app, SourceOptions &options) {
  auto signature = std::make_shared<SignatureOptions>();
  CLI::App *command =
      app.add_subcommand("check", "Check sources: names, types and shapes; print the result type");
  addSourceOptions(*command, options);
  addSignatureOptions(*command, *signature, false);
  return [&options, signature] {
    auto request = requestFrom(*signature, options.render);
    if (!request || !addTypedInputs(*signature, *request))
      return int(kExitUsage);
    bool prefix = options.files.size() + (options.expr.empty() ? 0 : 1) > 1;
    return forEachModule(
        options, [&](const SourceFile &file, const ast::Module &module, DiagnosticEngine &diags) {
          auto fn = analyze(module, file, *request, diags);
          if (!fn)
            return int(kExitInputErrors);
          for (ir::ValueId out : fn->outputs)
            fmt::print("{}{}\n", prefix ? file.name() + ": " : "", fn->typeOf(out).str());
          return int(kExitOk);
        });
  };
}

} // namespace lamina::cli
