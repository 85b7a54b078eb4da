#include "compiler/diag/DisplayWidth.h"

namespace lamina {

namespace {
struct Range {
  char32_t lo, hi;
};

bool inRanges(char32_t cp, const Range *ranges, size_t count) {
  for (size_t i = 0; i < count; ++i)
    if (cp >= ranges[i].lo && cp <= ranges[i].hi)
      return true;
  return false;
}

constexpr Range kCombining[] = {
    {0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD}, {0x0610, 0x061A}, {0x064B, 0x065F},
    {0x0E31, 0x0E31}, {0x0E34, 0x0E3A}, {0x1AB0, 0x1AFF}, {0x1DC0, 0x1DFF}, {0x200B, 0x200F},
    {0x20D0, 0x20FF}, {0xFE00, 0xFE0F}, {0xFE20, 0xFE2F}, {0xFEFF, 0xFEFF}};

constexpr Range kWide[] = {{0x1100, 0x115F},   {0x2E80, 0x303E},   {0x3041, 0x33FF},
                           {0x3400, 0x4DBF},   {0x4E00, 0x9FFF},   {0xA000, 0xA4CF},
                           {0xAC00, 0xD7A3},   {0xF900, 0xFAFF},   {0xFE30, 0xFE4F},
                           {0xFF00, 0xFF60},   {0xFFE0, 0xFFE6},   {0x1F300, 0x1F64F},
                           {0x1F900, 0x1F9FF}, {0x20000, 0x2FFFD}, {0x30000, 0x3FFFD}};
} // namespace

int codePointWidth(char32_t cp) {
  if (inRanges(cp, kCombining, std::size(kCombining)))
    return 0;
  if (inRanges(cp, kWide, std::size(kWide)))
    return 2;
  return 1;
}

char32_t decodeUtf8(std::string_view text, size_t &i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char b0 = byte(i);
  int extra = b0 < 0x80           ? 0
              : (b0 >> 5) == 0x6  ? 1
              : (b0 >> 4) == 0xE  ? 2
              : (b0 >> 3) == 0x1E ? 3
                                  : -1;
  if (extra == 0) {
    ++i;
    return b0;
  }
  if (extra < 0 || i + extra >= text.size()) {
    ++i;
    return 0xFFFD;
  }
  char32_t cp = b0 & (0x3F >> extra);
  for (int k = 1; k <= extra; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) {
      ++i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  i += extra + 1;
  return cp;
}

} // namespace lamina
