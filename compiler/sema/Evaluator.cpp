#include "compiler/sema/Evaluator.h"

#include "compiler/sema/Builtins.h"
#include "compiler/sema/KnownApis.h"
#include "compiler/sema/Operators.h"
#include "compiler/support/Unreachable.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <numbers>

namespace lamina::sema {

using K = Value::Kind;

namespace {

// While a shared def's parameter defaults or body are evaluated (SemaRequest::defs): its
// diagnostics go to the source it was typed in, and what it emits carries the range of the
// program's call (the outermost one, when shared defs call each other). Restored on exit.
class DefSourceScope {
public:
  DefSourceScope(Context &ctx, const SourceFile *defFile, SourceRange call)
      : ctx_(ctx), file_(ctx.file), callSite_(ctx.callSite) {
    if (!defFile)
      return; // the program's own def
    if (!ctx.callSite)
      ctx.callSite = call;
    ctx.file = defFile;
  }
  ~DefSourceScope() {
    ctx_.file = file_;
    ctx_.callSite = callSite_;
  }
  DefSourceScope(const DefSourceScope &) = delete;
  DefSourceScope &operator=(const DefSourceScope &) = delete;

private:
  Context &ctx_;
  const SourceFile *file_;
  std::optional<SourceRange> callSite_;
};

// While a builtin is lowered: the numeric conventions of the library its spelling names.
class LibraryScope {
public:
  LibraryScope(Context &ctx, Library library) : ctx_(ctx), saved_(ctx.library) {
    ctx.library = library;
  }
  ~LibraryScope() { ctx_.library = saved_; }
  LibraryScope(const LibraryScope &) = delete;
  LibraryScope &operator=(const LibraryScope &) = delete;

private:
  Context &ctx_;
  Library saved_;
};

} // namespace

Evaluator::Evaluator(Context &ctx, const ast::Module &module) : ctx_(ctx) {
  for (const ast::Node *item : module.items)
    if (auto *def = ast::dyn<ast::Def>(item))
      defs_[def->name] = def;
}

void Evaluator::addSharedDefs(const std::vector<SharedDef> &defs) {
  for (const SharedDef &shared : defs)
    if (defs_.emplace(shared.def->name, shared.def).second)
      sharedFiles_[shared.def] = shared.file;
}

std::string_view Evaluator::textOf(SourceRange r) const {
  std::string_view text = ctx_.file->text();
  // A range from another source (a value a shared def made) must not read past this one.
  if (r.begin > text.size() || r.end < r.begin)
    return {};
  return text.substr(r.begin, r.end - r.begin);
}

const SourceFile *Evaluator::sharedFileOf(const ast::Def &def) const {
  auto it = sharedFiles_.find(&def);
  return it == sharedFiles_.end() ? nullptr : it->second;
}

std::vector<std::string> Evaluator::visibleNames() const {
  std::vector<std::string> out;
  if (frame_)
    for (const auto &[name, v] : *frame_)
      out.push_back(name);
  for (const auto &[name, v] : globals)
    out.push_back(name);
  for (const auto &[name, d] : defs_)
    out.push_back(name);
  for (std::string &name : namesUnder(""))
    out.push_back(std::move(name));
  return out;
}

Value Evaluator::lookup(const ast::Name &node) {
  const std::string &id = node.id;
  SourceRange r = node.range;
  if (frame_)
    if (auto it = frame_->find(id); it != frame_->end()) {
      Value v = it->second;
      v.range = r;
      return v;
    }
  if (auto it = globals.find(id); it != globals.end()) {
    Value v = it->second;
    v.range = r;
    return v;
  }
  if (auto it = defs_.find(id); it != defs_.end()) {
    Value v = Value::make(K::Function, r);
    v.def = it->second;
    return v;
  }
  if (const BuiltinDef *b = findBuiltin(id)) {
    Value v = Value::make(K::Builtin, r);
    v.builtin = b;
    v.s = id;
    return v;
  }
  if (isNamespace(id)) {
    Value v = Value::make(K::Namespace, r);
    v.s = id;
    return v;
  }
  if (auto t = parseDType(id))
    return Value::ofDType(*t, r);
  if (isComplexDTypeName(id, /*codes=*/false))
    return ctx_.fail(DiagKind::ComplexDType, r, id);
  Diagnostic d = makeDiagnostic(DiagKind::UnknownName, *ctx_.file, r, id);
  if (auto guess = closestName(id, visibleNames()))
    d.withLabel(fmt::format("did you mean `{}`?", *guess));
  else if (id == "lambda" || id == "import" || id.starts_with("__"))
    d.withLabel("lamina has no such name: only builtins, parameters and local names exist");
  ctx_.diags.emit(std::move(d));
  return Value::error(r);
}

// Operations Keras code calls that lamina refuses on purpose, and what to write instead: their
// output's shape depends on the data. Without this, the nearest name by letters would be
// suggested (`tf.unique` is not `tf.squeeze`). (Names that run Python stay unknown names.)
// `path` with its module spelled canonically (`keras.ops.cond` is `ops.cond`).
static std::string canonicalPath(std::string_view path) {
  for (auto [canonical, synonym] : modulePrefixSynonyms())
    if (path.starts_with(synonym))
      return std::string(canonical) + std::string(path.substr(synonym.size()));
  return std::string(path);
}

// APIs lamina refuses on purpose, with the reason and what to write instead. A row with a
// module (`tf.`) applies only under it (tf.cond, not np.linalg.cond); `path` is the full name.
static std::optional<std::string_view> whyNotSupported(std::string_view path,
                                                       std::string_view name) {
  struct Refused {
    std::string_view module; // empty: any module
    std::string_view name;
    std::string_view why;
  };
  static constexpr std::string_view kDataSize = "its output's size depends on the data";
  static constexpr std::string_view kSegments =
      "its output's size depends on the data (the largest segment id); with a known number of "
      "segments `n`, `matmul(transpose(one_hot(ids, n)), data)` sums the rows of each segment";
  static constexpr std::string_view kUnsortedSegments =
      "lamina has no scatter; with a known `num_segments` `n`, "
      "`matmul(transpose(one_hot(ids, n)), data)` sums the rows of each segment";
  static constexpr std::string_view kMapFn =
      "it calls a Python function per element at run time, and lamina has no run-time control "
      "flow; write the function on the whole batch (every lamina operation broadcasts), or "
      "`stack` the calls over a known number of slices (`unstack`)";
  static constexpr std::string_view kLoop =
      "its number of iterations is decided at run time, and lamina has no loops; unroll a known "
      "number of steps in a helper `def`, or compute every step at once (`cumsum`, `cumprod`)";
  static constexpr std::string_view kCond =
      "it chooses a branch at run time, and lamina has no run-time control flow; compute both "
      "branches and pick with `where(pred, a, b)`, or choose at compile time with `a if c else b`";
  static constexpr Refused kRefused[] = {
      {"", "boolean_mask",
       "its output's size depends on the data; keep the shape with "
       "`where(mask, x, 0)` or multiply by `cast(mask, x.dtype)`"},
      {"", "unique", kDataSize},
      {"", "unique_with_counts", kDataSize},
      {"", "nonzero",
       "its output's size depends on the data; `where(condition, x, y)` keeps the shape"},
      {"", "flatnonzero",
       "its output's size depends on the data; `where(condition, x, y)` keeps the shape"},
      {"", "argwhere",
       "its output's size depends on the data; `where(condition, x, y)` keeps the shape"},
      {"", "extract",
       "its output's size depends on the data; `where(condition, x, 0)` keeps "
       "the shape"},
      {"", "compress",
       "its output's size depends on the data; `where(condition, x, 0)` keeps "
       "the shape"},
      {"", "ragged", "ragged tensors' sizes depend on the data; pad to a fixed size instead"},
      {"", "bincount",
       "without a fixed length its size is max(x) + 1, which depends on the "
       "data; with a known length `n`, `sum(one_hot(x, n), axis=0)` counts"},
      {"", "segment_sum", kSegments},
      {"", "segment_mean", kSegments},
      {"", "segment_max", kSegments},
      {"", "segment_min", kSegments},
      {"", "segment_prod", kSegments},
      {"", "unsorted_segment_sum", kUnsortedSegments},
      {"", "unsorted_segment_mean", kUnsortedSegments},
      {"", "unsorted_segment_max", kUnsortedSegments},
      {"", "unsorted_segment_min", kUnsortedSegments},
      {"", "unsorted_segment_prod", kUnsortedSegments},
      {"", "dynamic_partition", kDataSize},
      {"", "map_fn", kMapFn},
      {"", "vectorized_map", kMapFn},
      {"ops.", "map", kMapFn},
      {"", "while_loop", kLoop},
      {"", "fori_loop", kLoop},
      {"", "scan", kLoop},
      {"", "associative_scan", kLoop},
      {"", "foldl", kLoop},
      {"", "foldr", kLoop},
      {"K.", "rnn",
       "it runs a step function over time at run time, and lamina has no loops; "
       "use a recurrent Keras layer around the lambda, or unroll a known number of "
       "steps in a helper `def`"},
      {"tf.", "cond", kCond},
      {"ops.", "cond", kCond},
      {"tf.", "case", kCond},
      {"tf.", "switch_case", kCond},
      {"ops.", "switch", kCond},
  };
  for (const Refused &row : kRefused)
    if (name == row.name && (row.module.empty() || path.starts_with(row.module)))
      return row.why;
  return std::nullopt;
}

// Enumerations of the libraries whose members are the strings their functions take
// (`tf.image.ResizeMethod.BILINEAR` is 'bilinear'); the enum itself is a namespace.
static constexpr std::pair<std::string_view, std::string_view> kEnumMembers[] = {
    {"tf.image.ResizeMethod.BILINEAR", "bilinear"},
    {"tf.image.ResizeMethod.NEAREST_NEIGHBOR", "nearest"},
    {"tf.image.ResizeMethod.BICUBIC", "bicubic"},
    {"tf.image.ResizeMethod.AREA", "area"},
    {"tf.image.ResizeMethod.LANCZOS3", "lanczos3"},
    {"tf.image.ResizeMethod.LANCZOS5", "lanczos5"},
    {"tf.image.ResizeMethod.GAUSSIAN", "gaussian"},
    {"tf.image.ResizeMethod.MITCHELLCUBIC", "mitchellcubic"},
};

Value Evaluator::attribute(const ast::Attribute &node) {
  Value object = eval(node.object);
  SourceRange r = node.range;
  const std::string &name = node.name;
  if (object.isError())
    return object;
  if (object.kind == K::Namespace) {
    std::string path = object.s + "." + name;
    if (const BuiltinDef *b = findBuiltin(path)) {
      Value v = Value::make(K::Builtin, r);
      v.builtin = b;
      v.s = path;
      return v;
    }
    if (isNamespace(path)) {
      Value v = Value::make(K::Namespace, r);
      v.s = path;
      return v;
    }
    for (auto [member, value] : kEnumMembers) {
      if (member == path)
        return Value::string(std::string(value), r);
      if (member.starts_with(path + ".")) {
        Value v = Value::make(K::Namespace, r);
        v.s = path;
        return v;
      }
    }
    if (auto t = parseDType(name))
      return Value::ofDType(*t, r);
    if (isComplexDTypeName(name, /*codes=*/false)) // np.complex64, tf.complex128
      return ctx_.fail(DiagKind::ComplexDType, r, path);
    if (name == "newaxis")
      return Value::none(r);
    if (name == "pi" || name == "e")
      return Value::real(name == "pi" ? std::numbers::pi : std::numbers::e, r);
    if (name == "inf" || name == "nan")
      return Value::real(name == "inf" ? std::numeric_limits<double>::infinity()
                                       : std::numeric_limits<double>::quiet_NaN(),
                         r);
    if (std::optional<std::string_view> why = whyNotSupported(canonicalPath(path), name))
      return ctx_.fail(DiagKind::Unsupported, r, fmt::format("`{}`", path), *why);
    Diagnostic d = makeDiagnostic(DiagKind::UnknownBuiltin, *ctx_.file, r, path);
    if (std::optional<KnownApi> api = knownApi(path))
      d.withLabel(api->instead.empty()
                      ? fmt::format("{} has it, lamina does not: docs/language.md lists what "
                                    "lamina has",
                                    api->library)
                      : fmt::format("lamina computes it as `{}`", api->instead));
    else if (auto guess = closestName(name, namesUnder(object.s)))
      d.withLabel(fmt::format("did you mean `{}.{}`?", object.s, *guess));
    ctx_.diags.emit(std::move(d));
    return Value::error(r);
  }
  if (object.kind == K::Tensor) {
    const TensorType &t = ctx_.typeOf(object.tensor);
    if (name == "shape") {
      std::vector<Value> dims;
      for (const Dim &d : t.shape)
        dims.push_back(Value::integer(d, r));
      Value v = Value::seq(std::move(dims), true, r);
      v.isShape = true;
      return v;
    }
    if (name == "ndim")
      return Value::integer(int64_t(t.rank()), r);
    if (name == "dtype")
      return Value::ofDType(t.dtype, r);
    if (name == "size") { // NumPy's element count, a Python int
      std::optional<Dim> n = elementCount(t.shape);
      return n ? Value::integer(*n, r) : ctx_.fail(DiagKind::ShapeOverflow, r, "element count");
    }
    if (name == "real" || name == "imag") { // lamina's tensors are real
      CallArgs args{findBuiltin(name), name, r, {object}, {true}};
      return args.def->lower(ctx_, args);
    }
    if (name == "T") {
      std::vector<int64_t> perm;
      for (size_t i = t.rank(); i-- > 0;)
        perm.push_back(int64_t(i));
      return Value::ofTensor(ctx_.transpose(object.tensor, perm, r), r);
    }
    static constexpr std::string_view kMethods[] = {
        "astype", "reshape", "sum",     "mean",    "max",       "min",       "prod",
        "any",    "all",     "flatten", "squeeze", "transpose", "get_shape", "argmax",
        "argmin", "std",     "var",     "cumsum",  "cumprod",   "conj",      "swapaxes"};
    if (std::find(std::begin(kMethods), std::end(kMethods), name) != std::end(kMethods)) {
      Value m = Value::make(K::Method, r);
      m.s = name;
      m.receiver = std::make_shared<Value>(object);
      return m;
    }
  }
  if (object.isSeq() && object.fields) {
    const std::vector<std::string> &fields = *object.fields;
    for (size_t k = 0; k < fields.size() && k < object.elements.size(); ++k)
      if (fields[k] == name) {
        Value v = object.elements[k];
        v.range = r;
        return v;
      }
  }
  if (object.isSeq() && (name == "as_list" || name == "get_shape")) {
    Value m = Value::make(K::Method, r);
    m.s = name;
    m.receiver = std::make_shared<Value>(object);
    return m;
  }
  if (object.kind == K::DType && name == "name")
    return Value::string(std::string(longName(object.dtype)), r);
  return ctx_.fail(DiagKind::UnknownAttribute, node.nameRange, ctx_.describe(object), name);
}

Value Evaluator::callMethod(const Value &method, std::vector<Value> positional,
                            std::vector<std::pair<std::string, Value>> keywords, SourceRange r) {
  const Value &self = *method.receiver;
  if (method.s == "as_list") {
    Value list = Value::seq(self.elements, false, r);
    list.isShape = self.isShape;
    return list;
  }
  if (method.s == "get_shape" && self.isSeq())
    return self;
  std::string target = method.s == "astype" ? "cast" : method.s == "get_shape" ? "shape" : method.s;
  // `x.reshape(2, 3)` and `x.transpose(1, 0)` take the shape as separate arguments.
  if ((target == "reshape" || target == "transpose") && positional.size() > 1)
    positional = {Value::seq(std::move(positional), true, r)};
  positional.insert(positional.begin(), self);
  // The methods are NumPy's ndarray methods: `x.sum()` of int32 is int64, as `np.sum`.
  static constexpr std::string_view kNumPyMethods[] = {"sum", "prod",   "mean",   "var",
                                                       "std", "cumsum", "cumprod"};
  bool numpy = std::find(std::begin(kNumPyMethods), std::end(kNumPyMethods), target) !=
               std::end(kNumPyMethods);
  const BuiltinDef *b = findBuiltin(numpy ? "np." + target : target);
  std::string calledAs = "." + method.s;
  auto args = bindCall(ctx_, *b, calledAs, std::move(positional), std::move(keywords), r);
  LibraryScope library(ctx_, Library::NumPy); // ndarray's methods
  return args ? b->lower(ctx_, *args) : Value::error(r);
}

Value Evaluator::pythonConversion(std::string_view to, const Value &v, SourceRange r) {
  bool symbolic = v.kind == K::Int && !v.i.isConstant();
  if (to == "int") {
    if (v.kind != K::Float)
      return v.kind == K::Bool ? Value::integer(int64_t(v.b), r) : Value::integer(v.i, r);
    if (!std::isfinite(v.f) || std::fabs(v.f) >= 9.2e18)
      return ctx_.fail(DiagKind::ConstantOverflow, r);
    return Value::integer(int64_t(std::trunc(v.f)), r);
  }
  if (symbolic)
    return ctx_.fail(DiagKind::NeedsKnownDim, r, fmt::format("`{}`", to), v.i.str());
  double x = v.kind == K::Float ? v.f : v.kind == K::Bool ? double(v.b) : double(v.i.constant());
  return to == "float" ? Value::real(x, r) : Value::boolean(x != 0, r);
}

Value Evaluator::call(const ast::Call &node) {
  Value callee = eval(node.callee);
  std::vector<Value> positional;
  std::vector<std::pair<std::string, Value>> keywords;
  bool failed = callee.isError();
  for (const ast::Expr *arg : node.args) {
    positional.push_back(eval(arg));
    failed = failed || positional.back().isError();
  }
  for (const ast::Keyword *kw : node.keywords) {
    keywords.emplace_back(kw->name, eval(kw->value));
    keywords.back().second.range = kw->range;
    failed = failed || keywords.back().second.isError();
  }
  if (failed)
    return Value::error(node.range);
  switch (callee.kind) {
  case K::Builtin: {
    std::string calledAs(textOf(node.callee->range));
    auto args = bindCall(ctx_, *callee.builtin, calledAs, std::move(positional),
                         std::move(keywords), node.range);
    LibraryScope library(ctx_, libraryOf(callee.s));
    return args ? callee.builtin->lower(ctx_, *args) : Value::error(node.range);
  }
  case K::Function:
    return callDef(*callee.def, std::move(positional), std::move(keywords), node.range);
  case K::Method:
    return callMethod(callee, std::move(positional), std::move(keywords), node.range);
  case K::DType: // `tf.float32(x)`, `np.float32(1.5)`: a cast
    if (positional.size() == 1 && keywords.empty()) {
      // Python's own int(), float() and bool() of a compile-time number give a Python number,
      // which stays weak: `x * int(x.shape[1])` keeps x's dtype.
      std::string_view spelled = textOf(node.callee->range);
      if (const Value &v = positional[0];
          v.isNumber() && !v.isSeq() &&
          (spelled == "int" || spelled == "float" || spelled == "bool"))
        return pythonConversion(spelled, v, node.range);
      MaybeId t = toTensor(ctx_, positional[0], callee.dtype);
      return tensorValue(t, node.range);
    }
    break;
  default:
    break;
  }
  return ctx_.fail(DiagKind::NotCallable, node.callee->range, ctx_.describe(callee));
}

std::optional<std::map<std::string, Value>>
Evaluator::bindDef(const ast::Def &def, std::vector<Value> positional,
                   std::vector<std::pair<std::string, Value>> keywords, SourceRange r) {
  std::map<std::string, Value> bindings;
  if (positional.size() > def.params.size()) {
    ctx_.fail(DiagKind::TooManyPositional, r, def.name, def.params.size(),
              def.params.size() == 1 ? "" : "s", positional.size());
    return std::nullopt;
  }
  for (size_t i = 0; i < positional.size(); ++i)
    bindings[def.params[i]->name] = positional[i];
  for (auto &[name, value] : keywords) {
    auto it = std::find_if(def.params.begin(), def.params.end(),
                           [&](const ast::Param *p) { return p->name == name; });
    if (it == def.params.end()) {
      ctx_.fail(DiagKind::UnknownKeyword, value.range, def.name, name);
      return std::nullopt;
    }
    if (bindings.count(name)) {
      ctx_.fail(DiagKind::ArgumentTwice, value.range, name, def.name);
      return std::nullopt;
    }
    bindings[name] = value;
  }
  for (const ast::Param *p : def.params)
    if (!bindings.count(p->name)) {
      if (!p->defaultValue) {
        ctx_.fail(DiagKind::MissingArgument, r, def.name, p->name);
        return std::nullopt;
      }
      DefSourceScope source(ctx_, sharedFileOf(def), r); // the default is the def's text
      bindings[p->name] = evalConstant(p->defaultValue);
    }
  return bindings;
}

Value Evaluator::callDef(const ast::Def &def, std::vector<Value> positional,
                         std::vector<std::pair<std::string, Value>> keywords, SourceRange r) {
  if (std::find(callStack_.begin(), callStack_.end(), &def) != callStack_.end())
    return ctx_.fail(DiagKind::Recursion, r, def.name);
  if (callStack_.size() >= ctx_.limits.maxInlineDepth)
    return ctx_.fail(DiagKind::NestingTooDeep, r, ctx_.limits.maxInlineDepth);
  auto bindings = bindDef(def, std::move(positional), std::move(keywords), r);
  if (!bindings)
    return Value::error(r);
  Value out;
  {
    DefSourceScope source(ctx_, sharedFileOf(def), r);
    callStack_.push_back(&def);
    out = run(def.body, std::move(*bindings), false, r);
    callStack_.pop_back();
  }
  out.range = r;
  return out;
}

Value Evaluator::evalWith(const ast::Expr *body, std::map<std::string, Value> bindings) {
  std::map<std::string, Value> *saved = frame_;
  frame_ = &bindings;
  Value v = eval(body);
  frame_ = saved;
  return v;
}

Value Evaluator::evalConstant(const ast::Expr *expr) {
  std::map<std::string, Value> empty;
  std::map<std::string, Value> *saved = frame_;
  frame_ = &empty;
  Value v = eval(expr);
  frame_ = saved;
  if (v.kind == K::Tensor)
    return ctx_.fail(DiagKind::ExpectedConstant, expr->range, "a default value", "a tensor");
  return v;
}

Value Evaluator::run(const std::vector<ast::Stmt *> &body, std::map<std::string, Value> bindings,
                     bool lastExpressionIsResult, SourceRange where,
                     std::map<std::string, Value> *frameOut) {
  std::map<std::string, Value> *saved = frame_;
  frame_ = &bindings;
  Value result = Value::none(where);
  bool haveResult = false;
  for (size_t i = 0; i < body.size(); ++i) {
    if (ctx_.diags.limitReached())
      break;
    const ast::Stmt *stmt = body[i];
    if (auto *a = ast::dyn<ast::Assign>(stmt)) {
      assign(*a);
    } else if (auto *aug = ast::dyn<ast::AugAssign>(stmt)) {
      Value current = lookup(*aug->target);
      Value rhs = eval(aug->value);
      std::string spelling = std::string(ast::spelling(aug->op)) + "=";
      Value updated = binaryOp(ctx_, aug->op, current, rhs,
                               operatorRange(aug->target->range, aug->value->range, spelling));
      updated.range = aug->range;
      bind(aug->target->id, updated);
    } else if (auto *e = ast::dyn<ast::ExprStmt>(stmt)) {
      bool docstring = i == 0 && ast::dyn<ast::String>(e->value) && !lastExpressionIsResult;
      if (docstring)
        continue;
      Value v = eval(e->value);
      if (lastExpressionIsResult && i + 1 == body.size()) {
        result = v;
        haveResult = true;
      } else if (v.kind == K::String) {
        ctx_.fail(DiagKind::MisplacedDocstring, e->range);
      }
    } else if (auto *ret = ast::dyn<ast::Return>(stmt)) {
      result = ret->value ? eval(ret->value) : Value::none(ret->range);
      haveResult = true;
      break;
    }
  }
  if (lastExpressionIsResult && !haveResult && !body.empty() && !ctx_.diags.hasErrors())
    ctx_.fail(DiagKind::NoResult, body.back()->range);
  if (frameOut)
    *frameOut = bindings;
  frame_ = saved;
  return haveResult ? result : Value::error(where);
}

void Evaluator::assign(const ast::Assign &node) {
  Value value = eval(node.value);
  if (!node.unpack) {
    for (const ast::Name *target : node.targets)
      bind(target->id, value);
    return;
  }
  std::vector<Value> parts;
  if (value.isSeq()) {
    parts = value.elements;
  } else if (value.kind == K::Tensor) {
    // `a, b = x` unpacks the first axis, which must be known.
    const Shape &s = ctx_.typeOf(value.tensor).shape;
    auto n = s.empty() ? std::nullopt : s[0].asConstant();
    if (!n) {
      ctx_.fail(DiagKind::NeedsKnownDim, node.value->range, "unpacking a tensor",
                s.empty() ? "0-d" : s[0].str());
      value = Value::error(node.range);
    } else if (size_t(*n) != node.targets.size()) { // before making any of the parts
      ctx_.fail(DiagKind::UnpackCount, node.range, *n, node.targets.size());
      value = Value::error(node.range);
    } else {
      for (int64_t k = 0; k < *n; ++k) {
        IndexItem item{IndexItem::Single, Value::integer(k, node.value->range), {}, {}, {},
                       node.value->range};
        parts.push_back(indexTensor(ctx_, value, {item}, node.value->range));
      }
    }
  } else if (!value.isError()) {
    ctx_.fail(DiagKind::WrongKind, node.value->range, "the value unpacked", "a list or tuple",
              ctx_.describe(value));
    value = Value::error(node.range);
  }
  if (!value.isError() && parts.size() != node.targets.size()) {
    ctx_.fail(DiagKind::UnpackCount, node.range, parts.size(), node.targets.size());
    value = Value::error(node.range);
  }
  for (size_t i = 0; i < node.targets.size(); ++i)
    bind(node.targets[i]->id, value.isError() ? value : parts[i]);
}

Value Evaluator::subscript(const ast::Subscript &node) {
  Value object = eval(node.object);
  std::vector<IndexItem> items;
  bool failed = object.isError();
  for (const ast::Expr *index : node.indices) {
    IndexItem item;
    item.range = index->range;
    if (auto *s = ast::dyn<ast::Slice>(index)) {
      item.kind = IndexItem::Slice;
      item.lower = s->lower ? eval(s->lower) : Value::none(index->range);
      item.upper = s->upper ? eval(s->upper) : Value::none(index->range);
      item.step = s->step ? eval(s->step) : Value::none(index->range);
      failed = failed || item.lower.isError() || item.upper.isError() || item.step.isError();
    } else if (ast::dyn<ast::EllipsisLit>(index)) {
      item.kind = IndexItem::Ellipsis;
    } else {
      item.value = eval(index);
      if (item.value.kind == K::None)
        item.kind = IndexItem::NewAxis;
      failed = failed || item.value.isError();
      if (item.value.kind == K::Seq && !item.value.isShape && isTensorLike(item.value)) {
        MaybeId t = toTensor(ctx_, item.value);
        item.value = tensorValue(t, index->range);
      }
    }
    items.push_back(std::move(item));
  }
  if (failed)
    return Value::error(node.range);
  if (object.isSeq())
    return indexSeq(ctx_, object, items, node.range);
  if (object.kind == K::Tensor)
    return indexTensor(ctx_, object, items, node.range);
  return ctx_.fail(DiagKind::WrongKind, node.object->range, "the indexed value",
                   "a tensor, list or shape", ctx_.describe(object));
}

// The operator between two operands: the AST keeps operand ranges only, so find its spelling
// in the text between them (past closing brackets and comments). Errors of an operator point
// at the operator, as `x + y` failing at the `+`.
SourceRange Evaluator::operatorRange(SourceRange lhs, SourceRange rhs,
                                     std::string_view spelling) const {
  std::string_view between = textOf({lhs.end, rhs.begin});
  size_t at = 0;
  while (at < between.size()) {
    if (between[at] == '#') {
      at = between.find('\n', at);
      if (at == std::string_view::npos)
        break;
    } else if (between.compare(at, spelling.size(), spelling) == 0) {
      return {uint32_t(lhs.end + at), uint32_t(lhs.end + at + spelling.size())};
    }
    ++at;
  }
  return {lhs.begin, rhs.end};
}

Value Evaluator::chain(const ast::BinaryChain &node) {
  Value acc = eval(node.operands[0]);
  for (size_t i = 0; i < node.ops.size(); ++i) {
    ast::BinaryOp op = node.ops[i];
    // Python's short circuit on compile-time values: `a and b` is a when a is false.
    if ((op == ast::BinaryOp::And || op == ast::BinaryOp::Or) && acc.kind == K::Bool &&
        acc.b == (op == ast::BinaryOp::Or)) {
      skipBranch({node.operands.begin(), node.operands.begin() + i + 1}, node.operands[i + 1]);
      continue;
    }
    Value rhs = eval(node.operands[i + 1]);
    if ((op == ast::BinaryOp::And || op == ast::BinaryOp::Or) && acc.kind == K::Bool &&
        rhs.kind == K::Bool) {
      acc = rhs;
      continue;
    }
    // Errors of the operation point at the operator; the value spans the whole expression.
    acc = binaryOp(
        ctx_, op, acc, rhs,
        operatorRange(node.operands[i]->range, node.operands[i + 1]->range, ast::spelling(op)));
    acc.range = {node.operands[0]->range.begin, node.operands[i + 1]->range.end};
  }
  return acc;
}

Value Evaluator::compare(const ast::Compare &node) {
  Value left = eval(node.operands[0]);
  Value result;
  for (size_t i = 0; i < node.ops.size(); ++i) {
    Value right = eval(node.operands[i + 1]);
    SourceRange r = operatorRange(node.operands[i]->range, node.operands[i + 1]->range,
                                  ast::spelling(node.ops[i]));
    Value step = compareOp(ctx_, node.ops[i], left, right, r);
    result = i == 0 ? step : binaryOp(ctx_, ast::BinaryOp::And, result, step, node.range);
    left = right;
  }
  result.range = node.range;
  return result;
}

Value Evaluator::ifExpr(const ast::IfExpr &node) {
  Value cond = eval(node.condition);
  if (cond.kind == K::Bool || cond.kind == K::None ||
      (cond.kind == K::Int && cond.i.isConstant()) || cond.kind == K::Float) {
    bool truth = cond.kind == K::Bool    ? cond.b
                 : cond.kind == K::Int   ? cond.i.constant() != 0
                 : cond.kind == K::Float ? cond.f != 0
                                         : false;
    skipBranch({node.condition}, truth ? node.elseValue : node.thenValue);
    return eval(truth ? node.thenValue : node.elseValue);
  }
  Value a = eval(node.thenValue), b = eval(node.elseValue);
  return applyElementwise(ctx_, ir::Op::Select, {cond, a, b}, "if-else", node.range);
}

Value Evaluator::eval(const ast::Expr *expr) {
  SourceRange r = expr->range;
  if (ctx_.tooLarge)
    return Value::error(r);
  switch (expr->kind) {
  case ast::NodeKind::Name:
    return lookup(*static_cast<const ast::Name *>(expr));
  case ast::NodeKind::Number: {
    auto *n = static_cast<const ast::Number *>(expr);
    return n->isInteger ? Value::integer(n->intValue, r) : Value::real(n->floatValue, r);
  }
  case ast::NodeKind::String:
    return Value::string(static_cast<const ast::String *>(expr)->value, r);
  case ast::NodeKind::Bool:
    return Value::boolean(static_cast<const ast::Bool *>(expr)->value, r);
  case ast::NodeKind::NoneLit:
    return Value::none(r);
  case ast::NodeKind::Unary: {
    auto *u = static_cast<const ast::Unary *>(expr);
    return unaryOp(ctx_, u->op, eval(u->operand), r);
  }
  case ast::NodeKind::BinaryChain:
    return chain(*static_cast<const ast::BinaryChain *>(expr));
  case ast::NodeKind::Compare:
    return compare(*static_cast<const ast::Compare *>(expr));
  case ast::NodeKind::IfExpr:
    return ifExpr(*static_cast<const ast::IfExpr *>(expr));
  case ast::NodeKind::Call:
    return call(*static_cast<const ast::Call *>(expr));
  case ast::NodeKind::Attribute:
    return attribute(*static_cast<const ast::Attribute *>(expr));
  case ast::NodeKind::Subscript:
    return subscript(*static_cast<const ast::Subscript *>(expr));
  case ast::NodeKind::List:
  case ast::NodeKind::Tuple: {
    auto &elements = expr->kind == ast::NodeKind::List
                         ? static_cast<const ast::List *>(expr)->elements
                         : static_cast<const ast::Tuple *>(expr)->elements;
    std::vector<Value> values;
    for (const ast::Expr *e : elements)
      values.push_back(eval(e));
    for (const Value &v : values)
      if (v.isError())
        return v;
    return Value::seq(std::move(values), expr->kind == ast::NodeKind::Tuple, r);
  }
  case ast::NodeKind::EllipsisLit:
  case ast::NodeKind::Slice:
  case ast::NodeKind::Lambda:
  case ast::NodeKind::Assign:
  case ast::NodeKind::AugAssign:
  case ast::NodeKind::ExprStmt:
  case ast::NodeKind::Return:
  case ast::NodeKind::Keyword:
  case ast::NodeKind::Param:
  case ast::NodeKind::Def:
    return ctx_.fail(DiagKind::Unsupported, r, fmt::format("`{}` here", textOf(r)),
                     "it is only meaningful inside a subscript");
  }
  LAMINA_UNREACHABLE("not a node kind");
}

std::optional<std::string> closestName(std::string_view name,
                                       const std::vector<std::string> &candidates) {
  auto distance = [](std::string_view a, std::string_view b) {
    std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j)
      prev[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
      cur[0] = i;
      for (size_t j = 1; j <= b.size(); ++j)
        cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
      std::swap(prev, cur);
    }
    return prev[b.size()];
  };
  std::optional<std::string> best;
  size_t bestDistance = std::max<size_t>(1, name.size() / 3) + 1;
  for (const std::string &c : candidates) {
    if (c.starts_with("_") || c.size() > name.size() + bestDistance + 2)
      continue;
    size_t d = distance(name, c);
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  return best;
}

} // namespace lamina::sema
