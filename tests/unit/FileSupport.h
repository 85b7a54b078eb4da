#pragma once

// Files in tests: whole files as bytes, and a scratch directory that cleans up after itself.

#include <cstddef>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lamina::test {

/// The whole content of the file at `path`, to compare what a writer wrote; fails the test
/// when the file cannot be opened.
std::vector<std::byte> fileBytes(const std::string &path);

/// Writes `bytes` as the whole file at `path`, to set up the input of a reader; fails the
/// test when the write fails.
void writeBytes(const std::string &path, std::span<const std::byte> bytes);

/// The characters of `s` as bytes, to build a file's content from text.
std::vector<std::byte> bytesOf(std::string_view s);

/// A fresh directory, `<prefix>-XXXXXX` in the system's temporary directory, removed with
/// everything in it at the end of the test.
struct TempDir {
  std::filesystem::path path;
  explicit TempDir(std::string_view prefix);
  ~TempDir();
  /// The path of `name` in this directory.
  std::string operator/(const std::string &name) const;
};

} // namespace lamina::test
