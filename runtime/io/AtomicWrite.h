#pragma once

// What the .npy, .npz and .safetensors writers share: writing a file atomically and the text
// of a system error. Internal to lamina_io.

#include <cstddef>
#include <span>
#include <string>

namespace lamina::io::detail {

/// "No such file" -> "no such file", but "CRC error" stays.
std::string lowerFirst(std::string s);

/// strerror(code) in lower case, as error messages are written.
std::string systemError(int code);

/// Writes the concatenation of `pieces` to a new file beside `path` and renames it over
/// `path`, so that readers see the old file or the new one, never a partial one. On failure
/// the temporary file is removed. Returns "" or why not ("cannot write: ...", without the path).
std::string writeAtomically(const std::string &path,
                            std::span<const std::span<const std::byte>> pieces);
/// The same for one piece.
std::string writeAtomically(const std::string &path, std::span<const std::byte> bytes);

} // namespace lamina::io::detail
