// Losses and metrics (docs/language.md, "Losses and metrics"): Keras 3's formulas, as
// keras.losses and keras.metrics compute them on the TensorFlow backend, per sample (the
// mean over the last axis where Keras takes it). Probabilities are clipped to
// [epsilon, 1 - epsilon] with Keras's epsilon (1e-7) before a logarithm, as Keras does, and
// `from_logits` works on the logits directly (no clipping).

#include "compiler/sema/Compose.h"

#include <cmath>

namespace lamina::sema {
namespace {

using ir::Op;
using namespace compose;

constexpr double kEpsilon = 1e-7; // keras.backend.epsilon()

// y_true and y_pred as tensors of y_pred's float dtype (Keras casts y_true to it).
std::optional<std::pair<Value, Value>> truePred(Context &ctx, const CallArgs &a) {
  Value pred = tensorOf(ctx, a[1]);
  Value truth = tensorOf(ctx, a[0]);
  if (pred.isError() || truth.isError())
    return std::nullopt;
  pred = toFloat(ctx, pred, a.range);
  DType t = ctx.typeOf(pred.tensor).dtype;
  truth = Value::ofTensor(ctx.cast(truth.tensor, t, a.range), a.range);
  return std::pair{truth, pred};
}

Value meanLast(Context &ctx, const Value &x, SourceRange r) {
  size_t rank = rankOf(ctx, x);
  if (rank == 0)
    return x;
  std::vector<int64_t> last = {int64_t(rank) - 1};
  return ew(ctx, Op::Div, {reduce(ctx, Op::ReduceSum, x, last, false, r), countOf(ctx, x, last, r)},
            r);
}

Value sumAxis(Context &ctx, const Value &x, int64_t axis, SourceRange r) {
  return reduce(ctx, Op::ReduceSum, x, {axis}, false, r);
}

Value clipProb(Context &ctx, const Value &p, SourceRange r) {
  return ew(ctx, Op::Min, {ew(ctx, Op::Max, {p, num(kEpsilon, r)}, r), num(1 - kEpsilon, r)}, r);
}

// An elementwise loss of (y_true, y_pred), averaged over the last axis.
template <Value (*F)(Context &, const Value &, const Value &, SourceRange)>
Value meanLoss(Context &ctx, const CallArgs &a) {
  auto tp = truePred(ctx, a);
  return tp ? meanLast(ctx, F(ctx, tp->first, tp->second, a.range), a.range)
            : Value::error(a.range);
}

Value squaredError(Context &ctx, const Value &t, const Value &p, SourceRange r) {
  Value d = ew(ctx, Op::Sub, {p, t}, r);
  return ew(ctx, Op::Mul, {d, d}, r);
}

Value absoluteError(Context &ctx, const Value &t, const Value &p, SourceRange r) {
  return fun(ctx, Op::Abs, ew(ctx, Op::Sub, {p, t}, r), r);
}

Value percentageError(Context &ctx, const Value &t, const Value &p, SourceRange r) {
  Value scale = ew(ctx, Op::Max, {fun(ctx, Op::Abs, t, r), num(kEpsilon, r)}, r);
  Value e = fun(ctx, Op::Abs, ew(ctx, Op::Div, {ew(ctx, Op::Sub, {t, p}, r), scale}, r), r);
  return ew(ctx, Op::Mul, {num(100, r), e}, r);
}

Value squaredLogError(Context &ctx, const Value &t, const Value &p, SourceRange r) {
  auto logOf = [&](const Value &v) {
    return fun(ctx, Op::Log,
               ew(ctx, Op::Add, {ew(ctx, Op::Max, {v, num(kEpsilon, r)}, r), num(1, r)}, r), r);
  };
  return squaredError(ctx, logOf(t), logOf(p), r);
}

// log(cosh(x)) = x + softplus(-2x) - log(2), which does not overflow.
Value logCoshError(Context &ctx, const Value &t, const Value &p, SourceRange r) {
  Value x = ew(ctx, Op::Sub, {p, t}, r);
  Value m = ew(ctx, Op::Mul, {x, num(-2, r)}, r);
  Value softplus =
      ew(ctx, Op::Add,
         {ew(ctx, Op::Max, {m, num(0, r)}, r),
          fun(ctx, Op::Log1p, fun(ctx, Op::Exp, ew(ctx, Op::Neg, {fun(ctx, Op::Abs, m, r)}, r), r),
              r)},
         r);
  return ew(ctx, Op::Sub, {ew(ctx, Op::Add, {x, softplus}, r), num(std::log(2.0), r)}, r);
}

Value poissonError(Context &ctx, const Value &t, const Value &p, SourceRange r) {
  return ew(ctx, Op::Sub,
            {p, ew(ctx, Op::Mul,
                   {t, fun(ctx, Op::Log, ew(ctx, Op::Add, {p, num(kEpsilon, r)}, r), r)}, r)},
            r);
}

// Keras's hinge losses take labels in {-1, 1}; labels that are all 0 or 1 are mapped there.
Value hingeLabels(Context &ctx, const Value &t, SourceRange r) {
  Value binary =
      ew(ctx, Op::Or, {ew(ctx, Op::Eq, {t, num(0, r)}, r), ew(ctx, Op::Eq, {t, num(1, r)}, r)}, r);
  std::vector<int64_t> all;
  for (size_t i = 0; i < rankOf(ctx, t); ++i)
    all.push_back(int64_t(i));
  Value allBinary = all.empty() ? binary : reduce(ctx, Op::ReduceAll, binary, all, false, r);
  Value mapped = ew(ctx, Op::Sub, {ew(ctx, Op::Mul, {num(2, r), t}, r), num(1, r)}, r);
  return ew(ctx, Op::Select, {allBinary, mapped, t}, r);
}

Value hingeError(Context &ctx, const Value &t, const Value &p, SourceRange r) {
  Value margin = ew(ctx, Op::Sub, {num(1, r), ew(ctx, Op::Mul, {hingeLabels(ctx, t, r), p}, r)}, r);
  return ew(ctx, Op::Max, {margin, num(0, r)}, r);
}

Value squaredHingeError(Context &ctx, const Value &t, const Value &p, SourceRange r) {
  Value h = hingeError(ctx, t, p, r);
  return ew(ctx, Op::Mul, {h, h}, r);
}

// Huber: 0.5 e^2 where |e| <= delta, else delta |e| - 0.5 delta^2.
Value huber(Context &ctx, const CallArgs &a) {
  auto tp = truePred(ctx, a);
  auto delta = floatArg(ctx, a, 2);
  if (!tp || !delta)
    return Value::error(a.range);
  SourceRange r = a.range;
  Value e = ew(ctx, Op::Sub, {tp->second, tp->first}, r);
  Value ae = fun(ctx, Op::Abs, e, r);
  Value quadratic = ew(ctx, Op::Mul, {num(0.5, r), ew(ctx, Op::Mul, {e, e}, r)}, r);
  Value linear = ew(ctx, Op::Sub,
                    {ew(ctx, Op::Mul, {num(*delta, r), ae}, r), num(0.5 * *delta * *delta, r)}, r);
  return meanLast(
      ctx, ew(ctx, Op::Select, {ew(ctx, Op::Le, {ae, num(*delta, r)}, r), quadratic, linear}, r),
      r);
}

Value klDivergence(Context &ctx, const CallArgs &a) {
  auto tp = truePred(ctx, a);
  if (!tp)
    return Value::error(a.range);
  SourceRange r = a.range;
  auto clip01 = [&](const Value &v) {
    return ew(ctx, Op::Min, {ew(ctx, Op::Max, {v, num(kEpsilon, r)}, r), num(1, r)}, r);
  };
  Value t = clip01(tp->first), p = clip01(tp->second);
  Value terms = ew(ctx, Op::Mul, {t, fun(ctx, Op::Log, ew(ctx, Op::Div, {t, p}, r), r)}, r);
  return sumAxis(ctx, terms, int64_t(rankOf(ctx, terms)) - 1, r);
}

Value categoricalHinge(Context &ctx, const CallArgs &a) {
  auto tp = truePred(ctx, a);
  if (!tp)
    return Value::error(a.range);
  SourceRange r = a.range;
  const Value &t = tp->first, &p = tp->second;
  int64_t last = int64_t(rankOf(ctx, p)) - 1;
  Value pos = sumAxis(ctx, ew(ctx, Op::Mul, {t, p}, r), last, r);
  Value neg =
      reduce(ctx, Op::ReduceMax, ew(ctx, Op::Mul, {ew(ctx, Op::Sub, {num(1, r), t}, r), p}, r),
             {last}, false, r);
  return ew(ctx, Op::Max,
            {ew(ctx, Op::Add, {ew(ctx, Op::Sub, {neg, pos}, r), num(1, r)}, r), num(0, r)}, r);
}

// cosine_similarity(y_true, y_pred, axis): the loss is the negated cosine (Keras's
// keras.losses); the metric (keras.metrics) is the cosine itself.
template <bool Loss> Value cosineSimilarity(Context &ctx, const CallArgs &a) {
  auto tp = truePred(ctx, a);
  if (!tp)
    return Value::error(a.range);
  auto axis = axisArg(ctx, a, 2, rankOf(ctx, tp->second));
  if (!axis)
    return Value::error(a.range);
  SourceRange r = a.range;
  auto normalized = [&](const Value &v) {
    Value sq = reduce(ctx, Op::ReduceSum, ew(ctx, Op::Mul, {v, v}, r), {*axis}, true, r);
    Value inv = ew(ctx, Op::Div,
                   {num(1, r), fun(ctx, Op::Sqrt, ew(ctx, Op::Max, {sq, num(1e-12, r)}, r), r)}, r);
    return ew(ctx, Op::Mul, {v, inv}, r);
  };
  Value cos =
      sumAxis(ctx, ew(ctx, Op::Mul, {normalized(tp->first), normalized(tp->second)}, r), *axis, r);
  return Loss ? ew(ctx, Op::Neg, {cos}, r) : cos;
}

// Keras's backend cross-entropies, per element (binary) or per sample (categorical); the
// keras.losses ones average the binary one over the last axis.
Value binaryCrossentropyOf(Context &ctx, const Value &t, const Value &p, bool logits,
                           SourceRange r) {
  if (logits) { // max(x, 0) - x z + log1p(exp(-|x|)), as tf.nn.sigmoid_cross_entropy_with_logits
    Value tail = fun(ctx, Op::Log1p,
                     fun(ctx, Op::Exp, ew(ctx, Op::Neg, {fun(ctx, Op::Abs, p, r)}, r), r), r);
    return ew(
        ctx, Op::Add,
        {ew(ctx, Op::Sub, {ew(ctx, Op::Max, {p, num(0, r)}, r), ew(ctx, Op::Mul, {p, t}, r)}, r),
         tail},
        r);
  }
  Value q = clipProb(ctx, p, r);
  Value pos = ew(ctx, Op::Mul, {t, fun(ctx, Op::Log, q, r)}, r);
  Value neg = ew(ctx, Op::Mul,
                 {ew(ctx, Op::Sub, {num(1, r), t}, r),
                  fun(ctx, Op::Log, ew(ctx, Op::Sub, {num(1, r), q}, r), r)},
                 r);
  return ew(ctx, Op::Neg, {ew(ctx, Op::Add, {pos, neg}, r)}, r);
}

// The arguments of keras.losses' cross-entropies: (y_true, y_pred, from_logits,
// label_smoothing, axis).
struct CrossEntropy {
  Value truth, pred;
  bool logits;
  double smoothing;
  int64_t axis;
};

std::optional<CrossEntropy> crossEntropyArgs(Context &ctx, const CallArgs &a) {
  auto tp = truePred(ctx, a);
  auto logits = boolArg(ctx, a, 2);
  auto smoothing = floatArg(ctx, a, 3);
  if (!tp || !logits || !smoothing)
    return std::nullopt;
  auto axis = axisArg(ctx, a, 4, rankOf(ctx, tp->second));
  if (!axis)
    return std::nullopt;
  return CrossEntropy{tp->first, tp->second, *logits, *smoothing, *axis};
}

// keras.losses.binary_crossentropy(y_true, y_pred, from_logits, label_smoothing, axis).
Value binaryCrossentropy(Context &ctx, const CallArgs &a) {
  auto ce = crossEntropyArgs(ctx, a);
  if (!ce)
    return Value::error(a.range);
  SourceRange r = a.range;
  Value t = ce->truth;
  if (ce->smoothing != 0)
    t = ew(ctx, Op::Add,
           {ew(ctx, Op::Mul, {t, num(1 - ce->smoothing, r)}, r), num(0.5 * ce->smoothing, r)}, r);
  Value e = binaryCrossentropyOf(ctx, t, ce->pred, ce->logits, r);
  return ew(ctx, Op::Div, {sumAxis(ctx, e, ce->axis, r), countOf(ctx, e, {ce->axis}, r)}, r);
}

// K.binary_crossentropy(target, output, from_logits): per element, no mean.
Value backendBinaryCrossentropy(Context &ctx, const CallArgs &a) {
  auto tp = truePred(ctx, a);
  auto logits = boolArg(ctx, a, 2);
  if (!tp || !logits)
    return Value::error(a.range);
  return binaryCrossentropyOf(ctx, tp->first, tp->second, *logits, a.range);
}

// -sum(y_true * log(p)) along axis, p the normalized and clipped y_pred, or the log_softmax of
// the logits.
// log_softmax of z along axis, from the shifted values so large logits do not overflow.
Value logSoftmaxAlong(Context &ctx, const Value &z, int64_t axis, SourceRange r) {
  Value s = ew(ctx, Op::Sub, {z, reduce(ctx, Op::ReduceMax, z, {axis}, true, r)}, r);
  Value lse =
      fun(ctx, Op::Log, reduce(ctx, Op::ReduceSum, fun(ctx, Op::Exp, s, r), {axis}, true, r), r);
  return ew(ctx, Op::Sub, {s, lse}, r);
}

// Integer labels for the sparse losses and metrics: a last axis of 1 (Keras's [B, 1]) dropped.
Value sparseLabels(Context &ctx, Value labels, size_t predRank, SourceRange r) {
  if (rankOf(ctx, labels) == predRank && ctx.typeOf(labels.tensor).shape.back() == Dim(1))
    labels = squeezeAxes(ctx, labels, {int64_t(predRank) - 1}, r);
  return labels;
}

Value categoricalOf(Context &ctx, const Value &t, const Value &p, bool logits, int64_t axis,
                    SourceRange r) {
  Value logp;
  if (logits) {
    logp = logSoftmaxAlong(ctx, p, axis, r);
  } else {
    Value q = ew(ctx, Op::Div, {p, reduce(ctx, Op::ReduceSum, p, {axis}, true, r)}, r);
    logp = fun(ctx, Op::Log, clipProb(ctx, q, r), r);
  }
  return ew(ctx, Op::Neg, {sumAxis(ctx, ew(ctx, Op::Mul, {t, logp}, r), axis, r)}, r);
}

// keras.losses.categorical_crossentropy(y_true, y_pred, from_logits, label_smoothing, axis).
Value categoricalCrossentropy(Context &ctx, const CallArgs &a) {
  auto ce = crossEntropyArgs(ctx, a);
  if (!ce)
    return Value::error(a.range);
  SourceRange r = a.range;
  Value t = ce->truth;
  if (ce->smoothing != 0) {
    Value classes = countOf(ctx, t, {ce->axis}, r);
    t = ew(ctx, Op::Add,
           {ew(ctx, Op::Mul, {t, num(1 - ce->smoothing, r)}, r),
            ew(ctx, Op::Div, {num(ce->smoothing, r), classes}, r)},
           r);
  }
  return categoricalOf(ctx, t, ce->pred, ce->logits, ce->axis, r);
}

// sparse_categorical_crossentropy(y_true, y_pred, from_logits, axis): integer labels (a last
// axis of 1 is dropped). Without logits, TensorFlow's backend takes log(clip(y_pred)) as the
// logits: -log(clip(p)[label]) + log(sum(clip(p))).
Value sparseCategoricalCrossentropy(Context &ctx, const CallArgs &a) {
  SourceRange r = a.range;
  Value labels = tensorOf(ctx, a[0]);
  Value pred = tensorOf(ctx, a[1]);
  auto logits = boolArg(ctx, a, 2);
  if (labels.isError() || pred.isError() || !logits)
    return Value::error(r);
  pred = toFloat(ctx, pred, r);
  size_t rank = rankOf(ctx, pred);
  auto axis = axisArg(ctx, a, 3, rank);
  if (!axis)
    return Value::error(r);
  if (*axis != int64_t(rank) - 1)
    return ctx.fail(DiagKind::Unsupported, a[3].range, "an `axis` other than the last",
                    "the classes are the last axis");
  labels = sparseLabels(ctx, labels, rank, r);
  if (isFloat(ctx.typeOf(labels.tensor).dtype))
    labels = Value::ofTensor(ctx.cast(labels.tensor, DType::I64, r), r);
  Shape expanded = ctx.typeOf(labels.tensor).shape;
  expanded.push_back(Dim(1));
  MaybeId column = ctx.reshape(labels.tensor, expanded, r);
  if (!column)
    return Value::error(r);
  const Dim classes = ctx.typeOf(pred.tensor).shape.back();
  Value positions = Value::ofTensor(ctx.iota({classes}, 0, ctx.typeOf(labels.tensor).dtype, r), r);
  Value hot = ew(ctx, Op::Eq, {Value::ofTensor(*column, r), positions}, r);
  Value z = *logits ? pred : fun(ctx, Op::Log, clipProb(ctx, pred, r), r);
  Value logp = logSoftmaxAlong(ctx, z, *axis, r);
  return ew(ctx, Op::Neg, {sumAxis(ctx, ew(ctx, Op::Select, {hot, logp, num(0, r)}, r), *axis, r)},
            r);
}

// Accuracy metrics, as float32: per element (binary) or per sample, as Keras 3.
Value binaryAccuracy(Context &ctx, const CallArgs &a) {
  auto tp = truePred(ctx, a);
  auto threshold = floatArg(ctx, a, 2);
  if (!tp || !threshold)
    return Value::error(a.range);
  SourceRange r = a.range;
  Value predicted = ew(ctx, Op::Gt, {tp->second, num(*threshold, r)}, r);
  Value hit = ew(ctx, Op::Eq, {tp->first, predicted}, r);
  return Value::ofTensor(ctx.cast(hit.tensor, DType::F32, r), r); // Keras 3: no mean
}

Value argmaxLast(Context &ctx, const Value &x, SourceRange r) {
  return reduce(ctx, Op::ArgMax, x, {int64_t(rankOf(ctx, x)) - 1}, false, r);
}

Value categoricalAccuracy(Context &ctx, const CallArgs &a) {
  auto tp = truePred(ctx, a);
  if (!tp)
    return Value::error(a.range);
  SourceRange r = a.range;
  Value hit = ew(ctx, Op::Eq, {argmaxLast(ctx, tp->first, r), argmaxLast(ctx, tp->second, r)}, r);
  return Value::ofTensor(ctx.cast(hit.tensor, DType::F32, r), r);
}

Value sparseCategoricalAccuracy(Context &ctx, const CallArgs &a) {
  SourceRange r = a.range;
  Value labels = tensorOf(ctx, a[0]);
  Value pred = tensorOf(ctx, a[1]);
  if (labels.isError() || pred.isError())
    return Value::error(r);
  size_t rank = rankOf(ctx, pred);
  labels = sparseLabels(ctx, labels, rank, r);
  Value guess = argmaxLast(ctx, pred, r);
  Value hit = ew(ctx, Op::Eq,
                 {Value::ofTensor(ctx.cast(labels.tensor, DType::F32, r), r),
                  Value::ofTensor(ctx.cast(guess.tensor, DType::F32, r), r)},
                 r);
  return Value::ofTensor(ctx.cast(hit.tensor, DType::F32, r), r);
}

constexpr std::string_view kPair = "y_true, y_pred";

constexpr BuiltinDef kLosses[] = {
    {"mean_squared_error", kPair, meanLoss<squaredError>,
     "mean of `(y_pred - y_true) ** 2` over the last axis"},
    {"mean_absolute_error", kPair, meanLoss<absoluteError>,
     "mean of `|y_pred - y_true|` over the last axis"},
    {"mean_absolute_percentage_error", kPair, meanLoss<percentageError>,
     "`100 * mean(|(y_true - y_pred) / max(|y_true|, eps)|)` over the last axis"},
    {"mean_squared_logarithmic_error", kPair, meanLoss<squaredLogError>,
     "mean of `(log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1)) ** 2`"},
    {"huber", "y_true, y_pred, delta=1.0", huber,
     "mean of `0.5 e ** 2` within delta, `delta |e| - 0.5 delta ** 2` beyond"},
    {"log_cosh", kPair, meanLoss<logCoshError>, "mean of `log(cosh(y_pred - y_true))`"},
    {"kl_divergence", kPair, klDivergence,
     "`sum(y_true * log(y_true / y_pred))`, both clipped to [eps, 1]"},
    {"poisson", kPair, meanLoss<poissonError>, "mean of `y_pred - y_true * log(y_pred + eps)`"},
    {"hinge", kPair, meanLoss<hingeError>,
     "mean of `max(1 - y_true * y_pred, 0)`; 0/1 labels become -1/1"},
    {"squared_hinge", kPair, meanLoss<squaredHingeError>,
     "mean of `max(1 - y_true * y_pred, 0) ** 2`"},
    {"categorical_hinge", kPair, categoricalHinge,
     "`max(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0)`"},
    {"cosine_similarity", "y_true, y_pred, axis=-1", cosineSimilarity<true>,
     "the loss: minus the cosine of y_true and y_pred along axis"},
    {"_cosine_similarity_metric", "y_true, y_pred, axis=-1", cosineSimilarity<false>,
     "the metric: the cosine of y_true and y_pred along axis"},
    {"binary_crossentropy", "y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1",
     binaryCrossentropy, "mean binary cross-entropy over axis; y_pred clipped to [eps, 1 - eps]"},
    {"_backend_binary_crossentropy", "target, output, from_logits=False", backendBinaryCrossentropy,
     "binary cross-entropy per element (K.binary_crossentropy)"},
    {"categorical_crossentropy", "y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1",
     categoricalCrossentropy,
     "`-sum(y_true * log(y_pred))` over axis, y_pred normalized and clipped"},
    {"sparse_categorical_crossentropy", "y_true, y_pred, from_logits=False, axis=-1",
     sparseCategoricalCrossentropy, "categorical cross-entropy with integer labels"},
    {"binary_accuracy", "y_true, y_pred, threshold=0.5", binaryAccuracy,
     "`y_true == (y_pred > threshold)` per element, f32 (Keras 3)"},
    {"categorical_accuracy", kPair, categoricalAccuracy, "`argmax(y_true) == argmax(y_pred)`, f32"},
    {"sparse_categorical_accuracy", kPair, sparseCategoricalAccuracy,
     "`y_true == argmax(y_pred)`, f32"},
};

} // namespace

std::span<const BuiltinDef> lossBuiltins() { return kLosses; }

} // namespace lamina::sema
