#pragma once

// The AST walk at the heart of sema: evaluates expressions and statements to sema values,
// resolving names lexically, inlining helper `def`s, and calling builtins.

#include "compiler/sema/Context.h"

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace lamina::sema {

class Evaluator {
public:
  Evaluator(Context &ctx, const ast::Module &module);
  /// Makes defs typed in other sources callable; the module's own defs keep their names.
  void addSharedDefs(const std::vector<SharedDef> &defs);

  /// Names visible everywhere that no local shadows: expression mode binds its inputs here.
  std::map<std::string, Value> globals;
  /// The compile-time arguments the caller gave (Keras's `arguments`, `training`): a branch
  /// skipped on them alone would run with other arguments, so its types are checked too.
  std::set<std::string> arguments;

  Value eval(const ast::Expr *expr);
  /// Runs a `def` body (or a top-level statement list) in a fresh frame that starts with
  /// `bindings`; returns the value of the `return` (or of the last expression statement when
  /// `lastExpressionIsResult`).
  /// `frameOut`, when given, receives the frame's names as the body leaves them.
  Value run(const std::vector<ast::Stmt *> &body, std::map<std::string, Value> bindings,
            bool lastExpressionIsResult, SourceRange where,
            std::map<std::string, Value> *frameOut = nullptr);
  /// Evaluates a lambda body in a frame holding `bindings`.
  Value evalWith(const ast::Expr *body, std::map<std::string, Value> bindings);
  /// Evaluates a parameter default or a constant outside any frame.
  Value evalConstant(const ast::Expr *expr);

  /// Text of the source between the range's ends (for `calledAs` in messages).
  std::string_view textOf(SourceRange r) const;
  SourceRange operatorRange(SourceRange lhs, SourceRange rhs, std::string_view spelling) const;

private:
  Value lookup(const ast::Name &name);
  Value attribute(const ast::Attribute &node);
  Value call(const ast::Call &node);
  /// Python's int(), float(), bool() of a compile-time number.
  Value pythonConversion(std::string_view to, const Value &v, SourceRange r);
  Value callDef(const ast::Def &def, std::vector<Value> positional,
                std::vector<std::pair<std::string, Value>> keywords, SourceRange r);
  /// A def's parameters bound to a call's arguments as Python binds them (E0315-E0318).
  std::optional<std::map<std::string, Value>>
  bindDef(const ast::Def &def, std::vector<Value> positional,
          std::vector<std::pair<std::string, Value>> keywords, SourceRange r);
  /// A branch that a compile-time condition skips (`a if True else b`, `False and b`):
  /// nothing runs, but its names, the builtins and defs it calls and their arities are
  /// checked, so a typo cannot hide until the branch is taken (Untaken.cpp).
  void checkUntaken(const ast::Expr *expr);
  /// A branch skipped because `conditions` are known: checkUntaken, and, when the conditions
  /// read only literals and arguments and the branch reads none of their names, the branch is
  /// evaluated on the side; an error there is reported as warning W0001 (Untaken.cpp).
  void skipBranch(std::vector<const ast::Expr *> conditions, const ast::Expr *branch);
  /// What a name or dotted name is, without evaluating anything; nothing when that depends on
  /// a value (an attribute of a tensor). Unknown names are reported.
  std::optional<Value> resolveStatically(const ast::Expr *expr);
  Value callMethod(const Value &method, std::vector<Value> positional,
                   std::vector<std::pair<std::string, Value>> keywords, SourceRange r);
  Value subscript(const ast::Subscript &node);
  Value chain(const ast::BinaryChain &node);
  Value compare(const ast::Compare &node);
  Value ifExpr(const ast::IfExpr &node);
  void assign(const ast::Assign &node);
  void bind(const std::string &name, Value value) { (*frame_)[name] = std::move(value); }
  std::vector<std::string> visibleNames() const;
  /// The source a shared def was typed in; null for the program's own defs.
  const SourceFile *sharedFileOf(const ast::Def &def) const;

  Context &ctx_;
  std::map<std::string, const ast::Def *> defs_;
  std::map<const ast::Def *, const SourceFile *> sharedFiles_; // the shared defs' sources
  std::map<std::string, Value> *frame_ = nullptr;
  std::vector<const ast::Def *> callStack_;
};

/// Did-you-mean: the candidate closest to `name` by edit distance, if any is close enough.
std::optional<std::string> closestName(std::string_view name,
                                       const std::vector<std::string> &candidates);

/// Parses a type annotation such as `f32[B, 256]`; reports E0412 and returns nothing if it is
/// not one.
std::optional<TensorType> parseAnnotation(Context &ctx, const ast::Expr *annotation);

/// One item of a subscript, evaluated.
struct IndexItem {
  enum Kind : uint8_t { Single, Slice, NewAxis, Ellipsis } kind = Single;
  Value value;              // Single: an int or an integer tensor
  Value lower, upper, step; // Slice: None when absent
  SourceRange range;
};

/// Indexing a tensor: ints, slices, None, `...` and integer tensors (a gather).
Value indexTensor(Context &ctx, const Value &x, const std::vector<IndexItem> &items, SourceRange r);
/// Indexing a list, tuple or shape with an int or a slice.
Value indexSeq(Context &ctx, const Value &seq, const std::vector<IndexItem> &items, SourceRange r);

} // namespace lamina::sema
