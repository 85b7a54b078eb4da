#pragma once

// A compile-time constant from outside the source: a layer's `arguments` entry, a CLI
// `--arg`, a Keras `output_shape`. JSON's values plus tuples
// (docs/language.md, "Arguments and compile-time values").

#include "compiler/ast/Ast.h"
#include "compiler/diag/Diagnostic.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lamina {

struct ConstValue {
  enum class Kind : uint8_t { None, Bool, Int, Float, String, List, Tuple } kind = Kind::None;
  bool b = false;
  int64_t i = 0;
  double f = 0;
  std::string s;
  std::vector<ConstValue> elements;

  static ConstValue none() { return {}; }
  static ConstValue boolean(bool v) { return {Kind::Bool, v, 0, 0, {}, {}}; }
  static ConstValue integer(int64_t v) { return {Kind::Int, false, v, 0, {}, {}}; }
  static ConstValue real(double v) { return {Kind::Float, false, 0, v, {}, {}}; }
  static ConstValue string(std::string v) { return {Kind::String, false, 0, 0, std::move(v), {}}; }

  /// Python's repr: `0.3`, `'REFLECT'`, `(1, 2)`, `[True, None]`.
  std::string repr() const;
};

/// The value of a parsed `--arg` text: JSON (`0.3`, `[1, 2]`, `"same"`, `true`, `null`) or
/// Python literals (`True`, `None`, `(1, 2)`, `-1e-3`), one expression statement. Reports
/// problems against `file`, which holds just that text. (Parsing it is the caller's:
/// compiler/driver/Frontend.h.)
std::optional<ConstValue> foldConstValue(const ast::Module &module, const SourceFile &file,
                                         DiagnosticEngine &diags);

} // namespace lamina
