#include "compiler/parse/PythonStatements.h"

#include <string_view>

namespace lamina::parse_detail {

using generated::LaminaLexer;

namespace {

struct Statement {
  std::string_view keyword; // as the lexer sees it: `if` and `else` are tokens, the rest names
  std::string_view what;
  std::string_view instead;
};

constexpr std::string_view kNoLoops =
    "lamina has no loops: compute on whole tensors (broadcasting, reductions such as `sum`, "
    "`cumsum`, `stack` of the parts)";
constexpr std::string_view kBodyIs = "a `def` body is assignments and one final `return`";

constexpr Statement kStatements[] = {
    {"if", "an `if` statement",
     "write `a if condition else b`, or `where(condition, a, b)` to choose per element"},
    {"elif", "an `elif` clause", "write `a if c1 else b if c2 else c`"},
    {"else", "an `else:` block", "write `a if condition else b`"},
    {"for", "a `for` loop", kNoLoops},
    {"while", "a `while` loop", kNoLoops},
    {"import", "an `import`",
     "delete it: `tf`, `K`, `keras`, `np`, `jnp` and `ops` are always available"},
    {"from", "a `from ... import`",
     "delete it: `tf`, `K`, `keras`, `np`, `jnp` and `ops` are always available"},
    {"with", "a `with` statement", kBodyIs},
    {"try", "a `try` statement", "errors are reported when the source is checked; delete it"},
    {"except", "an `except` clause", "errors are reported when the source is checked; delete it"},
    {"finally", "a `finally` clause", kBodyIs},
    {"raise", "a `raise` statement", kBodyIs},
    {"assert", "an `assert` statement",
     "annotate the parameters instead (`x: f32[B, 256]`): annotations are checked"},
    {"del", "a `del` statement", "delete it: names are values, nothing needs freeing"},
    {"pass", "a `pass` statement", kBodyIs},
    {"class", "a `class` definition", "write the layer's computation as a `def` or `lambda`"},
    {"global", "a `global` statement", kBodyIs},
    {"nonlocal", "a `nonlocal` statement", kBodyIs},
    {"yield", "a `yield`", kBodyIs},
    {"async", "an `async` statement", kBodyIs},
    {"break", "a `break` statement", kNoLoops},
    {"continue", "a `continue` statement", kNoLoops},
};

const Statement *statementAt(const antlr4::Token &t) {
  size_t type = t.getType();
  if (type != LaminaLexer::NAME && type != LaminaLexer::IF && type != LaminaLexer::ELSE)
    return nullptr;
  std::string text = t.getText();
  for (const Statement &s : kStatements)
    if (s.keyword == text)
      return &s;
  return nullptr;
}

/// Tokens after which a `for` continues an expression: a comprehension.
bool endsOperand(size_t type) {
  return type == LaminaLexer::NAME || type == LaminaLexer::NUMBER || type == LaminaLexer::STRING ||
         type == LaminaLexer::RPAREN || type == LaminaLexer::RBRACK || type == LaminaLexer::NONE ||
         type == LaminaLexer::TRUE || type == LaminaLexer::FALSE;
}

} // namespace

bool checkPythonStatements(const LexedSource &lexed, DiagnosticEngine &diags) {
  bool ok = true;
  bool statementStart = true; // the first token of the source starts a statement
  size_t depth = 0, previous = LaminaLexer::NEWLINE;
  for (const auto &token : lexed.tokens) {
    const antlr4::Token &t = *token;
    size_t type = t.getType();
    if (t.getChannel() != antlr4::Token::DEFAULT_CHANNEL || type == antlr4::Token::EOF)
      continue;
    if (statementStart) {
      if (const Statement *s = statementAt(t)) {
        diags.emit(makeDiagnostic(DiagKind::PythonStatement, lexed.file, lexed.rangeOf(&t), s->what)
                       .withLabel(std::string(s->instead)));
        ok = false;
      }
    } else if (depth > 0 && type == LaminaLexer::NAME && t.getText() == "for" &&
               endsOperand(previous)) {
      diags.emit(makeDiagnostic(DiagKind::PythonStatement, lexed.file, lexed.rangeOf(&t),
                                "a comprehension")
                     .withLabel("build the list from its parts (`[f(a), f(b)]`), or compute on "
                                "whole tensors: `stack`, `unstack`, broadcasting"));
      ok = false;
    }
    if (type == LaminaLexer::LPAREN || type == LaminaLexer::LBRACK)
      ++depth;
    else if ((type == LaminaLexer::RPAREN || type == LaminaLexer::RBRACK) && depth > 0)
      --depth;
    // A statement starts after a line break, a `;`, or a `:` outside brackets (a `def`
    // header's, or the one an `if`/`for` line would end with).
    statementStart = type == LaminaLexer::NEWLINE || type == LaminaLexer::SEMI ||
                     (type == LaminaLexer::COLON && depth == 0);
    previous = type;
  }
  return ok;
}

} // namespace lamina::parse_detail
