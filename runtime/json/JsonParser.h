#pragma once

// The JSON reader behind Json::parse and the config loader. It keeps every value's position,
// so a config error (a lambda's included) points at its line and column in the file.

#include "compiler/diag/Diagnostic.h"
#include "lamina/Json.h"

#include <cstddef>
#include <optional>

namespace lamina {

struct JsonLimits {
  size_t maxBytes = size_t(16) << 20; // docs/embedding.md, "Limits"
  unsigned maxDepth = 64;
};

/// Parses the whole of `file` (one value, surrounded by whitespace only). Reports E0801 (too
/// large, checked before anything else), E0802 (syntax, invalid UTF-8 or escapes, duplicate
/// keys) or E0803 (too deep) and returns nothing.
std::optional<Json> parseJson(const SourceFile &file, DiagnosticEngine &diags,
                              const JsonLimits &limits = {});

} // namespace lamina
