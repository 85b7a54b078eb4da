// Creation builtins (zeros, ones, full, arange, linspace, eye, tensor literals), shape
// queries (shape, ndim) and the constants Keras code reaches for (epsilon, floatx).

#include "compiler/sema/Compose.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

namespace lamina::sema {
namespace {

using ir::Op;
using namespace compose;

Value filled(Context &ctx, const Shape &shape, const Value &fill, DType dtype, SourceRange r) {
  if (!ctx.checkShape(shape, r))
    return Value::error(r);
  MaybeId s = toTensor(ctx, fill, dtype);
  if (!s)
    return Value::error(r);
  return tensorValue(ctx.broadcastTo(*s, shape, r), r);
}

template <int Fill> Value constantFill(Context &ctx, const CallArgs &a) {
  auto shape = shapeArg(ctx, a[0]);
  auto dtype = dtypeArg(ctx, a, 1, kDefaultFloat);
  if (!shape || !dtype)
    return Value::error(a.range);
  return filled(ctx, *shape, Value::integer(Fill, a.range), *dtype, a.range);
}

Value full(Context &ctx, const CallArgs &a) {
  auto shape = shapeArg(ctx, a[0]);
  if (!shape)
    return Value::error(a.range);
  std::optional<DType> dtype;
  if (a.isNone(2))
    dtype = promoteValues(ctx, {a[1]}, a.calledAs, false, a.range);
  else
    dtype = dtypeArg(ctx, a, 2, std::nullopt);
  return dtype ? filled(ctx, *shape, a[1], *dtype, a.range) : Value::error(a.range);
}

template <int Fill> Value likeFill(Context &ctx, const CallArgs &a) {
  Value x = tensorOf(ctx, a[0]);
  if (x.isError())
    return x;
  const TensorType &t = ctx.typeOf(x.tensor);
  auto dtype = dtypeArg(ctx, a, 1, t.dtype);
  return dtype ? filled(ctx, t.shape, Value::integer(Fill, a.range), *dtype, a.range)
               : Value::error(a.range);
}

Value fullLike(Context &ctx, const CallArgs &a) {
  Value x = tensorOf(ctx, a[0]);
  if (x.isError())
    return x;
  const TensorType &t = ctx.typeOf(x.tensor);
  auto dtype = dtypeArg(ctx, a, 2, t.dtype);
  return dtype ? filled(ctx, t.shape, a[1], *dtype, a.range) : Value::error(a.range);
}

// arange(stop) or arange(start, stop, step): the length must be known at compile time
// unless it is a plain size (`arange(x.shape[1])`).
Value arange(Context &ctx, const CallArgs &a) {
  SourceRange r = a.range;
  Value start = a.isNone(1) ? Value::integer(0, r) : a[0];
  Value stop = a.isNone(1) ? a[0] : a[1];
  Value step = a[2];
  std::optional<DType> dtype;
  if (a.isNone(3))
    dtype = promoteValues(ctx, {start, stop, step}, a.calledAs, false, r);
  else
    dtype = dtypeArg(ctx, a, 3, std::nullopt);
  if (!dtype)
    return Value::error(r);
  for (const Value *v : {&start, &stop, &step})
    if (!v->isNumber() || v->kind == Value::Kind::Bool)
      return ctx.fail(DiagKind::ExpectedConstant, v->range, "the bounds of `arange`",
                      ctx.describe(*v));
  bool ints = start.kind == Value::Kind::Int && stop.kind == Value::Kind::Int &&
              step.kind == Value::Kind::Int;
  if (ints && start.i == Dim(0) && step.i == Dim(1)) {
    if (stop.i.isConstant() && stop.i.constant() < 0)
      return ctx.fail(DiagKind::NegativeDim, stop.range, stop.i.constant());
    return Value::ofTensor(ctx.iota({stop.i}, 0, *dtype, r), r);
  }
  auto number = [](const Value &v) -> std::optional<double> {
    if (v.kind == Value::Kind::Float)
      return v.f;
    return v.i.asConstant() ? std::optional<double>(double(*v.i.asConstant())) : std::nullopt;
  };
  auto lo = number(start), hi = number(stop), st = number(step);
  if (!lo || !hi || !st)
    return ctx.fail(DiagKind::NeedsKnownDim, r, "`arange` with a start or step", "symbolic");
  if (*st == 0)
    return ctx.fail(DiagKind::ConstantDivByZero, step.range);
  double count = std::max(0.0, std::ceil((*hi - *lo) / *st));
  // 2^62: any count beyond it is reported before it is converted (NaN compares false).
  if (!(count < 4611686018427387904.0))
    return ctx.fail(DiagKind::ShapeOverflow, r, fmt::format("`arange` of {} elements", count));
  // start + i * step, computed in the result type.
  ValueId i = ctx.iota({Dim(int64_t(count))}, 0, *dtype, r);
  return ew(ctx, Op::Add, {ew(ctx, Op::Mul, {Value::ofTensor(i, r), step}, r), start}, r);
}

Value linspace(Context &ctx, const CallArgs &a) {
  SourceRange r = a.range;
  auto lo = floatArg(ctx, a, 0), hi = floatArg(ctx, a, 1);
  auto n = intArg(ctx, a, 2);
  auto endpoint = boolArg(ctx, a, 3);
  auto dtype = dtypeArg(ctx, a, 4, kDefaultFloat);
  if (!lo || !hi || !n || !endpoint || !dtype)
    return Value::error(r);
  if (*n < 0)
    return ctx.fail(DiagKind::NegativeDim, a[2].range, *n);
  int64_t div = *endpoint ? *n - 1 : *n;
  double step = div > 0 ? (*hi - *lo) / double(div) : 0;
  ValueId i = ctx.iota({Dim(*n)}, 0, DType::F64, r);
  Value v = ew(ctx, Op::Add,
               {ew(ctx, Op::Mul, {Value::ofTensor(i, r), num(step, r)}, r), num(*lo, r)}, r);
  return v.isError() ? v : Value::ofTensor(ctx.cast(v.tensor, *dtype, r), r);
}

// eye(n, m=None, k=0): 1 where column - row == k.
Value eye(Context &ctx, const CallArgs &a) {
  SourceRange r = a.range;
  Value n = a[0], m = a.isNone(1) ? a[0] : a[1];
  auto k = intArg(ctx, a, 2);
  auto dtype = dtypeArg(ctx, a, 3, kDefaultFloat);
  if (!k || !dtype)
    return Value::error(r);
  if (n.kind != Value::Kind::Int || m.kind != Value::Kind::Int)
    return ctx.fail(DiagKind::WrongKind, a.range, "the size of `eye`", "an int", ctx.describe(n));
  Shape shape{n.i, m.i};
  if (!ctx.checkShape(shape, r))
    return Value::error(r);
  Value rows = Value::ofTensor(ctx.iota(shape, 0, DType::I64, r), r);
  Value cols = Value::ofTensor(ctx.iota(shape, 1, DType::I64, r), r);
  Value diag = ew(ctx, Op::Eq, {ew(ctx, Op::Sub, {cols, rows}, r), Value::integer(*k, r)}, r);
  return diag.isError() ? diag : Value::ofTensor(ctx.cast(diag.tensor, *dtype, r), r);
}

// tf.eye(num_rows, num_columns=None, batch_shape=None, dtype=float32).
Value tfEye(Context &ctx, const CallArgs &a) {
  CallArgs inner = a;
  inner.values = {a[0], a[1], Value::integer(0, a.range), a[3]};
  Value m = eye(ctx, inner);
  if (m.isError() || a.isNone(2))
    return m;
  auto batch = shapeArg(ctx, a[2]);
  if (!batch)
    return Value::error(a.range);
  Shape shape = *batch;
  for (const Dim &d : ctx.typeOf(m.tensor).shape)
    shape.push_back(d);
  if (!ctx.checkShape(shape, a.range))
    return Value::error(a.range);
  return tensorValue(ctx.broadcastTo(m.tensor, shape, a.range), a.range);
}

// constant/array: a tensor literal (or a tensor) with an optional dtype.
Value array(Context &ctx, const CallArgs &a) {
  std::optional<DType> dtype;
  if (!a.isNone(1) && !(dtype = dtypeArg(ctx, a, 1, std::nullopt)))
    return Value::error(a.range);
  return tensorValue(toTensor(ctx, a[0], dtype), a.range);
}

// tf.constant/tf.convert_to_tensor: Python ints become int32 (TensorFlow), tensors keep their
// dtype.
bool pythonNumbers(const Value &v) {
  if (v.isSeq())
    return std::all_of(v.elements.begin(), v.elements.end(), pythonNumbers);
  return v.isNumber();
}

Value tfConstant(Context &ctx, const CallArgs &a) {
  Value t = array(ctx, a);
  if (t.isError() || !a.isNone(1) || !pythonNumbers(a[0]) ||
      ctx.typeOf(t.tensor).dtype != DType::I64)
    return t;
  return Value::ofTensor(ctx.cast(t.tensor, DType::I32, a.range), a.range);
}

// K.constant(value, dtype=None): Keras makes floats (floatx) unless told otherwise.
Value kerasConstant(Context &ctx, const CallArgs &a) {
  auto dtype = dtypeArg(ctx, a, 1, kDefaultFloat);
  return dtype ? tensorValue(toTensor(ctx, a[0], *dtype), a.range) : Value::error(a.range);
}

Value shapeOf(Context &ctx, const CallArgs &a) {
  Value x = tensorOf(ctx, a[0]);
  if (x.isError())
    return x;
  std::vector<Value> dims;
  for (const Dim &d : ctx.typeOf(x.tensor).shape)
    dims.push_back(Value::integer(d, a.range));
  Value out = Value::seq(std::move(dims), true, a.range);
  out.isShape = true;
  return out;
}

Value ndim(Context &ctx, const CallArgs &a) {
  Value x = tensorOf(ctx, a[0]);
  return x.isError() ? x : Value::integer(int64_t(ctx.typeOf(x.tensor).rank()), a.range);
}

// tf.rank: the rank, i32 when it becomes a tensor (TensorFlow's), as the sizes tf.shape gives.
Value tfRank(Context &ctx, const CallArgs &a) {
  Value n = ndim(ctx, a);
  n.isShape = !n.isError();
  return n;
}

// tf.range: integer bounds give int32, as TensorFlow (NumPy's arange gives int64).
Value tfRange(Context &ctx, const CallArgs &a) {
  CallArgs b = a;
  bool ints = true;
  for (size_t slot : {0, 1, 2})
    ints = ints && (a.isNone(slot) || a[slot].kind == Value::Kind::Int);
  if (a.isNone(3) && ints) {
    b.values[3] = Value::ofDType(DType::I32, a.range);
    b.given[3] = true;
  }
  return arange(ctx, b);
}

// Python's len, list and tuple: on a list, tuple or shape its elements; on a tensor its first
// axis (whose size must be known for list and tuple).
Value len(Context &ctx, const CallArgs &a) {
  if (a[0].isSeq())
    return Value::integer(int64_t(a[0].elements.size()), a.range);
  Value x = tensorOf(ctx, a[0]);
  if (x.isError())
    return x;
  const Shape &shape = ctx.typeOf(x.tensor).shape;
  if (shape.empty())
    return ctx.fail(DiagKind::RankMismatch, a.range, "`len`", "a tensor of rank 1 or more", 0);
  return Value::integer(shape[0], a.range);
}

template <bool Tuple> Value sequence(Context &ctx, const CallArgs &a) {
  if (a[0].isSeq()) {
    Value out = Value::seq(a[0].elements, Tuple, a.range);
    out.isShape = a[0].isShape;
    return out;
  }
  const BuiltinDef *unstack = findBuiltin("ops.unstack");
  CallArgs args{unstack,
                a.calledAs,
                a.range,
                {a[0], Value::none(a.range), Value::integer(0, a.range)},
                {true, false, false}};
  Value parts = unstack->lower(ctx, args);
  if (!parts.isError())
    parts.isTuple = Tuple;
  return parts;
}

// Keras's K.dtype(x): the dtype's name as a string, 'float32'.
Value dtypeName(Context &ctx, const CallArgs &a) {
  Value x = tensorOf(ctx, a[0]);
  return x.isError() ? x
                     : Value::string(std::string(longName(ctx.typeOf(x.tensor).dtype)), a.range);
}

Value epsilon(Context &, const CallArgs &a) { return Value::real(1e-7, a.range); }
Value floatx(Context &, const CallArgs &a) { return Value::string("float32", a.range); }

constexpr BuiltinDef kCreation[] = {
    {"zeros", "shape, dtype=None", constantFill<0>, "a tensor of zeros (default f32)"},
    {"ones", "shape, dtype=None", constantFill<1>, "a tensor of ones (default f32)"},
    {"full", "shape, fill_value, dtype=None", full, "a tensor filled with fill_value"},
    {"zeros_like", "x, dtype=None", likeFill<0>, "zeros of x's shape and dtype"},
    {"ones_like", "x, dtype=None", likeFill<1>, "ones of x's shape and dtype"},
    {"full_like", "x, fill_value, dtype=None", fullLike, "fill_value in x's shape and dtype"},
    {"arange", "start, stop=None, step=1, dtype=None", arange,
     "evenly spaced values in [start, stop)"},
    {"_tf_range", "start, limit|stop=None, delta|step=1, dtype=None", tfRange,
     "arange; integer bounds give i32 (TensorFlow)"},
    {"linspace", "start, stop, num=50, endpoint=True, dtype=None", linspace,
     "num evenly spaced values from start to stop"},
    {"eye", "N|n, M|m=None, k=0, dtype=None", eye, "ones on diagonal k, zeros elsewhere"},
    {"_tf_eye", "num_rows, num_columns=None, batch_shape=None, dtype=None", tfEye,
     "identity matrices, broadcast over batch_shape"},
    {"array", "object|value, dtype=None", array, "a tensor from a (nested) list of numbers"},
    {"_tf_constant", "value, dtype=None", tfConstant,
     "a tensor from numbers; Python ints give i32 (TensorFlow)"},
    {"_keras_constant", "value, dtype=None, shape=None, name=None", kerasConstant,
     "a tensor from numbers, float32 unless dtype says otherwise"},
    {"shape", "x", shapeOf, "the shape as a tuple of ints and symbols"},
    {"ndim", "x", ndim, "the rank"},
    {"_tf_rank", "input|x", tfRank, "the rank; i32 as a tensor (TensorFlow)"},
    {"len", "obj|x", len, "Python's len: elements of a list or shape, first axis of a tensor"},
    {"list", "iterable|x", sequence<false>, "Python's list: of a sequence, or of a tensor's rows"},
    {"tuple", "iterable|x", sequence<true>, "Python's tuple: of a sequence, or of a tensor's rows"},
    {"_dtype_name", "x", dtypeName, "the dtype's name as a string ('float32')"},
    {"_epsilon", "", epsilon, "Keras's fuzz factor, 1e-7"},
    {"_floatx", "", floatx, "'float32'"},
};

} // namespace

std::span<const BuiltinDef> creationBuiltins() { return kCreation; }

} // namespace lamina::sema
