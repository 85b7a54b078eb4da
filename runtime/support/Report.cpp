#include "runtime/support/Report.h"

#include "compiler/diag/TextRenderer.h"

namespace lamina {

void ReportCollector::consume(const Diagnostic &diagnostic) {
  if (code_.empty() && diagnostic.info().severity == Severity::Error)
    code_ = std::string(diagnostic.info().code);
  text_ += renderDiagnostic(diagnostic);
}

void ReportCollector::raise() const {
  std::string what = text_.empty() ? "internal error: a check failed without a diagnostic" : text_;
  while (!what.empty() && what.back() == '\n')
    what.pop_back();
  throw Error(code_, what);
}

void raise(const Diagnostic &diagnostic) {
  ReportCollector collector;
  collector.consume(diagnostic);
  collector.raise();
}

void raise(const std::string &message) { throw Error("", message); }

void raiseKindMessage(DiagKind kind, const std::string &message) {
  std::string code(diagKindInfo(kind).code);
  throw Error(code, fmt::format("error[{}]: {}", code, message));
}

} // namespace lamina
