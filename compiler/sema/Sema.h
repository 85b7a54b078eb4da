#pragma once

// The semantics stage: an AST and the types of the inputs in, a typed IR function out, or
// diagnostics. Sema owns every name, type, shape and axis error (docs/architecture.md).
//
// Sema is an abstract interpreter over the AST: Python-level values (numbers, strings, lists,
// shapes, arguments) are computed at compile time, helper `def`s are inlined at their call
// sites, and only tensor operations become IR.

#include "compiler/ast/Ast.h"
#include "compiler/diag/Diagnostic.h"
#include "compiler/ir/Ir.h"
#include "compiler/sema/ConstValue.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace lamina {

/// One tensor passed to the entry point. Inputs with a name bind the parameter of that name
/// (repeating a name binds a list parameter, in order); inputs without one bind the input
/// parameters in order, as Keras does when it calls a Lambda on a tensor or a list.
struct InputBinding {
  std::string name;
  TensorType type;
};

struct SemaLimits {
  size_t maxRank = 8;
  /// Largest compile-time constant (tensor literal, `arange` of known length) in elements.
  int64_t maxConstantElements = 1 << 20;
  /// Inlined helper calls nest at most this deep (there is no recursion; this bounds
  /// `f(f(f(...)))` chains of distinct helpers).
  unsigned maxInlineDepth = 64;
  /// Inlining can multiply a program (`def g(x): return f(x) + f(x)`, ten levels deep): the
  /// typed IR may hold at most this many operations.
  size_t maxOperations = 100'000;
};

/// Source text its caller parsed (sema never parses): Keras's `output_shape=lambda s: ...`.
struct ParsedSource {
  std::shared_ptr<const SourceFile> file;
  std::shared_ptr<const ast::Module> module;
};

/// A def typed in another source, callable from the program by name (the REPL's earlier
/// inputs). Diagnostics in its body point into `file`; the instructions it emits carry the
/// range of the program's call, so run-time errors point at that call.
struct SharedDef {
  const ast::Def *def = nullptr;
  const SourceFile *file = nullptr;
};

struct SemaRequest {
  std::vector<InputBinding> inputs;
  /// The layer's `arguments` (or `--arg`): parameters named here are compile-time constants.
  std::vector<std::pair<std::string, ConstValue>> arguments;
  /// Keras's `output_shape`: a tuple without the batch dimension, or the source of a shape
  /// lambda (`lambda s: (s[0], 2 * s[1])`). Checked against the inferred result.
  std::optional<ConstValue> outputShape;
  /// The shape-lambda form, as its own source so errors in it point into it. It receives the
  /// input shape (a list of shapes for several inputs) with the batch symbol in front.
  std::optional<ParsedSource> outputShapeLambda;
  /// Where the tuple form is written, when it has a place (a config's JSON value, the CLI's
  /// --output-shape text): a mismatch is reported there rather than at the function.
  std::shared_ptr<const SourceFile> outputShapeFile;
  SourceRange outputShapeRange;
  SemaLimits limits;
  /// Mixed into the key of every random draw without a seed of its own (a Lambda layer's
  /// seed); 0 leaves the keys as they are.
  uint64_t randomSeed = 0;
  /// For the REPL: when set, a result that is no tensor (a dtype, a string, None, a builtin)
  /// is written here as Python prints it, and the function has no outputs.
  std::string *constantResult = nullptr;

  // The REPL's statements mode: the program is statements (and defs) run with the inputs and
  // arguments bound as globals by name, as in expression mode.
  /// Defs from other sources the program may call; one of the program's own of the same name
  /// wins.
  std::vector<SharedDef> defs;
  /// Statements mode when set: the outputs are the last expression statement's value (one
  /// output per element of a tuple; a list is one tensor), then the values these names have
  /// after the statements, in order.
  std::optional<std::vector<std::string>> resultNames;
};

/// Analyzes `module` (parsed from `file`) for the inputs and arguments of `request`. Returns
/// the typed function, or nothing after reporting at least one error.
std::optional<ir::Function> analyze(const ast::Module &module, const SourceFile &file,
                                    const SemaRequest &request, DiagnosticEngine &diags);

/// The parameters of the entry point, classified (for the CLI and the layer runtime).
struct EntrySignature {
  std::string name;
  std::vector<std::string> inputs;    // parameters that receive tensors
  std::vector<std::string> arguments; // parameters with defaults or named in `arguments`
  bool takesMask = false, takesTraining = false;
  bool expressionMode = false; // a bare expression: its free names are the inputs
};
std::optional<EntrySignature> entrySignature(const ast::Module &module,
                                             const std::vector<std::string> &argumentNames);

/// Every name a source can call: the builtins and all spellings of their aliases (`mean`,
/// `K.mean`, `keras.backend.mean`, `tf.reduce_sum`, ...), sorted. For completion in the REPL.
std::vector<std::string> builtinNames();

} // namespace lamina
