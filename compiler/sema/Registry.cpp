// The registry: one name -> row map built once from the tables, signature parsing, call
// binding and the argument helpers every lowering uses.

#include "compiler/sema/Builtins.h"

#include "compiler/sema/Operators.h"
#include "compiler/sema/Sema.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <deque>
#include <map>
#include <mutex>

namespace lamina::sema {

std::span<const std::pair<std::string_view, std::string_view>> modulePrefixSynonyms() {
  // Module prefixes that mean the same thing (docs/language.md, "Aliases"). The tables use
  // the first.
  static constexpr std::pair<std::string_view, std::string_view> kSynonyms[] = {
      {"K.", "keras.backend."},
      {"K.", "tf.keras.backend."},
      {"np.", "jnp."},
      {"np.", "numpy."},
      {"np.", "tf.experimental.numpy."},
      {"ops.", "keras.ops."},
      {"activations.", "keras.activations."},
      {"activations.", "tf.keras.activations."},
      {"tf.", "tf.compat.v1."}, // TF 1's names that mean the same in TF 2
      {"random.", "keras.random."},
      {"losses.", "keras.losses."},
      {"losses.", "tf.keras.losses."},
      {"metrics.", "keras.metrics."},
      {"metrics.", "tf.keras.metrics."},
  };
  return kSynonyms;
}

Library libraryOf(std::string_view name) {
  // jnp is NumPy's API with JAX's dtypes (the default float), and Keras, TensorFlow and
  // lamina agree; only NumPy itself widens integers to the float that holds them.
  return name.starts_with("np.") || name.starts_with("numpy.") ? Library::NumPy : Library::Lamina;
}

const std::vector<BuiltinArea> &builtinAreas() {
  static const std::vector<BuiltinArea> areas = {{"Elementwise", elementwiseBuiltins()},
                                                 {"More math", moreMathBuiltins()},
                                                 {"Activations", activationBuiltins()},
                                                 {"Reductions", reductionBuiltins()},
                                                 {"Shape", shapeBuiltins()},
                                                 {"Masks", maskBuiltins()},
                                                 {"Sorting", sortBuiltins()},
                                                 {"Images", imageBuiltins()},
                                                 {"Pooling", poolingBuiltins()},
                                                 {"Losses and metrics", lossBuiltins()},
                                                 {"Creation", creationBuiltins()},
                                                 {"Linear algebra", linalgBuiltins()},
                                                 {"Variables and training", variableBuiltins()},
                                                 {"Arrays and statistics", arrayBuiltins()},
                                                 {"Neural-network helpers", neuralNetBuiltins()}};
  return areas;
}

namespace {

// A default value in a signature: None, True, False, a number, a 'string' or a tuple of those.
Value parseDefault(std::string_view text) {
  SourceRange none{};
  if (text == "None")
    return Value::none(none);
  if (text == "True" || text == "False")
    return Value::boolean(text == "True", none);
  if (text.size() >= 2 && text.front() == '\'')
    return Value::string(std::string(text.substr(1, text.size() - 2)), none);
  if (text.size() >= 2 && text.front() == '(') {
    std::vector<Value> elements;
    std::string_view body = text.substr(1, text.size() - 2);
    while (!body.empty()) {
      size_t comma = body.find(',');
      std::string_view part = body.substr(0, comma);
      while (!part.empty() && part.front() == ' ')
        part.remove_prefix(1);
      if (!part.empty())
        elements.push_back(parseDefault(part));
      body = comma == std::string_view::npos ? "" : body.substr(comma + 1);
    }
    return Value::seq(std::move(elements), true, none);
  }
  int64_t i = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), i);
  if (ec == std::errc() && p == text.data() + text.size())
    return Value::integer(i, none);
  double f = 0;
  std::from_chars(text.data(), text.data() + text.size(), f);
  return Value::real(f, none);
}

std::vector<ParamSpec> parseSignature(std::string_view text) {
  std::vector<ParamSpec> out;
  bool keywordOnly = false;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    char c = i < text.size() ? text[i] : ',';
    depth += c == '(' ? 1 : c == ')' ? -1 : 0;
    if (c != ',' || depth != 0)
      continue;
    std::string_view part = text.substr(start, i - start);
    start = i + 1;
    while (!part.empty() && part.front() == ' ')
      part.remove_prefix(1);
    if (part.empty())
      continue;
    if (part == "*") {
      keywordOnly = true;
      continue;
    }
    ParamSpec spec;
    spec.keywordOnly = keywordOnly;
    if (part.front() == '*') {
      spec.variadic = true;
      part.remove_prefix(1);
    }
    size_t eq = part.find('=');
    std::string_view names = part.substr(0, eq);
    if (eq != std::string_view::npos) {
      spec.hasDefault = true;
      spec.defaultValue = parseDefault(part.substr(eq + 1));
    }
    for (size_t bar; (bar = names.find('|')) != std::string_view::npos;
         names.remove_prefix(bar + 1))
      spec.names.emplace_back(names.substr(0, bar));
    spec.names.emplace_back(names);
    out.push_back(std::move(spec));
  }
  return out;
}

struct Registry {
  std::map<std::string, const BuiltinDef *, std::less<>> byName; // user-visible names
  std::map<std::string, const BuiltinDef *, std::less<>> rows;   // every row, by its own name
  std::map<const BuiltinDef *, std::vector<ParamSpec>> signatures;
  std::map<const BuiltinDef *, const BuiltinDef *> aliasTargets;
  std::vector<const BuiltinDef *> ordered;
  std::deque<BuiltinDef> aliasRows;

  void add(const BuiltinDef &def) {
    ordered.push_back(&def);
    signatures.emplace(&def, parseSignature(def.signature));
    rows.emplace(std::string(def.name), &def);
    if (def.name.starts_with("_"))
      return;
    byName.emplace(std::string(def.name), &def);
    for (auto [canonical, synonym] : modulePrefixSynonyms())
      if (def.name.starts_with(canonical))
        byName.emplace(std::string(synonym) + std::string(def.name.substr(canonical.size())), &def);
  }

  Registry() {
    for (const BuiltinArea &area : builtinAreas())
      for (const BuiltinDef &def : area.rows)
        add(def);
    for (const AliasDef &alias : aliasTable()) {
      auto target = rows.find(alias.target);
      if (target == rows.end())
        continue; // a broken row: the alias coverage test names it
      const BuiltinDef &t = *target->second;
      aliasRows.push_back({alias.name, alias.signature.empty() ? t.signature : alias.signature,
                           t.lower, t.summary});
      aliasTargets.emplace(&aliasRows.back(), &t);
      add(aliasRows.back());
    }
  }
};

const Registry &registry() {
  static const Registry instance;
  return instance;
}

} // namespace

const BuiltinDef *findBuiltin(std::string_view name) {
  auto it = registry().byName.find(name);
  return it == registry().byName.end() ? nullptr : it->second;
}

bool isNamespace(std::string_view prefix) {
  std::string p = std::string(prefix) + ".";
  auto it = registry().byName.lower_bound(p);
  return it != registry().byName.end() && it->first.starts_with(p);
}

std::vector<std::string> namesUnder(std::string_view prefix) {
  std::vector<std::string> out;
  std::string p = prefix.empty() ? "" : std::string(prefix) + ".";
  for (const auto &[name, def] : registry().byName)
    if (name.starts_with(p) && name.find('.', p.size()) == std::string::npos)
      out.push_back(name.substr(p.size()));
  return out;
}

std::vector<const BuiltinDef *> allBuiltins() { return registry().ordered; }

const BuiltinDef *aliasTarget(const BuiltinDef &def) {
  auto it = registry().aliasTargets.find(&def);
  return it == registry().aliasTargets.end() ? nullptr : it->second;
}

const std::vector<ParamSpec> &signatureOf(const BuiltinDef &def) {
  return registry().signatures.at(&def);
}

std::optional<CallArgs> bindCall(Context &ctx, const BuiltinDef &def, std::string_view calledAs,
                                 std::vector<Value> positional,
                                 std::vector<std::pair<std::string, Value>> keywords,
                                 SourceRange range) {
  const std::vector<ParamSpec> &params = signatureOf(def);
  CallArgs args{&def, calledAs, range, std::vector<Value>(params.size()),
                std::vector<bool>(params.size(), false)};
  size_t next = 0;
  for (size_t p = 0; p < positional.size(); ++p) {
    while (next < params.size() && params[next].keywordOnly)
      ++next;
    if (next >= params.size() || params[next].keywordOnly) {
      size_t max = 0;
      for (const ParamSpec &s : params)
        max += !s.keywordOnly;
      ctx.fail(DiagKind::TooManyPositional, positional[p].range, calledAs, max, max == 1 ? "" : "s",
               positional.size());
      return std::nullopt;
    }
    if (params[next].variadic) {
      std::vector<Value> rest(positional.begin() + long(p), positional.end());
      args.values[next] = Value::seq(std::move(rest), true, range);
      args.given[next++] = true;
      break;
    }
    args.values[next] = std::move(positional[p]);
    args.given[next++] = true;
  }
  for (auto &[name, value] : keywords) {
    size_t slot = params.size();
    for (size_t s = 0; s < params.size() && slot == params.size(); ++s)
      for (const std::string &n : params[s].names)
        if (n == name && !params[s].variadic)
          slot = s;
    if (slot == params.size()) {
      ctx.fail(DiagKind::UnknownKeyword, value.range, calledAs, name);
      return std::nullopt;
    }
    if (args.given[slot]) {
      ctx.fail(DiagKind::ArgumentTwice, value.range, name, calledAs);
      return std::nullopt;
    }
    args.values[slot] = std::move(value);
    args.given[slot] = true;
  }
  for (size_t s = 0; s < params.size(); ++s) {
    if (args.given[s])
      continue;
    if (params[s].variadic) {
      args.values[s] = Value::seq({}, true, range);
    } else if (params[s].hasDefault) {
      args.values[s] = params[s].defaultValue;
      args.values[s].range = range;
    } else {
      ctx.fail(DiagKind::MissingArgument, range, calledAs, params[s].names[0]);
      return std::nullopt;
    }
  }
  for (const Value &v : args.values)
    if (v.isError())
      return std::nullopt;
  return args;
}

// ---------------------------------------------------------------- argument helpers

std::string argName(const CallArgs &a, size_t i) {
  return fmt::format("`{}` of `{}`", signatureOf(*a.def)[i].names[0], a.calledAs);
}

namespace {

// An argument of the wrong kind: a tensor where a compile-time value is needed is E0403,
// anything else E0404 ("`axis` of `mean` must be an int, got the string 'a'").
void wrongArgument(Context &ctx, const Value &v, const std::string &what,
                   std::string_view expected) {
  if (v.kind == Value::Kind::Tensor)
    ctx.fail(DiagKind::ExpectedConstant, v.range, what, ctx.describe(v));
  else
    ctx.fail(DiagKind::WrongKind, v.range, what, expected, ctx.describe(v));
}

} // namespace

std::optional<int64_t> intArg(Context &ctx, const CallArgs &a, size_t i) {
  const Value &v = a[i];
  if (v.kind == Value::Kind::Int && v.i.isConstant())
    return v.i.constant();
  if (v.kind == Value::Kind::Int)
    ctx.fail(DiagKind::NeedsKnownDim, v.range, argName(a, i), v.i.str());
  else
    wrongArgument(ctx, v, argName(a, i), "an int");
  return std::nullopt;
}

std::optional<double> floatArg(Context &ctx, const CallArgs &a, size_t i) {
  const Value &v = a[i];
  if (v.kind == Value::Kind::Float)
    return v.f;
  if (v.kind == Value::Kind::Int && v.i.isConstant())
    return double(v.i.constant());
  wrongArgument(ctx, v, argName(a, i), "a number");
  return std::nullopt;
}

std::optional<bool> boolArg(Context &ctx, const CallArgs &a, size_t i) {
  const Value &v = a[i];
  if (v.kind == Value::Kind::Bool)
    return v.b;
  wrongArgument(ctx, v, argName(a, i), "True or False");
  return std::nullopt;
}

std::optional<std::string> stringArg(Context &ctx, const CallArgs &a, size_t i,
                                     std::span<const std::string_view> options) {
  const Value &v = a[i];
  if (v.kind != Value::Kind::String) {
    ctx.fail(DiagKind::WrongKind, v.range, argName(a, i), "a string", ctx.describe(v));
    return std::nullopt;
  }
  std::string list;
  for (std::string_view o : options) {
    if (o == v.s)
      return v.s;
    list += fmt::format("{}'{}'", list.empty() ? "" : ", ", o);
  }
  ctx.fail(DiagKind::BadOption, v.range, v.s, argName(a, i), list);
  return std::nullopt;
}

std::optional<DType> dtypeArg(Context &ctx, const CallArgs &a, size_t i,
                              std::optional<DType> fallback) {
  const Value &v = a[i];
  if (v.kind == Value::Kind::None && fallback)
    return fallback;
  if (v.kind == Value::Kind::DType)
    return v.dtype;
  if (v.kind == Value::Kind::String) {
    if (auto t = parseDType(v.s))
      return t;
    ctx.fail(isComplexDTypeName(v.s) ? DiagKind::ComplexDType : DiagKind::UnknownDType, v.range,
             v.s);
    return std::nullopt;
  }
  ctx.fail(DiagKind::WrongKind, v.range, argName(a, i), "a dtype such as `'float32'`",
           ctx.describe(v));
  return std::nullopt;
}

MaybeId tensorArg(Context &ctx, const CallArgs &a, size_t i) {
  if (a[i].isError())
    return std::nullopt;
  return toTensor(ctx, a[i]);
}

std::optional<std::vector<int64_t>> intListArg(Context &ctx, const Value &v,
                                               std::string_view what) {
  std::vector<int64_t> out;
  if (v.kind == Value::Kind::Int && v.i.isConstant())
    return std::vector<int64_t>{v.i.constant()};
  if (v.isSeq()) {
    for (const Value &e : v.elements) {
      if (e.kind != Value::Kind::Int || !e.i.isConstant()) {
        ctx.fail(DiagKind::WrongKind, e.range, what, "a list of known ints", ctx.describe(e));
        return std::nullopt;
      }
      out.push_back(e.i.constant());
    }
    return out;
  }
  wrongArgument(ctx, v, std::string(what), "an int or a list of ints");
  return std::nullopt;
}

std::optional<std::vector<int64_t>> axesArg(Context &ctx, const CallArgs &a, size_t i,
                                            size_t rank) {
  std::vector<int64_t> out;
  if (a.isNone(i)) {
    for (size_t k = 0; k < rank; ++k)
      out.push_back(int64_t(k));
    return out;
  }
  auto raw = intListArg(ctx, a[i], argName(a, i));
  if (!raw)
    return std::nullopt;
  for (int64_t axis : *raw) {
    auto n = ctx.normalizeAxis(axis, rank, a[i].range);
    if (!n)
      return std::nullopt;
    if (std::find(out.begin(), out.end(), *n) != out.end()) {
      ctx.fail(DiagKind::DuplicateAxis, a[i].range, axis);
      return std::nullopt;
    }
    out.push_back(*n);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::optional<int64_t> axisArg(Context &ctx, const CallArgs &a, size_t i, size_t rank) {
  auto axis = intArg(ctx, a, i);
  return axis ? ctx.normalizeAxis(*axis, rank, a[i].range) : std::nullopt;
}

std::optional<Shape> shapeArg(Context &ctx, const Value &v) {
  if (v.kind == Value::Kind::Int)
    return Shape{v.i};
  if (v.isSeq()) {
    Shape out;
    for (const Value &e : v.elements) {
      if (e.kind != Value::Kind::Int) {
        ctx.fail(DiagKind::WrongKind, e.range, "a dimension", "an int", ctx.describe(e));
        return std::nullopt;
      }
      out.push_back(e.i);
    }
    return out;
  }
  ctx.fail(DiagKind::WrongKind, v.range, "a shape", "an int or a list of ints", ctx.describe(v));
  return std::nullopt;
}

std::optional<std::vector<Value>> seqArg(Context &ctx, const CallArgs &a, size_t i) {
  if (a[i].isSeq() && !a[i].elements.empty())
    return a[i].elements;
  ctx.fail(DiagKind::WrongKind, a[i].range, argName(a, i), "a non-empty list of tensors",
           ctx.describe(a[i]));
  return std::nullopt;
}

} // namespace lamina::sema

namespace lamina {

std::vector<std::string> builtinNames() {
  std::vector<std::string> out;
  for (const auto &[name, def] : sema::registry().byName)
    out.push_back(name);
  return out;
}

} // namespace lamina
