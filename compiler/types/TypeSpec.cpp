#include "compiler/types/TypeSpec.h"

#include <cctype>
#include <charconv>

namespace lamina {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  return s;
}

bool isIdentifier(std::string_view s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_'))
    return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_'))
      return false;
  return true;
}

} // namespace

Dim noneSymbol(size_t axis) {
  return Dim::symbol(axis == 0 ? "None" : "None" + std::to_string(axis));
}

std::optional<TensorType> parseTypeSpec(std::string_view text, std::string &error) {
  text = trim(text);
  size_t open = text.find('[');
  std::string_view name = trim(text.substr(0, open));
  auto dtype = parseDType(name);
  if (!dtype && isComplexDTypeName(name)) {
    // E0417's words (compiler/diag/DiagnosticKinds.def): types sits below diag.
    error = "lamina has no complex dtypes (`" + std::string(name) +
            "`); keep the real and imaginary parts as two real tensors (E0417)";
    return std::nullopt;
  }
  if (!dtype) {
    error = "unknown dtype `" + std::string(name) +
            "` (use f32, f64, i8, i16, i32, i64, u8, u16, u32, u64, bool, ...)";
    return std::nullopt;
  }
  TensorType type{*dtype, {}};
  if (open == std::string_view::npos)
    return type;
  if (text.back() != ']') {
    error = "expected `]` at the end of `" + std::string(text) + "`";
    return std::nullopt;
  }
  std::string_view dims = trim(text.substr(open + 1, text.size() - open - 2));
  while (!dims.empty()) {
    size_t comma = dims.find(',');
    std::string_view d = trim(dims.substr(0, comma));
    dims = comma == std::string_view::npos ? "" : dims.substr(comma + 1);
    int64_t value = 0;
    auto [end, ec] = std::from_chars(d.data(), d.data() + d.size(), value);
    if (ec == std::errc() && end == d.data() + d.size() && value >= 0) {
      type.shape.push_back(value);
    } else if (d == "None") {
      type.shape.push_back(noneSymbol(type.shape.size()));
    } else if (isIdentifier(d)) {
      type.shape.push_back(Dim::symbol(std::string(d)));
    } else {
      error = "`" + std::string(d) + "` is not a dimension (use a size, a name such as B, or None)";
      return std::nullopt;
    }
    if (type.shape.size() > 64) {
      error = "too many dimensions";
      return std::nullopt;
    }
  }
  return type;
}

} // namespace lamina
