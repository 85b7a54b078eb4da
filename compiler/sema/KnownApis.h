#pragma once

// The public names of the libraries lamina has aliases in (KnownApis.inc, generated from the
// real TensorFlow, Keras and NumPy by scripts/make-known-apis.py). A name lamina does not know
// that one of them has is a function lamina lacks, not a typo: it gets "lamina does not have
// it" and, where there is one, the lamina spelling that computes it, never the nearest name by
// letters (`tf.sort` is not `tf.sqrt`).

#include <optional>
#include <string_view>

namespace lamina::sema {

/// What lamina says of a library name it does not have.
struct KnownApi {
  std::string_view library; // "TensorFlow"
  std::string_view instead; // the lamina spelling that computes it, or empty
};

/// `path` (`tf.math.xlogy`, `keras.backend.foo`, `jnp.bar`: any module prefix lamina knows,
/// synonyms included) when one of the libraries has it.
std::optional<KnownApi> knownApi(std::string_view path);

} // namespace lamina::sema
