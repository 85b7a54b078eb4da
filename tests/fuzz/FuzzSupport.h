#pragma once

// What every fuzz harness asserts beyond "no crash" (docs/diagnostics.md and issue 13's
// invariants): a failure always has a diagnostic, every diagnostic's range lies inside its
// text, formatting is idempotent, and the two engines accept and refuse the same programs. A
// broken invariant prints what broke and aborts, which libFuzzer (and the standalone driver)
// report as a crash with the input saved.

#include "compiler/ast/Ast.h"
#include "compiler/diag/Diagnostic.h"
#include "compiler/sema/Sema.h"
#include "compiler/types/Array.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lamina::fuzz {

/// Prints `what` (with the input's text when it is printable) and aborts.
[[noreturn]] void fail(const std::string &what, std::string_view input);

/// Every diagnostic lies inside `file` (range begin <= end <= size), and a failed stage
/// (`failed`) reported at least one error.
void checkDiagnostics(const std::vector<Diagnostic> &diagnostics, const SourceFile &file,
                      bool failed, std::string_view stage);

/// fmt(fmt(s)) == fmt(s) for a source that parses, and the formatted text parses.
void checkFormatIdempotent(const SourceFile &file);

/// Bytes as a source: parsed (module null when it does not parse), with the diagnostics.
struct ParsedSource {
  explicit ParsedSource(std::string text);
  SourceFile file;
  CollectingConsumer sink;
  DiagnosticEngine diags{sink};
  std::unique_ptr<ast::Module> module;
};

/// The request the harnesses check sources with: every input parameter of the entry (or `x`
/// and `y` in expression mode) bound by name to `type` (an f32 type such as "f32[B, 4]").
SemaRequest requestFor(const ast::Module &module, const std::string &xType,
                       const std::string &yType);

/// Deterministic inputs for a checked function: values from a small grid with a few specials,
/// seeded by `seed`, of the function's input types with every symbol set to `size`.
std::vector<Array> inputsFor(const ir::Function &fn, int64_t size, uint64_t seed);

/// The bytes as a span of std::byte.
inline std::span<const std::byte> bytesOf(const uint8_t *data, size_t size) {
  return {reinterpret_cast<const std::byte *>(data), size};
}

/// The per-call budget the harnesses run with: small enough for libFuzzer's memory limit.
inline constexpr uint64_t kFuzzBudget = uint64_t(64) << 20;

} // namespace lamina::fuzz
