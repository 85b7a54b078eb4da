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

/// The quoted line with tabs expanded, and the display column where each byte starts.
struct ExpandedLine {
  std::string text;
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
    if (cp == '\t') {
      int spaces = tabWidth - column % tabWidth;
      out.text.append(static_cast<size_t>(spaces), ' ');
      column += spaces;
    } else if (cp == 0xFFFD && line.substr(start, i - start) != "\xEF\xBF\xBD") {
      out.text += "\xEF\xBF\xBD"; // show undecodable bytes as U+FFFD, never raw
      column += 1;
    } else if (cp < 0x20 || cp == 0x7F) {
      out.text += ' '; // control characters would move the cursor
      column += 1;
    } else {
      out.text.append(line.substr(start, i - start));
      column += codePointWidth(cp);
    }
  }
  out.columnOfByte[line.size()] = column;
  return out;
}

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

  std::string number = std::to_string(begin.line);
  std::string gutter(number.size() + 1, ' ');
  out += fmt::format("{} {} |{} {}\n", p.blue, number, p.reset, expanded.text);
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
