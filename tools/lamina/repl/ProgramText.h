#pragma once

// The program the REPL hands to sema is assembled from pieces of what the user typed (this
// input, the defs of earlier inputs, the helpers) and a few words of its own (the entry def
// that binds the session's names as parameters, a `return`). ProgramText remembers where each
// piece came from, so that every diagnostic is reported against the text the user typed, at
// the line and column they typed it.

#include "compiler/diag/Diagnostic.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace lamina::cli::repl {

class ProgramText {
public:
  /// Where diagnostics on the REPL's own words go (the input being evaluated, whole).
  ProgramText(std::shared_ptr<const SourceFile> input, SourceRange inputRange)
      : input_(std::move(input)), inputRange_(inputRange) {}

  void addSynthetic(std::string_view text) { text_ += text; }
  /// Appends `range` of `origin`, whose diagnostics map back onto it.
  void addMapped(std::shared_ptr<const SourceFile> origin, SourceRange range);

  const std::string &text() const { return text_; }

  /// `d` (reported on the assembled `program`) re-pointed at the text it came from.
  Diagnostic map(const Diagnostic &d, const SourceFile &program) const;

private:
  struct Segment {
    uint32_t begin, end;
    std::shared_ptr<const SourceFile> origin;
    uint32_t originBegin;
  };
  // The origin and range of a program range; the input's range when it is the REPL's own text.
  std::pair<const SourceFile *, SourceRange> locate(SourceRange r) const;

  std::shared_ptr<const SourceFile> input_;
  SourceRange inputRange_;
  std::string text_;
  std::vector<Segment> segments_;
};

} // namespace lamina::cli::repl
