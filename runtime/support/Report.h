#pragma once

// How the runtime turns diagnostics into a lamina::Error: a consumer renders each one as it
// arrives (while its SourceFile is alive) and the caller throws the collected text.

#include "compiler/diag/Diagnostic.h"
#include "lamina/Error.h"

#include <fmt/format.h>

#include <string>
#include <vector>

namespace lamina {

class ReportCollector final : public DiagnosticConsumer {
public:
  void consume(const Diagnostic &diagnostic) override;
  bool empty() const { return text_.empty(); }
  /// Throws everything collected as one Error (code: the first diagnostic's).
  [[noreturn]] void raise() const;

private:
  std::string text_, code_;
  std::vector<DiagnosticRecord> records_;
};

/// A diagnostic as the public record (lamina/Error.h), located while its file is alive.
DiagnosticRecord recordOf(const Diagnostic &diagnostic);

/// An Error for one diagnostic built on the spot.
[[noreturn]] void raise(const Diagnostic &diagnostic);
/// An Error that is not about a located input (API misuse, I/O): code "".
[[noreturn]] void raise(const std::string &message);

/// An Error of a registered kind about a call rather than a source position (a model's inputs):
/// its code, and "error[CODE]: message" as its text.
[[noreturn]] void raiseKindMessage(DiagKind kind, const std::string &message);
template <class... Args> [[noreturn]] void raiseKind(DiagKind kind, const Args &...args) {
  raiseKindMessage(kind, fmt::format(fmt::runtime(diagKindInfo(kind).format), args...));
}

} // namespace lamina
