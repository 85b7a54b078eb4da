#pragma once

#include "compiler/diag/SourceFile.h"
#include "compiler/diag/SourceRange.h"

#include <fmt/format.h>

#include <string>
#include <string_view>
#include <vector>

namespace lamina {

enum class Severity { Error, Warning, Note };

enum class DiagKind : uint16_t {
#define LAMINA_DIAG(Name, Code, Sev, Format) Name,
#include "compiler/diag/DiagnosticKinds.def"
};

struct DiagKindInfo {
  std::string_view name;
  std::string_view code;
  Severity severity;
  std::string_view format;
};

const DiagKindInfo &diagKindInfo(DiagKind kind);
/// Every registered kind, in declaration order (for docs and tests).
const std::vector<DiagKind> &allDiagKinds();
std::string_view severityName(Severity severity);

/// A secondary location: "`(` opened here".
struct DiagNote {
  const SourceFile *file = nullptr;
  SourceRange range;
  std::string message;
};

struct Diagnostic {
  DiagKind kind;
  const SourceFile *file = nullptr;
  SourceRange range;
  std::string message;
  /// Short text printed after the carets, e.g. "expected an expression".
  std::string label;
  std::vector<DiagNote> notes;

  const DiagKindInfo &info() const { return diagKindInfo(kind); }
  LineColumn location() const { return file ? file->location(range.begin) : LineColumn{}; }

  Diagnostic &withLabel(std::string text) {
    label = std::move(text);
    return *this;
  }
  Diagnostic &withNote(SourceRange where, std::string text) {
    notes.push_back({file, where, std::move(text)});
    return *this;
  }
};

/// Builds a diagnostic of `kind`, formatting the kind's registered message with `args`.
template <class... Args>
Diagnostic makeDiagnostic(DiagKind kind, const SourceFile &file, SourceRange range,
                          const Args &...args) {
  return Diagnostic{
      kind, &file, range, fmt::format(fmt::runtime(diagKindInfo(kind).format), args...), {}, {}};
}

/// Where diagnostics go: the CLI renders them to a terminal, tests collect them, the REPL and
/// embedders plug in their own.
class DiagnosticConsumer {
public:
  virtual ~DiagnosticConsumer() = default;
  virtual void consume(const Diagnostic &diagnostic) = 0;
};

/// Collects diagnostics in memory.
class CollectingConsumer final : public DiagnosticConsumer {
public:
  void consume(const Diagnostic &diagnostic) override { diagnostics.push_back(diagnostic); }
  std::vector<Diagnostic> diagnostics;
};

/// Counts diagnostics, enforces the per-input cap, and forwards them to one consumer.
class DiagnosticEngine {
public:
  static constexpr unsigned kDefaultErrorLimit = 20;

  explicit DiagnosticEngine(DiagnosticConsumer &consumer, unsigned errorLimit = kDefaultErrorLimit)
      : consumer_(consumer), errorLimit_(errorLimit) {}

  void emit(Diagnostic diagnostic);

  template <class... Args>
  void report(DiagKind kind, const SourceFile &file, SourceRange range, const Args &...args) {
    emit(makeDiagnostic(kind, file, range, args...));
  }

  /// While `into` is set, diagnostics go there instead, uncounted: for checking code whose
  /// errors are reported differently (a branch not taken). Null ends the capture.
  void capture(std::vector<Diagnostic> *into) { capture_ = into; }

  unsigned errorCount() const { return errors_; }
  bool hasErrors() const { return errors_ > 0; }
  /// True once the cap was reached: further diagnostics are dropped, so stages can stop early.
  bool limitReached() const { return errors_ >= errorLimit_; }

private:
  DiagnosticConsumer &consumer_;
  unsigned errorLimit_;
  unsigned errors_ = 0;
  bool capNoted_ = false;
  std::vector<Diagnostic> *capture_ = nullptr;
};

} // namespace lamina
