#pragma once

// lamina's typed IR: what sema produces and every later stage consumes.
//
// A Function is a list of instructions in SSA form; an instruction's operands are earlier
// instructions, so the list is already in a valid evaluation order. Every value has a dtype
// and a shape (dimensions may be symbolic), and every instruction keeps the source range it
// came from, so a run-time failure names the same span a compile-time one would.
//
// Semantics, fixed here for every backend (docs/language.md gives the user's view):
// * Elementwise operations broadcast their operands to the result shape (NumPy rules). Their
//   operands already have one dtype: sema inserts the casts that promotion calls for.
// * f16/bf16 values are computed in f32 and rounded to the storage type after each operation.
// * Integers wrap on overflow (two's complement). `x // 0` and `x % 0` are 0 for integers;
//   `INT_MIN // -1` wraps to INT_MIN. Float `//` and `%` are NumPy's (divmod: 1.0 // 0.1 is 9,
//   the remainder has the divisor's sign).
// * NaN: max, min and their reductions propagate NaN; comparisons with NaN are false (`ne` is
//   true). A float cast to an integer truncates toward zero and saturates at the integer's
//   range; NaN casts to 0. Anything cast to bool is `!= 0` (NaN is true).
// * Round is half-to-even. Integer `**` with a negative exponent is 0 (1 and -1 keep their
//   powers). Empty reductions: sum 0, prod 1, float max/min NaN, integer max/min 0.
// * argmax/argmin: the first extreme wins; a NaN counts as the extreme. Gather clamps its
//   indices into range (negative ones count from the end first).

#include "compiler/diag/SourceRange.h"
#include "compiler/types/Array.h"
#include "compiler/types/Type.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace lamina::ir {

enum class Op : uint8_t {
#define LAMINA_IR_OP(Enum, Spelling, Category, Cost, Operands, Attributes, Gradient) Enum,
#include "compiler/ir/IrOps.def"
};

enum class OpCategory : uint8_t { Leaf, Unary, Binary, Compare, Select, Reduce, Other };

enum class OpCost : uint8_t { Cheap, Divide, Transcendental }; // IrOps.def

std::string_view spelling(Op op);
OpCategory categoryOf(Op op);
OpCost costOf(Op op);
bool takesFloatsOnly(Op op); // IrOps.def's Operands column
/// Whether `op` takes operands of `dtype` (IrOps.def's Operands column).
bool takesOperand(Op op, DType dtype);
/// Whether reverse-mode differentiation applies a rule to `op` (IrOps.def's Gradient column
/// Chain); Zero and Leaf operations pass no gradient to operands.
bool isDifferentiable(Op op);

using ValueId = uint32_t;

enum class PadMode : uint8_t { Constant, Reflect, Symmetric };

// An instruction's attributes, one set per kind of operation: IrOps.def's Attributes column
// names which, and the verifier checks it. Each is printed, compared and hashed through
// keyOf only.
struct NoAttrs {};
struct IndexAttrs {  // input, variable
  int64_t index = 0; // position in the function's inputs or variables
};
struct ValueAttrs {                   // constant
  std::shared_ptr<const Array> value; // already of the result type
};
struct SizeAttrs { // dim
  Dim size;
};
struct AxisAttrs { // iota, cumsum, cumprod, concat, gather
  int64_t axis = 0;
};
struct PermutationAttrs { // transpose: result axis i is operand axis perm[i]
  std::vector<int64_t> perm;
};
struct ReduceAttrs {         // reductions; argmax and argmin name one axis
  std::vector<int64_t> axes; // ascending
  bool keepdims = false;

  bool reduces(int64_t axis) const {
    return std::find(axes.begin(), axes.end(), axis) != axes.end();
  }
};
struct WindowAttrs { // slice: element k of axis i reads begins[i] + k * steps[i]
  std::vector<Dim> begins;
  std::vector<int64_t> steps;
};
struct PaddingAttrs {                            // pad
  std::vector<std::pair<int64_t, int64_t>> pads; // (before, after) per axis
  PadMode mode = PadMode::Constant;
  double value = 0; // PadMode::Constant
};

/// The alternatives in the order of IrOps.def's Attributes names (attributesIndex).
using Attributes = std::variant<NoAttrs, IndexAttrs, ValueAttrs, SizeAttrs, AxisAttrs,
                                PermutationAttrs, ReduceAttrs, WindowAttrs, PaddingAttrs>;

/// The index in Attributes of the set IrOps.def gives `op`.
size_t attributesIndex(Op op);

struct Instr {
  Instr(Op o, TensorType t, std::vector<ValueId> ops, SourceRange r, Attributes a = NoAttrs{})
      : op(o), type(std::move(t)), operands(std::move(ops)), range(r), attributes(std::move(a)) {}

  Op op;
  TensorType type;
  std::vector<ValueId> operands;
  SourceRange range;
  Attributes attributes;

  /// The attribute set of kind `A`; asking for another kind than the instruction carries is a
  /// lamina bug (the verifier checks the kind against IrOps.def).
  template <class A> const A &get() const {
    const A *a = std::get_if<A>(&attributes);
    if (!a)
      wrongAttributes();
    return *a;
  }
  template <class A> A &get() { return const_cast<A &>(std::as_const(*this).get<A>()); }

private:
  [[noreturn]] void wrongAttributes() const;
};

/// A parameter of the entry point that receives a tensor (one element of a list parameter is
/// one Input of its own).
struct InputDecl {
  std::string name; // `x`, or `t[1]` for the second tensor of list parameter `t`
  TensorType type;
  size_t binding = 0; // which of the caller's inputs (SemaRequest::inputs) feeds it
};

/// How a variable gets its first value (docs/language.md, "Variables and initialisers").
struct Function;

struct Initializer {
  enum Kind : uint8_t { Constant, Computed, RandomNormal, RandomUniform, GlorotUniform };
  Kind kind = Constant;
  std::shared_ptr<const Array> value; // Constant (a scalar is broadcast to the shape)
  /// Computed: a function of no inputs whose one output is the value (`0.25 * ones([6])`),
  /// run once when the variable is made.
  std::shared_ptr<const Function> program;
  double a = 0, b = 0; // normal: mean, stddev; uniform: minval, maxval
  std::optional<int64_t> seed;
};

struct VariableDecl {
  std::string name;
  TensorType type;
  bool trainable = true;
  /// The random generators' call number: the runtime adds one after every call (Random.cpp).
  bool callCounter = false;
  Initializer init;
  SourceRange range;
};

struct Function {
  std::string name;
  std::vector<Instr> instrs;
  std::vector<InputDecl> inputs;
  std::vector<VariableDecl> variables;
  std::vector<ValueId> outputs;

  const TensorType &typeOf(ValueId id) const { return instrs[id].type; }
};

/// Checks the invariants above; returns the first violation, empty when the function is
/// well formed. Sema's output always verifies: a failure is a lamina bug, not a user error.
std::string verify(const Function &function);

/// Drops every instruction no output depends on and renumbers the rest, in order (operands
/// always point earlier). `keepInputs` keeps the Input instructions even when unread, as sema
/// does so every declared input keeps its value. The one dead-code removal: sema and the
/// transforms' pass both call it.
void removeDeadCode(Function &function, bool keepInputs);

/// The textual form printed by `lamina emit --stage ir`.
std::string print(const Function &function);

/// An instruction as one string: the printer's text (its operation, operands, the attributes
/// the operation reads, its type) and a constant's bytes. Equal keys compute the same value:
/// CSE merges instructions by it. The one serialization of an instruction, shared by the
/// printer, CSE and the kernel cache.
std::string keyOf(const Function &function, const Instr &instr);
/// A function as one string for the kernel cache: the printed function, every constant's
/// bytes and each input's binding.
std::string keyOf(const Function &function);

} // namespace lamina::ir
