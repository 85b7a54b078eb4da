#include "tools/lamina/repl/ProgramText.h"

#include <algorithm>

namespace lamina::cli::repl {

void ProgramText::addMapped(std::shared_ptr<const SourceFile> origin, SourceRange range) {
  auto begin = uint32_t(text_.size());
  text_.append(origin->text(), range.begin, range.end - range.begin);
  segments_.push_back({begin, uint32_t(text_.size()), std::move(origin), range.begin});
}

std::pair<const SourceFile *, SourceRange> ProgramText::locate(SourceRange r) const {
  for (const Segment &s : segments_) {
    // A range starting inside the piece (or an empty one at its very end) maps into it,
    // clipped to the piece.
    bool inside = r.begin >= s.begin && (r.begin < s.end || (r.begin == s.end && r.end == r.begin));
    if (!inside)
      continue;
    uint32_t end = std::clamp(r.end, r.begin, s.end);
    return {s.origin.get(), {s.originBegin + (r.begin - s.begin), s.originBegin + (end - s.begin)}};
  }
  return {input_.get(), inputRange_};
}

Diagnostic ProgramText::map(const Diagnostic &d, const SourceFile &program) const {
  Diagnostic out = d;
  if (d.file == &program)
    std::tie(out.file, out.range) = locate(d.range);
  for (DiagNote &note : out.notes)
    if (note.file == &program)
      std::tie(note.file, note.range) = locate(note.range);
  return out;
}

} // namespace lamina::cli::repl
