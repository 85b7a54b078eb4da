#pragma once

// Tensors in the files NumPy, Keras and Hugging Face write: `.npy`, `.npz` (numpy.savez) and
// `.safetensors`, so a host needs no loader of its own. Files come from outside: every header
// field is checked before anything is allocated, and a damaged or hostile file is a
// lamina::Error with code E1001 whose text names the file and what is wrong, never a crash or
// a huge allocation. Writes are atomic (a temporary file renamed into place) and byte for
// byte what numpy.save, numpy.savez and the safetensors reference implementation write.

#include "lamina/Error.h"
#include "lamina/Export.h"
#include "lamina/Tensor.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace lamina {

struct ReadLimits {
  uint64_t maxBytes = uint64_t(1) << 32; // the most data bytes of one array
};

/// Tensors by name, in file order.
using NamedTensors = std::vector<std::pair<std::string, Tensor>>;
/// A `.safetensors` file's "__metadata__": string keys and values, sorted by key.
using TensorFileMetadata = std::vector<std::pair<std::string, std::string>>;

/// A `.npy` file of any version, C or Fortran order, either byte order; the tensor is C-ordered.
LAMINA_API Tensor loadNpy(const std::string &path, const ReadLimits &limits = {});
/// Writes as numpy.save does (bf16, which NumPy lacks, is refused).
LAMINA_API void saveNpy(const std::string &path, const Tensor &tensor);

/// Every `.npy` member of a `.npz` archive, named without the ".npy".
LAMINA_API NamedTensors loadNpz(const std::string &path, const ReadLimits &limits = {});
/// An uncompressed archive, as numpy.savez writes.
LAMINA_API void saveNpz(const std::string &path, const NamedTensors &tensors);

/// Every tensor of a `.safetensors` file; `metadata`, when given, receives its metadata.
LAMINA_API NamedTensors loadSafetensors(const std::string &path, const ReadLimits &limits = {},
                                        TensorFileMetadata *metadata = nullptr);
/// Writes as the reference implementation does (tensors aligned, the output depending only on
/// the arguments).
LAMINA_API void saveSafetensors(const std::string &path, const NamedTensors &tensors,
                                const TensorFileMetadata &metadata = {});

} // namespace lamina
