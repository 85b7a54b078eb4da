#include "runtime/io/MessageText.h"

#include "compiler/diag/Diagnostic.h"

#include <fmt/format.h>

#include <cstdio>

namespace lamina::io::detail {

std::string plural(uint64_t n, std::string_view unit) {
  return std::to_string(n) + " " + std::string(unit) + (n == 1 ? "" : "s");
}

std::string quote(std::string_view text, size_t max) {
  bool cut = text.size() > max;
  if (cut) {
    while (max > 0 && (static_cast<unsigned char>(text[max]) & 0xc0) == 0x80)
      --max;
    text = text.substr(0, max);
  }
  std::string out = "'";
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", u);
      out += hex;
    } else {
      out += c;
    }
  }
  return out + (cut ? "...'" : "'");
}

std::string outOfMemory(std::string_view name) { return std::string(name) + ": out of memory"; }

std::string complexData(std::string_view quotedDType) {
  const DiagKindInfo &info = diagKindInfo(DiagKind::ComplexDType);
  return "dtype " + std::string(quotedDType) + ": " +
         fmt::format(fmt::runtime(info.format), quotedDType.substr(1, quotedDType.size() - 2)) +
         " (" + std::string(info.code) + ")";
}

} // namespace lamina::io::detail
