#pragma once

#include "compiler/ast/Ast.h"

#include <string>
#include <string_view>

namespace lamina::ast {

/// The canonical text of a module (docs/language.md, "Canonical text"): one statement per
/// line, a `def` body indented by four spaces, single spaces around binary operators, none
/// around `=` of a keyword, double-quoted strings, the shortest round-tripping spelling of every
/// number, parentheses only where precedence needs them. Comments are kept: a comment on a
/// statement's line stays after it, any other comment moves to its own line before the
/// statement it precedes or sits inside. `source` is the text the module was parsed from.
///
/// Guarantees (tested over the whole corpus): fmt(fmt(s)) == fmt(s), and parse(fmt(s)) is
/// structurally equal to parse(s).
std::string printModule(const Module &module, std::string_view source);

/// One expression in canonical form, without comments.
std::string printExpr(const Node &expr);

} // namespace lamina::ast
