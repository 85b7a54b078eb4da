// The IR verifier: sema's output must satisfy these rules, and every later pass must keep
// them. A violation is a lamina bug, so messages are for lamina's developers.

#include "compiler/ir/Ir.h"

#include "compiler/support/Unreachable.h"

#include <fmt/format.h>

namespace lamina::ir {
namespace {

// An operand dimension broadcasts to a result dimension when it equals it, is 1, or is
// symbolic (then the program checks it at run time).
bool broadcastsTo(const Shape &from, const Shape &to) {
  if (from.size() > to.size())
    return false;
  size_t offset = to.size() - from.size();
  for (size_t i = 0; i < from.size(); ++i) {
    const Dim &f = from[i], &t = to[offset + i];
    if (!(f == t || f == Dim(1) || !f.isConstant() || !t.isConstant()))
      return false;
  }
  return true;
}

std::string checkInstr(const Function &f, ValueId id) {
  const Instr &in = f.instrs[id];
  for (const Dim &d : in.type.shape)
    if (d.isConstant() && d.constant() < 0)
      return "result has a negative size";
  for (ValueId v : in.operands)
    if (v >= id)
      return fmt::format("operand %{} is not defined before its use", v);
  auto operand = [&](size_t i) -> const TensorType & { return f.typeOf(in.operands[i]); };
  // Select's condition is bool by its own rule below; its values follow the Operands column.
  for (size_t i = in.op == Op::Select ? 1 : 0; i < in.operands.size(); ++i)
    if (DType t = f.typeOf(in.operands[i]).dtype; !takesOperand(in.op, t))
      return fmt::format("{} does not take {} operands", spelling(in.op), shortName(t));
  auto arity = [&](size_t n) -> std::string {
    return in.operands.size() == n
               ? ""
               : fmt::format("expects {} operands, has {}", n, in.operands.size());
  };
  if (in.attributes.index() != attributesIndex(in.op))
    return "carries the attributes of another kind of operation";
  if (const auto *a = std::get_if<AxisAttrs>(&in.attributes)) {
    size_t rank = in.operands.empty() ? in.type.rank() : operand(0).rank();
    if (a->axis < 0 || size_t(a->axis) >= rank)
      return "axis out of range";
  }
  switch (categoryOf(in.op)) {
  case OpCategory::Leaf:
    if (auto e = arity(0); !e.empty())
      return e;
    if (in.op == Op::Constant) {
      const auto &value = in.get<ValueAttrs>().value;
      if (!value || value->dtype != in.type.dtype ||
          knownElementCount(in.type.shape) != value->elementCount())
        return "constant value does not match its type";
    }
    if (in.op == Op::Input && size_t(in.get<IndexAttrs>().index) >= f.inputs.size())
      return "input index out of range";
    if (in.op == Op::Variable && size_t(in.get<IndexAttrs>().index) >= f.variables.size())
      return "variable index out of range";
    return "";
  case OpCategory::Unary: {
    if (auto e = arity(1); !e.empty())
      return e;
    if (operand(0).shape != in.type.shape)
      return "result shape differs from the operand's";
    bool predicate = in.op == Op::IsNan || in.op == Op::IsInf || in.op == Op::IsFinite;
    if (predicate && in.type.dtype != DType::Bool)
      return "predicate result is not bool";
    if (!predicate && in.op != Op::Cast && operand(0).dtype != in.type.dtype)
      return "result dtype differs from the operand's";
    return "";
  }
  case OpCategory::Binary:
  case OpCategory::Compare:
  case OpCategory::Select: {
    size_t n = categoryOf(in.op) == OpCategory::Select ? 3 : 2;
    if (auto e = arity(n); !e.empty())
      return e;
    size_t first = n == 3 ? 1 : 0;
    if (n == 3 && operand(0).dtype != DType::Bool)
      return "select condition is not bool";
    if (operand(first).dtype != operand(first + 1).dtype)
      return "operands have different dtypes";
    DType expected = categoryOf(in.op) == OpCategory::Compare ? DType::Bool : operand(first).dtype;
    if (in.type.dtype != expected)
      return "result dtype is wrong";
    for (size_t i = 0; i < n; ++i)
      if (!broadcastsTo(operand(i).shape, in.type.shape))
        return fmt::format("operand {} does not broadcast to the result shape", i);
    return "";
  }
  case OpCategory::Reduce: {
    if (auto e = arity(1); !e.empty())
      return e;
    int64_t rank = int64_t(operand(0).rank());
    const auto &[axes, keepdims] = in.get<ReduceAttrs>();
    for (size_t i = 0; i < axes.size(); ++i)
      if (axes[i] < 0 || axes[i] >= rank || (i && axes[i] <= axes[i - 1]))
        return "reduction axes are not sorted, unique and in range";
    size_t expectedRank = keepdims ? size_t(rank) : size_t(rank) - axes.size();
    if (in.type.rank() != expectedRank)
      return "reduction result has the wrong rank";
    return "";
  }
  case OpCategory::Other:
    break;
  }
  switch (in.op) {
  case Op::Reshape:
    if (auto e = arity(1); !e.empty())
      return e;
    if (elementCount(operand(0).shape) != elementCount(in.type.shape) &&
        knownElementCount(operand(0).shape) && knownElementCount(in.type.shape))
      return "reshape changes the element count";
    return "";
  case Op::Transpose: {
    if (auto e = arity(1); !e.empty())
      return e;
    const std::vector<int64_t> &perm = in.get<PermutationAttrs>().perm;
    if (perm.size() != operand(0).rank() || in.type.rank() != operand(0).rank())
      return "permutation length differs from the rank";
    for (size_t i = 0; i < perm.size(); ++i)
      if (perm[i] < 0 || size_t(perm[i]) >= perm.size() ||
          !(operand(0).shape[size_t(perm[i])] == in.type.shape[i]))
        return "permutation does not match the result shape";
    return "";
  }
  case Op::Slice: {
    if (auto e = arity(1); !e.empty())
      return e;
    const auto &[begins, steps] = in.get<WindowAttrs>();
    if (begins.size() != operand(0).rank() || steps.size() != operand(0).rank() ||
        in.type.rank() != operand(0).rank())
      return "slice has the wrong number of axes";
    for (int64_t step : steps)
      if (step == 0)
        return "slice step is zero";
    return "";
  }
  case Op::Concat:
    if (in.operands.empty())
      return "concat has no operands";
    for (size_t i = 0; i < in.operands.size(); ++i)
      if (operand(i).rank() != in.type.rank() || operand(i).dtype != in.type.dtype)
        return "concat operands differ in rank or dtype";
    return "";
  case Op::Gather:
    if (auto e = arity(2); !e.empty())
      return e;
    if (!isInteger(operand(1).dtype))
      return "gather indices are not integers";
    return "";
  case Op::Pad:
    if (auto e = arity(1); !e.empty())
      return e;
    if (in.get<PaddingAttrs>().pads.size() != operand(0).rank())
      return "pad has the wrong number of axes";
    return "";
  case Op::MatMul:
    if (auto e = arity(2); !e.empty())
      return e;
    if (operand(0).rank() < 2 || operand(1).rank() < 2 || operand(0).dtype != operand(1).dtype)
      return "matmul operands must be of rank 2 or more and of one dtype";
    return "";
  case Op::CumSum: // one operand, its shape and dtype (above)
  case Op::CumProd:
  case Op::Broadcast:
    if (auto e = arity(1); !e.empty())
      return e;
    return "";
#define LAMINA_SKIP_OTHER
#include "compiler/ir/OpCases.inc"
    LAMINA_UNREACHABLE("checked by category (above)");
  }
  LAMINA_UNREACHABLE("not an operation");
}

} // namespace

std::string verify(const Function &f) {
  for (ValueId id = 0; id < f.instrs.size(); ++id)
    if (std::string error = checkInstr(f, id); !error.empty())
      return fmt::format("%{} = {}: {}", id, spelling(f.instrs[id].op), error);
  if (f.outputs.empty())
    return "function has no outputs";
  for (ValueId v : f.outputs)
    if (v >= f.instrs.size())
      return fmt::format("output %{} is not defined", v);
  return "";
}

} // namespace lamina::ir
