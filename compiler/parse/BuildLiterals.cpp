#include "compiler/parse/AstBuilder.h"

#include <charconv>

namespace lamina::parse_detail {

using namespace lamina::ast;

namespace {

bool isDigit(char c) { return c >= '0' && c <= '9'; }

/// Whether `text` is `digits[.digits][e[+-]digits]` or `.digits[e[+-]digits]`; the lexer
/// also glues trailing letters on (`1e`, `0x1F`) so they can be reported as one token.
bool wellFormedNumber(std::string_view text, bool &isInteger) {
  size_t i = 0, n = text.size();
  size_t intDigits = 0, fracDigits = 0;
  while (i < n && isDigit(text[i]))
    ++i, ++intDigits;
  isInteger = i == n;
  if (i < n && text[i] == '.') {
    ++i;
    while (i < n && isDigit(text[i]))
      ++i, ++fracDigits;
  }
  if (intDigits + fracDigits == 0)
    return false;
  if (i < n && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < n && (text[i] == '+' || text[i] == '-'))
      ++i;
    size_t expDigits = 0;
    while (i < n && isDigit(text[i]))
      ++i, ++expDigits;
    if (expDigits == 0)
      return false;
  }
  return i == n;
}

int hexValue(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

void appendUtf8(std::string &out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

} // namespace

// NUMBER : DIGIT+ ('.' DIGIT*)? EXPONENT? NUMBER_TAIL* | '.' DIGIT+ EXPONENT? NUMBER_TAIL* ;
// Converted with std::from_chars: locale-independent, and `1e-320` is a valid subnormal.
Expr *AstBuilder::buildNumber(antlr4::tree::TerminalNode *token) {
  SourceRange where = range(token);
  std::string text = token->getText();
  Number *number = make<Number>(where);
  bool isInteger = false;
  if (!wellFormedNumber(text, isInteger)) {
    error(DiagKind::InvalidNumber, where, text);
    return number;
  }
  const char *first = text.data();
  const char *last = text.data() + text.size();
  number->isInteger = isInteger;
  if (isInteger) {
    auto [ptr, ec] = std::from_chars(first, last, number->intValue);
    if (ec != std::errc() || ptr != last)
      error(DiagKind::IntegerOutOfRange, where, text);
    return number;
  }
  auto [ptr, ec] = std::from_chars(first, last, number->floatValue);
  if (ec == std::errc::result_out_of_range) {
    // Too small for a subnormal rounds to zero, as in Python; too large is an error.
    size_t e = text.find_first_of("eE");
    bool underflow = e != std::string::npos && text[e + 1] == '-';
    if (!underflow)
      error(DiagKind::FloatOutOfRange, where, text);
    number->floatValue = 0.0;
  } else if (ec != std::errc() || ptr != last) {
    error(DiagKind::InvalidNumber, where, text);
  }
  return number;
}

// atom : STRING+ ;   (adjacent literals concatenate, as in Python)
Expr *AstBuilder::buildStrings(P::AtomContext *ctx) {
  String *node = make<String>(ctx);
  for (antlr4::tree::TerminalNode *token : ctx->STRING()) {
    SourceRange where = range(token);
    std::string_view text =
        std::string_view(file_.text()).substr(where.begin, where.end - where.begin);
    size_t quote =
        text.size() >= 6 && (text.starts_with("\"\"\"") || text.starts_with("'''")) ? 3 : 1;
    std::string_view body = text.substr(quote, text.size() - 2 * quote);
    if (!unescape(body, where.begin + static_cast<uint32_t>(quote), node->value))
      return node;
  }
  return node;
}

/// Python's escapes: \\ \' \" \n \r \t \0 \a \b \f \v \xHH \uHHHH \UHHHHHHHH and a
/// backslash before a line break. Anything else is reported rather than kept verbatim.
bool AstBuilder::unescape(std::string_view body, uint32_t bodyOffset, std::string &out) {
  for (size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (c != '\\') {
      out += c;
      continue;
    }
    size_t start = i++;
    char e = i < body.size() ? body[i] : '\0';
    int hexDigits = 0;
    switch (e) {
    case '\\':
      out += '\\';
      continue;
    case '\'':
      out += '\'';
      continue;
    case '"':
      out += '"';
      continue;
    case 'n':
      out += '\n';
      continue;
    case 'r':
      out += '\r';
      continue;
    case 't':
      out += '\t';
      continue;
    case '0':
      out += '\0';
      continue;
    case 'a':
      out += '\a';
      continue;
    case 'b':
      out += '\b';
      continue;
    case 'f':
      out += '\f';
      continue;
    case 'v':
      out += '\v';
      continue;
    case '\n':
      continue;
    case '\r':
      if (i + 1 < body.size() && body[i + 1] == '\n')
        ++i;
      continue;
    case 'x':
      hexDigits = 2;
      break;
    case 'u':
      hexDigits = 4;
      break;
    case 'U':
      hexDigits = 8;
      break;
    default:
      break;
    }
    char32_t cp = 0;
    bool valid = hexDigits > 0 && i + hexDigits < body.size() + 1;
    for (int k = 1; valid && k <= hexDigits; ++k) {
      int v = i + k < body.size() ? hexValue(body[i + k]) : -1;
      valid = v >= 0;
      cp = cp * 16 + static_cast<char32_t>(std::max(v, 0));
    }
    if (valid && (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)))
      valid = false;
    if (!valid) {
      size_t end = std::min(body.size(), i + 1 + static_cast<size_t>(hexDigits));
      while (end < body.size() && (static_cast<unsigned char>(body[end]) & 0xC0) == 0x80)
        ++end; // never split a UTF-8 character
      SourceRange where{bodyOffset + static_cast<uint32_t>(start),
                        bodyOffset + static_cast<uint32_t>(end)};
      error(DiagKind::InvalidEscape, where, std::string(body.substr(start, end - start)));
      return false;
    }
    appendUtf8(out, cp);
    i += hexDigits;
  }
  return true;
}

} // namespace lamina::parse_detail
