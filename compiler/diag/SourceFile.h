#pragma once

#include "compiler/diag/SourceRange.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lamina {

/// 1-based line and column. The column counts code points (as rustc does), so it reads the
/// same in any editor whatever the encoding width of the characters before it.
struct LineColumn {
  uint32_t line = 1;
  uint32_t column = 1;
};

/// One source text and the name diagnostics call it by (a path, `<expr>`, `<repl>`).
/// Line breaks are `\n`, `\r\n` or a lone `\r`, as in the lexer.
class SourceFile {
public:
  SourceFile(std::string name, std::string text);

  const std::string &name() const { return name_; }
  const std::string &text() const { return text_; }

  LineColumn location(uint32_t offset) const;
  /// The text of a 1-based line, without its line break.
  std::string_view lineText(uint32_t line) const;
  uint32_t lineCount() const { return static_cast<uint32_t>(lineStarts_.size()); }
  uint32_t lineStart(uint32_t line) const { return lineStarts_[line - 1]; }

private:
  std::string name_;
  std::string text_;
  std::vector<uint32_t> lineStarts_;
};

} // namespace lamina
