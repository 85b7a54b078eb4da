#include "compiler/ast/Printer.h"
#include "tools/lamina/Commands.h"

#include <fmt/format.h>

namespace lamina::cli {

namespace {
struct FmtOptions {
  bool check = false;
  bool write = false;
};
} // namespace

// lamina fmt [--check | --write] [FILE... | --expr SRC]
Action addFmtCommand(CLI::App &app, SourceOptions &options) {
  auto fmtOptions = std::make_shared<FmtOptions>();
  CLI::App *command = app.add_subcommand(
      "fmt", "Print sources in canonical form (docs/language.md); comments are kept");
  addSourceOptions(*command, options);
  auto *check = command->add_flag("--check", fmtOptions->check,
                                  "print nothing; exit 1 and name each source that is not "
                                  "canonical");
  command->add_flag("-w,--write", fmtOptions->write, "rewrite FILEs in place")->excludes(check);

  return [&options, fmtOptions] {
    if (fmtOptions->write && !options.expr.empty()) {
      fmt::print(stderr, "lamina: error: --write needs FILEs, not --expr\n");
      return int(kExitUsage);
    }
    return forEachModule(
        options, [&](const SourceFile &file, const ast::Module &module, DiagnosticEngine &) {
          std::string canonical = ast::printModule(module, file.text());
          if (fmtOptions->check) {
            if (canonical == file.text())
              return int(kExitOk);
            fmt::print("{}: not in canonical form (run `lamina fmt --write`)\n", file.name());
            return int(kExitInputErrors);
          }
          if (fmtOptions->write) {
            if (canonical != file.text() && !writeFileAtomically(file.name(), canonical))
              return int(kExitIo);
            return int(kExitOk);
          }
          fmt::print("{}", canonical);
          return int(kExitOk);
        });
  };
}

} // namespace lamina::cli
