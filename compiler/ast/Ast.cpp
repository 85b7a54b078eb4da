#include "compiler/ast/Ast.h"

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
  constexpr std::string_view names[] = {"-", "+", "not"};
  return names[static_cast<size_t>(op)];
}

std::string_view spelling(BinaryOp op) {
  constexpr std::string_view names[] = {"+", "-", "*", "/", "//", "%", "@", "**", "and", "or"};
  return names[static_cast<size_t>(op)];
}

std::string_view spelling(CompareOp op) {
  constexpr std::string_view names[] = {"<", ">", "==", "!=", "<=", ">=", "is", "is not"};
  return names[static_cast<size_t>(op)];
}

} // namespace lamina::ast
