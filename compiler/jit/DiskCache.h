#pragma once

// The persistent object cache: one file per kernel, named by the SHA-256 of its key. A file
// is used only if it is a regular file owned by this user and writable by no one else, its
// header names exactly this key, and its object code hashes to the SHA-256 stored with it;
// anything else is ignored (and overwritten by a fresh compile), never executed.

#include <optional>
#include <string>

namespace lamina::jit {

/// $XDG_CACHE_HOME/lamina/kernels, or ~/.cache/lamina/kernels; empty if neither is set.
std::string defaultCacheDir();

std::optional<std::string> readCachedObject(const std::string &dir, const std::string &key);

/// Best effort: a cache that cannot be written is skipped silently (compiling still works).
void writeCachedObject(const std::string &dir, const std::string &key, const std::string &object);

} // namespace lamina::jit
