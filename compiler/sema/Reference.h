#pragma once

// The generated parts of docs/language.md: the builtin and alias reference and the promotion
// table, printed from the registry and the dtype rules themselves so the docs cannot drift
// (`lamina doc builtins`, `lamina doc promotion`; tests/unit/DocsTest.cpp compares).

#include <string>

namespace lamina {

std::string builtinReference();
std::string promotionTable();
/// One line per alias row, tab-separated, after a header line: the row's name (its canonical
/// spelling), the row it calls, its signature and every spelling that finds it (the name
/// first, then its synonyms under other module prefixes, comma-separated).
std::string aliasListing();

} // namespace lamina
