#pragma once

// lamina's abstract syntax tree.
//
// Every node carries the byte range of the source it came from. Nodes live in the arena of
// their Module and point at each other with plain pointers, so destroying a tree never
// recurses, however deep it is. Left-associative operator chains (`a + b - c`, `x and y`)
// are one n-ary BinaryChain node rather than a left-leaning spine: the depth of the tree is
// bounded by the nesting the parser admits, so every recursive walk stays shallow.

#include "compiler/diag/SourceRange.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace lamina::ast {

enum class NodeKind : uint8_t {
#define LAMINA_AST_EXPR(N) N,
#define LAMINA_AST_STMT(N) N,
#define LAMINA_AST_OTHER(N) N,
#include "compiler/ast/AstNodes.def"
};

std::string_view kindName(NodeKind kind);

struct Node {
  explicit Node(NodeKind k, SourceRange r) : kind(k), range(r) {}
  virtual ~Node() = default;
  Node(const Node &) = delete;
  Node &operator=(const Node &) = delete;

  const NodeKind kind;
  SourceRange range;
};

/// Checked downcast: returns null when `node` is not a `T`.
template <class T> T *dyn(Node *node) {
  return node && node->kind == T::kKind ? static_cast<T *>(node) : nullptr;
}
template <class T> const T *dyn(const Node *node) {
  return node && node->kind == T::kKind ? static_cast<const T *>(node) : nullptr;
}

bool isExpr(NodeKind kind);
bool isStmt(NodeKind kind);

using Expr = Node; // any node for which isExpr(kind) holds
using Stmt = Node; // any node for which isStmt(kind) holds

#define LAMINA_NODE_HEADER(N)                                                                      \
  static constexpr NodeKind kKind = NodeKind::N;                                                   \
  explicit N(SourceRange r) : Node(kKind, r) {}

// ------------------------------------------------------------------ operators

enum class UnaryOp : uint8_t { Neg, Pos, Not, Invert };
enum class BinaryOp : uint8_t {
  Add,
  Sub,
  Mul,
  Div,
  FloorDiv,
  Mod,
  MatMul,
  Pow,
  And,
  Or,
  BitAnd,
  BitOr,
  BitXor,
  LShift,
  RShift
};
enum class CompareOp : uint8_t { Lt, Gt, Eq, Ne, Le, Ge, Is, IsNot };

std::string_view spelling(UnaryOp op);
std::string_view spelling(BinaryOp op);
std::string_view spelling(CompareOp op);

/// Python's binding strength of the binary operators, loosest first; a chain holds operators
/// of one level (`a + b - c`, `m & n & o`).
enum class BinaryLevel : uint8_t {
  Or,
  And,
  BitOr,
  BitXor,
  BitAnd,
  Shift,
  Additive,
  Multiplicative,
  Power
};
BinaryLevel levelOf(BinaryOp op);

// ------------------------------------------------------------------ expressions

struct Name : Node {
  LAMINA_NODE_HEADER(Name)
  std::string id;
};

/// A numeric literal, already validated and converted (`1e-320` is a subnormal double).
struct Number : Node {
  LAMINA_NODE_HEADER(Number)
  bool isInteger = false;
  int64_t intValue = 0;
  double floatValue = 0.0;
};

struct String : Node {
  LAMINA_NODE_HEADER(String)
  std::string value; // escapes resolved; adjacent literals concatenated
};

struct Bool : Node {
  LAMINA_NODE_HEADER(Bool)
  bool value = false;
};

struct NoneLit : Node {
  LAMINA_NODE_HEADER(NoneLit)
};

struct EllipsisLit : Node {
  LAMINA_NODE_HEADER(EllipsisLit)
};

struct Unary : Node {
  LAMINA_NODE_HEADER(Unary)
  UnaryOp op = UnaryOp::Neg;
  Expr *operand = nullptr;
};

/// `operands[0] ops[0] operands[1] ops[1] …`, evaluated left to right. All ops of one chain
/// share a precedence level. `**` is right-associative, so a Pow chain has two operands.
struct BinaryChain : Node {
  LAMINA_NODE_HEADER(BinaryChain)
  std::vector<Expr *> operands;
  std::vector<BinaryOp> ops; // operands.size() - 1 of them
};

/// `a < b <= c` means `a < b and b <= c`, with `b` evaluated once.
struct Compare : Node {
  LAMINA_NODE_HEADER(Compare)
  std::vector<Expr *> operands;
  std::vector<CompareOp> ops;
};

struct IfExpr : Node {
  LAMINA_NODE_HEADER(IfExpr)
  Expr *condition = nullptr;
  Expr *thenValue = nullptr;
  Expr *elseValue = nullptr;
};

struct Keyword : Node {
  LAMINA_NODE_HEADER(Keyword)
  std::string name;
  SourceRange nameRange;
  Expr *value = nullptr;
};

struct Call : Node {
  LAMINA_NODE_HEADER(Call)
  Expr *callee = nullptr;
  std::vector<Expr *> args;
  std::vector<Keyword *> keywords; // always after the positional ones
};

struct Attribute : Node {
  LAMINA_NODE_HEADER(Attribute)
  Expr *object = nullptr;
  std::string name;
  SourceRange nameRange;
};

struct Subscript : Node {
  LAMINA_NODE_HEADER(Subscript)
  Expr *object = nullptr;
  std::vector<Expr *> indices; // Slice, EllipsisLit, NoneLit or any expression
};

/// `lower:upper:step`, each part optional.
struct Slice : Node {
  LAMINA_NODE_HEADER(Slice)
  Expr *lower = nullptr;
  Expr *upper = nullptr;
  Expr *step = nullptr;
};

struct List : Node {
  LAMINA_NODE_HEADER(List)
  std::vector<Expr *> elements;
};

struct Tuple : Node {
  LAMINA_NODE_HEADER(Tuple)
  std::vector<Expr *> elements;
};

struct Param : Node {
  LAMINA_NODE_HEADER(Param)
  std::string name;
  Expr *annotation = nullptr;   // `x: f32[B, 256]`, def parameters only
  Expr *defaultValue = nullptr; // `alpha=0.2`
};

struct Lambda : Node {
  LAMINA_NODE_HEADER(Lambda)
  std::vector<Param *> params;
  Expr *body = nullptr;
};

// ------------------------------------------------------------------ statements

/// `a = e` or, with several targets or a trailing comma, `a, b = e`.
struct Assign : Node {
  LAMINA_NODE_HEADER(Assign)
  std::vector<Name *> targets;
  bool unpack = false;
  Expr *value = nullptr;
};

struct AugAssign : Node {
  LAMINA_NODE_HEADER(AugAssign)
  Name *target = nullptr;
  BinaryOp op = BinaryOp::Add;
  Expr *value = nullptr;
};

struct ExprStmt : Node {
  LAMINA_NODE_HEADER(ExprStmt)
  Expr *value = nullptr;
};

/// `return a, b` holds a Tuple.
struct Return : Node {
  LAMINA_NODE_HEADER(Return)
  Expr *value = nullptr;
};

struct Def : Node {
  LAMINA_NODE_HEADER(Def)
  std::string name;
  SourceRange nameRange;
  std::vector<Param *> params;
  Expr *returnAnnotation = nullptr;
  std::vector<Stmt *> body; // ends with exactly one Return
};

#undef LAMINA_NODE_HEADER

struct Comment {
  SourceRange range;
  std::string text; // including the leading `#`
};

/// A parsed source: top-level items (Def, Lambda or statements) in order, and the comments,
/// which the canonical printer keeps. Owns every node.
class Module {
public:
  Module() = default;
  Module(const Module &) = delete;
  Module &operator=(const Module &) = delete;

  template <class T> T *make(SourceRange range) {
    auto node = std::make_unique<T>(range);
    T *raw = node.get();
    arena_.push_back(std::move(node));
    return raw;
  }
  size_t nodeCount() const { return arena_.size(); }

  std::vector<Node *> items;
  std::vector<Comment> comments;

private:
  std::vector<std::unique_ptr<Node>> arena_;
};

} // namespace lamina::ast
