#pragma once

// Binding a typed function to actual arrays: the symbols of its input types get their sizes
// from the arrays, and every instruction gets concrete dimensions. This is where symbolic
// shapes become the precise run-time checks of docs/language.md, "Shapes": a broadcast,
// concatenation or matrix product that sema could only accept symbolically is checked here and
// reported at the operator's own source range.

#include "compiler/diag/Diagnostic.h"
#include "compiler/ir/Ir.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lamina::interp_detail {

using Bindings = std::map<std::string, int64_t>;

/// Binds every symbol in the input types to the sizes of `inputs`; reports E0702 for a wrong
/// dtype, rank or size and E0704 for a symbol given two sizes.
std::optional<Bindings> bindSymbols(const ir::Function &fn, const std::vector<Array> &inputs,
                                    const SourceFile &file, DiagnosticEngine &diags);

/// The instructions of `fn` with every dimension, slice start and size value made concrete,
/// after checking each instruction's shapes fit (E0701, E0508).
std::optional<std::vector<ir::Instr>> specialize(const ir::Function &fn, const Bindings &symbols,
                                                 const SourceFile &file, DiagnosticEngine &diags);

/// The values one call defines, each with its bytes at 8 an element, the interpreter's
/// representation whatever the dtype (UINT64_MAX when the count overflows), in program order,
/// then the outputs that are inputs or variables (copied out); not the inputs and variables
/// themselves, which the caller owns. `concrete` comes from specialize(). Both engines apply
/// the one budget rule to it.
std::vector<std::pair<SourceRange, uint64_t>> footprint(const std::vector<ir::Instr> &concrete,
                                                        const std::vector<ir::ValueId> &outputs);

/// Whether the footprint fits `budget`; E0703 at the value whose bytes cross it.
bool withinBudget(const std::vector<std::pair<SourceRange, uint64_t>> &footprint, uint64_t budget,
                  const SourceFile &file, DiagnosticEngine &diags);

} // namespace lamina::interp_detail
