#include "compiler/diag/SourceFile.h"

#include <algorithm>

namespace lamina {

SourceFile::SourceFile(std::string name, std::string text)
    : name_(std::move(name)), text_(std::move(text)) {
  lineStarts_.push_back(0);
  for (size_t i = 0; i < text_.size(); ++i) {
    if (text_[i] == '\r' && i + 1 < text_.size() && text_[i + 1] == '\n')
      ++i;
    if (text_[i] == '\n' || text_[i] == '\r')
      lineStarts_.push_back(static_cast<uint32_t>(i + 1));
  }
}

LineColumn SourceFile::location(uint32_t offset) const {
  offset = std::min<uint32_t>(offset, static_cast<uint32_t>(text_.size()));
  auto it = std::upper_bound(lineStarts_.begin(), lineStarts_.end(), offset);
  uint32_t line = static_cast<uint32_t>(it - lineStarts_.begin());
  uint32_t column = 1;
  // Count code points: every byte that is not a UTF-8 continuation byte starts one. Invalid
  // UTF-8 is rejected before parsing, but this stays well-defined for it anyway.
  for (uint32_t i = lineStarts_[line - 1]; i < offset; ++i)
    if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80)
      ++column;
  return {line, column};
}

std::string_view SourceFile::lineText(uint32_t line) const {
  if (line == 0 || line > lineStarts_.size())
    return {};
  uint32_t begin = lineStarts_[line - 1];
  uint32_t end = line < lineStarts_.size() ? lineStarts_[line] : text_.size();
  while (end > begin && (text_[end - 1] == '\n' || text_[end - 1] == '\r'))
    --end;
  return std::string_view(text_).substr(begin, end - begin);
}

} // namespace lamina
