#pragma once

// One REPL session: the names it has bound (tensors, and the constants typed as literals),
// the defs typed so far (with the parsed inputs that hold them), and the settings. Sema checks
// each input as typed, with the session's names it mentions pre-bound to the concrete arrays,
// so types and shapes are always concrete (Evaluation.cpp).

#include "compiler/sema/ConstValue.h"
#include "tools/lamina/Commands.h"
#include "tools/lamina/TensorPrinter.h"
#include "tools/lamina/repl/BackgroundWork.h"

#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace lamina::cli::repl {

struct SessionSettings {
  EvalSettings eval;
  PrintOptions print;
  RenderOptions render;
  ParseLimits limits;
  bool files = true;           // whether :load and :save may touch files (not when fuzzed)
  int maxTimeRuns = 1'000'000; // the largest N of `:time EXPR N`
  std::FILE *errors = stderr;  // where diagnostics and errors go
};

class Session {
public:
  explicit Session(SessionSettings settings);

  struct Outcome {
    bool ok = true;    // false: the input had errors (or was interrupted)
    bool quit = false; // `:quit`
  };
  /// Handles one complete input: statements, an expression, defs, or a `:` command.
  Outcome submit(const std::string &text);

  /// The session's own names, for completion: values, defs, helpers, `ans`.
  std::vector<std::string> names() const;
  /// Abandoned computations: the caller must not end the process normally while one runs.
  BackgroundWork &background() { return background_; }

private:
  // A bound name: a tensor, or a constant typed as a literal (`k = 3`, `shape = (4, 8)`).
  struct Binding {
    std::shared_ptr<const Array> tensor;
    std::optional<ConstValue> constant;
  };
  struct StoredDef {
    std::shared_ptr<const SourceFile> file;    // where it was typed
    std::shared_ptr<const ast::Module> module; // the input it was typed in, parsed
    const ast::Def *def = nullptr;
    std::set<std::string> mentions; // names its body uses (to include the defs it calls)
  };
  enum class Mode { Eval, Type, Shape, Ir, Opt, Llvm, Asm, Time };

  Outcome evaluateInput(const std::shared_ptr<const SourceFile> &display);
  // Parses `parsed` (the input, a command's words blanked) and reports against `display`.
  std::shared_ptr<const ast::Module> parseInput(const SourceFile &parsed,
                                                const std::shared_ptr<const SourceFile> &display);
  bool bindLiteral(const ast::Module &module, const SourceFile &file);
  void storeDefs(const std::shared_ptr<const ast::Module> &module,
                 const std::shared_ptr<const SourceFile> &display);
  Outcome evaluate(Mode mode, const std::shared_ptr<const SourceFile> &display,
                   const std::shared_ptr<const ast::Module> &module, int timeRuns = 0);
  void bind(const std::string &name, Binding binding);
  void resetState();

  Outcome command(const std::string &text);
  Outcome expressionCommand(Mode mode, const std::string &text, size_t argBegin, size_t argEnd,
                            int timeRuns);
  Outcome astCommand(const std::string &text, size_t argBegin);
  Outcome varsCommand();
  Outcome loadCommand(const std::string &args);
  Outcome saveCommand(const std::string &args);
  Outcome docCommand(const std::string &name);
  Outcome setCommand(const std::string &args);
  Outcome statsCommand();

  void error(const std::string &message);
  void render(const Diagnostic &diagnostic);

  SessionSettings settings_;
  std::map<std::string, Binding> values_;
  std::map<std::string, StoredDef> defs_;
  BackgroundWork background_;
};

/// Names used anywhere under `node` (the identifiers, not attribute or keyword names).
void collectNames(const ast::Node &node, std::set<std::string> &out);

} // namespace lamina::cli::repl
