#include "tools/lamina/repl/Continuation.h"

#include <cctype>
#include <vector>

namespace lamina::cli::repl {
namespace {

bool isBlank(const std::string &line) {
  for (char c : line)
    if (!std::isspace(static_cast<unsigned char>(c)))
      return false;
  return true;
}

bool isIdentifierChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Whether `word` occurs in `text` as a whole word.
bool hasWord(const std::string &text, const std::string &word) {
  for (size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) {
    bool before = at == 0 || !isIdentifierChar(text[at - 1]);
    bool after = at + word.size() >= text.size() || !isIdentifierChar(text[at + word.size()]);
    if (before && after)
      return true;
  }
  return false;
}

} // namespace

bool isCompleteInput(const std::string &buffer) {
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t nl; (nl = buffer.find('\n', start)) != std::string::npos; start = nl + 1)
    lines.push_back(buffer.substr(start, nl - start));
  if (start < buffer.size())
    lines.push_back(buffer.substr(start));
  size_t first = 0;
  while (first < lines.size() && isBlank(lines[first]))
    ++first;
  if (first == lines.size())
    return true;
  const std::string &head = lines[first];
  size_t indent = head.find_first_not_of(" \t");
  if (head[indent] == ':')
    return true; // REPL commands are one line

  // Brackets, outside strings and comments. Strings end at the end of their line (lamina
  // has no multi-line strings), so an unclosed quote never swallows the next line.
  int depth = 0;
  bool oneLineDefBody = false;
  bool isDef = head.compare(indent, 4, "def ") == 0;
  for (size_t l = first; l < lines.size(); ++l) {
    const std::string &line = lines[l];
    char quote = 0;
    for (size_t i = 0; i < line.size(); ++i) {
      char c = line[i];
      if (quote) {
        if (c == '\\')
          ++i;
        else if (c == quote)
          quote = 0;
        continue;
      }
      if (c == '#')
        break;
      if (c == '\'' || c == '"')
        quote = c;
      else if (c == '(' || c == '[' || c == '{')
        ++depth;
      else if (c == ')' || c == ']' || c == '}')
        --depth;
      else if (c == ':' && depth == 0 && isDef && l == first && !oneLineDefBody) {
        // The colon that ends the header: a body on the same line is a one-line def when
        // it holds its `return` (a def always ends with one).
        std::string rest = line.substr(i + 1);
        rest = rest.substr(0, rest.find('#'));
        oneLineDefBody = !isBlank(rest) && hasWord(rest, "return");
      }
    }
  }
  if (depth > 0)
    return false;
  if (isDef && !oneLineDefBody)
    return lines.size() > first + 1 && isBlank(lines.back());
  return true;
}

} // namespace lamina::cli::repl
