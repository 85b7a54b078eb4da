#include "compiler/parse/TokenPass.h"

#include "compiler/diag/DisplayWidth.h"

namespace lamina::parse_detail {

using generated::LaminaLexer;

LexedSource::LexedSource(const SourceFile &f) : file(f), input(f.text()), lexer(&input) {
  lexer.removeErrorListeners(); // UNKNOWN_CHAR catches everything; nothing goes to stderr
  const std::string &text = f.text();
  // ANTLRInputStream drops a leading UTF-8 byte order mark; so must the index map.
  size_t start = text.starts_with("\xEF\xBB\xBF") ? 3 : 0;
  for (size_t i = start; i < text.size();) {
    byteOfCodePoint_.push_back(static_cast<uint32_t>(i));
    decodeUtf8(text, i);
  }
  byteOfCodePoint_.push_back(static_cast<uint32_t>(text.size()));
}

SourceRange LexedSource::rangeOf(const antlr4::Token *token) const {
  size_t last = byteOfCodePoint_.size() - 1;
  if (token->getType() == antlr4::Token::EOF)
    return {byteOfCodePoint_[last], byteOfCodePoint_[last]};
  size_t start = std::min(token->getStartIndex(), last);
  size_t stop = std::min(token->getStopIndex() + 1, last);
  return {byteOfCodePoint_[start], byteOfCodePoint_[std::max(start, stop)]};
}

SourceRange LexedSource::rangeOf(antlr4::ParserRuleContext *ctx) const {
  SourceRange begin = rangeOf(ctx->getStart());
  if (!ctx->getStop() || ctx->getStop()->getTokenIndex() < ctx->getStart()->getTokenIndex())
    return {begin.begin, begin.begin};
  return SourceRange::join(begin, rangeOf(ctx->getStop()));
}

namespace {

bool isOpening(size_t type) { return type == LaminaLexer::LPAREN || type == LaminaLexer::LBRACK; }
bool isClosing(size_t type) { return type == LaminaLexer::RPAREN || type == LaminaLexer::RBRACK; }
std::string_view bracketText(size_t type) {
  switch (type) {
  case LaminaLexer::LPAREN:
    return "(";
  case LaminaLexer::RPAREN:
    return ")";
  case LaminaLexer::LBRACK:
    return "[";
  default:
    return "]";
  }
}

/// Tokens after which `-`/`+` is binary and `(`/`[` is a call or subscript.
bool endsOperand(size_t type) {
  switch (type) {
  case LaminaLexer::NAME:
  case LaminaLexer::NUMBER:
  case LaminaLexer::STRING:
  case LaminaLexer::RPAREN:
  case LaminaLexer::RBRACK:
  case LaminaLexer::NONE:
  case LaminaLexer::TRUE:
  case LaminaLexer::FALSE:
  case LaminaLexer::ELLIPSIS:
    return true;
  default:
    return false;
  }
}

std::string describeChar(std::string_view text) {
  size_t i = 0;
  char32_t cp = decodeUtf8(text, i);
  // Invisible, zero-width and confusable characters are named by code point.
  bool invisible = cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0xA0) || cp == '`' ||
                   (cp >= 0x2000 && cp <= 0x206F) || cp == 0x3000 || cp == 0xFEFF ||
                   codePointWidth(cp) == 0;
  if (invisible)
    return fmt::format("U+{:04X}", static_cast<uint32_t>(cp));
  return std::string(text.substr(0, i));
}

/// Nesting depth as the parser's recursion sees it. Each open bracket is one level; within a
/// level, each operator that makes the grammar recurse rather than loop (unary `-`/`+`/`not`,
/// `**`, `else`, `.` and call/subscript trailers) adds one until an operator that the grammar
/// handles in a loop (`+`, `*`, `,`, comparisons, `and`, …) ends the run.
class DepthCounter {
public:
  explicit DepthCounter(unsigned limit) : limit_(limit) { runs_.push_back(0); }

  /// Accounts for `type` after `previous`; returns false when the depth exceeds the limit.
  bool step(size_t type, size_t previous) {
    switch (type) {
    case LaminaLexer::LPAREN:
    case LaminaLexer::LBRACK:
      if (endsOperand(previous))
        bump(); // a call or subscript trailer nests the expression it applies to
      runs_.push_back(0);
      break;
    case LaminaLexer::RPAREN:
    case LaminaLexer::RBRACK:
      if (runs_.size() > 1) {
        total_ -= runs_.back();
        runs_.pop_back();
      }
      break;
    case LaminaLexer::MINUS:
    case LaminaLexer::PLUS:
      if (endsOperand(previous))
        reset();
      else
        bump();
      break;
    case LaminaLexer::NOT:
    case LaminaLexer::TILDE:
    case LaminaLexer::DSTAR:
    case LaminaLexer::ELSE:
    case LaminaLexer::DOT:
      bump();
      break;
    case LaminaLexer::IF: // `a if c else b` recurses at `else`, not here
    case LaminaLexer::NAME:
    case LaminaLexer::NUMBER:
    case LaminaLexer::STRING:
    case LaminaLexer::NONE:
    case LaminaLexer::TRUE:
    case LaminaLexer::FALSE:
    case LaminaLexer::ELLIPSIS:
      break;
    default:
      reset();
      break;
    }
    return depth() <= limit_;
  }

  size_t depth() const { return runs_.size() - 1 + total_; }

private:
  void bump() {
    ++runs_.back();
    ++total_;
  }
  void reset() {
    total_ -= runs_.back();
    runs_.back() = 0;
  }

  unsigned limit_;
  std::vector<size_t> runs_;
  size_t total_ = 0;
};

} // namespace

bool lexAndCheck(LexedSource &lexed, const ParseLimits &limits, DiagnosticEngine &diags) {
  const SourceFile &file = lexed.file;
  bool ok = true;
  std::vector<const antlr4::Token *> open;
  DepthCounter depth(limits.maxNestingDepth);
  bool depthReported = false;
  size_t previous = LaminaLexer::NEWLINE;

  for (;;) {
    std::unique_ptr<antlr4::Token> token = lexed.lexer.nextToken();
    size_t type = token->getType();
    antlr4::Token *t = token.get();
    lexed.tokens.push_back(std::move(token));
    if (type == antlr4::Token::EOF)
      break;
    SourceRange range = lexed.rangeOf(t);

    switch (type) {
    case LaminaLexer::COMMENT:
      lexed.comments.push_back({range, t->getText()});
      continue;
    case LaminaLexer::UNKNOWN_CHAR: {
      std::string_view text = std::string_view(file.text()).substr(range.begin);
      diags.report(DiagKind::UnexpectedCharacter, file, range, describeChar(text));
      ok = false;
      continue;
    }
    case LaminaLexer::UNTERMINATED_STRING:
      diags.emit(makeDiagnostic(DiagKind::UnterminatedString, file, {range.begin, range.begin + 1})
                     .withLabel("the string starts here; close it with the same quote"));
      ok = false;
      continue;
    case LaminaLexer::NEWLINE:
      if (!open.empty()) { // inside brackets a line break means nothing
        static_cast<antlr4::CommonToken *>(t)->setChannel(antlr4::Token::HIDDEN_CHANNEL);
        continue;
      }
      break;
    default:
      break;
    }

    if (isOpening(type)) {
      open.push_back(t);
    } else if (isClosing(type)) {
      if (open.empty()) {
        diags.report(DiagKind::UnmatchedBracket, file, range, bracketText(type));
        return false;
      }
      size_t want =
          open.back()->getType() == LaminaLexer::LPAREN ? LaminaLexer::RPAREN : LaminaLexer::RBRACK;
      if (type != want) {
        diags.emit(
            makeDiagnostic(DiagKind::MismatchedBracket, file, range, bracketText(type),
                           bracketText(open.back()->getType()))
                .withNote(lexed.rangeOf(open.back()),
                          fmt::format("`{}` opened here", bracketText(open.back()->getType()))));
        return false;
      }
      open.pop_back();
    }

    if (!depth.step(type, previous) && !depthReported) {
      depthReported = true;
      ok = false;
      diags.emit(makeDiagnostic(DiagKind::NestingTooDeep, file, range, limits.maxNestingDepth)
                     .withLabel("the limit is exceeded here"));
    }
    previous = type;
  }

  if (!open.empty() && ok) {
    const antlr4::Token *last = open.back();
    diags.emit(makeDiagnostic(DiagKind::UnclosedBracket, file, lexed.rangeOf(last),
                              bracketText(last->getType()))
                   .withLabel(fmt::format("add `{}` to close it",
                                          last->getType() == LaminaLexer::LPAREN ? ")" : "]")));
    return false;
  }
  return ok;
}

} // namespace lamina::parse_detail
