#include "compiler/ast/Dump.h"
#include "tools/lamina/Commands.h"

#include <fmt/format.h>

namespace lamina::cli {

// lamina emit --stage ast|ir [FILE... | --expr SRC] [--input ...] [--arg ...]
Action addEmitCommand(CLI::App &app, SourceOptions &options) {
  auto stage = std::make_shared<std::string>("ast");
  auto signature = std::make_shared<SignatureOptions>();
  CLI::App *command = app.add_subcommand("emit", "Print what a compiler stage makes of a source");
  addSourceOptions(*command, options);
  addSignatureOptions(*command, *signature, false);
  command
      ->add_option("--stage", *stage,
                   "ast (the syntax tree, with ranges) or ir (the typed IR; needs the inputs)")
      ->check(CLI::IsMember({"ast", "ir"}))
      ->capture_default_str();
  return [&options, stage, signature] {
    auto request = requestFrom(*signature, options.render);
    if (!request || !addTypedInputs(*signature, *request))
      return int(kExitUsage);
    return forEachModule(
        options, [&](const SourceFile &file, const ast::Module &module, DiagnosticEngine &diags) {
          if (*stage == "ast") {
            fmt::print("{}", ast::dump(module, file));
            return int(kExitOk);
          }
          auto fn = analyze(module, file, *request, diags);
          if (!fn)
            return int(kExitInputErrors);
          fmt::print("{}", ir::print(*fn));
          return int(kExitOk);
        });
  };
}

} // namespace lamina::cli
