#include "compiler/sema/Reference.h"
#include "tools/lamina/Commands.h"

#include <fmt/format.h>

namespace lamina::cli {

// lamina doc builtins|promotion|aliases
// Prints a generated part of docs/language.md: the builtin and alias reference, or the dtype
// promotion tables. The page holds exactly this text between its `<!-- builtins:begin -->` /
// `<!-- promotion:begin -->` markers (tests/unit/DocsTest.cpp checks), so after changing the
// registry or the promotion rules, paste the output there. `aliases` prints the alias rows
// tab-separated for scripts (tests/fixtures/check_library_coverage.py).
Action addDocCommand(CLI::App &app, SourceOptions & /*options*/) {
  auto topic = std::make_shared<std::string>();
  CLI::App *command = app.add_subcommand(
      "doc", "Print a generated part of docs/language.md: the builtins or the promotion table");
  command
      ->add_option("TOPIC", *topic,
                   "builtins: every builtin and alias; promotion: dtype rules; aliases: the alias "
                   "rows, tab-separated")
      ->required()
      ->check(CLI::IsMember({"builtins", "promotion", "aliases"}));
  return [topic] {
    fmt::print("{}", *topic == "builtins"    ? builtinReference()
                     : *topic == "promotion" ? promotionTable()
                                             : aliasListing());
    return int(kExitOk);
  };
}

} // namespace lamina::cli
