#include "compiler/ast/Ast.h"

#include "compiler/support/Unreachable.h"

namespace lamina::ast {

std::string_view kindName(NodeKind kind) {
  switch (kind) {
#define LAMINA_AST_EXPR(N)                                                                         \
  case NodeKind::N:                                                                                \
    return #N;
#define LAMINA_AST_STMT(N) LAMINA_AST_EXPR(N)
#define LAMINA_AST_OTHER(N) LAMINA_AST_EXPR(N)
#include "compiler/ast/AstNodes.def"
  }
  return "?";
}

bool isExpr(NodeKind kind) {
  switch (kind) {
#define LAMINA_AST_EXPR(N) case NodeKind::N:
#include "compiler/ast/AstNodes.def"
    return true;
#define LAMINA_AST_STMT(N) case NodeKind::N:
#define LAMINA_AST_OTHER(N) case NodeKind::N:
#include "compiler/ast/AstNodes.def"
    return false;
  }
  return false;
}

bool isStmt(NodeKind kind) {
  switch (kind) {
#define LAMINA_AST_STMT(N) case NodeKind::N:
#include "compiler/ast/AstNodes.def"
    return true;
#define LAMINA_AST_EXPR(N) case NodeKind::N:
#define LAMINA_AST_OTHER(N) case NodeKind::N:
#include "compiler/ast/AstNodes.def"
    return false;
  }
  return false;
}

std::string_view spelling(UnaryOp op) {
  constexpr std::string_view names[] = {"-", "+", "not", "~"};
  return names[static_cast<size_t>(op)];
}

std::string_view spelling(BinaryOp op) {
  constexpr std::string_view names[] = {"+",   "-",  "*", "/", "//", "%",  "@", "**",
                                        "and", "or", "&", "|", "^",  "<<", ">>"};
  return names[static_cast<size_t>(op)];
}

BinaryLevel levelOf(BinaryOp op) {
  switch (op) {
  case BinaryOp::Or:
    return BinaryLevel::Or;
  case BinaryOp::And:
    return BinaryLevel::And;
  case BinaryOp::BitOr:
    return BinaryLevel::BitOr;
  case BinaryOp::BitXor:
    return BinaryLevel::BitXor;
  case BinaryOp::BitAnd:
    return BinaryLevel::BitAnd;
  case BinaryOp::LShift:
  case BinaryOp::RShift:
    return BinaryLevel::Shift;
  case BinaryOp::Add:
  case BinaryOp::Sub:
    return BinaryLevel::Additive;
  case BinaryOp::Mul:
  case BinaryOp::Div:
  case BinaryOp::FloorDiv:
  case BinaryOp::Mod:
  case BinaryOp::MatMul:
    return BinaryLevel::Multiplicative;
  case BinaryOp::Pow:
    return BinaryLevel::Power;
  }
  LAMINA_UNREACHABLE("not a binary operator");
}

std::string_view spelling(CompareOp op) {
  constexpr std::string_view names[] = {"<", ">", "==", "!=", "<=", ">=", "is", "is not"};
  return names[static_cast<size_t>(op)];
}

} // namespace lamina::ast
