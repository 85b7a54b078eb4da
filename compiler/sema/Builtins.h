#pragma once

// The builtin registry (docs/language.md, "Builtins and aliases"). Every builtin is one
// BuiltinDef: its name, its Python-style signature (positional order, keyword names, defaults),
// a one-line summary for the docs, and the function that lowers a call — which applies the
// dtype and shape rules through the emitters of Context. Aliases (`K.mean`, `tf.reduce_sum`)
// are rows of their own with their own signature and, where the meaning differs (`K.repeat`),
// their own lowering. Adding a builtin or an alias is adding one row.

#include "compiler/sema/Context.h"

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lamina::sema {

struct CallArgs;
using LowerFn = Value (*)(Context &ctx, const CallArgs &args);

struct BuiltinDef {
  std::string_view name;      // "mean"; for an alias the full name, "tf.reduce_mean"
  std::string_view signature; // "x, axis=None, keepdims|keep_dims=False"
  LowerFn lower;
  std::string_view summary; // one line for docs/language.md
};

/// Parsed signature: slot i has one or more accepted keyword names and maybe a default.
struct ParamSpec {
  std::vector<std::string> names; // first is the documented name
  bool hasDefault = false;
  Value defaultValue;
  bool variadic = false;    // `*operands`: the remaining positional arguments, as a tuple
  bool keywordOnly = false; // after a bare `*`
};

/// The arguments of one call, one per signature slot, defaults filled in.
struct CallArgs {
  const BuiltinDef *def = nullptr;
  std::string_view calledAs; // the spelling used at the call site
  SourceRange range;         // the whole call
  std::vector<Value> values;
  std::vector<bool> given;

  const Value &operator[](size_t i) const { return values[i]; }
  bool isNone(size_t i) const { return values[i].kind == Value::Kind::None; }
};

/// Module prefixes the registry also files rows under: (canonical, synonym) pairs such as
/// ("K.", "keras.backend."). The tables are written with the canonical prefixes.
std::span<const std::pair<std::string_view, std::string_view>> modulePrefixSynonyms();

/// Whose numeric conventions a builtin's full name (`np.sin`, `numpy.sqrt`, `tf.sin`) asks
/// for: the module's library where its rules differ from lamina's (Context::library).
Library libraryOf(std::string_view qualifiedName);

/// Finds a builtin by its full name (`relu`, `tf.nn.relu`, `keras.backend.mean`). Rows whose
/// name starts with `_` are targets for aliases only and are not found here.
const BuiltinDef *findBuiltin(std::string_view qualifiedName);
/// Whether some builtin lives under `prefix.` (so `tf.math` is a namespace).
bool isNamespace(std::string_view prefix);
/// Every name directly under `prefix` (empty: the plain builtins), for did-you-mean.
std::vector<std::string> namesUnder(std::string_view prefix);
/// Every row, plain builtins first (for the docs and the alias coverage tests).
std::vector<const BuiltinDef *> allBuiltins();
const std::vector<ParamSpec> &signatureOf(const BuiltinDef &def);
/// For an alias row, the row it calls; null for a builtin.
const BuiltinDef *aliasTarget(const BuiltinDef &def);

/// Binds a call's positional and keyword arguments to `def`'s slots; reports E0315–E0318.
std::optional<CallArgs> bindCall(Context &ctx, const BuiltinDef &def, std::string_view calledAs,
                                 std::vector<Value> positional,
                                 std::vector<std::pair<std::string, Value>> keywords,
                                 SourceRange range);

// The tables, one per area (Builtins*.cpp, Aliases.cpp).
std::span<const BuiltinDef> elementwiseBuiltins();
std::span<const BuiltinDef> moreMathBuiltins();
std::span<const BuiltinDef> activationBuiltins();
std::span<const BuiltinDef> reductionBuiltins();
std::span<const BuiltinDef> shapeBuiltins();
std::span<const BuiltinDef> maskBuiltins();
std::span<const BuiltinDef> imageBuiltins();
std::span<const BuiltinDef> poolingBuiltins();
std::span<const BuiltinDef> lossBuiltins();
std::span<const BuiltinDef> sortBuiltins();
std::span<const BuiltinDef> creationBuiltins();
std::span<const BuiltinDef> linalgBuiltins();
std::span<const BuiltinDef> variableBuiltins();
std::span<const BuiltinDef> arrayBuiltins();
std::span<const BuiltinDef> neuralNetBuiltins();

/// The tables with the titles the docs give them, in the order the docs list them.
struct BuiltinArea {
  std::string_view title;
  std::span<const BuiltinDef> rows;
};
const std::vector<BuiltinArea> &builtinAreas();

/// A migration alias: `name` (e.g. "tf.reduce_sum") calls the row `target`, with its own
/// signature when the API's parameters differ (empty: the target's).
struct AliasDef {
  std::string_view name;
  std::string_view target;
  std::string_view signature;
};
std::span<const AliasDef> aliasTable();

// ---------------------------------------------------------------- argument helpers
// Each reports a diagnostic naming the argument and returns nothing when it is unusable.
std::optional<int64_t> intArg(Context &ctx, const CallArgs &a, size_t i);
std::optional<double> floatArg(Context &ctx, const CallArgs &a, size_t i);
std::optional<bool> boolArg(Context &ctx, const CallArgs &a, size_t i);
std::optional<std::string> stringArg(Context &ctx, const CallArgs &a, size_t i,
                                     std::span<const std::string_view> options);
/// None gives `fallback`; accepts dtype values (`tf.float32`) and names (`'float32'`).
std::optional<DType> dtypeArg(Context &ctx, const CallArgs &a, size_t i,
                              std::optional<DType> fallback);
MaybeId tensorArg(Context &ctx, const CallArgs &a, size_t i);
/// An axis list for a tensor of `rank`: None means every axis; normalized, sorted, unique.
std::optional<std::vector<int64_t>> axesArg(Context &ctx, const CallArgs &a, size_t i, size_t rank);
std::optional<int64_t> axisArg(Context &ctx, const CallArgs &a, size_t i, size_t rank);
/// A shape: an int or a sequence of (possibly symbolic) ints.
std::optional<Shape> shapeArg(Context &ctx, const Value &v);
std::optional<std::vector<int64_t>> intListArg(Context &ctx, const Value &v, std::string_view what);
/// The tensors of a list argument (`concat([a, b])`).
std::optional<std::vector<Value>> seqArg(Context &ctx, const CallArgs &a, size_t i);
std::string argName(const CallArgs &a, size_t i); // "`axis` of `mean`"

inline Value tensorValue(MaybeId id, SourceRange r) {
  return id ? Value::ofTensor(*id, r) : Value::error(r);
}

} // namespace lamina::sema
