#include "compiler/ast/Dump.h"
#include "tools/lamina/Commands.h"

#include <fmt/format.h>

#include <iostream>

namespace lamina::cli {

namespace {

struct EmitOptions {
  std::string stage = "ast";
  SignatureOptions signature;
  JitOptions jit;
  bool printAfterAll = false;
  bool timePasses = false;
};

} // namespace

std::string stageText(const ir::Function &fn, const std::string &stage,
                      const driver::CompileOptions &options) {
  using Stage = driver::TextStage;
  Stage text = stage == "ir"       ? Stage::IR
               : stage == "ir-opt" ? Stage::Plan
               : stage == "llvm"   ? Stage::LLVM
                                   : Stage::Asm;
  return driver::Driver::shared().emitText(fn, text, options);
}

// lamina emit --stage ast|ir|ir-opt|llvm|asm [FILE... | --expr SRC] [--input ...] [--arg ...]
Action addEmitCommand(CLI::App &app, SourceOptions &options) {
  auto emit = std::make_shared<EmitOptions>();
  CLI::App *command = app.add_subcommand("emit", "Print what a compiler stage makes of a source");
  addSourceOptions(*command, options);
  addSignatureOptions(*command, emit->signature, false);
  command
      ->add_option("--stage", emit->stage,
                   "ast (the syntax tree, with ranges), ir (the typed IR; needs the inputs), "
                   "ir-opt (optimized IR and the fusion plan), llvm (optimized LLVM IR) or asm")
      ->check(CLI::IsMember({"ast", "ir", "ir-opt", "llvm", "asm"}))
      ->capture_default_str();
  command->add_flag("--print-after-all", emit->printAfterAll,
                    "print the IR after every optimization pass (to stderr)");
  command->add_flag("--time-passes", emit->timePasses, "time every optimization pass (to stderr)");
  addJitOptions(*command, emit->jit);
  return [&options, emit] {
    const std::string *stage = &emit->stage;
    SignatureOptions *signature = &emit->signature;
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
          driver::CompileOptions compile = compileOptions(emit->jit);
          compile.pipeline.printAfterAll = emit->printAfterAll;
          compile.pipeline.timePasses = emit->timePasses;
          compile.pipeline.log = &std::cerr;
          fmt::print("{}", stageText(*fn, *stage, compile));
          return int(kExitOk);
        });
  };
}

} // namespace lamina::cli
