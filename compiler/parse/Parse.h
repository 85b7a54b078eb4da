#pragma once

// The parse stage: source text in, lamina AST out. The only code in lamina that sees ANTLR;
// nothing ANTLR-shaped leaves this folder.

#include "compiler/ast/Ast.h"
#include "compiler/diag/Diagnostic.h"

#include <cstddef>
#include <memory>

namespace lamina {

/// The limits of docs/language.md, "Limits", each checked before the stage it protects: the
/// size and encoding before lexing, the nesting depth on the token list before ANTLR (which has
/// no recursion limit), the node count while building the AST (before any later stage walks
/// it).
struct ParseLimits {
  size_t maxSourceBytes = 64 * 1024;
  unsigned maxNestingDepth = 256;
  size_t maxNodes = 10'000;
};

/// Parses `file`. Returns the module, or null after reporting at least one error to `diags`.
/// Thread-safe: parses are serialized behind one mutex (ANTLR 4.9's generated parsers share
/// static caches) and run on a thread with a large stack, so a caller's small stack never
/// limits how deep the admitted nesting may go.
std::unique_ptr<ast::Module> parse(const SourceFile &file, DiagnosticEngine &diags,
                                   const ParseLimits &limits = {});

} // namespace lamina
