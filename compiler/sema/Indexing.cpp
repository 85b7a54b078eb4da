// Subscripts: `x[:, 0]`, `x[..., 1:3]`, `x[:, ::-1]`, `x[:, None]`, `t[0]`, `s[-1]`, `s[1:]`.
// Bounds are compile-time ints (arguments count); a tensor slice becomes one IR slice plus a
// reshape that drops indexed axes and inserts new ones.

#include "compiler/sema/Evaluator.h"

#include "compiler/sema/Builtins.h"
#include "compiler/sema/Operators.h"

#include <fmt/format.h>

namespace lamina::sema {
namespace {

std::optional<int64_t> constantIndex(Context &ctx, const Value &v, std::string_view what) {
  if (v.kind == Value::Kind::Int && v.i.isConstant())
    return v.i.constant();
  if (v.kind == Value::Kind::Int)
    ctx.fail(DiagKind::NeedsKnownDim, v.range, what, v.i.str());
  else if (v.kind == Value::Kind::Tensor)
    ctx.fail(DiagKind::ExpectedConstant, v.range, what, ctx.describe(v));
  else if (!v.isError())
    ctx.fail(DiagKind::WrongKind, v.range, what, "an int", ctx.describe(v));
  return std::nullopt;
}

// Python's slice.indices for a known length: clamped start, count, step.
struct Resolved {
  int64_t start = 0, count = 0, step = 1;
};

std::optional<Resolved> resolveSlice(Context &ctx, const IndexItem &item, int64_t length) {
  int64_t step = 1;
  if (item.step.kind != Value::Kind::None) {
    auto s = constantIndex(ctx, item.step, "a slice step");
    if (!s)
      return std::nullopt;
    if (*s == 0) {
      ctx.fail(DiagKind::WrongKind, item.step.range, "a slice step", "nonzero", "0");
      return std::nullopt;
    }
    step = *s;
  }
  auto bound = [&](const Value &v, int64_t fallback) -> std::optional<int64_t> {
    if (v.kind == Value::Kind::None)
      return fallback;
    auto b = constantIndex(ctx, v, "a slice bound");
    if (!b)
      return std::nullopt;
    int64_t x = *b < 0 ? (*b < -length ? -1 : *b + length) : *b;
    // Clamp into [0, length] going forward, [-1, length - 1] going backward.
    return step > 0 ? std::clamp<int64_t>(x, 0, length) : std::clamp<int64_t>(x, -1, length - 1);
  };
  auto start = bound(item.lower, step > 0 ? 0 : length - 1);
  auto stop = bound(item.upper, step > 0 ? length : -1);
  if (!start || !stop)
    return std::nullopt;
  int64_t span = step > 0 ? *stop - *start : *start - *stop;
  int64_t mag = step > 0 ? step : step == INT64_MIN ? INT64_MAX : -step;
  int64_t count = span <= 0 ? 0 : 1 + (span - 1) / mag;
  return Resolved{*start, count, step};
}

bool isFull(const IndexItem &item) {
  return item.lower.kind == Value::Kind::None && item.upper.kind == Value::Kind::None &&
         item.step.kind == Value::Kind::None;
}

} // namespace

Value indexSeq(Context &ctx, const Value &seq, const std::vector<IndexItem> &items, SourceRange r) {
  if (items.size() != 1 || items[0].kind == IndexItem::NewAxis ||
      items[0].kind == IndexItem::Ellipsis)
    return ctx.fail(DiagKind::WrongKind, r, "an index into a list", "one int or slice",
                    fmt::format("{} items", items.size()));
  int64_t n = int64_t(seq.elements.size());
  const IndexItem &item = items[0];
  if (item.kind == IndexItem::Single) {
    auto i = constantIndex(ctx, item.value, "a list index");
    if (!i)
      return Value::error(r);
    if (*i < -n || *i >= n)
      return ctx.fail(DiagKind::IndexOutOfRange, item.range, *i, n);
    Value element = seq.elements[size_t(*i < 0 ? *i + n : *i)];
    element.isShape = element.isShape || (seq.isShape && element.kind == Value::Kind::Int);
    return element;
  }
  auto s = resolveSlice(ctx, item, n);
  if (!s)
    return Value::error(r);
  Value out = Value::seq({}, seq.isTuple, r);
  out.isShape = seq.isShape;
  for (int64_t k = 0, at = s->start; k < s->count; ++k, at += s->step)
    out.elements.push_back(seq.elements[size_t(at)]);
  return out;
}

Value indexTensor(Context &ctx, const Value &x, const std::vector<IndexItem> &items,
                  SourceRange r) {
  const Shape in = ctx.typeOf(x.tensor).shape;
  // Expand `...` into full slices; count the items that consume an axis.
  size_t consuming = 0, ellipses = 0;
  for (const IndexItem &item : items) {
    consuming += item.kind == IndexItem::Single || item.kind == IndexItem::Slice;
    ellipses += item.kind == IndexItem::Ellipsis;
  }
  if (ellipses > 1)
    return ctx.fail(DiagKind::WrongKind, r, "an index", "at most one `...`",
                    fmt::format("{}", ellipses));
  if (consuming > in.size())
    return ctx.fail(DiagKind::TooManyIndices, r, consuming, in.size());
  std::vector<IndexItem> full;
  for (const IndexItem &item : items) {
    if (item.kind != IndexItem::Ellipsis) {
      full.push_back(item);
      continue;
    }
    for (size_t k = 0; k < in.size() - consuming; ++k) {
      IndexItem all{IndexItem::Slice, {}, Value::none(r), Value::none(r), Value::none(r), r};
      full.push_back(all);
    }
  }
  while (std::count_if(full.begin(), full.end(), [](const IndexItem &i) {
           return i.kind == IndexItem::Single || i.kind == IndexItem::Slice;
         }) < int64_t(in.size()))
    full.push_back({IndexItem::Slice, {}, Value::none(r), Value::none(r), Value::none(r), r});

  std::vector<Dim> begins;
  std::vector<int64_t> steps;
  Shape sliced, result;
  std::vector<std::pair<size_t, Value>> gathers; // (axis in `sliced`, indices)
  size_t axis = 0;
  for (const IndexItem &item : full) {
    if (item.kind == IndexItem::NewAxis) {
      result.push_back(1);
      continue;
    }
    const Dim &d = in[axis];
    if (item.kind == IndexItem::Single && item.value.kind == Value::Kind::Tensor) {
      gathers.emplace_back(sliced.size(), item.value);
      begins.push_back(0);
      steps.push_back(1);
      sliced.push_back(d);
      result.push_back(-1); // placeholder: replaced by the index shape below
      ++axis;
      continue;
    }
    if (item.kind == IndexItem::Single) {
      auto i = constantIndex(ctx, item.value, "an index");
      if (!i)
        return Value::error(r);
      auto size = d.asConstant();
      if (size && (*i < -*size || *i >= *size))
        return ctx.fail(DiagKind::IndexOutOfRange, item.range, *i, *size);
      if (!size && *i < 0)
        begins.push_back(Dim::add(d, Dim(*i)).value_or(Dim(0)));
      else
        begins.push_back(*i < 0 ? *i + *size : *i);
      steps.push_back(1);
      sliced.push_back(1);
      ++axis;
      continue;
    }
    auto size = d.asConstant();
    if (!size) {
      // A symbolic dimension: the full slice, the reversal, and non-negative starts are
      // expressible; anything that needs clamping against the unknown size is not.
      if (isFull(item)) {
        begins.push_back(0), steps.push_back(1), sliced.push_back(d), result.push_back(d);
      } else if (item.lower.kind == Value::Kind::None && item.upper.kind == Value::Kind::None &&
                 item.step.kind == Value::Kind::Int && item.step.i == Dim(-1)) {
        begins.push_back(Dim::sub(d, 1).value_or(Dim(0)));
        steps.push_back(-1), sliced.push_back(d), result.push_back(d);
      } else if (item.upper.kind == Value::Kind::None && item.step.kind == Value::Kind::None &&
                 item.lower.kind == Value::Kind::Int && item.lower.i.isConstant()) {
        int64_t lo = item.lower.i.constant();
        Dim begin = lo >= 0 ? Dim(lo) : Dim::add(d, Dim(lo)).value_or(Dim(0));
        Dim count = lo >= 0 ? Dim::sub(d, Dim(lo)).value_or(Dim(0)) : Dim(-lo);
        begins.push_back(begin), steps.push_back(1), sliced.push_back(count);
        result.push_back(count);
      } else if (item.lower.kind == Value::Kind::None && item.step.kind == Value::Kind::None &&
                 item.upper.kind == Value::Kind::Int && item.upper.i.isConstant()) {
        int64_t hi = item.upper.i.constant();
        Dim count = hi >= 0 ? Dim(hi) : Dim::add(d, Dim(hi)).value_or(Dim(0));
        begins.push_back(0), steps.push_back(1), sliced.push_back(count), result.push_back(count);
      } else {
        return ctx.fail(DiagKind::NeedsKnownDim, item.range, "this slice", d.str());
      }
      ++axis;
      continue;
    }
    auto s = resolveSlice(ctx, item, *size);
    if (!s)
      return Value::error(r);
    begins.push_back(s->count ? s->start : 0);
    steps.push_back(s->step);
    sliced.push_back(s->count);
    result.push_back(s->count);
    ++axis;
  }
  if (gathers.size() > 1)
    return ctx.fail(DiagKind::Unsupported, r, "indexing with several tensors",
                    "index one axis at a time");
  ValueId v = ctx.slice(x.tensor, begins, steps, sliced, r);
  // Gathers for integer-tensor indices, from the last axis back so positions stay valid.
  Shape gathered = sliced;
  for (auto it = gathers.rbegin(); it != gathers.rend(); ++it) {
    MaybeId idx = toTensor(ctx, it->second);
    if (!idx)
      return Value::error(r);
    const TensorType &ti = ctx.typeOf(*idx);
    if (!isInteger(ti.dtype))
      return ctx.fail(DiagKind::WrongKind, it->second.range, "a tensor index", "an integer tensor",
                      ctx.describe(it->second));
    Shape out(gathered.begin(), gathered.begin() + long(it->first));
    out.insert(out.end(), ti.shape.begin(), ti.shape.end());
    out.insert(out.end(), gathered.begin() + long(it->first) + 1, gathered.end());
    ir::Instr gather{ir::Op::Gather,
                     {ctx.typeOf(v).dtype, out},
                     {v, *idx},
                     r,
                     ir::AxisAttrs{int64_t(it->first)}};
    v = ctx.append(std::move(gather));
    gathered = out;
  }
  if (!gathers.empty()) {
    // The gathered tensor already has its final layout apart from new axes and dropped ones.
    Shape finalShape;
    const TensorType &ti = ctx.typeOf(ctx.fn.instrs[v].operands[1]);
    size_t indexAt = 0;
    for (const Dim &d : result) {
      if (d == Dim(-1)) {
        indexAt = finalShape.size();
        finalShape.insert(finalShape.end(), ti.shape.begin(), ti.shape.end());
      } else {
        finalShape.push_back(d);
      }
    }
    MaybeId shaped = ctx.reshape(v, finalShape, r);
    // NumPy: ints count as advanced indices next to an array; when the advanced indices are
    // not all adjacent (`x[0, :, i]`), the index's dimensions go first.
    std::vector<size_t> advanced;
    for (size_t k = 0, axisPos = 0; k < full.size(); ++k) {
      if (full[k].kind == IndexItem::Single)
        advanced.push_back(axisPos);
      axisPos += full[k].kind != IndexItem::NewAxis;
    }
    bool adjacent = advanced.back() - advanced.front() + 1 == advanced.size();
    if (!shaped || adjacent || indexAt == 0)
      return tensorValue(shaped, r);
    std::vector<int64_t> perm;
    for (size_t k = 0; k < ti.rank(); ++k)
      perm.push_back(int64_t(indexAt + k));
    for (size_t k = 0; k < finalShape.size(); ++k)
      if (k < indexAt || k >= indexAt + ti.rank())
        perm.push_back(int64_t(k));
    return Value::ofTensor(ctx.transpose(*shaped, perm, r), r);
  }
  return tensorValue(ctx.reshape(v, result, r), r);
}

} // namespace lamina::sema
