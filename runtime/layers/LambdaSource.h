#pragma once

// Where a lamina function's text came from. A Lambda made in C++ has just its text; one read
// from a config also knows the config file and where each byte of the text sits in it (JSON
// escapes and multi-line arrays make the two differ), so that every diagnostic about the
// text — syntax, types, shapes, even run-time shape checks — points into the config file.

#include "compiler/diag/Diagnostic.h"
#include "lamina/Json.h"

#include <functional>
#include <memory>
#include <vector>

namespace lamina {

struct LambdaSource {
  std::shared_ptr<const SourceFile> file;
  std::shared_ptr<const SourceFile> config; // null unless read from a config
  std::vector<uint32_t> configOffsets;      // per byte of file->text(), and one past the end

  static std::shared_ptr<const LambdaSource> fromText(std::string text, std::string name);
  /// The text of a JSON string, or of an array of strings (joined as lines), with positions.
  static std::shared_ptr<const LambdaSource>
  fromJson(const Json &value, std::shared_ptr<const SourceFile> config, std::string name);

  /// Runs `body` with a diagnostics engine whose reports are rendered — moved into the config
  /// when there is one — and thrown as one lamina::Error if `body` returns false.
  void report(const std::function<bool(DiagnosticEngine &)> &body) const;
};

} // namespace lamina
