// `lamina`: the command-line tool, thin over the compiler's stages. Exit codes: 0 fine,
// 1 the input has errors, 2 usage error, 3 I/O error, 4 the JIT failed (docs/cli.md).

#include "lamina/Runtime.h"
#include "tools/lamina/Commands.h"

#include <fmt/format.h>

#include <map>
#include <string>

namespace {

constexpr const char *kFooter =
    R"(Exit codes: 0 fine, 1 the input has errors, 2 usage error, 3 I/O error, 4 JIT failure.
Colour: only on a terminal, never when NO_COLOR is set; --color overrides.
Examples:
  lamina fmt --expr 'lambda x:x**2'
  lamina check examples/antirectifier.lam
  lamina check --expr 'lambda x: x * 2' --input 'x=f32[B,256]'
  lamina run --expr 'lambda x: relu(x)' -i x=in.npy -o out.npy
  lamina emit --stage ir --expr 'def f(x): return x * 2' --input 'x=f32[3]'
  lamina emit --stage asm --expr 'lambda x: x * 2' --input 'x=f32[N]'
  lamina bench --expr 'lambda x: x ** 2' --inputs x:1000000 --threads 2
  lamina repl)";

constexpr const char *kCommon =
    R"(Exit codes: 0 fine, 1 the input has errors, 2 usage error, 3 I/O error, 4 JIT failure.
Colour: only on a terminal, never when NO_COLOR is set; --color overrides.
Examples:
)";

// Each subcommand's --help shows its own examples.
const std::map<std::string, std::string> &commandExamples() {
  static const std::map<std::string, std::string> examples = {
      {"fmt", "  lamina fmt --expr 'lambda x:x**2'\n"
              "  lamina fmt --check examples/*.lam\n"
              "  lamina fmt --write model.lam"},
      {"check", "  lamina check examples/antirectifier.lam\n"
                "  lamina check --expr 'lambda x: x * 2' --input 'x=f32[B,256]'\n"
                "  lamina check --expr 'lambda x, alpha: x * alpha' -i x=f32[B,8] -a alpha=0.5"},
      {"emit", "  lamina emit --stage ir --expr 'def f(x): return x * 2' --input 'x=f32[3]'\n"
               "  lamina emit --stage ir-opt examples/softmax.lam\n"
               "  lamina emit --stage asm --expr 'lambda x: x * 2' --input 'x=f32[N]'"},
      {"run", "  lamina run --expr 'lambda x: relu(x)' -i x=in.npy -o out.npy\n"
              "  lamina run examples/antirectifier.lam -i x=examples/data/batch.npy\n"
              "  lamina run --expr 'lambda a, b: a - b' -i a=a.npy -i b=b.npy -o out.npz"},
      {"doc", "  lamina doc builtins\n  lamina doc promotion\n  lamina doc aliases"},
      {"bench", "  lamina bench --expr 'lambda x: x ** 2' --inputs x:1000000 --threads 2\n"
                "  lamina bench --expr 'lambda a, b: a * b' --inputs 'a:391,256;b:391,256'"},
      {"model", "  lamina model summary examples/model\n"
                "  lamina model run examples/model -i examples/model/features.npy "
                "-i examples/model/context.npy"},
      {"repl", "  lamina repl\n  lamina repl session.lam\n  lamina repl - < session.lam"}};
  return examples;
}

void setFooters(CLI::App &command, const std::string &examples) {
  command.footer(std::string(kCommon) + examples);
  for (CLI::App *sub : command.get_subcommands({}))
    setFooters(*sub, examples);
}

} // namespace

int main(int argc, char **argv) {
  using namespace lamina::cli;
  // The CLI gives lamina the cores: products split their rows over lamina's threads, so
  // OpenBLAS, which gets the deepest of them, runs one thread per call.
  lamina::setBlasThreads(1);
  CLI::App app{"lamina: Keras Lambda layers as checked, compiled text", "lamina"};
  app.footer(kFooter);
  app.set_version_flag("--version", "lamina " LAMINA_VERSION);
  app.require_subcommand(1);
  std::string color = "auto";
  app.add_option("--color", color, "colour diagnostics: auto, always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();

  SourceOptions options;
  std::vector<std::pair<CLI::App *, Action>> actions;
  for (auto add : {addFmtCommand, addCheckCommand, addEmitCommand, addRunCommand, addDocCommand,
                   addBenchCommand, addModelCommand, addReplCommand}) {
    Action action = add(app, options);
    actions.emplace_back(app.get_subcommands({}).back(), std::move(action));
  }
  for (auto &[command, action] : actions)
    if (auto it = commandExamples().find(command->get_name()); it != commandExamples().end())
      setFooters(*command, it->second);

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success &e) {
    return app.exit(e);
  } catch (const CLI::ParseError &e) {
    app.exit(e);
    return kExitUsage;
  }

  options.render.color = color == "always" || (color == "auto" && lamina::shouldColor(stderr));
  for (auto &[command, action] : actions)
    if (command->parsed())
      return action();
  return kExitUsage;
}
