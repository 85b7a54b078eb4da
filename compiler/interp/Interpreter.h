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

#include <optional>
#include <vector>

namespace lamina {

struct InterpOptions {
  /// The most bytes the intermediates and outputs of one call may take (RELIABILITY.md §3);
  /// checked before anything is computed.
  uint64_t byteBudget = uint64_t(1) << 32;
};

/// Evaluates `fn`, whose shapes must all be known (sema specialised it on the actual input
/// shapes), on `inputs` (one per fn.inputs, of exactly those types) and `variables` (one per
/// fn.variables). Reports E0703 and returns nothing when the budget would be exceeded.
std::optional<std::vector<Array>> interpret(const ir::Function &fn,
                                            const std::vector<Array> &inputs,
                                            const std::vector<Array> &variables,
                                            const SourceFile &file, DiagnosticEngine &diags,
                                            const InterpOptions &options = {});

/// The first value of a variable, from its initialiser. Random initialisers use a documented
/// generator (SplitMix64, Box-Muller) seeded with the given seed or 0, so runs repeat.
Array initialValue(const ir::VariableDecl &variable);

} // namespace lamina
