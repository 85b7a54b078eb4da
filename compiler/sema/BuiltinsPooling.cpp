// Pooling (docs/language.md, "Pooling"): max and average over windows of the spatial axes of
// a channels-last tensor [batch, spatial..., channels], as tf.nn.max_pool2d, keras.ops.max_pool
// and K.pool2d compute them. Each window offset is one strided slice of the (padded) input; the
// result is the max, or the sum divided by the count of real (unpadded) elements, of those
// slices. Window sizes, strides and spatial sizes are known at compile time.

#include "compiler/sema/Compose.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace lamina::sema {
namespace {

using ir::Op;
using namespace compose;

struct Window {
  std::vector<int64_t> size, stride;
  bool same = false; // 'SAME' padding: ceil(n / stride) outputs, padded evenly (extra after)
};

// An int or a list for `spatial` axes; TensorFlow's full-rank form [1, k..., 1] is accepted.
std::optional<std::vector<int64_t>> perAxis(Context &ctx, const Value &v, size_t spatial,
                                            std::string_view what) {
  std::optional<std::vector<int64_t>> list;
  if (v.kind == Value::Kind::Int) {
    auto k = v.i.asConstant();
    if (k)
      list = std::vector<int64_t>(spatial, *k);
  } else {
    list = intListArg(ctx, v, what);
    if (!list)
      return std::nullopt;
    if (list->size() == spatial + 2)
      list = std::vector<int64_t>(list->begin() + 1, list->end() - 1);
    else if (list->size() == 1)
      list = std::vector<int64_t>(spatial, list->front());
  }
  if (!list || list->size() != spatial ||
      std::any_of(list->begin(), list->end(), [](int64_t k) { return k <= 0; })) {
    ctx.fail(DiagKind::WrongKind, v.range, what,
             fmt::format("a positive int or {} of them", spatial), ctx.describe(v));
    return std::nullopt;
  }
  return list;
}

// The shape of the pooled output and the padding of each axis (SAME), for `t`.
struct Layout {
  Shape out, padded;
  std::vector<std::pair<int64_t, int64_t>> pads;
};

std::optional<Layout> layoutOf(Context &ctx, const TensorType &t, const Window &window,
                               SourceRange r) {
  size_t rank = t.rank(), spatial = rank - 2;
  Layout l{t.shape, t.shape, std::vector<std::pair<int64_t, int64_t>>(rank, {0, 0})};
  for (size_t k = 0; k < spatial; ++k) {
    const Dim &d = t.shape[k + 1];
    auto n = d.asConstant();
    if (!n) {
      ctx.fail(DiagKind::NeedsKnownDim, r, "pooling", d.str());
      return std::nullopt;
    }
    int64_t size = window.size[k], stride = window.stride[k], count = 0;
    if (window.same) {
      count = (*n + stride - 1) / stride;
      int64_t total = std::max<int64_t>((count - 1) * stride + size - *n, 0);
      l.pads[k + 1] = {total / 2, total - total / 2};
    } else {
      if (*n < size) {
        ctx.failWithLabel("use padding='same', or a smaller window", DiagKind::DoesNotFit, r,
                          fmt::format("a window of {}", size),
                          fmt::format("an axis of size {}", *n));
        return std::nullopt;
      }
      count = (*n - size) / stride + 1;
    }
    l.out[k + 1] = Dim(count);
    l.padded[k + 1] = Dim(*n + l.pads[k + 1].first + l.pads[k + 1].second);
  }
  return l;
}

// `v` padded as the layout says with `fill`, then every offset of the window as one strided
// slice, combined with `op` (Max or Add).
Value windowCombine(Context &ctx, const Value &v, const Layout &l, const Window &window,
                    double fill, Op op, SourceRange r) {
  const TensorType t = ctx.typeOf(v.tensor);
  size_t rank = l.out.size(), spatial = rank - 2;
  Value source = v;
  if (window.same) {
    Shape padded = l.padded;
    for (size_t k = 0; k < rank; ++k)
      if (k == 0 || k + 1 == rank)
        padded[k] = t.shape[k]; // the ones of the count keep their size-1 batch and channels
    ir::Instr in{Op::Pad,
                 {t.dtype, padded},
                 {v.tensor},
                 r,
                 ir::PaddingAttrs{l.pads, ir::PadMode::Constant, fill}};
    source = Value::ofTensor(ctx.append(std::move(in)), r);
  }
  Shape out = l.out;
  out.front() = t.shape.front(), out.back() = t.shape.back();
  Value acc;
  std::vector<int64_t> offset(spatial, 0);
  for (bool more = true; more;) {
    std::vector<Dim> begins(rank, Dim(0));
    std::vector<int64_t> steps(rank, 1);
    for (size_t k = 0; k < spatial; ++k)
      begins[k + 1] = Dim(offset[k]), steps[k + 1] = window.stride[k];
    Value part = Value::ofTensor(ctx.slice(source.tensor, begins, steps, out, r), r);
    acc = acc.kind == Value::Kind::None ? part : ew(ctx, op, {acc, part}, r);
    more = false;
    for (size_t k = spatial; k-- > 0 && !more;)
      more = ++offset[k] < window.size[k] || (offset[k] = 0, false);
  }
  return acc;
}

// x pooled over its spatial axes with `window`: the max, or the average of the real elements
// (TensorFlow's SAME average does not count the padding).
Value pool(Context &ctx, const Value &x, const Window &window, bool isMax, SourceRange r) {
  const TensorType t = ctx.typeOf(x.tensor);
  auto layout = layoutOf(ctx, t, window, r);
  if (!layout)
    return Value::error(r);
  if (isMax) {
    DType d = t.dtype;
    double lowest = isFloat(d)                       ? -std::numeric_limits<double>::infinity()
                    : kindOf(d) == DTypeKind::Signed ? -std::ldexp(1.0, 8 * int(byteSize(d)) - 1)
                                                     : 0.0;
    return windowCombine(ctx, x, *layout, window, lowest, Op::Max, r);
  }
  Value input = toFloat(ctx, x, r);
  Value sum = windowCombine(ctx, input, *layout, window, 0.0, Op::Add, r);
  if (!window.same) {
    int64_t cells = 1;
    for (int64_t s : window.size)
      cells *= s;
    return ew(ctx, Op::Div, {sum, num(double(cells), r)}, r);
  }
  // The real elements under each window: the same sums over ones padded with zeros.
  Shape onesShape(t.rank(), Dim(1));
  for (size_t k = 1; k + 1 < t.rank(); ++k)
    onesShape[k] = t.shape[k];
  DType dtype = ctx.typeOf(input.tensor).dtype;
  MaybeId ones = ctx.broadcastTo(ctx.scalar(dtype, 1.0, r), onesShape, r);
  if (!ones)
    return Value::error(r);
  Value counts = windowCombine(ctx, Value::ofTensor(*ones, r), *layout, window, 0.0, Op::Add, r);
  return ew(ctx, Op::Div, {sum, counts}, r);
}

std::optional<Window> windowArgs(Context &ctx, const CallArgs &a, const Value &x, size_t sizeSlot,
                                 size_t strideSlot, size_t paddingSlot) {
  static constexpr std::string_view kPaddings[] = {"valid", "same", "VALID", "SAME"};
  size_t rank = ctx.typeOf(x.tensor).rank();
  if (rank < 3) {
    ctx.fail(DiagKind::RankMismatch, a[0].range, fmt::format("`{}`", a.calledAs),
             "[batch, spatial..., channels]", rank);
    return std::nullopt;
  }
  auto size = perAxis(ctx, a[sizeSlot], rank - 2, argName(a, sizeSlot));
  auto stride = !size ? std::nullopt
                : a.isNone(strideSlot)
                    ? size
                    : perAxis(ctx, a[strideSlot], rank - 2, argName(a, strideSlot));
  auto padding = stride ? stringArg(ctx, a, paddingSlot, kPaddings) : std::nullopt;
  if (!padding)
    return std::nullopt;
  return Window{*size, *stride, *padding == "same" || *padding == "SAME"};
}

// max_pool(x, pool_size, strides=None, padding='valid', data_format=None) and avg_pool:
// Keras 3's ops; TensorFlow's spellings are aliases with their own names.
template <bool IsMax> Value poolBuiltin(Context &ctx, const CallArgs &a) {
  Value x = tensorOf(ctx, a[0]);
  if (x.isError())
    return x;
  if (!a.isNone(4)) {
    static constexpr std::string_view kFormats[] = {"channels_last", "NHWC", "NWC", "NDHWC"};
    if (!stringArg(ctx, a, 4, kFormats))
      return Value::error(a.range);
  }
  auto window = windowArgs(ctx, a, x, 1, 2, 3);
  return window ? pool(ctx, x, *window, IsMax, a.range) : Value::error(a.range);
}

// K.pool2d(x, pool_size, strides=(1, 1), padding='valid', data_format=None, pool_mode='max').
Value keras2Pool(Context &ctx, const CallArgs &a) {
  static constexpr std::string_view kModes[] = {"max", "avg"};
  auto mode = stringArg(ctx, a, 5, kModes);
  if (!mode)
    return Value::error(a.range);
  return *mode == "max" ? poolBuiltin<true>(ctx, a) : poolBuiltin<false>(ctx, a);
}

constexpr BuiltinDef kPooling[] = {
    {"max_pool", "x|inputs|input, pool_size|ksize, strides=None, padding='valid', data_format=None",
     poolBuiltin<true>, "max over windows of the spatial axes (channels last)"},
    {"avg_pool", "x|inputs|input, pool_size|ksize, strides=None, padding='valid', data_format=None",
     poolBuiltin<false>, "mean over windows of the spatial axes; 'same' counts real elements"},
    {"_keras2_pool2d",
     "x, pool_size, strides=1, padding='valid', data_format=None, pool_mode='max'", keras2Pool,
     "K.pool2d: max or avg pooling"},
};

} // namespace

std::span<const BuiltinDef> poolingBuiltins() { return kPooling; }

} // namespace lamina::sema
