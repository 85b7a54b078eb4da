#pragma once

// The generated parts of docs/language.md: the builtin and alias reference and the promotion
// table, printed from the registry and the dtype rules themselves so the docs cannot drift
// (`lamina doc builtins`, `lamina doc promotion`; tests/unit/DocsTest.cpp compares).

#include <string>

namespace lamina {

std::string builtinReference();
std::string promotionTable();

} // namespace lamina
