#include "compiler/ast/Literals.h"

#include <charconv>
#include <cmath>
#include <fmt/format.h>

namespace lamina::ast {

std::string formatInteger(int64_t value) { return std::to_string(value); }

std::string formatFloat(double value) {
  char buffer[64];
  auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  std::string text(buffer, result.ptr);
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
  // A docstring keeps its line breaks when that is unambiguous.
  bool tripleQuoted = value.find('\n') != std::string_view::npos &&
                      value.find("\"\"\"") == std::string_view::npos &&
                      (value.empty() || value.back() != '"');
  std::string out = tripleQuoted ? "\"\"\"" : "\"";
  for (char c : value)
    appendEscaped(out, c, tripleQuoted);
  out += tripleQuoted ? "\"\"\"" : "\"";
  return out;
}

} // namespace lamina::ast
