#pragma once

// Binding a typed function to actual arrays: the symbols of its input types get their sizes
// from the arrays, and every instruction gets concrete dimensions. This is where symbolic
// shapes become the precise run-time checks of LANGUAGE.md §3: a broadcast, concatenation or
// matrix product that sema could only accept symbolically is checked here and reported at the
// operator's own source range.

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

} // namespace lamina::interp_detail
