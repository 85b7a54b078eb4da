#pragma once

#include "compiler/diag/SourceFile.h"
#include "compiler/types/Array.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace lamina::cli {

/// Exit codes of every `lamina` command (documented in docs/cli.md).
enum ExitCode : int {
  kExitOk = 0,
  kExitInputErrors = 1, // the input has errors (diagnostics were printed)
  kExitUsage = 2,       // the command line is wrong
  kExitIo = 3,          // a file could not be read or written
  kExitInternal = 4,    // the JIT could not compile (a lamina or LLVM failure)
};

/// Reads a source named on the command line: a path, `-` for standard input, or, for
/// `--expr`, the text itself (`@path` reads it from a file). At most `maxBytes + 1` bytes are
/// read, so an oversized input costs nothing and is still reported as too large by the parser.
/// Prints the I/O error and returns nothing when the file cannot be read.
std::optional<SourceFile> readPath(const std::string &path, size_t maxBytes);
std::optional<SourceFile> readExpr(const std::string &expr, size_t maxBytes);

/// Replaces `path` with `text` atomically (write a sibling, then rename), so an interrupted
/// write never leaves a half-written source behind.
bool writeFileAtomically(const std::string &path, const std::string &text);

/// Arrays in files, through the public tensor files (lamina/TensorFiles.h) that hosts use:
/// the array, or nothing with `error` set to the message.
std::optional<Array> readNpyArray(const std::string &path, std::string &error);
/// Write as .npy (one array) or .npz (named arrays): "" or the message.
std::string writeNpyArray(const std::string &path, const Array &array);
std::string writeNpzArrays(const std::string &path,
                           const std::vector<std::pair<std::string, Array>> &arrays);

} // namespace lamina::cli
