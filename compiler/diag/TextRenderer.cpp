#include "compiler/diag/TextRenderer.h"

#include "compiler/diag/DisplayWidth.h"

#include <algorithm>
#include <cstdlib>
#include <unistd.h>

namespace lamina {

namespace {

struct Palette {
  std::string_view bold, red, yellow, cyan, blue, reset;
};

Palette palette(bool color) {
  if (!color)
    return {};
  return {"\033[1m", "\033[1;31m", "\033[1;33m", "\033[1;36m", "\033[1;34m", "\033[0m"};
}

std::string_view severityColor(Severity severity, const Palette &p) {
  switch (severity) {
  case Severity::Error:
    return p.red;
  case Severity::Warning:
    return p.yellow;
  case Severity::Note:
    return p.cyan;
  }
  return p.red;
}

/// One displayed character of the quoted line.
struct Cell {
  std::string text;
  int width;
};

/// The quoted line as display cells (tabs expanded, undecodable bytes and control characters
/// replaced), and the display column where each byte starts.
struct ExpandedLine {
  std::vector<Cell> cells;
  std::vector<int> columnOfByte; // size = line bytes + 1
};

ExpandedLine expandLine(std::string_view line, int tabWidth) {
  ExpandedLine out;
  out.columnOfByte.assign(line.size() + 1, 0);
  int column = 0;
  size_t i = 0;
  while (i < line.size()) {
    size_t start = i;
    char32_t cp = decodeUtf8(line, i);
    for (size_t k = start; k < i; ++k)
      out.columnOfByte[k] = column;
    Cell cell{std::string(line.substr(start, i - start)), codePointWidth(cp)};
    if (cp == '\t') {
      cell.width = tabWidth - column % tabWidth;
      cell.text.assign(static_cast<size_t>(cell.width), ' ');
    } else if (cp == 0xFFFD && cell.text != "\xEF\xBF\xBD") {
      cell = {"\xEF\xBF\xBD", 1}; // show undecodable bytes as U+FFFD, never raw
    } else if (cp < 0x20 || cp == 0x7F) {
      cell = {" ", 1}; // control characters would move the cursor
    }
    column += cell.width;
    out.cells.push_back(std::move(cell));
  }
  out.columnOfByte[line.size()] = column;
  return out;
}

// Long lines (a 64 KiB one-liner) are cut to a window around the caret.
constexpr int kMaxQuotedColumns = 100;
constexpr int kContextBefore = 40;

void renderSnippet(std::string &out, const SourceFile &file, SourceRange range,
                   std::string_view label, Severity severity, const RenderOptions &options,
                   const Palette &p) {
  LineColumn begin = file.location(range.begin);
  std::string_view line = file.lineText(begin.line);
  uint32_t lineStart = file.lineStart(begin.line);
  ExpandedLine expanded = expandLine(line, options.tabWidth);

  size_t from = std::min<size_t>(range.begin - lineStart, line.size());
  size_t to = range.end > range.begin ? std::min<size_t>(range.end - lineStart, line.size()) : from;
  int startCol = expanded.columnOfByte[from];
  int endCol = std::max(expanded.columnOfByte[to], startCol + 1);

  int lineWidth = expanded.columnOfByte[line.size()];
  int windowStart = lineWidth > kMaxQuotedColumns ? std::max(0, startCol - kContextBefore) : 0;
  int windowEnd = windowStart + kMaxQuotedColumns;
  std::string quoted = windowStart > 0 ? "..." : "";
  int shift = static_cast<int>(quoted.size()) - windowStart;
  int column = 0;
  for (const Cell &cell : expanded.cells) {
    if (column >= windowStart && column + cell.width <= windowEnd)
      quoted += cell.text;
    column += cell.width;
  }
  if (lineWidth > windowEnd)
    quoted += "...";
  startCol += shift;
  endCol = std::min(endCol, windowEnd) + shift;
  endCol = std::max(endCol, startCol + 1);

  std::string number = std::to_string(begin.line);
  std::string gutter(number.size() + 1, ' ');
  out += fmt::format("{} {} |{} {}\n", p.blue, number, p.reset, quoted);
  out += fmt::format("{}{} |{} {}{}^{}", p.blue, gutter, p.reset, std::string(startCol, ' '),
                     severityColor(severity, p), std::string(endCol - startCol - 1, '~'));
  if (!label.empty())
    out += fmt::format(" {}", label);
  out += fmt::format("{}\n", p.reset);
}

} // namespace

std::string renderDiagnostic(const Diagnostic &d, const RenderOptions &options) {
  Palette p = palette(options.color);
  const DiagKindInfo &info = d.info();
  std::string out;
  std::string where = "lamina";
  if (d.file) {
    LineColumn lc = d.location();
    where = fmt::format("{}:{}:{}", d.file->name(), lc.line, lc.column);
  }
  out += fmt::format("{}{}:{} {}{}[{}]:{} {}{}{}\n", p.bold, where, p.reset,
                     severityColor(info.severity, p), severityName(info.severity), info.code,
                     p.reset, p.bold, d.message, p.reset);
  if (d.file)
    renderSnippet(out, *d.file, d.range, d.label, info.severity, options, p);
  for (const DiagNote &note : d.notes) {
    if (!note.file) {
      out += fmt::format("{}note:{} {}\n", p.cyan, p.reset, note.message);
      continue;
    }
    LineColumn lc = note.file->location(note.range.begin);
    out += fmt::format("{}{}:{}:{}:{} {}note:{} {}\n", p.bold, note.file->name(), lc.line,
                       lc.column, p.reset, p.cyan, p.reset, note.message);
    renderSnippet(out, *note.file, note.range, "", Severity::Note, options, p);
  }
  return out;
}

bool shouldColor(std::FILE *stream) {
  const char *noColor = std::getenv("NO_COLOR");
  if (noColor && *noColor)
    return false;
  return isatty(fileno(stream)) != 0;
}

void StreamConsumer::consume(const Diagnostic &diagnostic) {
  std::string text = renderDiagnostic(diagnostic, options_);
  std::fwrite(text.data(), 1, text.size(), stream_);
}

} // namespace lamina
