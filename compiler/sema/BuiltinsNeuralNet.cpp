// Neural-network helpers (docs/language.md, "Neural-network helpers"): tf.nn's losses on
// logits, bias_add, the batch and layer normalizations, Keras 2's padding helpers and
// Keras 3's ops.multi_hot, each written as the formula its library computes (TensorFlow's
// kernels, keras.src.ops.nn on the TensorFlow backend), so results agree to rounding.

#include "compiler/sema/Compose.h"

#include <fmt/format.h>

#include <cmath>

namespace lamina::sema {
namespace {

using ir::Op;
using namespace compose;

constexpr double kKerasEpsilon = 1e-7; // keras.backend.epsilon()

Value call(Context &ctx, std::string_view name, std::vector<Value> args, SourceRange r) {
  const BuiltinDef *def = findBuiltin(name);
  auto bound = bindCall(ctx, *def, name, std::move(args), {}, r);
  return bound ? def->lower(ctx, *bound) : Value::error(r);
}

Value floatTensor(Context &ctx, const Value &v, SourceRange r) {
  return toFloat(ctx, tensorOf(ctx, v), r);
}

// A tensor argument in `like`'s float dtype (TensorFlow's ops take one dtype).
Value inDTypeOf(Context &ctx, const Value &v, const Value &like, SourceRange r) {
  Value t = tensorOf(ctx, v);
  if (t.isError() || like.isError())
    return Value::error(r);
  return Value::ofTensor(ctx.cast(t.tensor, ctx.typeOf(like.tensor).dtype, r), r);
}

bool isNone(const Value &v) { return v.kind == Value::Kind::None; }

// log(1 + exp(-|x|)) + max(x, 0): softplus, as TensorFlow's losses write it.
Value softplusOf(Context &ctx, const Value &x, SourceRange r) {
  Value tail =
      fun(ctx, Op::Log1p, fun(ctx, Op::Exp, ew(ctx, Op::Neg, {fun(ctx, Op::Abs, x, r)}, r), r), r);
  return ew(ctx, Op::Add, {ew(ctx, Op::Max, {x, num(0, r)}, r), tail}, r);
}

Value logSoftmaxAlong(Context &ctx, const Value &z, int64_t axis, SourceRange r) {
  Value s = ew(ctx, Op::Sub, {z, reduce(ctx, Op::ReduceMax, z, {axis}, true, r)}, r);
  Value lse =
      fun(ctx, Op::Log, reduce(ctx, Op::ReduceSum, fun(ctx, Op::Exp, s, r), {axis}, true, r), r);
  return ew(ctx, Op::Sub, {s, lse}, r);
}

// ---------------------------------------------------------------- tf.nn

// bias_add(value, bias, data_format=None): bias (a vector) along the channels: the last axis,
// or axis 1 for 'NC...' formats.
Value biasAdd(Context &ctx, const CallArgs &a) {
  Value x = tensorOf(ctx, a[0]), b = tensorOf(ctx, a[1]);
  if (x.isError() || b.isError())
    return Value::error(a.range);
  bool channelsFirst = false;
  if (!a.isNone(2)) {
    static constexpr std::string_view kFormats[] = {"NHWC", "NWC", "NDHWC", "N...C",
                                                    "NCHW", "NCW", "NCDHW"};
    auto f = stringArg(ctx, a, 2, kFormats);
    if (!f)
      return Value::error(a.range);
    channelsFirst = f->starts_with("NC");
  }
  size_t rank = rankOf(ctx, x);
  if (rank < 2)
    return ctx.fail(DiagKind::RankMismatch, a[0].range, argName(a, 0), "rank 2 or more", rank);
  if (rankOf(ctx, b) != 1)
    return ctx.fail(DiagKind::RankMismatch, a[1].range, argName(a, 1), "a vector", rankOf(ctx, b));
  size_t c = channelsFirst ? 1 : rank - 1;
  const Shape sx = ctx.typeOf(x.tensor).shape, sb = ctx.typeOf(b.tensor).shape;
  if (!(sx[c] == sb[0]))
    return ctx.failWithLabel(
        fmt::format("the bias has {} elements, the channels {}", sb[0].str(), sx[c].str()),
        DiagKind::BroadcastMismatch, a.range, shapeString(sx), shapeString(sb));
  Shape along(rank, Dim(1));
  along[c] = sb[0];
  MaybeId bb = ctx.reshape(b.tensor, along, a.range);
  return bb ? ew(ctx, Op::Add, {x, Value::ofTensor(*bb, a.range)}, a.range) : Value::error(a.range);
}

// K.bias_add(x, bias, data_format=None): Keras 2's; a vector along the channels, or a bias of
// x's shape without the batch (channels_last only).
Value kerasBiasAdd(Context &ctx, const CallArgs &a) {
  Value x = tensorOf(ctx, a[0]), b = tensorOf(ctx, a[1]);
  if (x.isError() || b.isError())
    return Value::error(a.range);
  bool first = false;
  if (!a.isNone(2)) {
    static constexpr std::string_view kFormats[] = {"channels_last", "channels_first"};
    auto f = stringArg(ctx, a, 2, kFormats);
    if (!f)
      return Value::error(a.range);
    first = *f == "channels_first";
  }
  size_t rank = rankOf(ctx, x), rb = rankOf(ctx, b);
  if (rb != 1 && rb + 1 != rank)
    return ctx.fail(DiagKind::RankMismatch, a[1].range, argName(a, 1),
                    fmt::format("a vector or a bias of rank {}", rank - 1), rb);
  if (rb == 1) {
    CallArgs tf = a;
    tf.values[2] = first ? Value::string("NCHW", a.range) : Value::none(a.range);
    return biasAdd(ctx, tf);
  }
  if (first)
    return ctx.fail(DiagKind::Unsupported, a[2].range, "a bias of rank > 1 with 'channels_first'",
                    "Keras 2 reshapes it without moving its channels; pass a vector");
  return ew(ctx, Op::Add, {x, b}, a.range);
}

// l2_loss(t): sum(t ** 2) / 2.
Value l2Loss(Context &ctx, const CallArgs &a) {
  Value x = floatTensor(ctx, a[0], a.range);
  if (x.isError())
    return x;
  std::vector<int64_t> all;
  for (size_t i = 0; i < rankOf(ctx, x); ++i)
    all.push_back(int64_t(i));
  return ew(ctx, Op::Div,
            {reduce(ctx, Op::ReduceSum, ew(ctx, Op::Mul, {x, x}, a.range), all, false, a.range),
             num(2, a.range)},
            a.range);
}

// sigmoid_cross_entropy_with_logits(labels, logits): max(x, 0) - x z + log(1 + exp(-|x|)).
Value sigmoidCrossEntropy(Context &ctx, const CallArgs &a) {
  SourceRange r = a.range;
  Value x = floatTensor(ctx, a[1], r);
  Value z = inDTypeOf(ctx, a[0], x, r);
  if (z.isError())
    return z;
  return ew(ctx, Op::Sub, {softplusOf(ctx, x, r), ew(ctx, Op::Mul, {x, z}, r)}, r);
}

// weighted_cross_entropy_with_logits(labels, logits, pos_weight):
// (1 - z) x + (1 + (q - 1) z) (log(1 + exp(-|x|)) + max(-x, 0)).
Value weightedCrossEntropy(Context &ctx, const CallArgs &a) {
  SourceRange r = a.range;
  Value x = floatTensor(ctx, a[1], r);
  Value z = inDTypeOf(ctx, a[0], x, r);
  if (z.isError())
    return z;
  Value q = a[2];
  Value logWeight = ew(
      ctx, Op::Add, {num(1, r), ew(ctx, Op::Mul, {ew(ctx, Op::Sub, {q, num(1, r)}, r), z}, r)}, r);
  Value tail =
      fun(ctx, Op::Log1p, fun(ctx, Op::Exp, ew(ctx, Op::Neg, {fun(ctx, Op::Abs, x, r)}, r), r), r);
  Value relu = ew(ctx, Op::Max, {ew(ctx, Op::Neg, {x}, r), num(0, r)}, r);
  return ew(ctx, Op::Add,
            {ew(ctx, Op::Mul, {ew(ctx, Op::Sub, {num(1, r), z}, r), x}, r),
             ew(ctx, Op::Mul, {logWeight, ew(ctx, Op::Add, {tail, relu}, r)}, r)},
            r);
}

// softmax_cross_entropy_with_logits(labels, logits, axis=-1): -sum(labels * log_softmax).
Value softmaxCrossEntropy(Context &ctx, const CallArgs &a) {
  SourceRange r = a.range;
  Value x = floatTensor(ctx, a[1], r);
  Value z = inDTypeOf(ctx, a[0], x, r);
  if (z.isError())
    return z;
  auto axis = axisArg(ctx, a, 2, rankOf(ctx, x));
  if (!axis)
    return Value::error(r);
  Value terms = ew(ctx, Op::Mul, {z, logSoftmaxAlong(ctx, x, *axis, r)}, r);
  return ew(ctx, Op::Neg, {reduce(ctx, Op::ReduceSum, terms, {*axis}, false, r)}, r);
}

// sparse_softmax_cross_entropy_with_logits(labels, logits): -log_softmax(logits)[label]; a
// label outside [0, classes) gives NaN (TensorFlow's GPU kernel; its CPU kernel raises).
Value sparseSoftmaxCrossEntropy(Context &ctx, const CallArgs &a) {
  SourceRange r = a.range;
  Value x = floatTensor(ctx, a[1], r);
  Value labels = tensorOf(ctx, a[0]);
  if (x.isError() || labels.isError())
    return Value::error(r);
  if (!isInteger(ctx.typeOf(labels.tensor).dtype))
    return ctx.fail(DiagKind::WrongKind, a[0].range, argName(a, 0), "integer labels",
                    ctx.describe(labels));
  size_t rank = rankOf(ctx, x);
  if (rank == 0 || rankOf(ctx, labels) + 1 != rank)
    return ctx.fail(DiagKind::RankMismatch, a[0].range, argName(a, 0),
                    fmt::format("labels of rank {} (the logits' minus one)", rank ? rank - 1 : 0),
                    rankOf(ctx, labels));
  labels = Value::ofTensor(ctx.cast(labels.tensor, DType::I64, r), r);
  Shape column = ctx.typeOf(labels.tensor).shape;
  column.push_back(Dim(1));
  MaybeId col = ctx.reshape(labels.tensor, column, r);
  if (!col)
    return Value::error(r);
  const Dim classes = ctx.typeOf(x.tensor).shape.back();
  Value positions = Value::ofTensor(ctx.iota({classes}, 0, DType::I64, r), r);
  Value hot = ew(ctx, Op::Eq, {Value::ofTensor(*col, r), positions}, r);
  int64_t last = int64_t(rank) - 1;
  Value logp = logSoftmaxAlong(ctx, x, last, r);
  Value loss = ew(ctx, Op::Neg,
                  {reduce(ctx, Op::ReduceSum, ew(ctx, Op::Select, {hot, logp, num(0, r)}, r),
                          {last}, false, r)},
                  r);
  Value valid = ew(ctx, Op::And,
                   {ew(ctx, Op::Ge, {labels, Value::integer(0, r)}, r),
                    ew(ctx, Op::Lt, {labels, Value::integer(classes, r)}, r)},
                   r);
  return ew(ctx, Op::Select, {valid, loss, num(std::nan(""), r)}, r);
}

// crelu(features, axis=-1): relu(x) and relu(-x), concatenated along axis.
Value crelu(Context &ctx, const CallArgs &a) {
  SourceRange r = a.range;
  Value x = tensorOf(ctx, a[0]);
  if (x.isError())
    return x;
  auto axis = axisArg(ctx, a, 1, rankOf(ctx, x));
  if (!axis)
    return Value::error(r);
  Value pos = ew(ctx, Op::Max, {x, num(0, r)}, r);
  Value neg = ew(ctx, Op::Max, {ew(ctx, Op::Neg, {x}, r), num(0, r)}, r);
  if (pos.isError() || neg.isError())
    return Value::error(r);
  return tensorValue(ctx.concat({pos.tensor, neg.tensor}, *axis, r), r);
}

// t * clip / max(norm(t, axes), clip) over the axes from `first` on (embedding_lookup's
// max_norm: each looked-up vector).
Value clipRows(Context &ctx, const Value &t, size_t first, double clip, SourceRange r) {
  std::vector<int64_t> axes;
  for (size_t i = first; i < rankOf(ctx, t); ++i)
    axes.push_back(int64_t(i));
  if (axes.empty())
    return t;
  Value sq = reduce(ctx, Op::ReduceSum, ew(ctx, Op::Mul, {t, t}, r), axes, true, r);
  Value positive = ew(ctx, Op::Gt, {sq, num(0, r)}, r);
  Value norm = ew(
      ctx, Op::Select,
      {positive, fun(ctx, Op::Sqrt, ew(ctx, Op::Select, {positive, sq, num(1, r)}, r), r), sq}, r);
  return ew(ctx, Op::Div,
            {ew(ctx, Op::Mul, {t, num(clip, r)}, r), ew(ctx, Op::Max, {norm, num(clip, r)}, r)}, r);
}

// embedding_lookup(params, ids, max_norm=None): the rows of params at ids (clamped, as
// gather); with max_norm, each row scaled down to that L2 norm.
Value embeddingLookup(Context &ctx, const CallArgs &a) {
  SourceRange r = a.range;
  if (a[0].isSeq())
    return ctx.fail(DiagKind::Unsupported, a[0].range, "sharded params (a list of tables)",
                    "lamina takes one table; concatenate the shards along axis 0 first");
  Value rows = call(ctx, "gather", {a[0], a[1], Value::integer(0, r)}, r);
  if (rows.isError() || a.isNone(2))
    return rows;
  auto maxNorm = floatArg(ctx, a, 2);
  if (!maxNorm)
    return Value::error(r);
  Value ids = tensorOf(ctx, a[1]);
  return clipRows(ctx, toFloat(ctx, rows, r), rankOf(ctx, ids), *maxNorm, r);
}

// A normalization parameter that is a vector reshaped to lie along `axis` of a tensor of
// `rank` (others broadcast as given); None stays None.
Value alongAxis(Context &ctx, const Value &v, const Value &like, size_t rank, int64_t axis,
                SourceRange r) {
  if (v.kind == Value::Kind::None)
    return v;
  Value t = inDTypeOf(ctx, v, like, r);
  if (t.isError() || rankOf(ctx, t) != 1 || rank <= 1 || axis == int64_t(rank) - 1)
    return t;
  Shape s(rank, Dim(1));
  s[size_t(axis)] = ctx.typeOf(t.tensor).shape[0];
  return tensorValue(ctx.reshape(t.tensor, s, r), r);
}

// x * inv + (offset - mean * inv), inv = rsqrt(variance + epsilon) * scale: TensorFlow's
// batch_normalization (offset and scale may be None).
Value normalized(Context &ctx, const Value &x, const Value &mean, const Value &variance,
                 const Value &offset, const Value &scale, double epsilon, SourceRange r) {
  Value inv =
      ew(ctx, Op::Div,
         {num(1, r), fun(ctx, Op::Sqrt, ew(ctx, Op::Add, {variance, num(epsilon, r)}, r), r)}, r);
  if (scale.kind != Value::Kind::None)
    inv = ew(ctx, Op::Mul, {inv, scale}, r);
  Value shift = offset.kind != Value::Kind::None
                    ? ew(ctx, Op::Sub, {offset, ew(ctx, Op::Mul, {mean, inv}, r)}, r)
                    : ew(ctx, Op::Neg, {ew(ctx, Op::Mul, {mean, inv}, r)}, r);
  Value out = ew(ctx, Op::Add, {ew(ctx, Op::Mul, {x, inv}, r), shift}, r);
  if (out.isError() || ctx.typeOf(out.tensor).dtype == ctx.typeOf(x.tensor).dtype)
    return out;
  return Value::ofTensor(ctx.cast(out.tensor, ctx.typeOf(x.tensor).dtype, r), r);
}

// tf.nn.batch_normalization(x, mean, variance, offset, scale, variance_epsilon).
Value batchNormalization(Context &ctx, const CallArgs &a) {
  SourceRange r = a.range;
  Value x = floatTensor(ctx, a[0], r);
  auto epsilon = floatArg(ctx, a, 5);
  if (x.isError() || !epsilon)
    return Value::error(r);
  auto param = [&](size_t i) { return a.isNone(i) ? a[i] : inDTypeOf(ctx, a[i], x, r); };
  Value mean = param(1), variance = param(2), offset = param(3), scale = param(4);
  if (isNone(mean) || isNone(variance))
    return ctx.fail(DiagKind::WrongKind, a[isNone(mean) ? 1 : 2].range,
                    argName(a, isNone(mean) ? 1 : 2), "a tensor", "None");
  for (const Value &v : {mean, variance, offset, scale})
    if (v.isError())
      return v;
  return normalized(ctx, x, mean, variance, offset, scale, *epsilon, r);
}

// K.batch_normalization(x, mean, var, beta, gamma, axis=-1, epsilon=1e-3): Keras 2's; vector
// statistics lie along `axis` (its fused NCHW/NHWC path), others broadcast as given.
Value kerasBatchNormalization(Context &ctx, const CallArgs &a) {
  SourceRange r = a.range;
  Value x = floatTensor(ctx, a[0], r);
  auto epsilon = floatArg(ctx, a, 6);
  if (x.isError() || !epsilon)
    return Value::error(r);
  size_t rank = rankOf(ctx, x);
  auto axis = axisArg(ctx, a, 5, rank);
  if (!axis)
    return Value::error(r);
  Value mean = alongAxis(ctx, a[1], x, rank, *axis, r);
  Value variance = alongAxis(ctx, a[2], x, rank, *axis, r);
  Value beta = alongAxis(ctx, a[3], x, rank, *axis, r);
  Value gamma = alongAxis(ctx, a[4], x, rank, *axis, r);
  for (const Value &v : {mean, variance, beta, gamma})
    if (v.isError())
      return v;
  if (isNone(mean) || isNone(variance))
    return ctx.fail(DiagKind::WrongKind, a[isNone(mean) ? 1 : 2].range,
                    argName(a, isNone(mean) ? 1 : 2), "a tensor", "None");
  return normalized(ctx, x, mean, variance, beta, gamma, *epsilon, r);
}

// The float dtype Keras 3 normalizes in: at least f32 (f16 and bf16 are computed in f32).
Value computeFloat(Context &ctx, const Value &x, SourceRange r) {
  DType t = ctx.typeOf(x.tensor).dtype;
  if (t == DType::F32 || t == DType::F64)
    return x;
  return Value::ofTensor(ctx.cast(x.tensor, DType::F32, r), r);
}

Value backTo(Context &ctx, const Value &out, DType original, SourceRange r) {
  if (out.isError() || ctx.typeOf(out.tensor).dtype == original)
    return out;
  return Value::ofTensor(ctx.cast(out.tensor, original, r), r);
}

// ops.layer_normalization(x, gamma=None, beta=None, axis=-1, epsilon=None, rms_scaling=False):
// Keras 3's: (x - mean) * rsqrt(var + epsilon) * gamma + beta over axis, or with
// rms_scaling x * rsqrt(var + epsilon) * gamma (epsilon: Keras's 1e-7); computed in at least f32.
Value layerNormalization(Context &ctx, const CallArgs &a) {
  SourceRange r = a.range;
  Value given = tensorOf(ctx, a[0]);
  auto rms = boolArg(ctx, a, 5);
  if (given.isError() || !rms)
    return Value::error(r);
  DType original =
      isFloat(ctx.typeOf(given.tensor).dtype) ? ctx.typeOf(given.tensor).dtype : kDefaultFloat;
  Value x = computeFloat(ctx, toFloat(ctx, given, r), r);
  auto epsilon = a.isNone(4) ? std::optional<double>(kKerasEpsilon) : floatArg(ctx, a, 4);
  size_t rank = rankOf(ctx, x);
  auto axes = axesArg(ctx, a, 3, rank);
  if (!epsilon || !axes)
    return Value::error(r);
  // Parameters that are not of x's rank lie along the axes (Keras's _broadcast).
  auto param = [&](size_t i) {
    if (a.isNone(i))
      return a[i];
    Value t = inDTypeOf(ctx, a[i], x, r);
    if (t.isError() || rankOf(ctx, t) == rank ||
        (axes->size() == 1 && (*axes)[0] == int64_t(rank) - 1))
      return t;
    Shape s(rank, Dim(1));
    for (int64_t axis : *axes)
      s[size_t(axis)] = ctx.typeOf(x.tensor).shape[size_t(axis)];
    return tensorValue(ctx.reshape(t.tensor, s, r), r);
  };
  Value gamma = param(1), beta = param(2);
  if (gamma.isError() || beta.isError())
    return Value::error(r);
  Value m = ew(ctx, Op::Div,
               {reduce(ctx, Op::ReduceSum, x, *axes, true, r), countOf(ctx, x, *axes, r)}, r);
  Value d = ew(ctx, Op::Sub, {x, m}, r);
  Value var = ew(ctx, Op::Div,
                 {reduce(ctx, Op::ReduceSum, ew(ctx, Op::Mul, {d, d}, r), *axes, true, r),
                  countOf(ctx, x, *axes, r)},
                 r);
  if (*rms) {
    Value inv =
        ew(ctx, Op::Div,
           {num(1, r), fun(ctx, Op::Sqrt, ew(ctx, Op::Add, {var, num(*epsilon, r)}, r), r)}, r);
    Value out = ew(ctx, Op::Mul, {x, inv}, r);
    if (!isNone(gamma))
      out = ew(ctx, Op::Mul, {out, gamma}, r);
    return backTo(ctx, out, original, r);
  }
  return backTo(ctx, normalized(ctx, x, m, var, beta, gamma, *epsilon, r), original, r);
}

// ops.rms_normalization(x, scale=None, axis=-1, epsilon=None): x * rsqrt(mean(x ** 2) + eps)
// * scale, in at least f32.
Value rmsNormalization(Context &ctx, const CallArgs &a) {
  SourceRange r = a.range;
  Value given = tensorOf(ctx, a[0]);
  if (given.isError())
    return given;
  DType original =
      isFloat(ctx.typeOf(given.tensor).dtype) ? ctx.typeOf(given.tensor).dtype : kDefaultFloat;
  Value x = computeFloat(ctx, toFloat(ctx, given, r), r);
  if (rankOf(ctx, x) == 0)
    x = tensorValue(ctx.reshape(x.tensor, {Dim(1)}, r), r);
  auto epsilon = a.isNone(3) ? std::optional<double>(kKerasEpsilon) : floatArg(ctx, a, 3);
  auto axes = axesArg(ctx, a, 2, rankOf(ctx, x));
  if (!epsilon || !axes)
    return Value::error(r);
  Value meanSquare = ew(ctx, Op::Div,
                        {reduce(ctx, Op::ReduceSum, ew(ctx, Op::Mul, {x, x}, r), *axes, true, r),
                         countOf(ctx, x, *axes, r)},
                        r);
  Value rrms = ew(
      ctx, Op::Div,
      {num(1, r), fun(ctx, Op::Sqrt, ew(ctx, Op::Add, {meanSquare, num(*epsilon, r)}, r), r)}, r);
  Value out = ew(ctx, Op::Mul, {x, rrms}, r);
  if (!a.isNone(1))
    out = ew(ctx, Op::Mul, {out, inDTypeOf(ctx, a[1], x, r)}, r);
  return backTo(ctx, out, original, r);
}

// ops.multi_hot(inputs, num_classes, axis=-1, dtype=None): one_hot, then the maximum over
// the inputs' axis 1 (axis 0 for a vector), as Keras 3 on TensorFlow.
Value multiHot(Context &ctx, const CallArgs &a) {
  SourceRange r = a.range;
  Value x = tensorOf(ctx, a[0]);
  if (x.isError())
    return x;
  if (a.isNone(1))
    return ctx.fail(DiagKind::WrongKind, a[1].range, argName(a, 1), "an int", "None");
  auto dtype = dtypeArg(ctx, a, 3, kDefaultFloat);
  auto sparse = boolArg(ctx, a, 4);
  if (!dtype || !sparse)
    return Value::error(r);
  if (*sparse)
    return ctx.fail(DiagKind::Unsupported, a[4].range, "`sparse=True`",
                    "lamina's tensors are dense");
  Value ints = Value::ofTensor(ctx.cast(x.tensor, DType::I32, r), r);
  const BuiltinDef *oneHot = findBuiltin("one_hot");
  auto bound = bindCall(ctx, *oneHot, "one_hot", {ints, a[1]},
                        {{"axis", a[2]}, {"dtype", Value::ofDType(*dtype, r)}}, r);
  Value hot = bound ? oneHot->lower(ctx, *bound) : Value::error(r);
  if (hot.isError())
    return hot;
  int64_t axis = rankOf(ctx, x) > 1 ? 1 : 0;
  return reduce(ctx, *dtype == DType::Bool ? Op::ReduceAny : Op::ReduceMax, hot, {axis}, false, r);
}

// ops.categorical_crossentropy(target, output, from_logits=False, axis=-1): Keras 3's backend
// loss: -sum(target * log(clip(output / sum(output)))), or with logits TensorFlow's softmax
// cross-entropy.
Value opsCategoricalCrossentropy(Context &ctx, const CallArgs &a) {
  SourceRange r = a.range;
  Value p = floatTensor(ctx, a[1], r);
  Value t = inDTypeOf(ctx, a[0], p, r);
  auto logits = boolArg(ctx, a, 2);
  if (t.isError() || !logits)
    return Value::error(r);
  auto axis = axisArg(ctx, a, 3, rankOf(ctx, p));
  if (!axis)
    return Value::error(r);
  Value logp;
  if (*logits) {
    logp = logSoftmaxAlong(ctx, p, *axis, r);
  } else {
    Value q = ew(ctx, Op::Div, {p, reduce(ctx, Op::ReduceSum, p, {*axis}, true, r)}, r);
    q = ew(ctx, Op::Min,
           {ew(ctx, Op::Max, {q, num(kKerasEpsilon, r)}, r), num(1 - kKerasEpsilon, r)}, r);
    logp = fun(ctx, Op::Log, q, r);
  }
  return ew(ctx, Op::Neg,
            {reduce(ctx, Op::ReduceSum, ew(ctx, Op::Mul, {t, logp}, r), {*axis}, false, r)}, r);
}

// ---------------------------------------------------------------- Keras 2's backend

// K.temporal_padding(x, padding=(1, 1)): zeros before and after axis 1 of a 3-D tensor.
Value temporalPadding(Context &ctx, const CallArgs &a) {
  Value x = tensorOf(ctx, a[0]);
  auto p = intListArg(ctx, a[1], argName(a, 1));
  if (x.isError() || !p)
    return Value::error(a.range);
  if (rankOf(ctx, x) != 3)
    return ctx.fail(DiagKind::RankMismatch, a[0].range, fmt::format("`{}`", a.calledAs),
                    "a tensor of rank 3", rankOf(ctx, x));
  if (p->size() != 2)
    return ctx.fail(DiagKind::WrongKind, a[1].range, argName(a, 1), "a (before, after) pair",
                    ctx.describe(a[1]));
  Value widths = Value::seq(
      {Value::seq({Value::integer(0, a.range), Value::integer(0, a.range)}, true, a.range),
       Value::seq({Value::integer((*p)[0], a.range), Value::integer((*p)[1], a.range)}, true,
                  a.range),
       Value::seq({Value::integer(0, a.range), Value::integer(0, a.range)}, true, a.range)},
      true, a.range);
  return call(ctx, "pad", {x, widths}, a.range);
}

// K.spatial_2d_padding / spatial_3d_padding(x, padding, data_format=None): zeros around the
// spatial axes (1.. for channels_last, 2.. for channels_first).
template <size_t Spatial> Value spatialPadding(Context &ctx, const CallArgs &a) {
  SourceRange r = a.range;
  Value x = tensorOf(ctx, a[0]);
  if (x.isError())
    return x;
  bool first = false;
  if (!a.isNone(2)) {
    static constexpr std::string_view kFormats[] = {"channels_last", "channels_first"};
    auto f = stringArg(ctx, a, 2, kFormats);
    if (!f)
      return Value::error(r);
    first = *f == "channels_first";
  }
  if (rankOf(ctx, x) != Spatial + 2)
    return ctx.fail(DiagKind::RankMismatch, a[0].range, fmt::format("`{}`", a.calledAs),
                    fmt::format("a tensor of rank {}", Spatial + 2), rankOf(ctx, x));
  Value pad = a[1];
  if (isNone(pad)) // ((1, 1), ...): one on each side of every spatial axis
    pad =
        Value::seq(std::vector<Value>(
                       Spatial, Value::seq({Value::integer(1, r), Value::integer(1, r)}, true, r)),
                   true, r);
  if (!pad.isSeq() || pad.elements.size() != Spatial)
    return ctx.fail(DiagKind::WrongKind, pad.range, argName(a, 1),
                    fmt::format("{} (before, after) pairs", Spatial), ctx.describe(pad));
  Value zero = Value::seq({Value::integer(0, r), Value::integer(0, r)}, true, r);
  std::vector<Value> widths(Spatial + 2, zero);
  for (size_t i = 0; i < Spatial; ++i)
    widths[i + (first ? 2 : 1)] = pad.elements[i];
  return call(ctx, "pad", {x, Value::seq(std::move(widths), true, r)}, r);
}

// K.random_bernoulli(shape, p=0.0, dtype=None, seed=None): 1 where a uniform sample in
// [0, 1) is <= p, else 0 (Keras 2's), from lamina's Philox random_uniform.
Value randomBernoulli(Context &ctx, const CallArgs &a) {
  SourceRange r = a.range;
  auto dtype = dtypeArg(ctx, a, 2, kDefaultFloat);
  if (!dtype)
    return Value::error(r);
  Value u = call(ctx, "random_uniform", {a[0], num(0, r), num(1, r), Value::none(r), a[3]}, r);
  if (u.isError())
    return u;
  Value hit = ew(ctx, Op::Le, {u, a[1]}, r);
  return hit.isError() ? hit : Value::ofTensor(ctx.cast(hit.tensor, *dtype, r), r);
}

constexpr BuiltinDef kNeuralNet[] = {
    {"bias_add", "value|x, bias, data_format=None", biasAdd,
     "value plus a bias vector along the channels (last axis; axis 1 for 'NC...' formats)"},
    {"_keras_bias_add", "x, bias, data_format=None", kerasBiasAdd,
     "bias_add with Keras's data formats; a bias may also have x's shape without the batch"},
    {"l2_loss", "t|x", l2Loss, "`sum(t ** 2) / 2`"},
    {"sigmoid_cross_entropy_with_logits", "labels, logits", sigmoidCrossEntropy,
     "`max(x, 0) - x * z + log(1 + exp(-|x|))`, per element"},
    {"weighted_cross_entropy_with_logits", "labels, logits, pos_weight", weightedCrossEntropy,
     "sigmoid cross-entropy with the positive term weighted by pos_weight"},
    {"softmax_cross_entropy_with_logits", "labels, logits, axis|dim=-1", softmaxCrossEntropy,
     "`-sum(labels * log_softmax(logits))` along axis"},
    {"sparse_softmax_cross_entropy_with_logits", "labels, logits", sparseSoftmaxCrossEntropy,
     "`-log_softmax(logits)[label]` over the last axis; NaN for a label out of range"},
    {"crelu", "features|x, axis=-1", crelu, "`concat([relu(x), relu(-x)], axis)`"},
    {"embedding_lookup", "params, ids, max_norm=None", embeddingLookup,
     "the rows of params at ids (clamped); max_norm scales rows down to that L2 norm"},
    {"batch_normalization", "x, mean, variance, offset, scale, variance_epsilon",
     batchNormalization, "`(x - mean) * rsqrt(variance + eps) * scale + offset` (tf.nn)"},
    {"_keras_batch_normalization", "x, mean, var, beta, gamma, axis=-1, epsilon=0.001",
     kerasBatchNormalization, "batch_normalization with vector statistics along axis (Keras 2)"},
    {"layer_normalization", "x, gamma=None, beta=None, axis=-1, epsilon=None, rms_scaling=False",
     layerNormalization,
     "`(x - mean) * rsqrt(var + eps) * gamma + beta` over axis (eps 1e-7; Keras 3)"},
    {"rms_normalization", "x, scale=None, axis=-1, epsilon=None", rmsNormalization,
     "`x * rsqrt(mean(x ** 2) + eps) * scale` over axis (eps 1e-7; Keras 3)"},
    {"multi_hot", "inputs|x, num_classes=None, axis=-1, dtype=None, sparse=False", multiHot,
     "one_hot of each row's indices, combined by max (Keras 3)"},
    {"_ops_categorical_crossentropy", "target, output, from_logits=False, axis=-1",
     opsCategoricalCrossentropy,
     "`-sum(target * log(output))` along axis, output normalized and clipped (keras.ops)"},
    {"_temporal_padding", "x, padding=(1, 1)", temporalPadding,
     "zeros before and after axis 1 of a 3-D tensor (Keras 2)"},
    {"_spatial_2d_padding", "x, padding=None, data_format=None", spatialPadding<2>,
     "zeros around the two spatial axes; None pads 1 on each side (Keras 2)"},
    {"_spatial_3d_padding", "x, padding=None, data_format=None", spatialPadding<3>,
     "zeros around the three spatial axes (Keras 2)"},
    {"_random_bernoulli", "shape, p=0.0, dtype=None, seed=None", randomBernoulli,
     "1 with probability p, else 0 (Philox uniform samples <= p; Keras 2)"},
};

} // namespace

std::span<const BuiltinDef> neuralNetBuiltins() { return kNeuralNet; }

} // namespace lamina::sema
