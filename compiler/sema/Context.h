#pragma once

// What every part of sema shares: the diagnostics, the function being built, and the
// operations that append typed IR. The shape and dtype rules of the IR's operations live in
// these emitters (Emit.cpp), so every builtin that reshapes, reduces or broadcasts reports
// the same errors in the same words.

#include "compiler/diag/Diagnostic.h"
#include "compiler/sema/Sema.h"
#include "compiler/sema/Value.h"

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <vector>

namespace lamina::sema {

using ir::ValueId;
using MaybeId = std::optional<ValueId>;

/// The library whose numeric conventions apply to the builtin being lowered, where they differ
/// from lamina's own (docs/language.md, "Aliases"). Lamina, Keras, TensorFlow and JAX (without
/// x64) compute a float function of integers in the default float; NumPy in the smallest
/// float that holds every value (int8 -> float16, int16 -> float32, wider -> float64), and an
/// integer array meeting a Python float in float64.
enum class Library : uint8_t { Lamina, NumPy };

class Context {
public:
  Context(const SourceFile &sourceFile, DiagnosticEngine &engine, const SemaLimits &semaLimits,
          ir::Function &function)
      : file(&sourceFile), diags(engine), limits(semaLimits), fn(function) {}

  /// The source being evaluated: the program's, or while a shared def's body runs
  /// (SemaRequest::defs), that def's, so its diagnostics point into the text it was typed in.
  const SourceFile *file;
  /// While a shared def's body runs: the range of the call in the program. The instructions
  /// it emits carry it, so a run-time error (reported against the program) points at the call.
  std::optional<SourceRange> callSite;
  DiagnosticEngine &diags;
  const SemaLimits &limits;
  ir::Function &fn;
  std::set<std::string> variableNames;
  /// Random builtins called so far (Random.cpp): each call's ordinal is part of its Philox
  /// key, so draws differ even unseeded or with one seed, in the order the source calls them.
  /// A value drawn once is the same tensor wherever it is used (`eps` used twice).
  int64_t randomCalls = 0;
  uint64_t randomSeed = 0; // SemaRequest::randomSeed
  std::map<std::shared_ptr<const ir::Initializer>, int64_t> randomOrdinal;
  std::map<std::shared_ptr<const ir::Initializer>, ValueId> drawn;
  /// Whose conventions the builtin being lowered follows: set from the module its spelling
  /// names for the whole of its lowering (LibraryScope, Evaluator.cpp).
  Library library = Library::Lamina;
  /// The float a float function computes an integer or bool tensor of `t` in.
  DType floatFor(DType t) const;
  /// Whether `v` is computed from compile-time values only (no input or variable reaches it):
  /// such a tensor is weak, like a Python number, when it meets one computed from the inputs.
  bool isCompileTime(ValueId v);
  /// The entry's `training` argument, as Keras's learning phase (False when it has none).
  Value training = Value::boolean(false, SourceRange{});
  /// isCompileTime's answers so far, by value id (the IR only grows, so they stay true).
  std::vector<bool> compileTime;
  /// Set once the IR outgrows limits.maxOperations: evaluation then stops at once.
  bool tooLarge = false;
  /// Extra rank allowed for intermediates a builtin makes on its way (tile interleaves
  /// [r0, d0, r1, d1, ...]); results are always held to limits.maxRank.
  size_t rankAllowance = 0;

  /// Reports a diagnostic and returns the error value that stands in for the result.
  template <class... Args> Value fail(DiagKind kind, SourceRange range, const Args &...args) {
    diags.report(kind, *file, range, args...);
    return Value::error(range);
  }
  template <class... Args>
  Value failWithLabel(std::string label, DiagKind kind, SourceRange range, const Args &...args) {
    diags.emit(makeDiagnostic(kind, *file, range, args...).withLabel(std::move(label)));
    return Value::error(range);
  }
  std::string describe(const Value &v) const { return sema::describe(v, fn); }

  // ---------------------------------------------------------------- IR emission
  /// By value: appending an instruction may move every type, so a reference would dangle.
  TensorType typeOf(ValueId v) const { return fn.typeOf(v); }
  ValueId append(ir::Instr instr);
  ValueId scalar(DType type, double value, SourceRange r);
  ValueId scalarInt(DType type, int64_t value, SourceRange r);
  ValueId constant(Array value, SourceRange r);
  ValueId cast(ValueId v, DType to, SourceRange r);
  /// The value of a (possibly symbolic) size as a 0-d tensor of `type`.
  ValueId dimValue(const Dim &d, DType type, SourceRange r);

  /// Shape rules. Each reports its error at `r` and returns nothing on failure.
  std::optional<Shape> broadcastShapes(const Shape &a, const Shape &b, SourceRange r);
  std::optional<int64_t> normalizeAxis(int64_t axis, size_t rank, SourceRange r);
  bool checkShape(const Shape &shape, SourceRange r); // rank limit, non-negative, no overflow

  /// Elementwise op on operands already of one dtype (promotion happens before).
  MaybeId elementwise(ir::Op op, std::vector<ValueId> operands, SourceRange r);
  MaybeId unary(ir::Op op, ValueId v, SourceRange r);
  /// `axes` normalized, sorted and unique.
  ValueId reduce(ir::Op op, ValueId v, std::vector<int64_t> axes, bool keepdims, SourceRange r);
  MaybeId reshape(ValueId v, Shape shape, SourceRange r);
  ValueId transpose(ValueId v, std::vector<int64_t> perm, SourceRange r);
  MaybeId broadcastTo(ValueId v, const Shape &shape, SourceRange r);
  ValueId slice(ValueId v, std::vector<Dim> begins, std::vector<int64_t> steps, Shape shape,
                SourceRange r);
  MaybeId concat(const std::vector<ValueId> &values, int64_t axis, SourceRange r,
                 std::string_view verb = "concatenate");
  ValueId iota(Shape shape, int64_t axis, DType type, SourceRange r);
  MaybeId matmul(ValueId a, ValueId b, SourceRange r);
  ValueId op(ir::Op op, std::vector<ValueId> operands, TensorType type, SourceRange r);
};

} // namespace lamina::sema
