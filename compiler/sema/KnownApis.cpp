#include "compiler/sema/KnownApis.h"

#include "compiler/sema/Builtins.h"

#include <algorithm>
#include <string>

namespace lamina::sema {
namespace {

struct Module {
  std::string_view prefix, library, names; // names: space separated
};

constexpr Module kModules[] = {
#define LAMINA_KNOWN_API(Prefix, Library, Names) {Prefix, Library, Names},
#include "compiler/sema/KnownApis.inc"
};

// The lamina spellings of library functions lamina has no alias for, by canonical path (`x`,
// `y` stand for the arguments). Only where the formula is exact; the rest get "lamina does not
// have it".
constexpr std::pair<std::string_view, std::string_view> kInstead[] = {
    {"np.angle", "atan2(zeros_like(x), x)"},
    {"np.around", "round(x * 10 ** d) / 10 ** d"},
    {"np.round_", "round(x)"},
    {"tf.math.angle", "where(x < 0, np.pi, 0.0)"},
    {"tf.math.zero_fraction", "mean(cast(x == 0, 'float32'))"},
    {"tf.math.is_non_decreasing", "all(x[1:] >= x[:-1])"},
    {"tf.math.is_strictly_increasing", "all(x[1:] > x[:-1])"},
    {"tf.math.bincount", "sum(one_hot(x, n), axis=0), with a fixed length n"},
    {"tf.math.unsorted_segment_sum",
     "einsum('sn,s...->n...', one_hot(ids, n), data), with a fixed count n"},
};

bool listed(std::string_view names, std::string_view name) {
  while (!names.empty()) {
    size_t space = names.find(' ');
    if (names.substr(0, space) == name)
      return true;
    names = space == std::string_view::npos ? "" : names.substr(space + 1);
  }
  return false;
}

// `path` with a synonym module prefix replaced by the canonical one the tables use
// (`keras.backend.x` -> `K.x`); the longest synonym wins (`tf.keras.backend.` over `tf.`).
std::string canonical(std::string_view path) {
  std::string_view bestSynonym, bestCanonical;
  for (auto [canon, synonym] : modulePrefixSynonyms())
    if (path.starts_with(synonym) && synonym.size() > bestSynonym.size())
      bestSynonym = synonym, bestCanonical = canon;
  std::string out(bestCanonical);
  out += path.substr(bestSynonym.size());
  return out;
}

} // namespace

std::optional<KnownApi> knownApi(std::string_view path) {
  std::string full = canonical(path);
  size_t dot = full.rfind('.');
  if (dot == std::string::npos)
    return std::nullopt;
  std::string_view prefix = std::string_view(full).substr(0, dot + 1);
  std::string_view name = std::string_view(full).substr(dot + 1);
  for (const Module &m : kModules) {
    if (m.prefix != prefix || !listed(m.names, name))
      continue;
    KnownApi api{m.library, {}};
    auto it = std::find_if(std::begin(kInstead), std::end(kInstead),
                           [&](const auto &row) { return row.first == full; });
    if (it != std::end(kInstead))
      api.instead = it->second;
    return api;
  }
  return std::nullopt;
}

} // namespace lamina::sema
