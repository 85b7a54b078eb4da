#pragma once

#include "compiler/diag/Diagnostic.h"

#include <cstdio>
#include <string>

namespace lamina {

struct RenderOptions {
  bool color = false;
  /// Tabs in the quoted source line are expanded to this many columns, so carets line up.
  int tabWidth = 4;
};

/// Renders like clang and rustc:
///
///     model.lam:1:11: error[E0203]: `(` is never closed
///        1 | lambda x: (x +
///          |           ^
std::string renderDiagnostic(const Diagnostic &diagnostic, const RenderOptions &options = {});

/// Whether to colour output to `stream`: only on a terminal and never when NO_COLOR is set
/// (https://no-color.org: present and not empty).
bool shouldColor(std::FILE *stream);

/// Renders every diagnostic to a stdio stream (the CLI's consumer).
class StreamConsumer final : public DiagnosticConsumer {
public:
  StreamConsumer(std::FILE *stream, RenderOptions options) : stream_(stream), options_(options) {}
  void consume(const Diagnostic &diagnostic) override;

private:
  std::FILE *stream_;
  RenderOptions options_;
};

} // namespace lamina
