#include "runtime/support/Report.h"

#include "compiler/diag/TextRenderer.h"

namespace lamina {

void ReportCollector::consume(const Diagnostic &diagnostic) {
  if (code_.empty() && diagnostic.info().severity == Severity::Error)
    code_ = std::string(diagnostic.info().code);
  text_ += renderDiagnostic(diagnostic);
  records_.push_back(recordOf(diagnostic));
}

DiagnosticRecord recordOf(const Diagnostic &diagnostic) {
  DiagnosticRecord record;
  record.code = std::string(diagnostic.info().code);
  record.severity = std::string(severityName(diagnostic.info().severity));
  record.message = diagnostic.message;
  record.label = diagnostic.label;
  if (diagnostic.file) {
    record.file = diagnostic.file->name();
    LineColumn at = diagnostic.location();
    record.line = at.line;
    record.column = at.column;
    record.length = diagnostic.range.end - diagnostic.range.begin;
  }
  for (const DiagNote &note : diagnostic.notes) {
    DiagnosticNote out{note.message, "", 0, 0};
    if (note.file) {
      out.file = note.file->name();
      LineColumn at = note.file->location(note.range.begin);
      out.line = at.line;
      out.column = at.column;
    }
    record.notes.push_back(std::move(out));
  }
  return record;
}

void ReportCollector::raise() const {
  std::string what = text_.empty() ? "internal error: a check failed without a diagnostic" : text_;
  while (!what.empty() && what.back() == '\n')
    what.pop_back();
  throw Error(code_, what, records_);
}

void raise(const Diagnostic &diagnostic) {
  ReportCollector collector;
  collector.consume(diagnostic);
  collector.raise();
}

void raise(const std::string &message) { throw Error("", message); }

void raiseKindMessage(DiagKind kind, const std::string &message) {
  const DiagKindInfo &info = diagKindInfo(kind);
  std::string code(info.code);
  DiagnosticRecord record;
  record.code = code;
  record.severity = std::string(severityName(info.severity));
  record.message = message;
  throw Error(code, fmt::format("error[{}]: {}", code, message), {record});
}

} // namespace lamina
