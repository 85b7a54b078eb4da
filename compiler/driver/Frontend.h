#pragma once

// What callers parse and hand to sema, which never parses (docs/architecture.md): the text of
// an `--arg` value, and Keras's `output_shape=lambda s: ...`. Header-only over parse and sema,
// so the tests that check sema alone need no JIT.

#include "compiler/parse/Parse.h"
#include "compiler/sema/ConstValue.h"
#include "compiler/sema/Sema.h"

#include <memory>
#include <optional>

namespace lamina::driver {

/// Parses and folds one `--arg` value (JSON or a Python literal); nothing after reporting.
inline std::optional<ConstValue> parseConstValue(const SourceFile &file, DiagnosticEngine &diags) {
  std::unique_ptr<ast::Module> module = parse(file, diags);
  if (!module)
    return std::nullopt;
  return foldConstValue(*module, file, diags);
}

/// Parses an `output_shape` lambda for SemaRequest::outputShapeLambda; nothing after reporting.
inline std::optional<ParsedSource> parseShapeLambda(std::shared_ptr<const SourceFile> file,
                                                    DiagnosticEngine &diags) {
  std::shared_ptr<const ast::Module> module = parse(*file, diags);
  if (!module)
    return std::nullopt;
  return ParsedSource{std::move(file), std::move(module)};
}

} // namespace lamina::driver
