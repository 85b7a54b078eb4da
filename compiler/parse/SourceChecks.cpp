#include "compiler/parse/SourceChecks.h"

#include "compiler/diag/Utf8.h"

namespace lamina::parse_detail {

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
