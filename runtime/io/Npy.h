#pragma once

// Reading and writing NumPy's `.npy` and `.npz` files, the interchange format for weights and
// test data. Files come from outside, so reading checks every field before it allocates:
// a damaged or hostile file gives an error message, never a crash or a huge allocation.

#include "compiler/types/Array.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lamina::io {

struct IoLimits {
  uint64_t maxBytes = uint64_t(1) << 32; // per array data
};

/// Arrays have at most this many dimensions, in files as in the compiler.
inline constexpr size_t kMaxRank = 8;
/// The longest `.npy` header read. NumPy writes under 200 bytes for any rank-8 array; the
/// format allows 4 GiB in version 2.0, which nothing legitimate needs.
inline constexpr uint64_t kMaxHeaderBytes = 65536;
/// The most members read from one `.npz` file.
inline constexpr uint64_t kMaxNpzMembers = 1024;

/// Either an array or an error message ("in.npy: ..."): lower case, no final period, naming
/// the file and what is wrong with it.
struct ReadResult {
  std::optional<Array> array;
  std::string error;
};

/// Reads a `.npy` file of version 1.0, 2.0 or 3.0 into a C-ordered little-endian Array,
/// converting Fortran order and big-endian data. The data must fill the rest of the file
/// exactly. Pipes and devices are read too, with the header checked before the data.
ReadResult readNpy(const std::string &path, const IoLimits &limits = {});
/// The same for a file already in memory; `name` is only used in error messages.
ReadResult parseNpy(std::string_view name, std::span<const std::byte> data,
                    const IoLimits &limits = {});

/// Writes `a` as numpy.save would, byte for byte (version 1.0, C order), atomically: to a
/// temporary file beside `path` that is then renamed. Returns "" or an error message.
std::string writeNpy(const std::string &path, const Array &a);
/// The bytes writeNpy writes; empty if writeNpy would refuse `a` (a bf16 array, rank above
/// kMaxRank, or a shape, byte count or bool values that do not agree). A valid `.npy` is
/// never empty.
std::vector<std::byte> encodeNpy(const Array &a);

struct NamedArrays {
  std::vector<std::pair<std::string, Array>> arrays;
  std::string error;
};

/// Reads every member of a `.npz` archive whose name ends in ".npy", in archive order, with
/// that suffix removed. Other members are skipped, as numpy.load leaves them unparsed.
NamedArrays readNpz(const std::string &path, const IoLimits &limits = {});
/// Writes an uncompressed archive like numpy.savez: member names get ".npy" appended.
/// Atomic like writeNpy. Returns "" or an error message.
std::string writeNpz(const std::string &path,
                     const std::vector<std::pair<std::string, Array>> &arrays);

} // namespace lamina::io
