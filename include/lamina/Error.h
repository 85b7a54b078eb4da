#pragma once

// Everything the runtime refuses is reported by throwing lamina::Error. what() is the whole
// report as a terminal shows it, diagnostics rendered like a compiler's
// (`model.json:12:31: error[E0204]: ...` with the line and a caret); code() is the stable
// code of the first error, or "" for errors that are not about an input (a misuse of the API
// such as count_params() before build()). diagnostics() is the same report as data, one
// record per diagnostic, for hosts that show errors their own way (an editor's squiggles, a
// web form): docs/diagnostics.md lists every code.

#include "lamina/Export.h"

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace lamina {

/// A secondary location of a diagnostic ("`(` opened here").
struct DiagnosticNote {
  std::string message;
  std::string file; // empty when the note has no place
  uint32_t line = 0, column = 0;
};

/// One diagnostic of an Error: what a compiler would print, as fields.
struct DiagnosticRecord {
  std::string code;               // "E0402"
  std::string severity = "error"; // "error", "warning" or "note"
  std::string message;            // without the location or the code
  std::string file;               // the source or config it is about; empty if none
  /// 1-based; the column counts code points. 0 when the diagnostic has no place (a run-time
  /// input error about a whole call, an I/O failure).
  uint32_t line = 0, column = 0;
  /// The source range's length in bytes (0: a point), for underlining.
  uint32_t length = 0;
  std::string label; // the text after the carets, if any
  std::vector<DiagnosticNote> notes;
};

class LAMINA_API Error : public std::runtime_error {
public:
  Error(std::string code, const std::string &what, std::vector<DiagnosticRecord> diagnostics = {})
      : std::runtime_error(what), code_(std::move(code)), diagnostics_(std::move(diagnostics)) {}
  const std::string &code() const { return code_; }
  /// Every diagnostic, in the order they were reported; empty for errors with no code.
  const std::vector<DiagnosticRecord> &diagnostics() const { return diagnostics_; }

private:
  std::string code_;
  std::vector<DiagnosticRecord> diagnostics_;
};

} // namespace lamina
