#pragma once

// Reading and writing `.safetensors` files (https://github.com/huggingface/safetensors), the
// weights format of Hugging Face and Keras 3: an 8-byte little-endian header length N, N bytes
// of JSON describing each tensor, then the tensors' bytes. Like the `.npy` reader, reading
// checks every field of the header before it allocates anything the file asks for: a damaged
// or hostile file gives an error message, never a crash or a huge allocation.

#include "runtime/io/Npy.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lamina::io {

/// The longest JSON header read. Writers put about 100 bytes per tensor in it; the reference
/// implementation allows 100 MB, which no model of at most kMaxSafetensorsTensors needs.
inline constexpr uint64_t kMaxSafetensorsHeaderBytes = uint64_t(16) << 20;
/// The most tensors read from (or written to) one file.
inline constexpr uint64_t kMaxSafetensorsTensors = 65536;
/// The deepest JSON nesting read; a valid header nests 3 deep (header, tensor, shape).
inline constexpr size_t kMaxSafetensorsJsonDepth = 8;

/// The optional "__metadata__" map of a file: string keys and values, sorted by key.
using SafetensorsMetadata = std::vector<std::pair<std::string, std::string>>;

/// Reads every tensor of a `.safetensors` file, in the order of their data in the file. The
/// dtypes BOOL, I8, U8, I16, U16, I32, U32, I64, U64, F16, BF16, F32 and F64 are read; others
/// are an error (complex C64 with E0417's advice). The header must describe the data exactly:
/// tensors that tile the data with no hole, overlap or trailing bytes. Only regular files are read.
/// If `metadata` is given, it receives the
/// "__metadata__" map (empty when there is none or on error).
NamedArrays readSafetensors(const std::string &path, const IoLimits &limits = {},
                            SafetensorsMetadata *metadata = nullptr);
/// The same for a file already in memory; `name` is only used in error messages.
NamedArrays parseSafetensors(std::string_view name, std::span<const std::byte> data,
                             const IoLimits &limits = {}, SafetensorsMetadata *metadata = nullptr);

/// Writes `arrays` as the reference implementation does: the tensors' data ordered by element
/// size (largest first) and then by name, so that every tensor is aligned; the header padded
/// with spaces to a multiple of 8 bytes; `metadata`, if not empty, as "__metadata__" sorted by
/// key. The output depends only on the arguments, byte for byte. Atomic like writeNpy.
/// Refuses empty, duplicate or non-UTF-8 names, the name "__metadata__", duplicate metadata
/// keys, rank above kMaxRank, and arrays whose byte count, shape or bool values disagree.
/// Returns "" or an error message.
std::string writeSafetensors(const std::string &path,
                             const std::vector<std::pair<std::string, Array>> &arrays,
                             const SafetensorsMetadata &metadata = {});
/// The bytes writeSafetensors writes; empty if it would refuse the arguments.
std::vector<std::byte> encodeSafetensors(const std::vector<std::pair<std::string, Array>> &arrays,
                                         const SafetensorsMetadata &metadata = {});

} // namespace lamina::io
