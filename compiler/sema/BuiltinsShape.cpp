// Shape builtins (docs/language.md, "Shape"): reshape, transpose, concat, split, tile, pad,
// gather, ... Each is index arithmetic over the IR's reshape/transpose/slice/concat/broadcast,
// so later stages can fuse them instead of copying.

#include "compiler/sema/Compose.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <numeric>

namespace lamina::sema {
namespace {

using ir::Op;
using namespace compose;

// The target of a reshape, with at most one -1 inferred from the element count.
std::optional<Shape> resolveReshape(Context &ctx, const Shape &from, Shape to, SourceRange r) {
  int unknown = -1;
  Dim known = 1;
  for (size_t i = 0; i < to.size(); ++i) {
    if (to[i] == Dim(-1)) {
      if (unknown >= 0) {
        ctx.fail(DiagKind::ReshapeMismatch, r, shapeString(from),
                 shapeString(to) + " (only one -1 is allowed)");
        return std::nullopt;
      }
      unknown = int(i);
      continue;
    }
    known = Dim::mul(known, to[i]).value_or(Dim(0));
  }
  if (unknown >= 0) {
    auto total = elementCount(from);
    auto rest = total ? Dim::divExact(*total, known) : std::nullopt;
    if (!rest) {
      ctx.fail(DiagKind::ReshapeMismatch, r, shapeString(from), shapeString(to));
      return std::nullopt;
    }
    to[size_t(unknown)] = *rest;
  }
  return to;
}

Value reshape(Context &ctx, const CallArgs &a) {
  Value x = tensorOf(ctx, a[0]);
  auto shape = shapeArg(ctx, a[1]);
  if (x.isError() || !shape)
    return Value::error(a.range);
  auto to = resolveReshape(ctx, ctx.typeOf(x.tensor).shape, *shape, a.range);
  return to ? tensorValue(ctx.reshape(x.tensor, *to, a.range), a.range) : Value::error(a.range);
}

Value flatten(Context &ctx, const CallArgs &a) { return flat(ctx, tensorOf(ctx, a[0]), a.range); }

// Keras's batch_flatten: keep the first dimension, flatten the rest.
Value batchFlatten(Context &ctx, const CallArgs &a) {
  Value x = tensorOf(ctx, a[0]);
  if (x.isError())
    return x;
  Shape s = ctx.typeOf(x.tensor).shape;
  if (s.empty())
    return ctx.fail(DiagKind::RankMismatch, a.range, fmt::format("`{}`", a.calledAs),
                    "a tensor of rank 1 or more", 0);
  auto rest = elementCount(Shape(s.begin() + 1, s.end()));
  return tensorValue(ctx.reshape(x.tensor, {s[0], rest.value_or(Dim(0))}, a.range), a.range);
}

std::optional<std::vector<int64_t>> permutation(Context &ctx, const CallArgs &a, size_t slot,
                                                size_t rank) {
  std::vector<int64_t> perm;
  if (a.isNone(slot)) {
    for (size_t i = rank; i-- > 0;)
      perm.push_back(int64_t(i));
    return perm;
  }
  auto raw = intListArg(ctx, a[slot], argName(a, slot));
  if (!raw)
    return std::nullopt;
  if (raw->size() != rank) {
    ctx.fail(DiagKind::RankMismatch, a[slot].range, argName(a, slot),
             fmt::format("a permutation of {} axes", raw->size()), rank);
    return std::nullopt;
  }
  std::vector<bool> seen(rank, false);
  for (int64_t axis : *raw) {
    auto n = ctx.normalizeAxis(axis, rank, a[slot].range);
    if (!n)
      return std::nullopt;
    if (seen[size_t(*n)]) {
      ctx.fail(DiagKind::DuplicateAxis, a[slot].range, axis);
      return std::nullopt;
    }
    seen[size_t(*n)] = true;
    perm.push_back(*n);
  }
  return perm;
}

Value transpose(Context &ctx, const CallArgs &a) {
  Value x = tensorOf(ctx, a[0]);
  if (x.isError())
    return x;
  auto perm = permutation(ctx, a, 1, ctx.typeOf(x.tensor).rank());
  return perm ? Value::ofTensor(ctx.transpose(x.tensor, *perm, a.range), a.range)
              : Value::error(a.range);
}

Value expandDims(Context &ctx, const CallArgs &a) {
  Value x = tensorOf(ctx, a[0]);
  if (x.isError())
    return x;
  auto raw = intListArg(ctx, a[1], argName(a, 1));
  if (!raw)
    return Value::error(a.range);
  Shape in = ctx.typeOf(x.tensor).shape;
  size_t rank = in.size() + raw->size();
  std::vector<bool> inserted(rank, false);
  for (int64_t axis : *raw) {
    auto n = ctx.normalizeAxis(axis, rank, a[1].range);
    if (!n)
      return Value::error(a.range);
    if (inserted[size_t(*n)])
      return ctx.fail(DiagKind::DuplicateAxis, a[1].range, axis);
    inserted[size_t(*n)] = true;
  }
  Shape out;
  size_t next = 0;
  for (size_t i = 0; i < rank; ++i)
    out.push_back(inserted[i] ? Dim(1) : in[next++]);
  return tensorValue(ctx.reshape(x.tensor, out, a.range), a.range);
}

Value squeeze(Context &ctx, const CallArgs &a) {
  Value x = tensorOf(ctx, a[0]);
  if (x.isError())
    return x;
  const Shape &in = ctx.typeOf(x.tensor).shape;
  std::vector<int64_t> axes;
  if (a.isNone(1)) {
    for (size_t i = 0; i < in.size(); ++i)
      if (in[i] == Dim(1))
        axes.push_back(int64_t(i));
  } else {
    auto given = axesArg(ctx, a, 1, in.size());
    if (!given)
      return Value::error(a.range);
    for (int64_t axis : *given)
      if (!(in[size_t(axis)] == Dim(1)))
        return ctx.failWithLabel(fmt::format("axis {} has size {}", axis, in[size_t(axis)].str()),
                                 DiagKind::RankMismatch, a[1].range, argName(a, 1),
                                 "axes of size 1", in.size());
    axes = *given;
  }
  return squeezeAxes(ctx, x, axes, a.range);
}

// The tensors of a list argument, promoted to one dtype.
std::optional<std::vector<ValueId>> tensorList(Context &ctx, const CallArgs &a, size_t slot) {
  auto values = seqArg(ctx, a, slot);
  if (!values)
    return std::nullopt;
  auto dtype = promoteValues(ctx, *values, a.calledAs, false, a.range);
  if (!dtype)
    return std::nullopt;
  std::vector<ValueId> out;
  for (const Value &v : *values) {
    MaybeId t = toTensor(ctx, v, *dtype);
    if (!t)
      return std::nullopt;
    out.push_back(*t);
  }
  return out;
}

Value concat(Context &ctx, const CallArgs &a) {
  auto parts = tensorList(ctx, a, 0);
  if (!parts)
    return Value::error(a.range);
  size_t rank = ctx.typeOf((*parts)[0]).rank();
  for (ValueId p : *parts)
    if (ctx.typeOf(p).rank() != rank)
      return ctx.fail(DiagKind::ConcatMismatch, a.range, "concatenate",
                      ctx.typeOf((*parts)[0]).str(), ctx.typeOf(p).str(), ": ranks differ");
  auto axis = axisArg(ctx, a, 1, rank);
  return axis ? tensorValue(ctx.concat(*parts, *axis, a.range), a.range) : Value::error(a.range);
}

Value stack(Context &ctx, const CallArgs &a) {
  auto parts = tensorList(ctx, a, 0);
  if (!parts)
    return Value::error(a.range);
  Shape first = ctx.typeOf((*parts)[0]).shape;
  auto axis = axisArg(ctx, a, 1, first.size() + 1);
  if (!axis)
    return Value::error(a.range);
  std::vector<ValueId> expanded;
  for (ValueId p : *parts) {
    if (ctx.typeOf(p).shape.size() != first.size())
      return ctx.fail(DiagKind::ConcatMismatch, a.range, "stack", ctx.typeOf((*parts)[0]).str(),
                      ctx.typeOf(p).str(), "");
    Shape s = ctx.typeOf(p).shape;
    s.insert(s.begin() + *axis, Dim(1));
    MaybeId e = ctx.reshape(p, s, a.range);
    if (!e)
      return Value::error(a.range);
    expanded.push_back(*e);
  }
  return tensorValue(ctx.concat(expanded, *axis, a.range, "stack"), a.range);
}

// Pieces of `x` along `axis`, given their sizes.
Value splitBySizes(Context &ctx, const Value &x, int64_t axis, const std::vector<Dim> &sizes,
                   SourceRange r) {
  const Shape &in = ctx.typeOf(x.tensor).shape;
  std::vector<Value> pieces;
  Dim offset = 0;
  for (const Dim &size : sizes) {
    std::vector<Dim> begins(in.size(), Dim(0));
    begins[size_t(axis)] = offset;
    Shape shape = in;
    shape[size_t(axis)] = size;
    pieces.push_back(Value::ofTensor(
        ctx.slice(x.tensor, begins, std::vector<int64_t>(in.size(), 1), shape, r), r));
    offset = Dim::add(offset, size).value_or(Dim(0));
  }
  return Value::seq(std::move(pieces), true, r);
}

// swapaxes(x, axis1, axis2) and moveaxis(x, source, destination): NumPy's, as transposes of
// the permutation `order` makes from the rank and the two axes.
template <void (*Order)(std::vector<int64_t> &, int64_t, int64_t)>
Value permuteTwo(Context &ctx, const CallArgs &a) {
  Value x = tensorOf(ctx, a[0]);
  if (x.isError())
    return x;
  size_t rank = ctx.typeOf(x.tensor).rank();
  auto p = axisArg(ctx, a, 1, rank), q = axisArg(ctx, a, 2, rank);
  if (!p || !q)
    return Value::error(a.range);
  std::vector<int64_t> perm(rank);
  std::iota(perm.begin(), perm.end(), int64_t(0));
  Order(perm, *p, *q);
  return Value::ofTensor(ctx.transpose(x.tensor, perm, a.range), a.range);
}

void swapOrder(std::vector<int64_t> &perm, int64_t p, int64_t q) {
  std::swap(perm[size_t(p)], perm[size_t(q)]);
}

void moveOrder(std::vector<int64_t> &perm, int64_t from, int64_t to) {
  perm.erase(perm.begin() + from);
  perm.insert(perm.begin() + to, from);
}

// unstack(x, num, axis): the slices along axis, each without it, as a tuple.
Value unstack(Context &ctx, const CallArgs &a) {
  Value x = tensorOf(ctx, a[0]);
  if (x.isError())
    return x;
  auto axis = axisArg(ctx, a, 2, ctx.typeOf(x.tensor).rank());
  if (!axis)
    return Value::error(a.range);
  const Dim n = ctx.typeOf(x.tensor).shape[size_t(*axis)]; // a copy: slicing appends
  if (!n.isConstant())
    return ctx.fail(DiagKind::NeedsKnownDim, a.range, fmt::format("`{}`", a.calledAs), n.str());
  if (!a.isNone(1)) {
    auto num = intArg(ctx, a, 1);
    if (!num)
      return Value::error(a.range);
    if (*num != n.constant())
      return ctx.fail(DiagKind::SplitMismatch, a[1].range, n.constant(),
                      fmt::format("{} pieces", *num));
  }
  if (n.constant() > ctx.limits.maxConstantElements)
    return ctx.fail(DiagKind::TooManyElements, a.range, "the tuple of slices", n.constant(),
                    ctx.limits.maxConstantElements);
  Value parts =
      splitBySizes(ctx, x, *axis, std::vector<Dim>(size_t(n.constant()), Dim(1)), a.range);
  for (Value &part : parts.elements)
    part = squeezeAxes(ctx, part, {*axis}, a.range);
  return parts;
}

// The number of elements: NumPy's (a Python int; with an axis, that axis's size) and, for
// tf.size, TensorFlow's (i32 when it becomes a tensor, as the sizes tf.shape gives).
Value sizeOf(Context &ctx, const CallArgs &a, bool tensorFlow) {
  Value x = tensorOf(ctx, a[0]);
  if (x.isError())
    return x;
  const Shape &shape = ctx.typeOf(x.tensor).shape;
  std::vector<int64_t> axes;
  for (size_t i = 0; i < shape.size(); ++i)
    axes.push_back(int64_t(i));
  if (!tensorFlow && !a.isNone(1)) {
    auto axis = axisArg(ctx, a, 1, shape.size());
    if (!axis)
      return Value::error(a.range);
    axes = {*axis};
  }
  Value n = countOf(ctx, x, axes, a.range);
  n.isShape = tensorFlow;
  return n;
}

Value size(Context &ctx, const CallArgs &a) { return sizeOf(ctx, a, false); }

Value tfSize(Context &ctx, const CallArgs &a) {
  Value n = sizeOf(ctx, a, true);
  if (n.isError() || a.isNone(1))
    return n;
  auto dtype = dtypeArg(ctx, a, 1, DType::I32);
  MaybeId t = dtype ? toTensor(ctx, n, *dtype) : std::nullopt;
  return tensorValue(t, a.range);
}

// The tensor and the axis of split and tf.split (slots 0 and 2).
std::optional<std::pair<Value, int64_t>> splitOperand(Context &ctx, const CallArgs &a) {
  Value x = tensorOf(ctx, a[0]);
  if (x.isError())
    return std::nullopt;
  auto axis = axisArg(ctx, a, 2, ctx.typeOf(x.tensor).rank());
  if (!axis)
    return std::nullopt;
  return std::pair{x, *axis};
}

// NumPy: an int splits into that many equal parts; a list gives the split points.
Value split(Context &ctx, const CallArgs &a) {
  auto operand = splitOperand(ctx, a);
  if (!operand)
    return Value::error(a.range);
  auto [x, axis] = *operand;
  Dim d = ctx.typeOf(x.tensor).shape[size_t(axis)];
  std::vector<Dim> sizes;
  if (a[1].kind == Value::Kind::Int) {
    auto n = intArg(ctx, a, 1);
    if (!n)
      return Value::error(a.range);
    if (*n > int64_t(ctx.limits.maxOperations)) // each part is an operation
      return ctx.fail(DiagKind::TooManyOperations, a[1].range, ctx.limits.maxOperations);
    auto each = *n > 0 ? Dim::divExact(d, Dim(*n)) : std::nullopt;
    if (!each)
      return ctx.fail(DiagKind::SplitMismatch, a[1].range, d.str(),
                      fmt::format("{} equal parts", *n));
    sizes.assign(size_t(*n), *each);
  } else {
    auto points = intListArg(ctx, a[1], argName(a, 1));
    auto size = d.asConstant();
    if (!points)
      return Value::error(a.range);
    if (!size)
      return ctx.fail(DiagKind::NeedsKnownDim, a.range, "splitting at indices", d.str());
    int64_t prev = 0;
    for (int64_t p : *points) {
      int64_t at = std::clamp(p < 0 ? p + *size : p, prev, *size);
      sizes.push_back(at - prev);
      prev = at;
    }
    sizes.push_back(*size - prev);
  }
  return splitBySizes(ctx, x, axis, sizes, a.range);
}

// tf.split: an int is the number of equal parts; a list gives the sizes (one may be -1).
Value tfSplit(Context &ctx, const CallArgs &a) {
  auto operand = splitOperand(ctx, a);
  if (!operand)
    return Value::error(a.range);
  auto [x, axis] = *operand;
  if (a[1].kind == Value::Kind::Int)
    return split(ctx, a);
  auto raw = intListArg(ctx, a[1], argName(a, 1));
  if (!raw)
    return Value::error(a.range);
  Dim d = ctx.typeOf(x.tensor).shape[size_t(axis)];
  std::vector<Dim> sizes;
  Dim known = 0;
  int unknown = -1;
  for (size_t i = 0; i < raw->size(); ++i) {
    if ((*raw)[i] == -1 && unknown < 0)
      unknown = int(i);
    else if ((*raw)[i] < 0)
      return ctx.fail(DiagKind::NegativeDim, a[1].range, (*raw)[i]);
    else
      known = Dim::add(known, (*raw)[i]).value_or(Dim(0));
    sizes.push_back((*raw)[i]);
  }
  if (unknown >= 0)
    sizes[size_t(unknown)] = Dim::sub(d, known).value_or(Dim(0));
  Dim total = 0;
  for (const Dim &s : sizes)
    total = Dim::add(total, s).value_or(Dim(0));
  if (!(total == d) || (sizes[size_t(std::max(unknown, 0))].isConstant() &&
                        sizes[size_t(std::max(unknown, 0))].constant() < 0))
    return ctx.fail(DiagKind::SplitMismatch, a[1].range, d.str(), shapeString(sizes));
  return splitBySizes(ctx, x, axis, sizes, a.range);
}

// tile: reshape to [1, d0, 1, d1, ...], broadcast to [r0, d0, r1, d1, ...], merge pairs.
Value tile(Context &ctx, const CallArgs &a) {
  Value x = tensorOf(ctx, a[0]);
  auto reps = intListArg(ctx, a[1], argName(a, 1));
  if (x.isError() || !reps)
    return Value::error(a.range);
  // Align the ranks: missing repetitions are 1, missing axes are size 1 (NumPy).
  const Shape &given = ctx.typeOf(x.tensor).shape;
  size_t rank = std::max(given.size(), reps->size());
  std::vector<int64_t> counts(rank - reps->size(), 1);
  counts.insert(counts.end(), reps->begin(), reps->end());
  Shape in(rank - given.size(), Dim(1));
  in.insert(in.end(), given.begin(), given.end());
  reps = counts;
  Shape pairs, wide, merged;
  for (size_t i = 0; i < in.size(); ++i) {
    if ((*reps)[i] < 0)
      return ctx.fail(DiagKind::NegativeDim, a[1].range, (*reps)[i]);
    pairs.insert(pairs.end(), {Dim(1), in[i]});
    wide.insert(wide.end(), {Dim((*reps)[i]), in[i]});
    auto m = Dim::mul(Dim((*reps)[i]), in[i]);
    if (!m)
      return ctx.fail(DiagKind::ShapeOverflow, a.range, "tile");
    merged.push_back(*m);
  }
  if (!ctx.checkShape(merged, a.range))
    return Value::error(a.range);
  ctx.rankAllowance = ctx.limits.maxRank; // the interleaved intermediates have twice the rank
  MaybeId p = ctx.reshape(x.tensor, pairs, a.range);
  MaybeId w = p ? ctx.broadcastTo(*p, wide, a.range) : std::nullopt;
  ctx.rankAllowance = 0;
  return tensorValue(w ? ctx.reshape(*w, merged, a.range) : std::nullopt, a.range);
}

// repeat: each element `repeats` times along `axis` (None flattens first), NumPy's meaning.
Value repeatAlong(Context &ctx, Value x, int64_t repeats, std::optional<int64_t> axis,
                  SourceRange r) {
  if (!axis) {
    x = flat(ctx, x, r);
    axis = 0;
  }
  if (x.isError())
    return x;
  if (repeats < 0)
    return ctx.fail(DiagKind::NegativeDim, r, repeats);
  Shape in = ctx.typeOf(x.tensor).shape, expanded = in, wide = in, merged = in;
  size_t ax = size_t(*axis);
  expanded.insert(expanded.begin() + long(ax) + 1, Dim(1));
  wide.insert(wide.begin() + long(ax) + 1, Dim(repeats));
  auto m = Dim::mul(in[ax], Dim(repeats));
  if (!m)
    return ctx.fail(DiagKind::ShapeOverflow, r, "repeat");
  merged[ax] = *m;
  ctx.rankAllowance = 1; // the repeated axis is split in two on the way
  MaybeId e = ctx.reshape(x.tensor, expanded, r);
  MaybeId w = e ? ctx.broadcastTo(*e, wide, r) : std::nullopt;
  ctx.rankAllowance = 0;
  return tensorValue(w ? ctx.reshape(*w, merged, r) : std::nullopt, r);
}

Value repeat(Context &ctx, const CallArgs &a) {
  Value x = tensorOf(ctx, a[0]);
  auto n = intArg(ctx, a, 1);
  if (x.isError() || !n)
    return Value::error(a.range);
  std::optional<int64_t> axis;
  if (!a.isNone(2) && !(axis = axisArg(ctx, a, 2, ctx.typeOf(x.tensor).rank())))
    return Value::error(a.range);
  return repeatAlong(ctx, x, *n, axis, a.range);
}

// Keras's K.repeat (RepeatVector): [B, D] -> [B, n, D].
Value repeatVector(Context &ctx, const CallArgs &a) {
  Value x = tensorOf(ctx, a[0]);
  auto n = intArg(ctx, a, 1);
  if (x.isError() || !n)
    return Value::error(a.range);
  Shape in = ctx.typeOf(x.tensor).shape;
  if (in.size() != 2)
    return ctx.fail(DiagKind::RankMismatch, a[0].range, fmt::format("`{}`", a.calledAs),
                    "a tensor of rank 2", in.size());
  MaybeId e = ctx.reshape(x.tensor, {in[0], Dim(1), in[1]}, a.range);
  return tensorValue(e ? ctx.broadcastTo(*e, {in[0], Dim(*n), in[1]}, a.range) : std::nullopt,
                     a.range);
}

Value broadcastTo(Context &ctx, const CallArgs &a) {
  Value x = tensorOf(ctx, a[0]);
  auto shape = shapeArg(ctx, a[1]);
  if (x.isError() || !shape || !ctx.checkShape(*shape, a.range))
    return Value::error(a.range);
  return tensorValue(ctx.broadcastTo(x.tensor, *shape, a.range), a.range);
}

// pad widths: an int, a (before, after) pair, or one pair per axis.
std::optional<std::vector<std::pair<int64_t, int64_t>>> padWidths(Context &ctx, const Value &v,
                                                                  size_t rank) {
  std::vector<std::pair<int64_t, int64_t>> out;
  auto asPair = [&](const Value &p) -> std::optional<std::pair<int64_t, int64_t>> {
    auto ints = intListArg(ctx, p, "a pad width");
    if (!ints)
      return std::nullopt;
    if (ints->size() == 1)
      return std::pair{(*ints)[0], (*ints)[0]};
    if (ints->size() == 2)
      return std::pair{(*ints)[0], (*ints)[1]};
    ctx.fail(DiagKind::WrongKind, p.range, "a pad width", "an int or a (before, after) pair",
             ctx.describe(p));
    return std::nullopt;
  };
  bool perAxis = v.isSeq() && !v.elements.empty() && v.elements[0].isSeq();
  if (!perAxis) {
    auto p = asPair(v);
    if (!p)
      return std::nullopt;
    out.assign(rank, *p);
  } else {
    if (v.elements.size() != rank) {
      ctx.fail(DiagKind::RankMismatch, v.range, "the pad widths",
               fmt::format("one pair per axis ({} given)", v.elements.size()), rank);
      return std::nullopt;
    }
    for (const Value &e : v.elements) {
      auto p = asPair(e);
      if (!p)
        return std::nullopt;
      out.push_back(*p);
    }
  }
  for (auto [lo, hi] : out)
    if (lo < 0 || hi < 0) {
      ctx.fail(DiagKind::NegativeDim, v.range, std::min(lo, hi));
      return std::nullopt;
    }
  return out;
}

Value pad(Context &ctx, const CallArgs &a) {
  Value x = tensorOf(ctx, a[0]);
  if (x.isError())
    return x;
  TensorType t = ctx.typeOf(x.tensor);
  auto widths = padWidths(ctx, a[1], t.rank());
  if (!widths)
    return Value::error(a.range);
  Value modeValue = a[2];
  if (modeValue.kind == Value::Kind::String)
    for (char &c : modeValue.s)
      c = char(std::tolower(static_cast<unsigned char>(c)));
  CallArgs lowered = a;
  lowered.values[2] = modeValue;
  static constexpr std::string_view kModes[] = {"constant", "reflect", "symmetric"};
  auto mode = stringArg(ctx, lowered, 2, kModes);
  auto value = floatArg(ctx, a, 3);
  if (!mode || !value)
    return Value::error(a.range);
  ir::PadMode m = *mode == "constant"  ? ir::PadMode::Constant
                  : *mode == "reflect" ? ir::PadMode::Reflect
                                       : ir::PadMode::Symmetric;
  Shape out = t.shape;
  for (size_t i = 0; i < out.size(); ++i) {
    auto [lo, hi] = (*widths)[i];
    if (m != ir::PadMode::Constant && (lo || hi)) {
      auto size = t.shape[i].asConstant();
      if (!size)
        return ctx.fail(DiagKind::NeedsKnownDim, a.range, "reflect and symmetric padding",
                        t.shape[i].str());
      int64_t limit = m == ir::PadMode::Reflect ? *size - 1 : *size;
      if (lo > limit || hi > limit)
        return ctx.fail(DiagKind::IndexOutOfRange, a[1].range, std::max(lo, hi), *size);
    }
    auto grown = Dim::add(out[i], Dim(lo));
    if (grown)
      grown = Dim::add(*grown, Dim(hi));
    if (!grown)
      return ctx.fail(DiagKind::ShapeOverflow, a.range, "pad");
    out[i] = *grown;
  }
  if (!ctx.checkShape(out, a.range))
    return Value::error(a.range);
  ir::Instr in{Op::Pad, {t.dtype, out}, {x.tensor}, a.range, ir::PaddingAttrs{*widths, m, *value}};
  return Value::ofTensor(ctx.append(std::move(in)), a.range);
}

// Reverses the given axes (None: all) with negative-step slices.
Value reverse(Context &ctx, const CallArgs &a) {
  Value x = tensorOf(ctx, a[0]);
  if (x.isError())
    return x;
  auto axes = axesArg(ctx, a, 1, ctx.typeOf(x.tensor).rank());
  return axes ? reverseAxes(ctx, x, *axes, a.range) : Value::error(a.range);
}

// gather(x, indices, axis): result shape x.shape[:axis] + indices.shape + x.shape[axis+1:].
// Out-of-range indices are clamped at run time (documented; TensorFlow's CPU kernel errors).
Value gather(Context &ctx, const CallArgs &a) {
  Value x = tensorOf(ctx, a[0]);
  Value idx = tensorOf(ctx, a[1]);
  if (x.isError() || idx.isError())
    return Value::error(a.range);
  const TensorType &tx = ctx.typeOf(x.tensor), &ti = ctx.typeOf(idx.tensor);
  if (!isInteger(ti.dtype))
    return ctx.fail(DiagKind::WrongKind, a[1].range, argName(a, 1), "integer indices",
                    ctx.describe(idx));
  auto axis = axisArg(ctx, a, 2, tx.rank());
  if (!axis)
    return Value::error(a.range);
  Shape out(tx.shape.begin(), tx.shape.begin() + *axis);
  out.insert(out.end(), ti.shape.begin(), ti.shape.end());
  out.insert(out.end(), tx.shape.begin() + *axis + 1, tx.shape.end());
  if (!ctx.checkShape(out, a.range))
    return Value::error(a.range);
  ir::Instr in{Op::Gather, {tx.dtype, out}, {x.tensor, idx.tensor}, a.range, ir::AxisAttrs{*axis}};
  return Value::ofTensor(ctx.append(std::move(in)), a.range);
}

// Indices clamped into [0, n) and offset by `offset`: lamina's gather clamps, and a batched
// or multi-dimensional gather must not let an index reach into a neighbouring row.
Value clampedIndex(Context &ctx, const Value &idx, const Dim &n, SourceRange r) {
  Value top = ew(ctx, Op::Sub, {Value::integer(n, r), Value::integer(1, r)}, r);
  return ew(ctx, Op::Min, {ew(ctx, Op::Max, {idx, Value::integer(0, r)}, r), top}, r);
}

// A gather along axis 0 of `x` reshaped so its first `lead` axes are one.
Value gatherFlat(Context &ctx, const Value &x, size_t lead, const Value &flatIndex, SourceRange r) {
  Shape s = ctx.typeOf(x.tensor).shape;
  Dim rows = 1;
  for (size_t k = 0; k < lead; ++k)
    rows = Dim::mul(rows, s[k]).value_or(Dim(0));
  Shape folded{rows};
  folded.insert(folded.end(), s.begin() + int64_t(lead), s.end());
  MaybeId data = ctx.reshape(x.tensor, folded, r);
  if (!data || flatIndex.isError())
    return Value::error(r);
  CallArgs args{findBuiltin("gather"),
                "gather",
                r,
                {Value::ofTensor(*data, r), flatIndex, Value::integer(0, r)},
                {true, true, true}};
  return args.def->lower(ctx, args);
}

// tf.gather(params, indices, validate_indices, axis, batch_dims): with batch_dims b, the
// first b axes of params and indices are one batch, and each batch gathers from its own rows.
Value tfGather(Context &ctx, const CallArgs &a) {
  auto batchDims = intArg(ctx, a, 4);
  if (!batchDims)
    return Value::error(a.range);
  CallArgs plain = a;
  plain.values = {a[0], a[1], a.isNone(3) ? Value::integer(*batchDims, a.range) : a[3]};
  plain.given = {true, true, true};
  if (*batchDims == 0)
    return gather(ctx, plain);
  Value x = tensorOf(ctx, a[0]), idx = tensorOf(ctx, a[1]);
  if (x.isError() || idx.isError())
    return Value::error(a.range);
  size_t b = size_t(*batchDims);
  const Shape sx = ctx.typeOf(x.tensor).shape, si = ctx.typeOf(idx.tensor).shape;
  if (*batchDims < 0 || b >= sx.size() || b > si.size())
    return ctx.fail(DiagKind::AxisOutOfRange, a[4].range, *batchDims,
                    std::min(sx.size(), si.size()));
  for (size_t k = 0; k < b; ++k)
    if (sx[k] != si[k])
      return ctx.fail(DiagKind::WrongKind, a[1].range, argName(a, 1),
                      fmt::format("the first {} axes of params, {}", b, shapeString(sx)),
                      ctx.describe(idx));
  auto axis = axisArg(ctx, plain, 2, sx.size());
  if (!axis)
    return Value::error(a.range);
  if (*axis < int64_t(b))
    return ctx.fail(DiagKind::WrongKind, a[3].range, argName(a, 3),
                    fmt::format("at least batch_dims ({})", b), std::to_string(*axis));
  SourceRange r = a.range;
  if (*axis > int64_t(b)) {
    // TensorFlow's result is params[:axis] + indices[b:] + params[axis+1:]: gather with the
    // axis moved next to the batch, then move the indices' axes back after params[b:axis].
    std::vector<int64_t> toFront;
    for (int64_t k = 0; k < int64_t(sx.size()); ++k)
      if (k != *axis)
        toFront.push_back(k);
    toFront.insert(toFront.begin() + int64_t(b), *axis);
    CallArgs moved = a;
    moved.values[0] = Value::ofTensor(ctx.transpose(x.tensor, toFront, r), r);
    moved.values[3] = Value::integer(int64_t(b), r);
    Value g = tfGather(ctx, moved);
    if (g.isError())
      return g;
    int64_t between = *axis - int64_t(b), gathered = int64_t(si.size() - b);
    std::vector<int64_t> back;
    for (int64_t k = 0; k < int64_t(b); ++k)
      back.push_back(k);
    for (int64_t k = 0; k < between; ++k)
      back.push_back(int64_t(b) + gathered + k);
    for (int64_t k = 0; k < gathered; ++k)
      back.push_back(int64_t(b) + k);
    for (int64_t k = int64_t(b) + gathered + between; k < int64_t(ctx.typeOf(g.tensor).rank()); ++k)
      back.push_back(k);
    return Value::ofTensor(ctx.transpose(g.tensor, back, r), r);
  }
  // Each index plus its batch's first row in params flattened over [batch..., axis].
  Value offset = Value::integer(0, r);
  Dim stride = sx[b];
  for (size_t k = b; k-- > 0;) {
    Value along = Value::ofTensor(ctx.iota(si, int64_t(k), DType::I64, r), r);
    offset = ew(ctx, Op::Add, {offset, ew(ctx, Op::Mul, {along, Value::integer(stride, r)}, r)}, r);
    stride = Dim::mul(stride, sx[k]).value_or(Dim(0));
  }
  Value local =
      clampedIndex(ctx, Value::ofTensor(ctx.cast(idx.tensor, DType::I64, r), r), sx[b], r);
  return gatherFlat(ctx, x, b + 1, ew(ctx, Op::Add, {local, offset}, r), r);
}

// tf.gather_nd(params, indices): each row of indices' last axis (of size m) picks an element,
// or a slice, of params' first m axes.
Value gatherNd(Context &ctx, const CallArgs &a) {
  auto batchDims = intArg(ctx, a, 2);
  Value x = tensorOf(ctx, a[0]), idx = tensorOf(ctx, a[1]);
  if (x.isError() || idx.isError() || !batchDims)
    return Value::error(a.range);
  SourceRange r = a.range;
  const Shape sx = ctx.typeOf(x.tensor).shape;
  Shape si = ctx.typeOf(idx.tensor).shape;
  if (si.empty() || !si.back().isConstant())
    return ctx.fail(DiagKind::NeedsKnownDim, a[1].range, "the last axis of `gather_nd`'s indices",
                    si.empty() ? std::string("a scalar") : si.back().str());
  if (!isInteger(ctx.typeOf(idx.tensor).dtype))
    return ctx.fail(DiagKind::WrongKind, a[1].range, argName(a, 1), "integer indices",
                    ctx.describe(idx));
  size_t b = size_t(*batchDims);
  if (*batchDims < 0 || b >= si.size() || b >= sx.size())
    return ctx.fail(DiagKind::AxisOutOfRange, a[2].range, *batchDims,
                    std::min(sx.size(), si.size() - 1));
  for (size_t k = 0; k < b; ++k)
    if (sx[k] != si[k])
      return ctx.fail(DiagKind::WrongKind, a[1].range, argName(a, 1),
                      fmt::format("the first {} axes of params, {}", b, shapeString(sx)),
                      ctx.describe(idx));
  Value ix = Value::ofTensor(ctx.cast(idx.tensor, DType::I64, r), r);
  if (b > 0) {
    // With batch_dims b, each batch indexes its own params: its batch position, as b more
    // leading columns, makes it an ordinary gather_nd.
    Shape column = si;
    column.back() = Dim(1);
    std::vector<ValueId> columns;
    for (size_t k = 0; k < b; ++k)
      columns.push_back(ctx.iota(column, int64_t(k), DType::I64, r));
    columns.push_back(ix.tensor);
    MaybeId joined = ctx.concat(columns, int64_t(si.size()) - 1, r);
    if (!joined)
      return Value::error(r);
    ix = Value::ofTensor(*joined, r);
    si = ctx.typeOf(*joined).shape;
  }
  size_t m = size_t(si.back().constant());
  if (m == 0 || m > sx.size())
    return ctx.fail(DiagKind::TooManyIndices, a[1].range, m, sx.size());
  Value flatIndex = Value::integer(0, r);
  Dim stride = 1;
  for (size_t k = m; k-- > 0;) {
    std::vector<Dim> begins(si.size(), Dim(0));
    begins.back() = Dim(int64_t(k));
    Shape column = si;
    column.back() = Dim(1);
    Value c = Value::ofTensor(
        ctx.slice(ix.tensor, begins, std::vector<int64_t>(si.size(), 1), column, r), r);
    c = squeezeAxes(ctx, clampedIndex(ctx, c, sx[k], r), {int64_t(si.size()) - 1}, r);
    flatIndex =
        ew(ctx, Op::Add, {flatIndex, ew(ctx, Op::Mul, {c, Value::integer(stride, r)}, r)}, r);
    stride = Dim::mul(stride, sx[k]).value_or(Dim(0));
  }
  return gatherFlat(ctx, x, m, flatIndex, r);
}

Value take(Context &ctx, const CallArgs &a) {
  if (!a.isNone(2))
    return gather(ctx, a);
  CallArgs flatArgs = a;
  flatArgs.values[0] = flat(ctx, tensorOf(ctx, a[0]), a.range);
  flatArgs.values[2] = Value::integer(0, a.range);
  if (flatArgs.values[0].isError())
    return flatArgs.values[0];
  return gather(ctx, flatArgs);
}

constexpr BuiltinDef kShape[] = {
    {"reshape", "x, shape|newshape", reshape, "same elements in a new shape; one -1 is inferred"},
    {"flatten", "x", flatten, "one dimension"},
    {"_batch_flatten", "x", batchFlatten, "keep the first dimension, flatten the rest"},
    {"transpose", "x, axes|perm=None", transpose, "permute axes; None reverses them"},
    {"expand_dims", "x, axis", expandDims, "insert size-1 axes at the given positions"},
    {"squeeze", "x, axis=None", squeeze, "drop size-1 axes (None: every known one)"},
    {"concat", "values|tensors|arrays|xs, axis=0", concat, "join along an existing axis"},
    {"stack", "values|tensors|arrays|xs, axis=0", stack, "join along a new axis"},
    {"split", "x, indices_or_sections, axis=0", split,
     "a tuple of parts: n equal ones, or cut at the given indices"},
    {"_tf_split", "value|x, num_or_size_splits, axis=0", tfSplit,
     "a tuple of parts: n equal ones, or of the given sizes (one may be -1)"},
    {"swapaxes", "x|a, axis1, axis2", permuteTwo<swapOrder>, "exchange two axes"},
    {"moveaxis", "x|a, source, destination", permuteTwo<moveOrder>,
     "move one axis to another place"},
    {"unstack", "x|value, num=None, axis=0", unstack,
     "a tuple of the slices along axis (its size must be known)"},
    {"size", "x|a|input, axis=None", size,
     "number of elements (of one axis), as a Python int (NumPy)"},
    {"_tf_size", "input|x, out_type=None", tfSize, "number of elements, i32 (TensorFlow)"},
    {"tile", "x, reps|multiples|repeats", tile, "repeat the whole tensor along each axis"},
    {"repeat", "x, repeats, axis=None", repeat, "repeat each element; None flattens first (NumPy)"},
    {"_repeat_vector", "x, n", repeatVector, "[B, D] to [B, n, D] (Keras RepeatVector)"},
    {"broadcast_to", "x, shape", broadcastTo, "NumPy broadcast to shape"},
    {"pad", "x, pad_width|paddings, mode='constant', constant_values=0", pad,
     "pad each axis: 'constant', 'reflect' or 'symmetric' (any case)"},
    {"reverse", "x, axis=None", reverse, "reverse the order along axes (None: all)"},
    {"flip", "x, axis=None", reverse, "same as reverse"},
    {"gather", "x|params, indices, axis=0", gather,
     "take along axis; indices are clamped into range"},
    {"take", "x|a, indices, axis=None", take, "gather; None flattens first (NumPy)"},
    {"_tf_gather", "params|x, indices, *, validate_indices=None, axis=None, batch_dims=0", tfGather,
     "gather; with batch_dims, each batch from its own rows (TensorFlow)"},
    {"gather_nd", "params|x, indices, batch_dims=0", gatherNd,
     "each row of indices' last axis picks an element or slice of params' first axes"},
};

} // namespace

std::span<const BuiltinDef> shapeBuiltins() { return kShape; }

} // namespace lamina::sema
