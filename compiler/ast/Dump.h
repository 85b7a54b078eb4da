#pragma once

#include "compiler/ast/Ast.h"
#include "compiler/diag/SourceFile.h"

#include <string>

namespace lamina::ast {

/// `lamina emit --stage ast`: one node per line, indented by depth, with its fields and its
/// source range as `@line:col-line:col` (end exclusive), e.g.
///
///     Lambda (x) @1:1-1:16
///       Param x @1:8-1:9
///       body: BinaryChain ** @1:11-1:17
std::string dump(const Module &module, const SourceFile &file);

/// The same for one node, without ranges.
std::string dumpNode(const Node &node);

/// True when `a` and `b` have the same shape and fields, ignoring source ranges and comments.
bool structurallyEqual(const Module &a, const Module &b);
bool structurallyEqual(const Node &a, const Node &b);

} // namespace lamina::ast
