#include "compiler/diag/Diagnostic.h"

#include <array>

namespace lamina {

namespace {
constexpr std::array kKinds = {
#define LAMINA_DIAG(Name, Code, Sev, Format) DiagKindInfo{#Name, Code, Severity::Sev, Format},
#include "compiler/diag/DiagnosticKinds.def"
};
} // namespace

const DiagKindInfo &diagKindInfo(DiagKind kind) { return kKinds[static_cast<size_t>(kind)]; }

const std::vector<DiagKind> &allDiagKinds() {
  static const std::vector<DiagKind> kinds = [] {
    std::vector<DiagKind> all;
    for (size_t i = 0; i < kKinds.size(); ++i)
      all.push_back(static_cast<DiagKind>(i));
    return all;
  }();
  return kinds;
}

std::string_view severityName(Severity severity) {
  switch (severity) {
  case Severity::Error:
    return "error";
  case Severity::Warning:
    return "warning";
  case Severity::Note:
    return "note";
  }
  return "error";
}

void DiagnosticEngine::emit(Diagnostic diagnostic) {
  if (capture_) {
    capture_->push_back(std::move(diagnostic));
    return;
  }
  if (limitReached()) {
    if (!capNoted_ && diagnostic.info().severity == Severity::Error) {
      capNoted_ = true;
      consumer_.consume(
          makeDiagnostic(DiagKind::TooManyErrors, *diagnostic.file, diagnostic.range, errorLimit_));
    }
    return;
  }
  if (diagnostic.info().severity == Severity::Error)
    ++errors_;
  consumer_.consume(diagnostic);
}

} // namespace lamina
