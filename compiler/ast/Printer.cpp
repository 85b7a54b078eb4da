#include "compiler/ast/Printer.h"

#include "compiler/ast/Literals.h"
#include "compiler/support/Unreachable.h"

namespace lamina::ast {

namespace {

// Binding strength, loosest first (Python's table).
enum Prec : int {
  kLambda = 1,
  kTest = 2, // a if c else b: any expression that is not a bare tuple
  kOr = 3,
  kAnd = 4,
  kNot = 5,
  kCompare = 6,
  kBitOr = 7,
  kBitXor = 8,
  kBitAnd = 9,
  kShift = 10,
  kAdditive = 11,
  kMultiplicative = 12,
  kUnary = 13,
  kPower = 14,
  kPostfix = 15,
  kAtom = 16,
};

int binaryPrec(BinaryOp op) {
  switch (levelOf(op)) {
  case BinaryLevel::Or:
    return kOr;
  case BinaryLevel::And:
    return kAnd;
  case BinaryLevel::BitOr:
    return kBitOr;
  case BinaryLevel::BitXor:
    return kBitXor;
  case BinaryLevel::BitAnd:
    return kBitAnd;
  case BinaryLevel::Shift:
    return kShift;
  case BinaryLevel::Additive:
    return kAdditive;
  case BinaryLevel::Multiplicative:
    return kMultiplicative;
  case BinaryLevel::Power:
    return kPower;
  }
  LAMINA_UNREACHABLE("not a binary level");
}

int precedence(const Node &n) {
  switch (n.kind) {
  case NodeKind::Lambda:
    return kLambda;
  case NodeKind::IfExpr:
    return kTest;
  case NodeKind::BinaryChain:
    return binaryPrec(static_cast<const BinaryChain &>(n).ops.front());
  case NodeKind::Unary:
    return static_cast<const Unary &>(n).op == UnaryOp::Not ? kNot : kUnary;
  case NodeKind::Compare:
    return kCompare;
  case NodeKind::Call:
  case NodeKind::Attribute:
  case NodeKind::Subscript:
    return kPostfix;
  case NodeKind::Name:
  case NodeKind::Number:
  case NodeKind::String:
  case NodeKind::Bool:
  case NodeKind::NoneLit:
  case NodeKind::EllipsisLit:
  case NodeKind::Slice:
  case NodeKind::List:
  case NodeKind::Tuple:
  case NodeKind::Assign:
  case NodeKind::AugAssign:
  case NodeKind::ExprStmt:
  case NodeKind::Return:
  case NodeKind::Keyword:
  case NodeKind::Param:
  case NodeKind::Def:
    return kAtom;
  }
  LAMINA_UNREACHABLE("not a node kind");
}

class ExprPrinter {
public:
  explicit ExprPrinter(std::string &out) : out_(out) {}

  /// Prints `n`, parenthesised when it binds looser than `minPrec`.
  void print(const Node &n, int minPrec) {
    bool parens = precedence(n) < minPrec;
    if (parens)
      out_ += '(';
    printBare(n);
    if (parens)
      out_ += ')';
  }

  /// A tuple without its parentheses, as after `return` or `=`.
  void printTopLevel(const Node &n) {
    if (auto *t = dyn<Tuple>(&n); t && !t->elements.empty()) {
      printElements(t->elements);
      if (t->elements.size() == 1)
        out_ += ',';
      return;
    }
    print(n, kTest);
  }

  void printParams(const std::vector<Param *> &params) {
    for (size_t i = 0; i < params.size(); ++i) {
      if (i)
        out_ += ", ";
      const Param &p = *params[i];
      out_ += p.name;
      if (p.annotation) {
        out_ += ": ";
        print(*p.annotation, kTest);
      }
      if (p.defaultValue) {
        out_ += p.annotation ? " = " : "=";
        print(*p.defaultValue, kTest);
      }
    }
  }

private:
  void printElements(const std::vector<Node *> &elements) {
    for (size_t i = 0; i < elements.size(); ++i) {
      if (i)
        out_ += ", ";
      print(*elements[i], kTest);
    }
  }

  void printBare(const Node &n) {
    switch (n.kind) {
    case NodeKind::Name:
      out_ += static_cast<const Name &>(n).id;
      return;
    case NodeKind::Number: {
      const auto &num = static_cast<const Number &>(n);
      out_ += num.isInteger ? formatInteger(num.intValue) : formatFloat(num.floatValue);
      return;
    }
    case NodeKind::String:
      out_ += quoteString(static_cast<const String &>(n).value);
      return;
    case NodeKind::Bool:
      out_ += static_cast<const Bool &>(n).value ? "True" : "False";
      return;
    case NodeKind::NoneLit:
      out_ += "None";
      return;
    case NodeKind::EllipsisLit:
      out_ += "...";
      return;
    case NodeKind::Unary: {
      const auto &u = static_cast<const Unary &>(n);
      out_ += u.op == UnaryOp::Not ? "not " : std::string(spelling(u.op));
      print(*u.operand, u.op == UnaryOp::Not ? kNot : kUnary);
      return;
    }
    case NodeKind::BinaryChain:
      printChain(static_cast<const BinaryChain &>(n));
      return;
    case NodeKind::Compare: {
      const auto &c = static_cast<const Compare &>(n);
      // Comparisons do not nest without parentheses: `(a < b) < c` is not `a < b < c`.
      print(*c.operands[0], kCompare + 1);
      for (size_t i = 0; i < c.ops.size(); ++i) {
        appendOp(spelling(c.ops[i]));
        print(*c.operands[i + 1], kCompare + 1);
      }
      return;
    }
    case NodeKind::IfExpr: {
      const auto &e = static_cast<const IfExpr &>(n);
      print(*e.thenValue, kOr);
      out_ += " if ";
      print(*e.condition, kOr);
      out_ += " else ";
      print(*e.elseValue, kTest);
      return;
    }
    case NodeKind::Call: {
      const auto &c = static_cast<const Call &>(n);
      printPostfixObject(*c.callee);
      out_ += '(';
      printElements(c.args);
      for (size_t i = 0; i < c.keywords.size(); ++i) {
        if (i || !c.args.empty())
          out_ += ", ";
        out_ += c.keywords[i]->name + "=";
        print(*c.keywords[i]->value, kTest);
      }
      out_ += ')';
      return;
    }
    case NodeKind::Attribute: {
      const auto &a = static_cast<const Attribute &>(n);
      // `1.T` would lex as one malformed number: a number needs parentheses here.
      if (a.object->kind == NodeKind::Number) {
        out_ += '(';
        printBare(*a.object);
        out_ += ')';
      } else {
        printPostfixObject(*a.object);
      }
      out_ += "." + a.name;
      return;
    }
    case NodeKind::Subscript: {
      const auto &s = static_cast<const Subscript &>(n);
      printPostfixObject(*s.object);
      out_ += '[';
      printElements(s.indices);
      out_ += ']';
      return;
    }
    case NodeKind::Slice: {
      const auto &s = static_cast<const Slice &>(n);
      if (s.lower)
        print(*s.lower, kTest);
      out_ += ':';
      if (s.upper)
        print(*s.upper, kTest);
      if (s.step) {
        out_ += ':';
        print(*s.step, kTest);
      }
      return;
    }
    case NodeKind::List:
      out_ += '[';
      printElements(static_cast<const List &>(n).elements);
      out_ += ']';
      return;
    case NodeKind::Tuple: {
      const auto &t = static_cast<const Tuple &>(n);
      out_ += '(';
      printElements(t.elements);
      if (t.elements.size() == 1)
        out_ += ',';
      out_ += ')';
      return;
    }
    case NodeKind::Lambda: {
      const auto &l = static_cast<const Lambda &>(n);
      out_ += "lambda";
      if (!l.params.empty())
        out_ += ' ';
      printParams(l.params);
      out_ += ": ";
      print(*l.body, kTest);
      return;
    }
    case NodeKind::Assign:
    case NodeKind::AugAssign:
    case NodeKind::ExprStmt:
    case NodeKind::Return:
    case NodeKind::Keyword:
    case NodeKind::Param:
    case NodeKind::Def:
      return; // statements and helpers are printed by ModulePrinter
    }
  }

  void printPostfixObject(const Node &object) { print(object, kPostfix); }

  void printChain(const BinaryChain &c) {
    int prec = binaryPrec(c.ops.front());
    if (prec == kPower) {
      // Right-associative: the base must bind tighter than `**` (`(-x) ** 2`, `(a ** b) ** c`),
      // the exponent may be a unary expression (`2 ** -1`).
      print(*c.operands[0], kPostfix);
      out_ += " ** ";
      print(*c.operands[1], kUnary);
      return;
    }
    // Left-associative: the first operand may be a chain of the same level, later ones not.
    print(*c.operands[0], prec);
    for (size_t i = 0; i < c.ops.size(); ++i) {
      appendOp(spelling(c.ops[i]));
      print(*c.operands[i + 1], prec + 1);
    }
  }

  void appendOp(std::string_view op) {
    out_ += ' ';
    out_ += op;
    out_ += ' ';
  }

  std::string &out_;
};

/// Prints statements one per line and places each comment next to the statement it belongs to.
class ModulePrinter {
public:
  ModulePrinter(const Module &module, std::string_view source) : module_(module), source_(source) {}

  std::string run() {
    const auto &items = module_.items;
    for (size_t i = 0; i < items.size(); ++i) {
      uint32_t next = i + 1 < items.size() ? items[i + 1]->range.begin : kEnd;
      if (i > 0 && (items[i]->kind == NodeKind::Def || items[i - 1]->kind == NodeKind::Def))
        out_ += '\n'; // a blank line around each def
      if (auto *def = dyn<Def>(items[i]))
        printDef(*def, next);
      else
        printStatement(*items[i], "", next);
    }
    leadingComments(kEnd, "");
    return out_;
  }

private:
  static constexpr uint32_t kEnd = UINT32_MAX;

  /// Comments that start before `offset` and were not printed yet, each on its own line.
  void leadingComments(uint32_t offset, std::string_view indent) {
    const auto &comments = module_.comments;
    while (nextComment_ < comments.size() && comments[nextComment_].range.begin < offset) {
      out_ += std::string(indent) + comments[nextComment_].text + "\n";
      ++nextComment_;
    }
  }

  /// A comment after `end` on the same line, before `next` starts, stays on that line.
  void trailingComment(uint32_t end, uint32_t next) {
    const auto &comments = module_.comments;
    if (nextComment_ >= comments.size())
      return;
    const Comment &c = comments[nextComment_];
    if (c.range.begin < end || c.range.begin >= next)
      return;
    std::string_view between = source_.substr(end, c.range.begin - end);
    if (between.find_first_of("\r\n") != std::string_view::npos)
      return;
    out_ += "  " + c.text;
    ++nextComment_;
  }

  void printStatement(const Node &stmt, std::string_view indent, uint32_t next) {
    leadingComments(stmt.range.end, indent);
    out_ += indent;
    ExprPrinter p(out_);
    switch (stmt.kind) {
    case NodeKind::Assign: {
      const auto &a = static_cast<const Assign &>(stmt);
      for (size_t i = 0; i < a.targets.size(); ++i)
        out_ += (i ? ", " : "") + a.targets[i]->id;
      if (a.unpack && a.targets.size() == 1)
        out_ += ',';
      out_ += " = ";
      p.printTopLevel(*a.value);
      break;
    }
    case NodeKind::AugAssign: {
      const auto &a = static_cast<const AugAssign &>(stmt);
      out_ += a.target->id + " " + std::string(spelling(a.op)) + "= ";
      p.printTopLevel(*a.value);
      break;
    }
    case NodeKind::ExprStmt:
      p.printTopLevel(*static_cast<const ExprStmt &>(stmt).value);
      break;
    case NodeKind::Return:
      out_ += "return ";
      p.printTopLevel(*static_cast<const Return &>(stmt).value);
      break;
    case NodeKind::Name:
    case NodeKind::Number:
    case NodeKind::String:
    case NodeKind::Bool:
    case NodeKind::NoneLit:
    case NodeKind::EllipsisLit:
    case NodeKind::Unary:
    case NodeKind::BinaryChain:
    case NodeKind::Compare:
    case NodeKind::IfExpr:
    case NodeKind::Call:
    case NodeKind::Attribute:
    case NodeKind::Subscript:
    case NodeKind::Slice:
    case NodeKind::List:
    case NodeKind::Tuple:
    case NodeKind::Lambda:
    case NodeKind::Keyword:
    case NodeKind::Param:
    case NodeKind::Def:
      p.print(stmt, kLambda); // a top-level lambda
      break;
    }
    trailingComment(stmt.range.end, next);
    out_ += '\n';
  }

  void printDef(const Def &def, uint32_t next) {
    uint32_t bodyStart = def.body.front()->range.begin;
    leadingComments(def.range.begin, "");
    ExprPrinter p(out_);
    out_ += "def " + def.name + "(";
    p.printParams(def.params);
    out_ += ")";
    if (def.returnAnnotation) {
      out_ += " -> ";
      p.print(*def.returnAnnotation, kTest);
    }
    out_ += ":";
    // A comment on the header line (or inside the parameter list) stays with the header.
    uint32_t headerEnd = def.nameRange.end;
    if (!def.params.empty())
      headerEnd = std::max(headerEnd, def.params.back()->range.end);
    if (def.returnAnnotation)
      headerEnd = std::max(headerEnd, def.returnAnnotation->range.end);
    headerComment(headerEnd, bodyStart);
    out_ += '\n';
    for (size_t i = 0; i < def.body.size(); ++i) {
      uint32_t stmtNext = i + 1 < def.body.size() ? def.body[i + 1]->range.begin : next;
      printStatement(*def.body[i], "    ", stmtNext);
    }
  }

  /// One comment inside the header (before `headerEnd`) or on its last line joins the header
  /// line. A comment on a line of its own after the header, or on the first statement's line
  /// (before `bodyStart`), is printed before that statement instead - where printing puts it,
  /// so that formatting again changes nothing.
  void headerComment(uint32_t headerEnd, uint32_t bodyStart) {
    const auto &comments = module_.comments;
    if (nextComment_ >= comments.size() || comments[nextComment_].range.begin >= bodyStart)
      return;
    const Comment &c = comments[nextComment_];
    std::string_view after = source_.substr(c.range.end, bodyStart - c.range.end);
    if (after.find_first_of("\r\n") == std::string_view::npos)
      return;
    if (c.range.begin > headerEnd &&
        source_.substr(headerEnd, c.range.begin - headerEnd).find_first_of("\r\n") !=
            std::string_view::npos)
      return;
    out_ += "  " + c.text;
    ++nextComment_;
  }

  const Module &module_;
  std::string_view source_;
  std::string out_;
  size_t nextComment_ = 0;
};

} // namespace

std::string printModule(const Module &module, std::string_view source) {
  return ModulePrinter(module, source).run();
}

std::string printExpr(const Node &expr) {
  std::string out;
  ExprPrinter(out).print(expr, kLambda);
  return out;
}

} // namespace lamina::ast
