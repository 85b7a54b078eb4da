#pragma once

// The IR-to-IR passes, one per file, each keeping the function's meaning exactly as the
// reference interpreter defines it (compiler/ir/Ir.h): a rewrite that would change a single
// bit of any result is not made, except where a comment says which ULP bound it stays within.

#include "compiler/ir/Ir.h"

namespace lamina::transforms {

/// Evaluates operations whose operands are all constants (small results only), with the
/// reference interpreter, so folding means exactly what running would.
void foldConstants(ir::Function &fn);

/// Local rewrites: `x ** 2` is `x * x`, division by a power of two is a multiplication,
/// identity casts, reshapes, broadcasts and transposes disappear.
void simplify(ir::Function &fn);

/// Common subexpressions: two operations with the same operation, operands and attributes
/// become one.
void eliminateCommonSubexpressions(ir::Function &fn);

/// Drops instructions no output depends on and renumbers the rest in order.
void eliminateDeadCode(ir::Function &fn);

/// Rewrites every use of value v into replacement[v], then drops what is dead. Shared by the
/// passes above.
void replaceAndCompact(ir::Function &fn, const std::vector<ir::ValueId> &replacement);

} // namespace lamina::transforms
