#include "compiler/ast/Literals.h"

#include <charconv>
#include <cstdlib>
#include <fmt/format.h>

namespace lamina::ast {

std::string formatInteger(int64_t value) { return std::to_string(value); }

std::string formatFloat(double value) {
  // Python's repr: the shortest digits that read back exactly, in positional notation when
  // the decimal exponent is in [-4, 16) and in scientific notation otherwise.
  char buffer[400];
  auto sci = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
  std::string text(buffer, sci.ptr);
  size_t e = text.find('e');
  int exponent = e == std::string::npos ? 0 : std::atoi(text.c_str() + e + 1);
  if (e != std::string::npos && exponent >= -4 && exponent < 16) {
    auto fixed = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed);
    text.assign(buffer, fixed.ptr);
  }
  if (text.find_first_of(".eEn") == std::string::npos) // no dot, exponent, inf or nan
    text += ".0";
  return text;
}

namespace {
void appendEscaped(std::string &out, char c, bool keepNewlines) {
  switch (c) {
  case '\\':
    out += "\\\\";
    return;
  case '"':
    out += keepNewlines ? "\"" : "\\\"";
    return;
  case '\n':
    out += keepNewlines ? "\n" : "\\n";
    return;
  case '\t':
    out += "\\t";
    return;
  case '\r':
    out += "\\r";
    return;
  default:
    break;
  }
  auto u = static_cast<unsigned char>(c);
  if (u < 0x20 || u == 0x7F)
    out += fmt::format("\\x{:02x}", u);
  else
    out += c;
}
} // namespace

std::string quoteString(std::string_view value) {
  // A docstring keeps its line breaks (a line break before the last character) when that is
  // unambiguous.
  size_t newline = value.find('\n');
  bool tripleQuoted = newline != std::string_view::npos && newline + 1 < value.size() &&
                      value.find("\"\"\"") == std::string_view::npos &&
                      (value.empty() || value.back() != '"');
  std::string out = tripleQuoted ? "\"\"\"" : "\"";
  for (char c : value)
    appendEscaped(out, c, tripleQuoted);
  out += tripleQuoted ? "\"\"\"" : "\"";
  return out;
}

} // namespace lamina::ast
