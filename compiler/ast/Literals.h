#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace lamina::ast {

/// Canonical spellings of literal values, shared by the printer and the dumper.

std::string formatInteger(int64_t value);
/// Shortest text that reads back as the same double, always recognisable as a float
/// (`255.0`, `1e-320`, `0.5`).
std::string formatFloat(double value);
/// A double-quoted literal with escapes; triple-quoted when the text spans lines.
std::string quoteString(std::string_view value);

} // namespace lamina::ast
