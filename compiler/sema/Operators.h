#pragma once

// Python's operators on sema values: compile-time arithmetic on numbers, sequences and
// shapes; typed IR for tensors, with the promotion rules of docs/language.md, "Types" (weak
// scalars, NumPy's table, `/` on integers gives the default float, bool arithmetic as NumPy's).

#include "compiler/sema/Context.h"

namespace lamina::sema {

Value binaryOp(Context &ctx, ast::BinaryOp op, const Value &a, const Value &b, SourceRange r);
Value compareOp(Context &ctx, ast::CompareOp op, const Value &a, const Value &b, SourceRange r);
Value unaryOp(Context &ctx, ast::UnaryOp op, const Value &a, SourceRange r);

/// Whether `v` can take part in tensor arithmetic: a tensor, a number, or a (nested) list of
/// numbers or tensors.
bool isTensorLike(const Value &v);

/// The dtype that `values` promote to (tensors strong, numbers and number lists weak).
/// Reports E0401 when every operand is bool and `arithmetic` is set (bools meeting numbers
/// promote, as in NumPy).
std::optional<DType> promoteValues(Context &ctx, const std::vector<Value> &values,
                                   std::string_view opName, bool arithmetic, SourceRange r);

/// Converts a tensor-like value to a tensor of `dtype` (or its own/default type).
MaybeId toTensor(Context &ctx, const Value &v, std::optional<DType> dtype = std::nullopt);

/// Promotes `values` together and applies an elementwise op: the workhorse of the operators
/// and of the elementwise builtins.
Value applyElementwise(Context &ctx, ir::Op op, const std::vector<Value> &values,
                       std::string_view opName, SourceRange r);

/// `and`, `or` and logical_and/or/xor: bool operands only (NumPy's bitwise `&` is
/// applyElementwise on And, which also takes integers).
Value applyLogical(Context &ctx, ir::Op op, const std::vector<Value> &values,
                   std::string_view opName, SourceRange r);

/// Unary math that is only defined on floats (`exp`, `sqrt`, ...): integers and bools are
/// first converted to the default float, as in JAX.
Value applyFloatUnary(Context &ctx, ir::Op op, const Value &v, SourceRange r);

} // namespace lamina::sema
