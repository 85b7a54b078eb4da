#pragma once

// The reference interpreter: the plain, obviously correct meaning of the typed IR, which every
// compiled kernel is tested against. It evaluates one operation at a time into fresh arrays,
// in double precision for floats (rounded to the value's dtype after every operation, so f32
// results are what an f32 computation gives) and in wrapping 64-bit arithmetic for integers
// (wrapped to the value's width after every operation). The semantics are those written at
// the top of compiler/ir/Ir.h.

#include "compiler/diag/Diagnostic.h"
#include "compiler/ir/Ir.h"
#include "compiler/types/Array.h"

#include <atomic>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lamina {

struct InterpOptions {
  /// The most bytes of values one call may define (docs/diagnostics.md, E0703): every value
  /// but the inputs and variables, at 8 bytes an element (the interpreter's representation, so
  /// its memory is bounded); checked before anything is computed, by the JIT too.
  uint64_t byteBudget = uint64_t(1) << 32;
  /// Set (by another thread) to stop: checked before each operation; the call then reports
  /// E0705 and returns nothing.
  const std::atomic<bool> *cancel = nullptr;
};

/// Evaluates `fn` on `inputs` (one per fn.inputs) and `variables` (one per fn.variables).
/// The symbols of the input types take their sizes from the arrays; what sema could only
/// accept symbolically is checked then and reported at the operator (E0701, E0508); wrong
/// inputs are E0702/E0704, and E0703 when the budget would be exceeded. Returns nothing
/// after reporting.
std::optional<std::vector<Array>> interpret(const ir::Function &fn,
                                            const std::vector<Array> &inputs,
                                            const std::vector<Array> &variables,
                                            const SourceFile &file, DiagnosticEngine &diags,
                                            const InterpOptions &options = {});

/// The sizes of the symbols in fn's input types, read from `inputs` (nothing after a report).
std::optional<std::map<std::string, int64_t>> bindSymbols(const ir::Function &fn,
                                                          const std::vector<Array> &inputs,
                                                          const SourceFile &file,
                                                          DiagnosticEngine &diags);

/// The first values of all of fn's variables, after checking that they fit the byte budget
/// (E0703 at the variable otherwise): variables are made before the program runs, so this is
/// where an oversized one must be refused. `symbols` comes from bindSymbols.
std::optional<std::vector<Array>> initialValues(const ir::Function &fn,
                                                const std::map<std::string, int64_t> &symbols,
                                                const SourceFile &file, DiagnosticEngine &diags,
                                                const InterpOptions &options = {});

/// The first value of a variable, from its initialiser; `symbols` sizes a symbolic shape.
/// Random initialisers use a documented generator (SplitMix64, Box-Muller) seeded with the
/// given seed or, without one, a hash of the variable's name: runs repeat, and two unseeded
/// variables differ.
Array initialValue(const ir::VariableDecl &variable,
                   const std::map<std::string, int64_t> &symbols = {});

/// Keras's fan_in and fan_out of a weight shape (`compute_fans`): the last two axes, times the
/// receptive field (the product of the others) for ranks above 2; a vector's length for both;
/// 1 for a scalar. The one definition glorot_uniform and the layers' initializers use.
std::pair<double, double> kerasFans(const std::vector<int64_t> &shape);

} // namespace lamina
