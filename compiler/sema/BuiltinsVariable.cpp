// Variables (docs/language.md, "Variables and initialisers"): state created once per layer
// instance, named uniquely, listed in the function's declarations so the layer can create, save
// and load it. The initial value is a constant, a filled tensor, or one of the random
// initialisers. Also the training phase a layer is called in (Keras's learning phase).

#include "compiler/sema/Compose.h"
#include "compiler/sema/Random.h"

#include "compiler/types/Elements.h"

#include <fmt/format.h>

namespace lamina::sema {
namespace {

using ir::Op;
using namespace compose;

// An initialiser value waiting for `variable(...)`.
Value makeInit(Context &ctx, const CallArgs &a, ir::Initializer::Kind kind, double p, double q,
               size_t dtypeSlot, size_t seedSlot) {
  auto shape = shapeArg(ctx, a[0]);
  auto dtype = dtypeSlot < a.values.size() ? dtypeArg(ctx, a, dtypeSlot, kDefaultFloat)
                                           : std::optional(kDefaultFloat);
  if (!shape || !dtype || !ctx.checkShape(*shape, a.range))
    return Value::error(a.range);
  if (!isFloat(*dtype))
    return ctx.fail(DiagKind::WrongKind, a.range, argName(a, dtypeSlot), "a float dtype",
                    shortName(*dtype));
  auto init = std::make_shared<ir::Initializer>();
  init->kind = kind;
  init->a = p;
  init->b = q;
  if (!a.isNone(seedSlot)) {
    auto seed = intArg(ctx, a, seedSlot);
    if (!seed)
      return Value::error(a.range);
    init->seed = *seed;
  }
  ctx.randomOrdinal.emplace(init, ctx.randomCalls++);
  Value out = Value::make(Value::Kind::Init, a.range);
  out.s = std::string(a.calledAs); // for "`random_normal` makes an initial value"
  out.init = std::move(init);
  out.initType = {*dtype, *shape};
  return out;
}

Value randomNormal(Context &ctx, const CallArgs &a) {
  auto mean = floatArg(ctx, a, 1), stddev = floatArg(ctx, a, 2);
  return mean && stddev ? makeInit(ctx, a, ir::Initializer::RandomNormal, *mean, *stddev, 3, 4)
                        : Value::error(a.range);
}

Value randomUniform(Context &ctx, const CallArgs &a) {
  auto lo = floatArg(ctx, a, 1), hi = floatArg(ctx, a, 2);
  return lo && hi ? makeInit(ctx, a, ir::Initializer::RandomUniform, *lo, *hi, 3, 4)
                  : Value::error(a.range);
}

Value glorotUniform(Context &ctx, const CallArgs &a) {
  return makeInit(ctx, a, ir::Initializer::GlorotUniform, 0, 0, a.values.size(), 1);
}

// The constant a tensor was built from, when it is one: a literal, or a scalar broadcast
// (`zeros`, `ones`, `full`).
std::shared_ptr<const Array> constantOf(Context &ctx, ValueId v) {
  const ir::Instr &in = ctx.fn.instrs[v];
  if (in.op == Op::Constant)
    return in.get<ir::ValueAttrs>().value;
  if (in.op == Op::Broadcast && ctx.fn.instrs[in.operands[0]].op == Op::Constant &&
      ctx.typeOf(in.operands[0]).rank() == 0)
    return ctx.fn.instrs[in.operands[0]].get<ir::ValueAttrs>().value;
  if (in.op == Op::Cast)
    if (auto c = constantOf(ctx, in.operands[0]); c && c->elementCount() == 1) {
      Array converted = makeArray(in.type.dtype, {});
      storeFloat(converted, 0, loadFloat(*c, 0));
      return std::make_shared<const Array>(std::move(converted));
    }
  return nullptr;
}

// The instructions that compute `v` as a function of no inputs, when they read no input,
// variable or size that only a call knows (`variable(0.25 * np.ones((6,)))`).
std::shared_ptr<const ir::Function> initialProgram(Context &ctx, ValueId v) {
  std::vector<bool> needed(v + 1, false);
  needed[v] = true;
  for (ValueId id = v + 1; id-- > 0;) {
    if (!needed[id])
      continue;
    const ir::Instr &in = ctx.fn.instrs[id];
    if (in.op == Op::Input || in.op == Op::Variable || in.op == Op::DimValue)
      return nullptr;
    for (const Dim &d : in.type.shape)
      if (!d.isConstant())
        return nullptr;
    for (ValueId o : in.operands)
      needed[o] = true;
  }
  auto program = std::make_shared<ir::Function>();
  std::vector<ValueId> renumbered(v + 1);
  for (ValueId id = 0; id <= v; ++id) {
    if (!needed[id])
      continue;
    ir::Instr in = ctx.fn.instrs[id];
    for (ValueId &o : in.operands)
      o = renumbered[o];
    renumbered[id] = ValueId(program->instrs.size());
    program->instrs.push_back(std::move(in));
  }
  program->outputs = {ValueId(program->instrs.size() - 1)};
  return program;
}

Value variable(Context &ctx, const CallArgs &a) {
  SourceRange r = a.range;
  ir::VariableDecl decl;
  decl.range = r;
  auto trainable = boolArg(ctx, a, 2);
  std::optional<DType> dtype;
  if (!a.isNone(3) && !(dtype = dtypeArg(ctx, a, 3, std::nullopt)))
    return Value::error(r);
  if (!trainable)
    return Value::error(r);
  decl.trainable = *trainable;
  const Value &init = a[0];
  if (init.kind == Value::Kind::Init) {
    decl.init = *init.init;
    decl.type = init.initType;
    if (dtype && !isFloat(*dtype))
      return ctx.fail(DiagKind::WrongKind, a[3].range, argName(a, 3),
                      "a float dtype for a random initial value", shortName(*dtype));
    if (dtype)
      decl.type.dtype = *dtype;
  } else if (init.isError()) {
    return init;
  } else {
    MaybeId t = toTensor(ctx, init, dtype);
    if (!t)
      return Value::error(r);
    if (auto c = constantOf(ctx, *t)) {
      decl.init.value = c;
    } else if (auto program = initialProgram(ctx, *t)) {
      decl.init.kind = ir::Initializer::Computed;
      decl.init.program = std::move(program);
    } else {
      return ctx.fail(DiagKind::ExpectedConstant, init.range, "the initial value of a variable",
                      ctx.describe(init));
    }
    decl.type = ctx.typeOf(*t);
  }
  // Created once when the layer is built: sizes may come from the inputs' feature axes, never
  // from the batch (the first axis of an input), which changes from call to call.
  for (const ir::InputDecl &in : ctx.fn.inputs) {
    if (in.type.shape.empty())
      continue;
    for (const std::string &batch : in.type.shape[0].symbols())
      for (const Dim &d : decl.type.shape)
        for (const std::string &sym : d.symbols())
          if (sym == batch)
            return ctx.fail(DiagKind::NeedsKnownDim, init.range,
                            "a variable (made once, when the layer is built)",
                            fmt::format("{}`, the batch size of `{}", d.str(), in.name));
  }
  if (a.isNone(1)) {
    decl.name = "variable";
    for (int k = 1; ctx.variableNames.count(decl.name); ++k)
      decl.name = fmt::format("variable_{}", k);
  } else if (a[1].kind != Value::Kind::String) {
    return ctx.fail(DiagKind::WrongKind, a[1].range, argName(a, 1), "a string", ctx.describe(a[1]));
  } else {
    decl.name = a[1].s;
  }
  if (!ctx.variableNames.insert(decl.name).second)
    return ctx.fail(DiagKind::DuplicateVariable, a.isNone(1) ? r : a[1].range, decl.name);
  ir::Instr in{Op::Variable, decl.type, {}, r, ir::IndexAttrs{int64_t(ctx.fn.variables.size())}};
  ctx.fn.variables.push_back(std::move(decl));
  return Value::ofTensor(ctx.append(std::move(in)), r);
}

// dropout(x, rate, noise_shape, seed): each element kept with probability 1 - rate and
// scaled by 1 / (1 - rate); noise_shape broadcasts one draw (Keras's K.dropout,
// keras.random.dropout, tf.nn.dropout).
Value dropout(Context &ctx, const CallArgs &a) {
  SourceRange r = a.range;
  Value x = tensorOf(ctx, a[0]);
  auto rate = floatArg(ctx, a, 1);
  if (x.isError() || !rate)
    return Value::error(r);
  if (!(*rate >= 0 && *rate < 1))
    return ctx.fail(DiagKind::WrongKind, a[1].range, argName(a, 1), "a rate in [0, 1)",
                    ctx.describe(a[1]));
  x = toFloat(ctx, x, r);
  TensorType noise = ctx.typeOf(x.tensor);
  if (!a.isNone(2)) {
    auto shape = shapeArg(ctx, a[2]);
    if (!shape)
      return Value::error(r);
    noise.shape = *shape;
  }
  std::optional<int64_t> seed;
  if (!a.isNone(3) && !(seed = intArg(ctx, a, 3)))
    return Value::error(r);
  MaybeId u = uniformSamples(ctx, noise, seed, ctx.randomCalls++, r);
  if (!u)
    return Value::error(r);
  Value keep = ew(ctx, Op::Ge, {Value::ofTensor(*u, r), Value::real(*rate, r)}, r);
  Value scaled = ew(ctx, Op::Mul, {x, Value::real(1 / (1 - *rate), r)}, r);
  return ew(ctx, Op::Select, {keep, scaled, Value::real(0, r)}, r);
}

// K.learning_phase(): the `training` argument of the entry (False when it has none: inference).
Value learningPhase(Context &ctx, const CallArgs &a) {
  Value out = ctx.training;
  out.range = a.range;
  return out;
}

// K.in_train_phase(x, alt, training=None): x when training, else alt; K.in_test_phase is the
// other way round. `training` None is the learning phase; a bool tensor selects per element.
template <bool Train> Value inPhase(Context &ctx, const CallArgs &a) {
  Value training = a.isNone(2) ? ctx.training : a[2];
  const Value &whenTrue = Train ? a[0] : a[1], &whenFalse = Train ? a[1] : a[0];
  if (training.kind == Value::Kind::Bool)
    return training.b ? whenTrue : whenFalse;
  if (training.kind == Value::Kind::Int && training.i.isConstant())
    return training.i.constant() != 0 ? whenTrue : whenFalse;
  return applyElementwise(ctx, Op::Select, {training, whenTrue, whenFalse}, a.calledAs, a.range);
}

constexpr BuiltinDef kVariables[] = {
    {"variable", "value|initial_value|initializer, name=None, trainable=True, dtype=None", variable,
     "layer state, created once: a constant, a filled tensor or an initialiser"},
    {"random_normal", "shape, mean=0.0, stddev=1.0, dtype=None, seed=None", randomNormal,
     "normal samples (Philox; a variable's initial value inside `variable`)"},
    {"random_uniform", "shape, minval=0.0, maxval=1.0, dtype=None, seed=None", randomUniform,
     "uniform samples in [minval, maxval) (Philox; an initial value inside `variable`)"},
    {"glorot_uniform", "shape, seed=None", glorotUniform,
     "initialiser: uniform in +-sqrt(6 / (fan_in + fan_out)) (inside `variable` only)"},
    {"dropout", "x|inputs, rate|level, noise_shape=None, seed=None", dropout,
     "x with each element zeroed with probability rate, the rest scaled by 1 / (1 - rate)"},
    {"_learning_phase", "", learningPhase, "the `training` argument (False without one)"},
    {"_in_train_phase", "x, alt, training=None", inPhase<true>,
     "x when training (None: the learning phase), else alt"},
    {"_in_test_phase", "x, alt, training=None", inPhase<false>,
     "alt when training (None: the learning phase), else x"},
};

} // namespace

std::span<const BuiltinDef> variableBuiltins() { return kVariables; }

} // namespace lamina::sema
