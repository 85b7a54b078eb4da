#pragma once

#include "compiler/diag/Diagnostic.h"
#include "compiler/parse/Parse.h"

namespace lamina::parse_detail {

/// Size, NUL bytes and UTF-8 validity: everything that must hold before the lexer reads a
/// single character. Reports the first offending byte and returns false on failure.
bool checkSourceText(const SourceFile &file, const ParseLimits &limits, DiagnosticEngine &diags);

} // namespace lamina::parse_detail
