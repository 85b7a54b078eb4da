// Array functions (docs/language.md, "Arrays and statistics"): NumPy's structural functions
// (roll, tensordot, diagonals, stacking, meshgrid, take_along_axis), its order statistics
// (median, quantile, percentile) and TensorFlow's small helpers (tf.slice, add_n,
// clip_by_norm, ...). Each is a composition of other builtins and IR operations: slices and
// concat (roll, stacking), einsum (tensordot, inner), strided slices of a flattened matrix
// (diagonal), gather (take_along_axis, diag) and sort (the order statistics). What must be
// known when compiling (a rolled axis's size, quantiles) is checked with a diagnostic that
// says which form works.

#include "compiler/sema/Compose.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>

namespace lamina::sema {
namespace {

using ir::Op;
using namespace compose;

// Calls the builtin `name` with positional arguments, as the user would.
Value call(Context &ctx, std::string_view name, std::vector<Value> args, SourceRange r) {
  const BuiltinDef *def = findBuiltin(name);
  auto bound = bindCall(ctx, *def, name, std::move(args), {}, r);
  return bound ? def->lower(ctx, *bound) : Value::error(r);
}

// `x` with the listed axes moved last, in the order given.
Value axesLast(Context &ctx, const Value &x, const std::vector<int64_t> &axes, SourceRange r) {
  std::vector<int64_t> perm;
  size_t rank = rankOf(ctx, x);
  for (int64_t i = 0; i < int64_t(rank); ++i)
    if (std::find(axes.begin(), axes.end(), i) == axes.end())
      perm.push_back(i);
  perm.insert(perm.end(), axes.begin(), axes.end());
  return Value::ofTensor(ctx.transpose(x.tensor, perm, r), r);
}

// The window [begin, begin + size) of `x` along `axis`.
Value window(Context &ctx, const Value &x, int64_t axis, Dim begin, Dim size, SourceRange r) {
  Shape s = ctx.typeOf(x.tensor).shape;
  std::vector<Dim> begins(s.size(), Dim(0));
  begins[size_t(axis)] = begin;
  s[size_t(axis)] = size;
  return Value::ofTensor(ctx.slice(x.tensor, begins, std::vector<int64_t>(s.size(), 1), s, r), r);
}

Value withShape(Context &ctx, const Value &x, Shape s, SourceRange r) {
  return x.isError() ? x : tensorValue(ctx.reshape(x.tensor, std::move(s), r), r);
}

// Both operands as tensors of the dtype they promote to (arithmetic: bools refused).
std::optional<std::pair<Value, Value>> promotedPair(Context &ctx, const CallArgs &a) {
  Value x = tensorOf(ctx, a[0]), y = tensorOf(ctx, a[1]);
  if (x.isError() || y.isError())
    return std::nullopt;
  auto dtype = promoteValues(ctx, {x, y}, a.calledAs, true, a.range);
  if (!dtype)
    return std::nullopt;
  return std::pair{Value::ofTensor(ctx.cast(x.tensor, *dtype, a.range), a.range),
                   Value::ofTensor(ctx.cast(y.tensor, *dtype, a.range), a.range)};
}

constexpr std::string_view kLetters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

Value einsumOf(Context &ctx, const std::string &equation, const Value &x, const Value &y,
               SourceRange r) {
  return call(ctx, "einsum", {Value::string(equation, r), x, y}, r);
}

// ---------------------------------------------------------------- roll

// `x` rolled by `shift` along `axis` of known size: the last `shift` elements come first.
Value rollAlong(Context &ctx, const Value &x, int64_t axis, int64_t shift, const CallArgs &a) {
  SourceRange r = a.range;
  const Dim d = ctx.typeOf(x.tensor).shape[size_t(axis)];
  auto n = d.asConstant();
  if (!n)
    return ctx.failWithLabel("roll an axis of known size (a feature axis, not the batch)",
                             DiagKind::NeedsKnownDim, r,
                             fmt::format("`{}` along axis {}", a.calledAs, axis), d.str());
  if (*n == 0 || shift % *n == 0)
    return x;
  int64_t k = (shift % *n + *n) % *n;
  Value tail = window(ctx, x, axis, Dim(*n - k), Dim(k), r);
  Value head = window(ctx, x, axis, Dim(0), Dim(*n - k), r);
  return tensorValue(ctx.concat({tail.tensor, head.tensor}, axis, r), r);
}

// roll(x, shift, axis=None): NumPy's and tf.roll's. Shifts and axes pair up (a single one is
// repeated); shifts of one axis add up; None rolls the flattened tensor.
Value roll(Context &ctx, const CallArgs &a) {
  Value x = tensorOf(ctx, a[0]);
  auto shifts = intListArg(ctx, a[1], argName(a, 1));
  if (x.isError() || !shifts)
    return Value::error(a.range);
  if (a.isNone(2)) {
    Shape s = ctx.typeOf(x.tensor).shape;
    int64_t total = 0;
    for (int64_t k : *shifts)
      total += k % (int64_t(1) << 40); // sizes are far below 2^40: the sum cannot overflow
    Value rolled = rollAlong(ctx, flat(ctx, x, a.range), 0, total, a);
    return withShape(ctx, rolled, s, a.range);
  }
  auto axes = intListArg(ctx, a[2], argName(a, 2));
  if (!axes)
    return Value::error(a.range);
  size_t count = std::max(shifts->size(), axes->size());
  if ((shifts->size() != count && shifts->size() != 1) ||
      (axes->size() != count && axes->size() != 1))
    return ctx.fail(DiagKind::WrongKind, a[1].range, argName(a, 1),
                    fmt::format("one shift or one per axis ({})", axes->size()),
                    fmt::format("{} shifts", shifts->size()));
  size_t rank = ctx.typeOf(x.tensor).rank();
  std::vector<int64_t> byAxis(rank, 0);
  for (size_t i = 0; i < count; ++i) {
    auto axis = ctx.normalizeAxis((*axes)[axes->size() == 1 ? 0 : i], rank, a[2].range);
    if (!axis)
      return Value::error(a.range);
    byAxis[size_t(*axis)] += (*shifts)[shifts->size() == 1 ? 0 : i] % (int64_t(1) << 40);
  }
  for (size_t axis = 0; axis < rank && !x.isError(); ++axis)
    if (byAxis[axis] != 0)
      x = rollAlong(ctx, x, int64_t(axis), byAxis[axis], a);
  return x;
}

// ---------------------------------------------------------------- products

// tensordot(a, b, axes): an int n contracts the last n axes of a with the first n of b; a
// pair of lists names the axes. The free axes of a, then those of b. Written as an einsum.
Value tensordot(Context &ctx, const CallArgs &a) {
  auto xy = promotedPair(ctx, a);
  if (!xy)
    return Value::error(a.range);
  auto [x, y] = *xy;
  const Shape sx = ctx.typeOf(x.tensor).shape, sy = ctx.typeOf(y.tensor).shape;
  std::vector<int64_t> ax, ay;
  const Value &spec = a[2];
  if (spec.kind == Value::Kind::Int) {
    auto n = intArg(ctx, a, 2);
    if (!n)
      return Value::error(a.range);
    if (*n < 0 || size_t(*n) > sx.size() || size_t(*n) > sy.size())
      return ctx.fail(DiagKind::AxisOutOfRange, spec.range, *n, std::min(sx.size(), sy.size()));
    for (int64_t i = 0; i < *n; ++i) {
      ax.push_back(int64_t(sx.size()) - *n + i);
      ay.push_back(i);
    }
  } else if (spec.isSeq() && spec.elements.size() == 2) {
    auto lx = intListArg(ctx, spec.elements[0], argName(a, 2));
    auto ly = lx ? intListArg(ctx, spec.elements[1], argName(a, 2)) : std::nullopt;
    if (!lx || !ly)
      return Value::error(a.range);
    if (lx->size() != ly->size())
      return ctx.fail(DiagKind::WrongKind, spec.range, argName(a, 2),
                      "two lists of axes of one length", ctx.describe(spec));
    for (size_t i = 0; i < lx->size(); ++i) {
      auto p = ctx.normalizeAxis((*lx)[i], sx.size(), spec.range);
      auto q = ctx.normalizeAxis((*ly)[i], sy.size(), spec.range);
      if (!p || !q)
        return Value::error(a.range);
      if (std::count(ax.begin(), ax.end(), *p) || std::count(ay.begin(), ay.end(), *q))
        return ctx.fail(DiagKind::DuplicateAxis, spec.range,
                        std::count(ax.begin(), ax.end(), *p) ? (*lx)[i] : (*ly)[i]);
      ax.push_back(*p);
      ay.push_back(*q);
    }
  } else {
    return ctx.fail(DiagKind::WrongKind, spec.range, argName(a, 2),
                    "an int or a pair of axis lists", ctx.describe(spec));
  }
  std::string left(sx.size(), ' '), right(sy.size(), ' '), out;
  for (size_t i = 0; i < sx.size(); ++i)
    left[i] = kLetters[i];
  for (size_t k = 0; k < ax.size(); ++k) {
    if (!(sx[size_t(ax[k])] == sy[size_t(ay[k])]))
      return ctx.failWithLabel(fmt::format("axis {} of a has {} elements, axis {} of b has {}",
                                           ax[k], sx[size_t(ax[k])].str(), ay[k],
                                           sy[size_t(ay[k])].str()),
                               DiagKind::MatMulMismatch, a.range, ctx.typeOf(x.tensor).str(),
                               ctx.typeOf(y.tensor).str());
    right[size_t(ay[k])] = left[size_t(ax[k])];
  }
  size_t next = sx.size();
  for (char &c : right)
    if (c == ' ')
      c = kLetters[next++];
  for (size_t i = 0; i < sx.size(); ++i)
    if (!std::count(ax.begin(), ax.end(), int64_t(i)))
      out += left[i];
  for (size_t i = 0; i < sy.size(); ++i)
    if (!std::count(ay.begin(), ay.end(), int64_t(i)))
      out += right[i];
  return einsumOf(ctx, left + "," + right + "->" + out, x, y, a.range);
}

// outer(a, b): every element of flattened a times every element of flattened b.
Value outer(Context &ctx, const CallArgs &a) {
  auto xy = promotedPair(ctx, a);
  if (!xy)
    return Value::error(a.range);
  Value x = flat(ctx, xy->first, a.range), y = flat(ctx, xy->second, a.range);
  if (x.isError() || y.isError())
    return Value::error(a.range);
  Dim m = ctx.typeOf(x.tensor).shape[0], n = ctx.typeOf(y.tensor).shape[0];
  return ew(ctx, Op::Mul,
            {withShape(ctx, x, {m, Dim(1)}, a.range), withShape(ctx, y, {Dim(1), n}, a.range)},
            a.range);
}

// inner(a, b): the sum over the last axes, a.shape[:-1] + b.shape[:-1]; scalars multiply.
Value inner(Context &ctx, const CallArgs &a) {
  auto xy = promotedPair(ctx, a);
  if (!xy)
    return Value::error(a.range);
  auto [x, y] = *xy;
  const Shape sx = ctx.typeOf(x.tensor).shape, sy = ctx.typeOf(y.tensor).shape;
  if (sx.empty() || sy.empty())
    return ew(ctx, Op::Mul, {x, y}, a.range);
  if (!(sx.back() == sy.back()))
    return ctx.failWithLabel(
        fmt::format("the last axes have {} and {} elements", sx.back().str(), sy.back().str()),
        DiagKind::MatMulMismatch, a.range, ctx.typeOf(x.tensor).str(), ctx.typeOf(y.tensor).str());
  std::string left(kLetters.substr(0, sx.size() - 1)),
      right(kLetters.substr(sx.size() - 1, sy.size() - 1));
  return einsumOf(ctx, left + "Z," + right + "Z->" + left + right, x, y, a.range);
}

// ---------------------------------------------------------------- diagonals

// The diagonal `offset` of the axes p and q (both of known size), as a last axis after the
// others: a strided slice of the two flattened, [.., n1 * n2] at offset + i * (n2 + 1).
Value diagonalOf(Context &ctx, const Value &x, int64_t offset, size_t p, size_t q,
                 const CallArgs &a) {
  SourceRange r = a.range;
  Value moved = axesLast(ctx, x, {int64_t(p), int64_t(q)}, r);
  Shape s = ctx.typeOf(moved.tensor).shape;
  const Dim d1 = s[s.size() - 2], d2 = s.back();
  if (!d1.isConstant() || !d2.isConstant())
    return ctx.failWithLabel("take diagonals of two axes of known size (not the batch)",
                             DiagKind::NeedsKnownDim, r, fmt::format("`{}`", a.calledAs),
                             (d1.isConstant() ? d2 : d1).str());
  int64_t n1 = d1.constant(), n2 = d2.constant();
  int64_t length = offset >= 0 ? std::min(n1, n2 - std::min(offset, n2))
                               : std::min(n1 - std::min(-offset, n1), n2);
  Shape lead(s.begin(), s.end() - 2);
  Shape folded = lead;
  folded.push_back(Dim(n1 * n2));
  MaybeId f = ctx.reshape(moved.tensor, folded, r);
  if (!f)
    return Value::error(r);
  std::vector<Dim> begins(folded.size(), Dim(0));
  std::vector<int64_t> steps(folded.size(), 1);
  if (length > 0) {
    begins.back() = Dim(offset >= 0 ? offset : -offset * n2);
    steps.back() = n2 + 1;
  }
  Shape out = lead;
  out.push_back(Dim(std::max<int64_t>(length, 0)));
  return Value::ofTensor(ctx.slice(*f, begins, steps, out, r), r);
}

// The two axes of diagonal and trace (slots 2 and 3), distinct.
std::optional<std::pair<size_t, size_t>> twoAxes(Context &ctx, const CallArgs &a, const Value &x,
                                                 size_t slot) {
  size_t rank = rankOf(ctx, x);
  if (rank < 2) {
    ctx.fail(DiagKind::RankMismatch, a[0].range, fmt::format("`{}`", a.calledAs),
             "a tensor of rank 2 or more", rank);
    return std::nullopt;
  }
  auto p = axisArg(ctx, a, slot, rank), q = axisArg(ctx, a, slot + 1, rank);
  if (!p || !q)
    return std::nullopt;
  if (*p == *q) {
    ctx.fail(DiagKind::DuplicateAxis, a[slot + 1].range, *q);
    return std::nullopt;
  }
  return std::pair{size_t(*p), size_t(*q)};
}

// diagonal(x, offset, axis1, axis2): NumPy's; the diagonal is the last axis of the result.
Value diagonal(Context &ctx, const CallArgs &a) {
  Value x = tensorOf(ctx, a[0]);
  auto offset = intArg(ctx, a, 1);
  if (x.isError() || !offset)
    return Value::error(a.range);
  auto axes = twoAxes(ctx, a, x, 2);
  return axes ? diagonalOf(ctx, x, *offset, axes->first, axes->second, a) : Value::error(a.range);
}

// What trace sums in: NumPy's accumulator (integers in i64, or `dtype`), Keras's (bool and
// 8-bit integers in i32) or TensorFlow's (the input's dtype).
enum class SumIn { NumPy, Keras, TensorFlow };

template <SumIn Rule> Value trace(Context &ctx, const CallArgs &a) {
  Value x = tensorOf(ctx, a[0]);
  if (x.isError())
    return x;
  bool tf = Rule == SumIn::TensorFlow;
  auto offset = tf ? std::optional<int64_t>(0) : intArg(ctx, a, 1);
  std::optional<std::pair<size_t, size_t>> axes;
  if (tf && rankOf(ctx, x) >= 2)
    axes = std::pair{rankOf(ctx, x) - 2, rankOf(ctx, x) - 1};
  else if (tf)
    return ctx.fail(DiagKind::RankMismatch, a[0].range, fmt::format("`{}`", a.calledAs),
                    "a tensor of rank 2 or more", rankOf(ctx, x));
  else
    axes = twoAxes(ctx, a, x, 2);
  if (!offset || !axes)
    return Value::error(a.range);
  Value d = diagonalOf(ctx, x, *offset, axes->first, axes->second, a);
  if (d.isError())
    return d;
  DType t = ctx.typeOf(d.tensor).dtype;
  std::optional<DType> to = t;
  if (Rule == SumIn::NumPy)
    to = dtypeArg(ctx, a, 4, isFloat(t) ? t : DType::I64);
  else if (Rule == SumIn::Keras && (t == DType::Bool || t == DType::I8 || t == DType::U8))
    to = DType::I32;
  if (!to)
    return Value::error(a.range);
  d = Value::ofTensor(ctx.cast(d.tensor, *to, a.range), a.range);
  return reduce(ctx, Op::ReduceSum, d, {int64_t(rankOf(ctx, d)) - 1}, false, a.range);
}

// The matrices with the last axis of `v` on diagonal k (of size n + |k|): each element picks
// its value by gather (clamped) and keeps it where column - row == k.
Value diagonalMatrix(Context &ctx, const Value &v, int64_t k, SourceRange r) {
  Shape s = ctx.typeOf(v.tensor).shape;
  auto m = Dim::add(s.back(), Dim(k < 0 ? -k : k));
  if (!m)
    return ctx.fail(DiagKind::ShapeOverflow, r, "diag");
  Shape square{*m, *m};
  Value rows = Value::ofTensor(ctx.iota(square, 0, DType::I64, r), r);
  Value cols = Value::ofTensor(ctx.iota(square, 1, DType::I64, r), r);
  Value on = ew(ctx, Op::Eq, {ew(ctx, Op::Sub, {cols, rows}, r), Value::integer(k, r)}, r);
  Value values = call(ctx, "gather", {v, k >= 0 ? rows : cols, Value::integer(-1, r)}, r);
  if (values.isError())
    return values;
  Value zero = Value::ofTensor(ctx.scalarInt(ctx.typeOf(v.tensor).dtype, 0, r), r);
  return ew(ctx, Op::Select, {on, values, zero}, r);
}

// diag(v, k): NumPy's; a vector becomes a matrix with it on diagonal k, a matrix gives its
// diagonal k.
Value diag(Context &ctx, const CallArgs &a) {
  Value x = tensorOf(ctx, a[0]);
  auto k = intArg(ctx, a, 1);
  if (x.isError() || !k)
    return Value::error(a.range);
  size_t rank = rankOf(ctx, x);
  if (rank == 1)
    return diagonalMatrix(ctx, x, *k, a.range);
  if (rank == 2)
    return diagonalOf(ctx, x, *k, 0, 1, a);
  return ctx.fail(DiagKind::RankMismatch, a[0].range, fmt::format("`{}`", a.calledAs),
                  "a tensor of rank 1 or 2", rank);
}

// tf.linalg.diag(diagonal, k): a batch of matrices with the last axis on diagonal k.
Value tfDiag(Context &ctx, const CallArgs &a) {
  Value x = tensorOf(ctx, a[0]);
  auto k = intArg(ctx, a, 1);
  if (x.isError() || !k)
    return Value::error(a.range);
  if (rankOf(ctx, x) == 0)
    return ctx.fail(DiagKind::RankMismatch, a[0].range, fmt::format("`{}`", a.calledAs),
                    "a tensor of rank 1 or more", 0);
  return diagonalMatrix(ctx, x, *k, a.range);
}

// tf.linalg.diag_part(input, k): diagonal k of the last two axes.
Value tfDiagPart(Context &ctx, const CallArgs &a) {
  Value x = tensorOf(ctx, a[0]);
  auto k = intArg(ctx, a, 1);
  if (x.isError() || !k)
    return Value::error(a.range);
  size_t rank = rankOf(ctx, x);
  if (rank < 2)
    return ctx.fail(DiagKind::RankMismatch, a[0].range, fmt::format("`{}`", a.calledAs),
                    "a tensor of rank 2 or more", rank);
  return diagonalOf(ctx, x, *k, rank - 2, rank - 1, a);
}

// tri(N, M=None, k=0, dtype): ones at and below diagonal k (default f32, as `ones`).
Value tri(Context &ctx, const CallArgs &a) {
  if (a[0].kind != Value::Kind::Int || (!a.isNone(1) && a[1].kind != Value::Kind::Int))
    return ctx.fail(DiagKind::WrongKind, a.range, fmt::format("the sizes of `{}`", a.calledAs),
                    "ints", ctx.describe(a[a[0].kind != Value::Kind::Int ? 0 : 1]));
  auto k = intArg(ctx, a, 2);
  auto dtype = dtypeArg(ctx, a, 3, kDefaultFloat);
  Shape shape{a[0].i, a.isNone(1) ? a[0].i : a[1].i};
  if (!k || !dtype || !ctx.checkShape(shape, a.range))
    return Value::error(a.range);
  SourceRange r = a.range;
  Value rows = Value::ofTensor(ctx.iota(shape, 0, DType::I64, r), r);
  Value cols = Value::ofTensor(ctx.iota(shape, 1, DType::I64, r), r);
  Value on = ew(ctx, Op::Le, {ew(ctx, Op::Sub, {cols, rows}, r), Value::integer(*k, r)}, r);
  return on.isError() ? on : Value::ofTensor(ctx.cast(on.tensor, *dtype, r), r);
}

// ---------------------------------------------------------------- stacking

// The tensors of slot 0, each given at least `rank` axes by `widen`.
template <class Widen>
std::optional<std::vector<Value>> widened(Context &ctx, const CallArgs &a, Widen widen) {
  auto values = seqArg(ctx, a, 0);
  if (!values)
    return std::nullopt;
  std::vector<Value> out;
  for (const Value &v : *values) {
    Value t = tensorOf(ctx, v);
    if (t.isError())
      return std::nullopt;
    Shape s = ctx.typeOf(t.tensor).shape;
    Value w = withShape(ctx, t, widen(s), a.range);
    if (w.isError())
      return std::nullopt;
    out.push_back(w);
  }
  return out;
}

Value concatOf(Context &ctx, std::vector<Value> parts, int64_t axis, SourceRange r) {
  return call(ctx, "concat", {Value::seq(std::move(parts), false, r), Value::integer(axis, r)}, r);
}

Shape atLeast1(Shape s) { return s.empty() ? Shape{Dim(1)} : s; }
Shape atLeast2(Shape s) {
  if (s.size() < 2)
    s.insert(s.begin(), 2 - s.size(), Dim(1));
  return s;
}
// NumPy's atleast_3d: [n] -> [1, n, 1], [m, n] -> [m, n, 1].
Shape atLeast3(Shape s) {
  if (s.size() == 0)
    return {Dim(1), Dim(1), Dim(1)};
  if (s.size() == 1)
    return {Dim(1), s[0], Dim(1)};
  if (s.size() == 2)
    s.push_back(Dim(1));
  return s;
}
// column_stack: vectors (and scalars) become columns.
Shape asColumn(Shape s) {
  if (s.size() == 0)
    return {Dim(1), Dim(1)};
  if (s.size() == 1)
    return {s[0], Dim(1)};
  return s;
}

// hstack: along axis 1, or 0 when the parts are vectors.
Value hstack(Context &ctx, const CallArgs &a) {
  auto parts = widened(ctx, a, atLeast1);
  if (!parts)
    return Value::error(a.range);
  int64_t axis = rankOf(ctx, (*parts)[0]) == 1 ? 0 : 1;
  return concatOf(ctx, *parts, axis, a.range);
}

template <Shape (*Widen)(Shape), int64_t Axis> Value stackAlong(Context &ctx, const CallArgs &a) {
  auto parts = widened(ctx, a, Widen);
  return parts ? concatOf(ctx, *parts, Axis, a.range) : Value::error(a.range);
}

// meshgrid(*xi, copy, sparse, indexing): every input flattened, broadcast over the grid of all
// of them; 'xy' (the default) swaps the first two axes of the grid, 'ij' does not.
Value meshgrid(Context &ctx, const CallArgs &a) {
  static constexpr std::string_view kIndexing[] = {"xy", "ij"};
  auto sparse = boolArg(ctx, a, 2);
  auto indexing = stringArg(ctx, a, 3, kIndexing);
  if (!sparse || !indexing)
    return Value::error(a.range);
  std::vector<Value> xs;
  Shape grid;
  for (const Value &v : a[0].elements) {
    Value t = flat(ctx, tensorOf(ctx, v), a.range);
    if (t.isError())
      return t;
    xs.push_back(t);
    grid.push_back(ctx.typeOf(t.tensor).shape[0]);
  }
  bool swap = *indexing == "xy" && xs.size() >= 2;
  if (swap)
    std::swap(grid[0], grid[1]);
  std::vector<Value> out;
  for (size_t i = 0; i < xs.size(); ++i) {
    size_t at = swap && i < 2 ? 1 - i : i;
    Shape s(xs.size(), Dim(1));
    s[at] = grid[at];
    Value e = withShape(ctx, xs[i], s, a.range);
    if (!e.isError() && !*sparse)
      e = tensorValue(ctx.broadcastTo(e.tensor, grid, a.range), a.range);
    if (e.isError())
      return e;
    out.push_back(e);
  }
  return Value::seq(std::move(out), true, a.range);
}

// ---------------------------------------------------------------- take_along_axis

// take_along_axis(arr, indices, axis): out[..., i, ...] = arr[..., indices[..., i, ...], ...]
// along axis, the other axes broadcast (NumPy 2). Indices wrap once from the end and are then
// clamped, as gather's. None flattens arr (indices must be a vector).
Value takeAlongAxis(Context &ctx, const CallArgs &a) {
  SourceRange r = a.range;
  Value x = tensorOf(ctx, a[0]), idx = tensorOf(ctx, a[1]);
  if (x.isError() || idx.isError())
    return Value::error(r);
  if (!isInteger(ctx.typeOf(idx.tensor).dtype))
    return ctx.fail(DiagKind::WrongKind, a[1].range, argName(a, 1), "integer indices",
                    ctx.describe(idx));
  if (a.isNone(2))
    x = flat(ctx, x, r);
  size_t rank = rankOf(ctx, x);
  if (rankOf(ctx, idx) != rank || rank == 0)
    return ctx.fail(DiagKind::RankMismatch, a[1].range, argName(a, 1),
                    fmt::format("indices of rank {}, as arr", rank == 0 ? 1 : rank),
                    rankOf(ctx, idx));
  auto axis = a.isNone(2) ? std::optional<int64_t>(0) : axisArg(ctx, a, 2, rank);
  if (!axis)
    return Value::error(r);
  size_t p = size_t(*axis);
  Shape sx = ctx.typeOf(x.tensor).shape, si = ctx.typeOf(idx.tensor).shape;
  const Dim n = sx[p], m = si[p];
  sx[p] = si[p] = Dim(1);
  auto common = ctx.broadcastShapes(sx, si, r);
  if (!common)
    return Value::error(r);
  Shape bx = *common, bi = *common;
  bx[p] = n;
  bi[p] = m;
  MaybeId xb = ctx.broadcastTo(x.tensor, bx, r), ib = ctx.broadcastTo(idx.tensor, bi, r);
  if (!xb || !ib)
    return Value::error(r);
  // Rows of the other axes: [R, n] values, [R, m] indices into the flattened values.
  Value xt = axesLast(ctx, Value::ofTensor(*xb, r), {int64_t(p)}, r);
  Value it = axesLast(ctx, Value::ofTensor(*ib, r), {int64_t(p)}, r);
  Shape lead(common->begin(), common->end());
  lead.erase(lead.begin() + std::ptrdiff_t(p));
  Dim rows = elementCount(lead).value_or(Dim(0));
  Value i64 = Value::ofTensor(ctx.cast(it.tensor, DType::I64, r), r);
  i64 = withShape(ctx, i64, {rows, m}, r);
  if (i64.isError())
    return i64;
  Value size = Value::integer(n, r);
  Value wrapped = ew(
      ctx, Op::Select,
      {ew(ctx, Op::Lt, {i64, Value::integer(0, r)}, r), ew(ctx, Op::Add, {i64, size}, r), i64}, r);
  Value top = ew(ctx, Op::Sub, {size, Value::integer(1, r)}, r);
  Value local = ew(ctx, Op::Min, {ew(ctx, Op::Max, {wrapped, Value::integer(0, r)}, r), top}, r);
  Value base = Value::ofTensor(ctx.iota({rows, m}, 0, DType::I64, r), r);
  Value index = ew(ctx, Op::Add, {ew(ctx, Op::Mul, {base, size}, r), local}, r);
  Value taken = call(ctx, "gather", {flat(ctx, xt, r), index, Value::integer(0, r)}, r);
  Shape back = lead;
  back.push_back(m);
  taken = withShape(ctx, taken, back, r);
  if (taken.isError() || p + 1 == rank)
    return taken;
  std::vector<int64_t> perm;
  for (size_t i = 0; i + 1 < rank; ++i) {
    if (i == p)
      perm.push_back(int64_t(rank) - 1);
    perm.push_back(int64_t(i));
  }
  return Value::ofTensor(ctx.transpose(taken.tensor, perm, r), r);
}

// ---------------------------------------------------------------- order statistics

// The operand of median and quantile: floats (integers in `intFloat`) with the reduced axes
// merged into one last axis of known size, and the shape the result has (keepdims or not).
struct Reduced {
  Value x;
  Shape result;
};

std::optional<Reduced> reducedOperand(Context &ctx, const CallArgs &a, size_t axisSlot,
                                      size_t keepSlot, DType intFloat) {
  Value x = tensorOf(ctx, a[0]);
  auto keep = boolArg(ctx, a, keepSlot);
  if (x.isError() || !keep)
    return std::nullopt;
  if (!isFloat(ctx.typeOf(x.tensor).dtype))
    x = Value::ofTensor(ctx.cast(x.tensor, intFloat, a.range), a.range);
  auto axes = axesArg(ctx, a, axisSlot, rankOf(ctx, x));
  if (!axes)
    return std::nullopt;
  Shape s = ctx.typeOf(x.tensor).shape, result, lead;
  for (size_t i = 0; i < s.size(); ++i) {
    bool reduced = std::count(axes->begin(), axes->end(), int64_t(i)) > 0;
    if (!reduced)
      lead.push_back(s[i]);
    if (!reduced || *keep)
      result.push_back(reduced ? Dim(1) : s[i]);
  }
  Value moved = axesLast(ctx, x, *axes, a.range);
  Shape merged = lead;
  merged.push_back(countOf(ctx, x, *axes, a.range).i);
  moved = withShape(ctx, moved, merged, a.range);
  if (moved.isError())
    return std::nullopt;
  return Reduced{moved, result};
}

// The element at `index` of the last axis, without that axis.
Value at(Context &ctx, const Value &sorted, int64_t index, SourceRange r) {
  int64_t last = int64_t(rankOf(ctx, sorted)) - 1;
  return squeezeAxes(ctx, window(ctx, sorted, last, Dim(index), Dim(1), r), {last}, r);
}

// Quantiles q (in [0, 1]) of the last axis of `x`, NumPy's 'linear' method: the sorted values
// at (n - 1) q interpolated as NumPy's _lerp does; a row with a NaN gives NaN (sorted last).
// `median` averages the two middle values instead, as np.median.
Value quantilesOf(Context &ctx, const Reduced &red, const std::vector<double> &qs, bool median,
                  const CallArgs &a) {
  SourceRange r = a.range;
  Shape s = ctx.typeOf(red.x.tensor).shape;
  const Dim d = s.back();
  if (!d.isConstant())
    return ctx.failWithLabel("order statistics sort axes of known size (a feature axis, not the "
                             "batch)",
                             DiagKind::NeedsKnownDim, r,
                             fmt::format("`{}` over an axis", a.calledAs), d.str());
  int64_t n = d.constant();
  DType t = ctx.typeOf(red.x.tensor).dtype;
  std::vector<Value> out;
  if (n == 0) { // NumPy warns and gives NaN
    for (size_t i = 0; i < qs.size(); ++i)
      out.push_back(tensorValue(ctx.broadcastTo(ctx.scalar(t, std::nan(""), r), red.result, r), r));
  } else {
    Value sorted = call(ctx, "sort", {red.x, Value::integer(-1, r)}, r);
    if (sorted.isError())
      return sorted;
    Value hasNan = fun(ctx, Op::IsNan, at(ctx, sorted, n - 1, r), r);
    for (double q : qs) {
      Value v;
      if (median) {
        Value hi = at(ctx, sorted, n / 2, r);
        v = n % 2 ? hi
                  : ew(ctx, Op::Div,
                       {ew(ctx, Op::Add, {at(ctx, sorted, n / 2 - 1, r), hi}, r), num(2, r)}, r);
      } else {
        double index = double(n - 1) * q;
        int64_t lo = int64_t(std::floor(index));
        int64_t hiIndex = std::min(lo + 1, n - 1);
        double gamma = index - double(lo);
        Value below = at(ctx, sorted, lo, r), above = at(ctx, sorted, hiIndex, r);
        Value diff = ew(ctx, Op::Sub, {above, below}, r);
        v = gamma >= 0.5
                ? ew(ctx, Op::Sub, {above, ew(ctx, Op::Mul, {diff, num(1 - gamma, r)}, r)}, r)
                : ew(ctx, Op::Add, {below, ew(ctx, Op::Mul, {diff, num(gamma, r)}, r)}, r);
      }
      v = ew(ctx, Op::Select, {hasNan, num(std::nan(""), r), v}, r);
      out.push_back(withShape(ctx, v, red.result, r));
    }
  }
  for (const Value &v : out)
    if (v.isError())
      return v;
  return out.size() == 1 ? out[0] : call(ctx, "stack", {Value::seq(out, false, r)}, r);
}

// median(x, axis=None, keepdims=False): NumPy's (integers in f64 for np., f32 for ops.).
template <DType IntFloat> Value median(Context &ctx, const CallArgs &a) {
  auto red = reducedOperand(ctx, a, 1, 2, IntFloat);
  return red ? quantilesOf(ctx, *red, {0.5}, true, a) : Value::error(a.range);
}

// quantile / percentile(x, q, axis=None, method='linear', keepdims=False): q a number or a
// list of them, known when compiling; a list puts its axis first, as NumPy.
template <int Scale, DType IntFloat> Value quantile(Context &ctx, const CallArgs &a) {
  static constexpr std::string_view kMethods[] = {"linear"};
  auto method = stringArg(ctx, a, 3, kMethods);
  auto red = method ? reducedOperand(ctx, a, 2, 4, IntFloat) : std::nullopt;
  if (!red)
    return Value::error(a.range);
  const Value &qv = a[1];
  bool list = qv.isSeq();
  std::vector<Value> given = list ? qv.elements : std::vector<Value>{qv};
  std::vector<double> qs;
  std::string expected = fmt::format("a number in [0, {}] or a list of them", Scale);
  for (const Value &q : given) {
    if (q.kind != Value::Kind::Float && !(q.kind == Value::Kind::Int && q.i.isConstant()))
      return q.kind == Value::Kind::Tensor
                 ? ctx.fail(DiagKind::ExpectedConstant, q.range, argName(a, 1), ctx.describe(q))
                 : ctx.fail(DiagKind::WrongKind, q.range, argName(a, 1), expected, ctx.describe(q));
    double v = q.kind == Value::Kind::Float ? q.f : double(q.i.constant());
    if (!(v >= 0 && v <= Scale))
      return ctx.fail(DiagKind::WrongKind, q.range, argName(a, 1), expected, ctx.describe(q));
    qs.push_back(Scale == 1 ? v : v / Scale);
  }
  if (list && qs.empty())
    return ctx.fail(DiagKind::WrongKind, qv.range, argName(a, 1), expected, ctx.describe(qv));
  Value out = quantilesOf(ctx, *red, qs, false, a);
  if (!list || qs.size() != 1 || out.isError())
    return out;
  Shape s = ctx.typeOf(out.tensor).shape;
  s.insert(s.begin(), Dim(1));
  return withShape(ctx, out, s, a.range);
}

// average(a, axis=None, weights=None, returned=False, *, keepdims=False): the mean, or
// sum(a * w) / sum(w); a vector of weights with an axis weighs along that axis.
template <DType IntFloat> Value average(Context &ctx, const CallArgs &a) {
  SourceRange r = a.range;
  Value x = tensorOf(ctx, a[0]);
  auto returned = boolArg(ctx, a, 3);
  auto keep = boolArg(ctx, a, 4);
  if (x.isError() || !returned || !keep)
    return Value::error(r);
  size_t rank = rankOf(ctx, x);
  auto axes = axesArg(ctx, a, 1, rank);
  if (!axes)
    return Value::error(r);
  Value w;
  if (a.isNone(2)) {
    if (!isFloat(ctx.typeOf(x.tensor).dtype))
      x = Value::ofTensor(ctx.cast(x.tensor, IntFloat, r), r);
    w = Value::ofTensor(ctx.scalar(ctx.typeOf(x.tensor).dtype, 1, r), r);
    MaybeId wb = ctx.broadcastTo(w.tensor, ctx.typeOf(x.tensor).shape, r);
    if (!wb)
      return Value::error(r);
    w = Value::ofTensor(*wb, r);
  } else {
    w = tensorOf(ctx, a[2]);
    if (w.isError())
      return w;
    auto dtype = promoteValues(ctx, {x, w}, a.calledAs, false, r);
    if (!dtype)
      return Value::error(r);
    DType t = isFloat(*dtype) ? *dtype : IntFloat;
    x = Value::ofTensor(ctx.cast(x.tensor, t, r), r);
    w = Value::ofTensor(ctx.cast(w.tensor, t, r), r);
    size_t wr = rankOf(ctx, w);
    if (wr != rank) {
      if (a.isNone(1) || axes->size() != 1 || wr != 1)
        return ctx.fail(DiagKind::RankMismatch, a[2].range, argName(a, 2),
                        fmt::format("weights of x's shape, or a vector along one given axis"), wr);
      Shape along(rank, Dim(1));
      along[size_t((*axes)[0])] = ctx.typeOf(w.tensor).shape[0];
      w = withShape(ctx, w, along, r);
    }
  }
  Value weighted = ew(ctx, Op::Mul, {x, w}, r);
  if (weighted.isError())
    return weighted;
  MaybeId wfull = ctx.broadcastTo(w.tensor, ctx.typeOf(weighted.tensor).shape, r);
  if (!wfull)
    return Value::error(r);
  Value total = reduce(ctx, Op::ReduceSum, Value::ofTensor(*wfull, r), *axes, *keep, r);
  Value avg = ew(ctx, Op::Div, {reduce(ctx, Op::ReduceSum, weighted, *axes, *keep, r), total}, r);
  if (!*returned || avg.isError())
    return avg;
  return Value::seq({avg, total}, true, r);
}

// ptp(x, axis=None, keepdims=False): max - min, in x's dtype (integers wrap, as NumPy).
Value ptp(Context &ctx, const CallArgs &a) {
  Value x = tensorOf(ctx, a[0]);
  auto keep = boolArg(ctx, a, 2);
  if (x.isError() || !keep)
    return Value::error(a.range);
  auto axes = axesArg(ctx, a, 1, rankOf(ctx, x));
  if (!axes)
    return Value::error(a.range);
  if (ctx.typeOf(x.tensor).dtype == DType::Bool)
    return ctx.fail(DiagKind::BoolArithmetic, a[0].range, a.calledAs, "tensors");
  return ew(ctx, Op::Sub,
            {reduce(ctx, Op::ReduceMax, x, *axes, *keep, a.range),
             reduce(ctx, Op::ReduceMin, x, *axes, *keep, a.range)},
            a.range);
}

// ---------------------------------------------------------------- TensorFlow's helpers

// tf.slice(input_, begin, size) and ops.slice(inputs, start_indices, shape): known begins;
// a size of -1 takes the rest of the axis. A symbolic axis can only be taken whole.
Value tfSlice(Context &ctx, const CallArgs &a) {
  Value x = tensorOf(ctx, a[0]);
  auto begins = intListArg(ctx, a[1], argName(a, 1));
  auto sizes = intListArg(ctx, a[2], argName(a, 2));
  if (x.isError() || !begins || !sizes)
    return Value::error(a.range);
  Shape s = ctx.typeOf(x.tensor).shape;
  for (size_t slot : {size_t(1), size_t(2)})
    if ((slot == 1 ? begins : sizes)->size() != s.size())
      return ctx.fail(
          DiagKind::RankMismatch, a[slot].range, argName(a, slot),
          fmt::format("one entry per axis ({} given)", (slot == 1 ? begins : sizes)->size()),
          s.size());
  std::vector<Dim> from;
  Shape out;
  for (size_t i = 0; i < s.size(); ++i) {
    int64_t b = (*begins)[i], z = (*sizes)[i];
    auto n = s[i].asConstant();
    if (!n) {
      if (b != 0 || z != -1)
        return ctx.failWithLabel("a symbolic axis can only be taken whole: begin 0, size -1",
                                 DiagKind::NeedsKnownDim, a.range,
                                 fmt::format("`{}` with a begin or size on axis {}", a.calledAs, i),
                                 s[i].str());
      from.push_back(Dim(0));
      out.push_back(s[i]);
      continue;
    }
    if (b < 0 || b > *n)
      return ctx.fail(DiagKind::IndexOutOfRange, a[1].range, b, *n);
    if (z == -1)
      z = *n - b;
    if (z < 0 || z > *n - b)
      return ctx.failWithLabel(fmt::format("begin {} and size {} on axis {}", b, z, i),
                               DiagKind::IndexOutOfRange, a[2].range, b + z, *n);
    from.push_back(Dim(b));
    out.push_back(Dim(z));
  }
  return Value::ofTensor(ctx.slice(x.tensor, from, std::vector<int64_t>(s.size(), 1), out, a.range),
                         a.range);
}

// tf.add_n(inputs): the sum of tensors of one shape.
Value addN(Context &ctx, const CallArgs &a) {
  auto values = seqArg(ctx, a, 0);
  if (!values)
    return Value::error(a.range);
  std::vector<Value> ts;
  for (const Value &v : *values) {
    ts.push_back(tensorOf(ctx, v));
    if (ts.back().isError())
      return ts.back();
    if (ctx.typeOf(ts.back().tensor).shape != ctx.typeOf(ts[0].tensor).shape)
      return ctx.failWithLabel("tf.add_n adds tensors of one shape", DiagKind::BroadcastMismatch,
                               v.range, shapeString(ctx.typeOf(ts[0].tensor).shape),
                               shapeString(ctx.typeOf(ts.back().tensor).shape));
  }
  Value sum = ts[0];
  for (size_t i = 1; i < ts.size(); ++i)
    sum = ew(ctx, Op::Add, {sum, ts[i]}, a.range);
  return sum;
}

// tf.scalar_mul(scalar, x): a 0-d scalar times x.
Value scalarMul(Context &ctx, const CallArgs &a) {
  Value s = tensorOf(ctx, a[0]);
  if (s.isError())
    return s;
  if (rankOf(ctx, s) != 0)
    return ctx.fail(DiagKind::RankMismatch, a[0].range, argName(a, 0), "a scalar", rankOf(ctx, s));
  return ew(ctx, Op::Mul, {a[0], a[1]}, a.range);
}

// tf.clip_by_norm(t, clip_norm, axes=None): t * clip_norm / max(l2norm(t), clip_norm), the
// norm over axes (None: all), as TensorFlow computes it.
Value clipByNorm(Context &ctx, const CallArgs &a) {
  SourceRange r = a.range;
  Value x = tensorOf(ctx, a[0]);
  if (x.isError())
    return x;
  x = toFloat(ctx, x, r);
  auto axes = axesArg(ctx, a, 2, rankOf(ctx, x));
  if (!axes)
    return Value::error(r);
  Value sq = reduce(ctx, Op::ReduceSum, ew(ctx, Op::Mul, {x, x}, r), *axes, true, r);
  Value positive = ew(ctx, Op::Gt, {sq, num(0, r)}, r);
  Value safe = ew(ctx, Op::Select, {positive, sq, num(1, r)}, r);
  Value norm = ew(ctx, Op::Select, {positive, fun(ctx, Op::Sqrt, safe, r), sq}, r);
  Value c = a[1];
  return ew(ctx, Op::Div, {ew(ctx, Op::Mul, {x, c}, r), ew(ctx, Op::Max, {norm, c}, r)}, r);
}

// tf.ensure_shape(x, shape): x, checked against a shape whose None entries match anything.
Value ensureShape(Context &ctx, const CallArgs &a) {
  Value x = tensorOf(ctx, a[0]);
  if (x.isError() || a.isNone(1))
    return x;
  Shape s = ctx.typeOf(x.tensor).shape;
  const Value &want = a[1];
  if (!want.isSeq())
    return ctx.fail(DiagKind::WrongKind, want.range, argName(a, 1),
                    "a list of sizes (None for any)", ctx.describe(want));
  std::vector<std::string> text;
  for (const Value &e : want.elements)
    text.push_back(e.kind == Value::Kind::Int ? e.i.str() : "None");
  std::string declared = "[" + fmt::format("{}", fmt::join(text, ", ")) + "]";
  bool ok = want.elements.size() == s.size();
  for (size_t i = 0; ok && i < s.size(); ++i) {
    const Value &e = want.elements[i];
    if (e.kind == Value::Kind::None)
      continue;
    if (e.kind != Value::Kind::Int)
      return ctx.fail(DiagKind::WrongKind, e.range, argName(a, 1), "a list of sizes (None for any)",
                      ctx.describe(want));
    if (e.i == s[i])
      continue;
    if (!s[i].isConstant())
      return ctx.fail(DiagKind::NeedsKnownDim, e.range,
                      fmt::format("checking axis {} against {}", i, e.i.str()), s[i].str());
    ok = false;
  }
  if (!ok)
    return ctx.fail(DiagKind::AnnotationMismatch, a.range, fmt::format("`{}`", a.calledAs),
                    declared, ctx.typeOf(x.tensor).str());
  return x;
}

// The range of a dtype, as doubles (bool: [0, 1]).
std::pair<double, double> rangeOf(DType t) {
  switch (t) {
  case DType::Bool:
    return {0, 1};
  case DType::I8:
    return {-128, 127};
  case DType::U8:
    return {0, 255};
  case DType::I32:
    return {-2147483648.0, 2147483647.0};
  case DType::I64:
    return {-9223372036854775808.0, 9223372036854775807.0};
  case DType::I16:
    return {-32768, 32767};
  case DType::U16:
    return {0, 65535};
  case DType::U32:
    return {0, 4294967295.0};
  case DType::U64:
    return {0, 18446744073709551615.0};
  case DType::F16:
    return {-65504, 65504};
  case DType::BF16:
    return {-3.3895313892515355e38, 3.3895313892515355e38};
  case DType::F32:
    return {-double(std::numeric_limits<float>::max()), double(std::numeric_limits<float>::max())};
  case DType::F64:
    break;
  }
  return {-std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity()};
}

// The value of float dtype `t` nearest `v` that is not beyond it in magnitude: a bound that
// rounded up would let the cast overflow (2^31 - 1 as f32 is 2^31), so TensorFlow takes the
// float below (2147483520).
double floatBound(DType t, double v) {
  if (t == DType::F64)
    return v;
  float f = float(v);
  if (std::fabs(double(f)) > std::fabs(v))
    f = std::nextafter(f, 0.0f);
  if (t == DType::BF16) { // bf16 is the high half of an f32: dropping the rest truncates
    uint32_t bits = 0;
    std::memcpy(&bits, &f, sizeof bits);
    bits &= 0xFFFF0000u;
    std::memcpy(&f, &bits, sizeof f);
  }
  return double(f);
}

// A bound of the target type in the operand's dtype (integer bounds exactly).
Value boundIn(Context &ctx, DType from, DType to, bool upper, SourceRange r) {
  double v = upper ? rangeOf(to).second : rangeOf(to).first;
  if (isFloat(from))
    return Value::ofTensor(ctx.scalar(from, floatBound(from, v), r), r);
  int64_t i = to == DType::I64 ? (upper ? std::numeric_limits<int64_t>::max()
                                        : std::numeric_limits<int64_t>::min())
                               : int64_t(v);
  return Value::ofTensor(ctx.scalarInt(from, i, r), r);
}

// tf.saturate_cast(value, dtype): clamped into the target's range, then cast.
Value saturateCast(Context &ctx, const CallArgs &a) {
  Value x = tensorOf(ctx, a[0]);
  auto to = dtypeArg(ctx, a, 1, std::nullopt);
  if (x.isError() || !to)
    return Value::error(a.range);
  DType from = ctx.typeOf(x.tensor).dtype;
  if (from != DType::Bool && *to != DType::Bool) {
    auto [lo, hi] = rangeOf(from);
    auto [tlo, thi] = rangeOf(*to);
    if (tlo > lo)
      x = ew(ctx, Op::Max, {x, boundIn(ctx, from, *to, false, a.range)}, a.range);
    if (thi < hi)
      x = ew(ctx, Op::Min, {x, boundIn(ctx, from, *to, true, a.range)}, a.range);
  }
  return x.isError() ? x : Value::ofTensor(ctx.cast(x.tensor, *to, a.range), a.range);
}

constexpr std::string_view kTrace = "x|a, offset=0, axis1=0, axis2=1";

constexpr BuiltinDef kArrays[] = {
    {"roll", "x|a|input, shift, axis=None", roll,
     "elements shifted along axes (known sizes), wrapping around; None rolls the flattened x"},
    {"tensordot", "a|x1|x, b|x2|y, axes=2", tensordot,
     "sum over the last n axes of a and the first n of b, or over two lists of axes"},
    {"outer", "a|x1, b|x2", outer, "every element of flattened a times every one of flattened b"},
    {"inner", "a|x1, b|x2", inner, "sum over the last axes: a.shape[:-1] + b.shape[:-1]"},
    {"trace", "x|a, offset=0, axis1=0, axis2=1, dtype=None", trace<SumIn::NumPy>,
     "sum of the diagonal; integers sum in i64 (NumPy)"},
    {"_ops_trace", kTrace, trace<SumIn::Keras>,
     "sum of the diagonal; bool and 8-bit integers in i32 (Keras)"},
    {"_tf_trace", "x", trace<SumIn::TensorFlow>,
     "sum of the diagonal of the last two axes, in x's dtype (TensorFlow)"},
    {"diagonal", "x|a, offset=0, axis1=0, axis2=1", diagonal,
     "the diagonal of two axes (known sizes), as the last axis"},
    {"diag", "v|x, k=0", diag, "a vector on diagonal k of a matrix, or a matrix's diagonal k"},
    {"_tf_diag", "diagonal|x, *, k=0", tfDiag,
     "matrices with the last axis on diagonal k (tf.linalg.diag)"},
    {"_tf_diag_part", "input|x, *, k=0", tfDiagPart,
     "diagonal k of the last two axes (tf.linalg.diag_part)"},
    {"tri", "N, M=None, k=0, dtype=None", tri,
     "ones at and below diagonal k of an N x M matrix (default f32)"},
    {"hstack", "tup|xs", hstack, "concatenate along axis 1 (vectors: axis 0)"},
    {"vstack", "tup|xs", stackAlong<atLeast2, 0>, "concatenate along axis 0, vectors as rows"},
    {"_ops_vstack", "xs|tup", stackAlong<atLeast1, 0>,
     "concatenate along axis 0; vectors stay vectors (Keras on TensorFlow)"},
    {"dstack", "tup|xs", stackAlong<atLeast3, 2>,
     "concatenate along axis 2 ([n] as [1, n, 1], [m, n] as [m, n, 1])"},
    {"column_stack", "tup|xs", stackAlong<asColumn, 1>,
     "concatenate along axis 1, vectors as columns"},
    {"meshgrid", "*xi, copy=True, sparse=False, indexing='xy'", meshgrid,
     "coordinate grids of the flattened inputs; 'xy' swaps the first two axes"},
    {"take_along_axis", "arr|x, indices, axis=-1", takeAlongAxis,
     "arr at indices along axis, the other axes broadcast; None flattens (clamped indices)"},
    {"median", "x|a, axis=None, keepdims=False", median<DType::F64>,
     "the middle value (mean of the two middle ones); NaN if any; integers in f64 (NumPy)"},
    {"_ops_median", "x|a, axis=None, keepdims=False", median<kDefaultFloat>,
     "median; integers in f32 (Keras)"},
    {"quantile", "x|a, q, axis=None, method='linear', keepdims=False", quantile<1, DType::F64>,
     "the q-quantiles (known q in [0, 1], NumPy's 'linear'); NaN if any"},
    {"percentile", "x|a, q, axis=None, method='linear', keepdims=False", quantile<100, DType::F64>,
     "the q-th percentiles (known q in [0, 100], NumPy's 'linear'); NaN if any"},
    {"_ops_quantile", "x, q, axis=None, method='linear', keepdims=False",
     quantile<1, kDefaultFloat>, "quantile; integers in f32 (Keras)"},
    {"_ops_percentile", "x, q, axis=None, method='linear', keepdims=False",
     quantile<100, kDefaultFloat>, "percentile; integers in f32 (Keras)"},
    {"average", "a|x, axis=None, weights=None, returned=False, *, keepdims=False",
     average<DType::F64>, "mean, or sum(a * weights) / sum(weights); integers in f64 (NumPy)"},
    {"_ops_average", "x, axis=None, weights=None, returned=False, *, keepdims=False",
     average<kDefaultFloat>, "average; integers in f32 (Keras)"},
    {"ptp", "x|a, axis=None, keepdims=False", ptp, "max - min, in x's dtype"},
    {"_tf_slice", "input_|x, begin, size", tfSlice,
     "the block at begin (known) of the given sizes; -1 takes the rest of an axis"},
    {"_add_n", "inputs", addN, "the sum of a list of tensors of one shape (tf.add_n)"},
    {"_scalar_mul", "scalar, x", scalarMul, "a scalar times x (tf.scalar_mul)"},
    {"_clip_by_norm", "t, clip_norm, axes=None", clipByNorm,
     "`t * clip_norm / max(norm(t, axes), clip_norm)` (tf.clip_by_norm)"},
    {"_ensure_shape", "x, shape", ensureShape,
     "x, checked against a shape whose None entries match any size"},
    {"_saturate_cast", "value|x, dtype", saturateCast,
     "cast, clamped into the target dtype's range first"},
};

} // namespace

std::span<const BuiltinDef> arrayBuiltins() { return kArrays; }

} // namespace lamina::sema
