#pragma once

// Analyzing sources in sema tests: a source, its inputs as type text and its arguments as
// `--arg` text in; the output types or the first diagnostic out.

#include "TestSupport.h"

#include "compiler/sema/Sema.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace lamina::test {

/// `{"x", "f32[B,256]"}`; an empty name binds the input by position.
using Inputs = std::vector<std::pair<std::string, std::string>>;
/// `{"scale", "0.17"}`: values as `--arg` writes them (JSON or Python literals).
using Args = std::vector<std::pair<std::string, std::string>>;

struct Analyzed {
  Parsed parsed;
  std::vector<Diagnostic> diagnostics; // the parser's, then sema's
  std::optional<ir::Function> fn;
  /// The output_shape lambda's text, kept alive for the diagnostics that point into it.
  std::shared_ptr<const SourceFile> shapeFile;

  /// "E0501@1:16" for the first diagnostic, "" when there is none.
  std::string first() const;
  std::string firstMessage() const { return diagnostics.empty() ? "" : diagnostics[0].message; }
  std::string firstLabel() const { return diagnostics.empty() ? "" : diagnostics[0].label; }
  /// "f32[B, 256]", several outputs joined by "; ".
  std::string types() const;
};

ConstValue argValue(const std::string &text);

/// Parses and analyzes `source`; checks that a function comes back exactly when nothing was
/// reported and that it verifies. `outputShape` is Keras's tuple (`(512,)`) or, starting with
/// `lambda`, a shape lambda.
Analyzed analyzeText(const std::string &source, const Inputs &inputs, const Args &args = {},
                     std::optional<std::string> outputShape = std::nullopt);

/// The output types of `source` ("f32[B, 256]"; several joined by "; "), or its first
/// diagnostic as "E0501@1:16".
std::string check(const std::string &source, const Inputs &inputs, const Args &args = {});

} // namespace lamina::test
