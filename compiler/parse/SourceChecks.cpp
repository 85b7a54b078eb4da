#include "compiler/parse/SourceChecks.h"

namespace lamina::parse_detail {

namespace {

/// Length of the well-formed UTF-8 sequence at `i` (RFC 3629: no overlongs, no surrogates,
/// nothing above U+10FFFF), or 0 when it is malformed.
size_t utf8SequenceLength(const std::string &s, size_t i) {
  auto at = [&](size_t k) { return k < s.size() ? static_cast<unsigned char>(s[k]) : 0u; };
  unsigned b0 = at(i);
  auto cont = [&](size_t k, unsigned lo = 0x80, unsigned hi = 0xBF) {
    return at(k) >= lo && at(k) <= hi;
  };
  if (b0 < 0x80)
    return 1;
  if (b0 >= 0xC2 && b0 <= 0xDF)
    return cont(i + 1) ? 2 : 0;
  if (b0 == 0xE0)
    return cont(i + 1, 0xA0) && cont(i + 2) ? 3 : 0;
  if ((b0 >= 0xE1 && b0 <= 0xEC) || b0 == 0xEE || b0 == 0xEF)
    return cont(i + 1) && cont(i + 2) ? 3 : 0;
  if (b0 == 0xED)
    return cont(i + 1, 0x80, 0x9F) && cont(i + 2) ? 3 : 0;
  if (b0 == 0xF0)
    return cont(i + 1, 0x90) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  if (b0 >= 0xF1 && b0 <= 0xF3)
    return cont(i + 1) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  if (b0 == 0xF4)
    return cont(i + 1, 0x80, 0x8F) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  return 0;
}

} // namespace

bool checkSourceText(const SourceFile &file, const ParseLimits &limits, DiagnosticEngine &diags) {
  const std::string &text = file.text();
  if (text.size() > limits.maxSourceBytes) {
    // Point at the first byte past the limit; nothing beyond it is read.
    auto at = static_cast<uint32_t>(limits.maxSourceBytes);
    diags.emit(makeDiagnostic(DiagKind::SourceTooLarge, file, {at, at}, limits.maxSourceBytes)
                   .withLabel("the limit is reached here"));
    return false;
  }
  for (size_t i = 0; i < text.size();) {
    if (text[i] == '\0') {
      auto at = static_cast<uint32_t>(i);
      diags.report(DiagKind::NulByte, file, {at, at + 1});
      return false;
    }
    size_t n = utf8SequenceLength(text, i);
    if (n == 0) {
      auto at = static_cast<uint32_t>(i);
      diags.emit(makeDiagnostic(DiagKind::InvalidUtf8, file, {at, at + 1})
                     .withLabel(fmt::format("byte 0x{:02X} starts no valid UTF-8 sequence",
                                            static_cast<unsigned char>(text[i]))));
      return false;
    }
    i += n;
  }
  return true;
}

} // namespace lamina::parse_detail
