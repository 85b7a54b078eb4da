#pragma once

// Python that lamina does not have, recognised on the token list before parsing: statements
// (`if`, `for`, `import`, `with`, `try`, ...) at the start of a statement, and comprehensions.
// Each gets one diagnostic that says what to write instead, rather than the cascade of
// "unexpected token" errors the grammar would report.

#include "compiler/parse/TokenPass.h"

namespace lamina::parse_detail {

/// Reports E0215 for each Python statement or comprehension in `lexed` (lexed and checked by
/// lexAndCheck). Returns false when anything was reported.
bool checkPythonStatements(const LexedSource &lexed, DiagnosticEngine &diags);

} // namespace lamina::parse_detail
