#pragma once

#include <cstdint>

namespace lamina {

/// A half-open range of byte offsets into one SourceFile. Byte offsets (not tokens, not
/// line/column pairs) are what every stage stores; line and column are computed only when
/// a diagnostic is rendered.
struct SourceRange {
  uint32_t begin = 0;
  uint32_t end = 0;

  friend bool operator==(const SourceRange &, const SourceRange &) = default;
  static SourceRange join(SourceRange a, SourceRange b) {
    return {a.begin < b.begin ? a.begin : b.begin, a.end > b.end ? a.end : b.end};
  }
};

} // namespace lamina
