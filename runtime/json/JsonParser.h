#pragma once

// The Json tree behind Json::parse and the config loader, built from the events of lamina's
// one JSON reader (runtime/io/JsonReader.h). It keeps every value's position, so a config
// error (a lambda's included) points at its line and column in the file.

#include "compiler/diag/Diagnostic.h"
#include "lamina/Json.h"
#include "runtime/io/JsonReader.h"

#include <optional>

namespace lamina {

using io::JsonLimits;

/// Parses the whole of `file` (one value, surrounded by whitespace only). Reports E0801 (too
/// large, checked before anything else), E0802 (syntax, invalid UTF-8 or escapes, duplicate
/// keys) or E0803 (too deep) and returns nothing.
std::optional<Json> parseJson(const SourceFile &file, DiagnosticEngine &diags,
                              const JsonLimits &limits = {});

} // namespace lamina
