// Image builtins (docs/language.md, "Images"): TensorFlow's tf.image and tf.nn operations on
// images laid out [batch, height, width, channels] or [height, width, channels], and Keras's
// resize_images. Each is written with the shape builtins, so it fuses like them: a resize is
// two gathers along the image's axes with constant indices and weights, computed here from
// the (known) sizes.

#include "compiler/sema/Compose.h"
#include "compiler/sema/ResizeWeights.h"
#include "compiler/types/Elements.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace lamina::sema {
namespace {

using ir::Op;
using namespace compose;

// The image and the positions of its height and width axes.
struct Image {
  Value x;
  int64_t h, w; // axes
};

std::optional<Image> imageArg(Context &ctx, const CallArgs &a) {
  Value x = tensorOf(ctx, a[0]);
  if (x.isError())
    return std::nullopt;
  size_t rank = ctx.typeOf(x.tensor).rank();
  if (rank != 3 && rank != 4) {
    ctx.fail(DiagKind::RankMismatch, a[0].range, fmt::format("`{}`", a.calledAs),
             "an image [height, width, channels] or a batch of them", rank);
    return std::nullopt;
  }
  return Image{x, int64_t(rank) - 3, int64_t(rank) - 2};
}

// A size that must be known to compute indices from it.
std::optional<int64_t> knownSize(Context &ctx, const Value &x, int64_t axis, const CallArgs &a) {
  const Dim d = ctx.typeOf(x.tensor).shape[size_t(axis)];
  if (!d.isConstant()) {
    ctx.fail(DiagKind::NeedsKnownDim, a.range, fmt::format("`{}`", a.calledAs), d.str());
    return std::nullopt;
  }
  return d.constant();
}

Value gatherAlong(Context &ctx, const Value &x, const std::vector<int64_t> &indices, int64_t axis,
                  SourceRange r) {
  Array idx = makeArray(DType::I64, {int64_t(indices.size())});
  for (size_t i = 0; i < indices.size(); ++i)
    storeInt(idx, int64_t(i), indices[i]);
  ValueId at = ctx.constant(std::move(idx), r);
  Shape out = ctx.typeOf(x.tensor).shape;
  out[size_t(axis)] = Dim(int64_t(indices.size()));
  ir::Instr in{
      Op::Gather, {ctx.typeOf(x.tensor).dtype, out}, {x.tensor, at}, r, ir::AxisAttrs{axis}};
  return Value::ofTensor(ctx.append(std::move(in)), r);
}

// A vector of weights along `axis` of a tensor of `rank`, shaped to broadcast there.
Value weightsAlong(Context &ctx, const std::vector<double> &w, int64_t axis, size_t rank,
                   SourceRange r) {
  std::vector<int64_t> shape(rank - size_t(axis), 1);
  shape[0] = int64_t(w.size());
  Array a = makeArray(kDefaultFloat, shape);
  for (size_t i = 0; i < w.size(); ++i)
    storeFloat(a, int64_t(i), w[i]);
  return Value::ofTensor(ctx.constant(std::move(a), r), r);
}

Value cropBox(Context &ctx, const Image &image, int64_t top, int64_t left, int64_t height,
              int64_t width, SourceRange r) {
  Shape s = ctx.typeOf(image.x.tensor).shape;
  std::vector<Dim> begins(s.size(), Dim(0));
  begins[size_t(image.h)] = Dim(top);
  begins[size_t(image.w)] = Dim(left);
  s[size_t(image.h)] = Dim(height);
  s[size_t(image.w)] = Dim(width);
  return Value::ofTensor(ctx.slice(image.x.tensor, begins, std::vector<int64_t>(s.size(), 1), s, r),
                         r);
}

// One axis's taps applied (ResizeWeights.h): the sum, tap by tap in TensorFlow's order, of
// the input gathered at the tap's indices times its weights. A tap whose weights are all zero
// adds nothing and is left out.
Value applyTaps(Context &ctx, const Value &x, const resize::AxisTaps &taps, int64_t axis,
                SourceRange r) {
  size_t rank = ctx.typeOf(x.tensor).rank();
  std::optional<Value> sum;
  for (size_t k = 0; k < taps.index.size(); ++k) {
    const auto &w = taps.weight[k];
    if (sum && std::all_of(w.begin(), w.end(), [](float v) { return v == 0.0f; }))
      continue;
    Value g = gatherAlong(ctx, x, taps.index[k], axis, r);
    Value term =
        ew(ctx, Op::Mul,
           {g, weightsAlong(ctx, std::vector<double>(w.begin(), w.end()), axis, rank, r)}, r);
    sum = sum ? ew(ctx, Op::Add, {*sum, term}, r) : term;
  }
  return *sum;
}

// One axis's taps as a product: a [to, from] matrix of the weights times the input seen as
// [everything before the axis, from, everything after it]. The product runs as a stage of its
// own, so the other axis reads its result instead of computing it again for every tap; its
// sums add the same terms as TensorFlow's in another order (within a few float32 roundings).
Value productAlong(Context &ctx, const Value &x, const resize::AxisTaps &taps, int64_t axis,
                   SourceRange r) {
  Shape s = ctx.typeOf(x.tensor).shape;
  int64_t from = s[size_t(axis)].constant(), to = int64_t(taps.index[0].size());
  Array m = makeArray(DType::F32, {to, from});
  std::vector<double> dense(size_t(to * from), 0.0);
  for (size_t k = 0; k < taps.index.size(); ++k)
    for (int64_t o = 0; o < to; ++o)
      dense[size_t(o * from + taps.index[k][size_t(o)])] += taps.weight[k][size_t(o)];
  for (size_t i = 0; i < dense.size(); ++i)
    storeFloat(m, int64_t(i), dense[i]);
  std::optional<Dim> n = Dim(1), rest = Dim(1);
  for (size_t i = 0; i < s.size(); ++i) {
    std::optional<Dim> &d = int64_t(i) < axis ? n : rest;
    if (int64_t(i) != axis && d)
      d = Dim::mul(*d, s[i]);
  }
  if (!n || !rest) // sizes past int64: nothing this large gets here, but taps need no product
    return applyTaps(ctx, x, taps, axis, r);
  MaybeId xs = ctx.reshape(x.tensor, {*n, Dim(from), *rest}, r);
  MaybeId y = xs ? ctx.matmul(ctx.constant(std::move(m), r), *xs, r) : std::nullopt;
  s[size_t(axis)] = Dim(to);
  return tensorValue(y ? ctx.reshape(*y, s, r) : std::nullopt, r);
}

// resize_bilinear along one axis: `a + (b - a) * t` in float32, like TensorFlow's kernel.
Value lerpAxis(Context &ctx, const Value &x, int64_t axis, int64_t from, int64_t to,
               SourceRange r) {
  resize::Lerp l = resize::bilinear(from, to);
  Value a = gatherAlong(ctx, x, l.lo, axis, r), b = gatherAlong(ctx, x, l.hi, axis, r);
  Value t = weightsAlong(ctx, std::vector<double>(l.t.begin(), l.t.end()), axis,
                         ctx.typeOf(x.tensor).rank(), r);
  return ew(ctx, Op::Add, {a, ew(ctx, Op::Mul, {ew(ctx, Op::Sub, {b, a}, r), t}, r)}, r);
}

constexpr std::string_view kResizeMethods[] = {"bilinear", "nearest",  "bicubic",  "area",
                                               "lanczos3", "lanczos5", "gaussian", "mitchellcubic"};

// The image axes of a resize and their sizes, from and to.
struct ResizeAxes {
  int64_t hAxis, wAxis, h, w, toH, toW;
};

// The taps of an axis that have a weight other than zero somewhere.
int64_t liveTaps(const resize::AxisTaps &taps) {
  int64_t n = 0;
  for (const auto &w : taps.weight)
    n += std::any_of(w.begin(), w.end(), [](float v) { return v != 0.0f; }) ? 1 : 0;
  return std::max<int64_t>(n, 1);
}

// Both axes of a resize, the height first or the width first as TensorFlow's kernel does. One
// fused loop computes each output from kh * kw gathered pixels (the first axis's sums again
// for every tap of the second); two products cost toH * W * (H + toW) multiply-adds per
// channel, at about a fifth of the time each (measured with `lamina bench` on 64x64 <->
// 224x224 images: docs/performance.md, "Known gaps"). Taps win for the small kernels (bilinear,
// bicubic, area, antialiased bilinear), products for Lanczos and for antialiased downsampling by
// large factors. Taps are TensorFlow's sums bit for bit; products are within a few roundings.
Value resizeBoth(Context &ctx, const Value &x, const ResizeAxes &s, const resize::AxisTaps &h,
                 const resize::AxisTaps &w, bool heightFirst, SourceRange r) {
  constexpr double kTapPerProductCost = 4.5;
  double taps = double(s.toH) * double(s.toW) * double(liveTaps(h) * liveTaps(w));
  double products = double(s.toH) * double(s.w) * double(s.h + s.toW);
  auto along = kTapPerProductCost * taps > products ? productAlong : applyTaps;
  if (heightFirst)
    return along(ctx, along(ctx, x, h, s.hAxis, r), w, s.wAxis, r);
  return along(ctx, along(ctx, x, w, s.wAxis, r), h, s.hAxis, r);
}

// tf.image.resize (resize_images_v2) with the sizes known: the kernel TensorFlow picks for the
// method, each axis in the order TensorFlow's kernel resizes them. Float32 results; nearest
// keeps the dtype.
Value resizeImage(Context &ctx, Value x, const ResizeAxes &s, std::string_view method,
                  bool antialias, SourceRange r) {
  if (method == "nearest") {
    x = gatherAlong(ctx, x, resize::nearest(s.w, s.toW), s.wAxis, r);
    return gatherAlong(ctx, x, resize::nearest(s.h, s.toH), s.hAxis, r);
  }
  // TensorFlow's kernels read every pixel as float32 before they weight it.
  x = Value::ofTensor(ctx.cast(x.tensor, DType::F32, r), r);
  if (method == "bilinear" && !antialias) // ResizeBilinear: the width, then the height
    return lerpAxis(ctx, lerpAxis(ctx, x, s.wAxis, s.w, s.toW, r), s.hAxis, s.h, s.toH, r);
  if (method == "bicubic" && !antialias) // ResizeBicubic: the height, then the width
    return resizeBoth(ctx, x, s, resize::bicubic(s.h, s.toH), resize::bicubic(s.w, s.toW), true, r);
  if (method == "area") { // ResizeArea, antialiasing or not: the width, the height, the scale
    x = resizeBoth(ctx, x, s, resize::area(s.h, s.toH), resize::area(s.w, s.toW), false, r);
    return ew(ctx, Op::Mul, {x, num(resize::areaNormaliser(s.h, s.toH, s.w, s.toW), r)}, r);
  }
  // ScaleAndTranslate: the height, then the width.
  using resize::Filter;
  Filter f = method == "bilinear"   ? Filter::Triangle
             : method == "bicubic"  ? Filter::KeysCubic
             : method == "lanczos3" ? Filter::Lanczos3
             : method == "lanczos5" ? Filter::Lanczos5
             : method == "gaussian" ? Filter::Gaussian
                                    : Filter::MitchellCubic;
  return resizeBoth(ctx, x, s, resize::scaleAndTranslate(f, s.h, s.toH, antialias),
                    resize::scaleAndTranslate(f, s.w, s.toW, antialias), true, r);
}

// The known height and width of an image argument.
std::optional<ResizeAxes> knownImageSize(Context &ctx, const Value &x, int64_t hAxis,
                                         const CallArgs &a) {
  auto h = knownSize(ctx, x, hAxis, a), w = knownSize(ctx, x, hAxis + 1, a);
  if (!h || !w)
    return std::nullopt;
  return ResizeAxes{hAxis, hAxis + 1, *h, *w, *h, *w};
}

// `size` as [height, width], both positive.
std::optional<std::pair<int64_t, int64_t>> sizeArg(Context &ctx, const CallArgs &a, size_t i) {
  auto size = intListArg(ctx, a[i], "`size`");
  if (!size)
    return std::nullopt;
  if (size->size() != 2 || (*size)[0] <= 0 || (*size)[1] <= 0) {
    ctx.fail(DiagKind::WrongKind, a[i].range, argName(a, i), "two positive sizes [height, width]",
             ctx.describe(a[i]));
    return std::nullopt;
  }
  return std::pair{(*size)[0], (*size)[1]};
}

// tf.image.resize(images, size, method='bilinear', preserve_aspect_ratio=False,
// antialias=False). With preserve_aspect_ratio the image is scaled by the smaller of the two
// ratios, each new size rounded half to even in float32 as TensorFlow's graph computes it.
Value resize(Context &ctx, const CallArgs &a) {
  auto image = imageArg(ctx, a);
  auto size = image ? sizeArg(ctx, a, 1) : std::nullopt;
  auto method = image ? stringArg(ctx, a, 2, kResizeMethods) : std::nullopt;
  auto keepAspect = boolArg(ctx, a, 3), antialias = boolArg(ctx, a, 4);
  if (!image || !size || !method || !keepAspect || !antialias)
    return Value::error(a.range);
  auto s = knownImageSize(ctx, image->x, image->h, a);
  if (!s)
    return Value::error(a.range);
  s->toH = size->first;
  s->toW = size->second;
  if (*keepAspect) {
    float factor = std::min(float(s->toH) / float(s->h), float(s->toW) / float(s->w));
    s->toH = int64_t(std::nearbyint(factor * float(s->h)));
    s->toW = int64_t(std::nearbyint(factor * float(s->w)));
    if (s->toH <= 0 || s->toW <= 0)
      return ctx.fail(DiagKind::WrongKind, a[1].range, argName(a, 1),
                      "sizes that keep the aspect ratio with at least one pixel",
                      ctx.describe(a[1]));
  }
  return resizeImage(ctx, image->x, *s, *method, *antialias, a.range);
}

// The image in a box of zeros: `top` rows above it and `left` columns before it.
Value padImage(Context &ctx, const Image &image, int64_t top, int64_t left, int64_t bottom,
               int64_t right, double fill, std::string_view calledAs, SourceRange r) {
  size_t rank = ctx.typeOf(image.x.tensor).rank();
  std::vector<Value> widths;
  for (size_t i = 0; i < rank; ++i) {
    int64_t before = int64_t(i) == image.h ? top : int64_t(i) == image.w ? left : 0;
    int64_t after = int64_t(i) == image.h ? bottom : int64_t(i) == image.w ? right : 0;
    widths.push_back(Value::seq({Value::integer(before, r), Value::integer(after, r)}, false, r));
  }
  const BuiltinDef *pad = findBuiltin("pad");
  CallArgs p{pad,
             calledAs,
             r,
             {image.x, Value::seq(std::move(widths), false, r), Value::string("constant", r),
              Value::real(fill, r)},
             {true, true, false, false}};
  return pad->lower(ctx, p);
}

// tf.image.resize_with_pad(image, target_height, target_width, method='bilinear',
// antialias=False): resized to fit the target keeping the aspect ratio, then centred in zeros;
// the sizes in float32 as TensorFlow's graph computes them.
Value resizeWithPad(Context &ctx, const CallArgs &a) {
  auto image = imageArg(ctx, a);
  auto th = intArg(ctx, a, 1), tw = intArg(ctx, a, 2);
  auto method = image ? stringArg(ctx, a, 3, kResizeMethods) : std::nullopt;
  auto antialias = boolArg(ctx, a, 4);
  if (!image || !th || !tw || !method || !antialias)
    return Value::error(a.range);
  if (*th <= 0 || *tw <= 0)
    return ctx.fail(DiagKind::WrongKind, a[*th <= 0 ? 1 : 2].range, argName(a, *th <= 0 ? 1 : 2),
                    "a positive size", ctx.describe(a[*th <= 0 ? 1 : 2]));
  auto s = knownImageSize(ctx, image->x, image->h, a);
  if (!s)
    return Value::error(a.range);
  float ratio = std::max(float(s->w) / float(*tw), float(s->h) / float(*th));
  float fh = float(s->h) / ratio, fw = float(s->w) / ratio;
  s->toH = int64_t(std::floor(fh));
  s->toW = int64_t(std::floor(fw));
  if (s->toH <= 0 || s->toW <= 0)
    return ctx.fail(DiagKind::WrongKind, a.range, fmt::format("`{}`", a.calledAs),
                    "a target that keeps at least one pixel of the image",
                    fmt::format("{}x{}", *th, *tw));
  int64_t top = std::max<int64_t>(0, int64_t(std::floor((float(*th) - fh) / 2)));
  int64_t left = std::max<int64_t>(0, int64_t(std::floor((float(*tw) - fw) / 2)));
  Image resized{resizeImage(ctx, image->x, *s, *method, *antialias, a.range), image->h, image->w};
  return padImage(ctx, resized, top, left, *th - top - s->toH, *tw - left - s->toW, 0, a.calledAs,
                  a.range);
}

// tf.image.resize_with_crop_or_pad(image, target_height, target_width): the centre cropped
// where the image is larger, zeros around it where smaller (offsets floor(difference / 2)).
Value resizeWithCropOrPad(Context &ctx, const CallArgs &a) {
  auto image = imageArg(ctx, a);
  auto th = intArg(ctx, a, 1), tw = intArg(ctx, a, 2);
  if (!image || !th || !tw)
    return Value::error(a.range);
  if (*th <= 0 || *tw <= 0)
    return ctx.fail(DiagKind::WrongKind, a[*th <= 0 ? 1 : 2].range, argName(a, *th <= 0 ? 1 : 2),
                    "a positive size", ctx.describe(a[*th <= 0 ? 1 : 2]));
  auto s = knownImageSize(ctx, image->x, image->h, a);
  if (!s)
    return Value::error(a.range);
  auto floorHalf = [](int64_t v) { return v >= 0 ? v / 2 : -((-v + 1) / 2); };
  int64_t cropTop = std::max<int64_t>(floorHalf(s->h - *th), 0);
  int64_t cropLeft = std::max<int64_t>(floorHalf(s->w - *tw), 0);
  int64_t padTop = std::max<int64_t>(floorHalf(*th - s->h), 0);
  int64_t padLeft = std::max<int64_t>(floorHalf(*tw - s->w), 0);
  int64_t ch = std::min(*th, s->h), cw = std::min(*tw, s->w);
  Image cropped{cropBox(ctx, *image, cropTop, cropLeft, ch, cw, a.range), image->h, image->w};
  if (ch == *th && cw == *tw)
    return cropped.x;
  return padImage(ctx, cropped, padTop, padLeft, *th - padTop - ch, *tw - padLeft - cw, 0,
                  a.calledAs, a.range);
}

// keras.ops.image.resize(images, size, interpolation='bilinear', antialias=False,
// crop_to_aspect_ratio=False, pad_to_aspect_ratio=False, fill_mode='constant', fill_value=0.0,
// data_format=None), as Keras 3 computes it on TensorFlow: the centre cropped (or the image
// padded with fill_value by the same amount on both sides) to the target's aspect ratio, then
// tf.image.resize, then the result cast back to the input's dtype (integers rounded half to
// even and saturated).
Value kerasResize(Context &ctx, const CallArgs &a) {
  static constexpr std::string_view kInterpolations[] = {"bilinear", "nearest", "lanczos3",
                                                         "lanczos5", "bicubic", "area"};
  static constexpr std::string_view kFillModes[] = {"constant"};
  static constexpr std::string_view kFormats[] = {"channels_last", "channels_first"};
  auto image = imageArg(ctx, a);
  auto size = image ? sizeArg(ctx, a, 1) : std::nullopt;
  auto method = image ? stringArg(ctx, a, 2, kInterpolations) : std::nullopt;
  auto antialias = boolArg(ctx, a, 3), crop = boolArg(ctx, a, 4), pad = boolArg(ctx, a, 5);
  auto fillMode = stringArg(ctx, a, 6, kFillModes);
  auto fill = floatArg(ctx, a, 7);
  std::optional<std::string> format = std::string("channels_last");
  if (!a.isNone(8))
    format = stringArg(ctx, a, 8, kFormats);
  if (!image || !size || !method || !antialias || !crop || !pad || !fillMode || !fill || !format)
    return Value::error(a.range);
  if (*crop && *pad)
    return ctx.fail(DiagKind::WrongKind, a[5].range, argName(a, 5),
                    "False when `crop_to_aspect_ratio` is True", ctx.describe(a[5]));
  SourceRange r = a.range;
  const DType dtype = ctx.typeOf(image->x.tensor).dtype;
  size_t rank = ctx.typeOf(image->x.tensor).rank();
  Value x = image->x;
  int64_t lead = int64_t(rank) - 3;  // 1 for a batch
  if (*format == "channels_first") { // to channels last
    std::vector<int64_t> perm;
    for (int64_t i = 0; i < lead; ++i)
      perm.push_back(i);
    for (int64_t i : {lead + 1, lead + 2, lead})
      perm.push_back(i);
    x = Value::ofTensor(ctx.transpose(x.tensor, perm, r), r);
  }
  Image img{x, lead, lead + 1};
  auto s = knownImageSize(ctx, x, lead, a);
  if (!s)
    return Value::error(r);
  const auto [th, tw] = *size;
  // Keras computes these in float32 and truncates toward zero.
  if (*crop) {
    int64_t ch = std::max<int64_t>(std::min(s->h, int64_t(float(s->w * th) / float(tw))), 1);
    int64_t cw = std::max<int64_t>(std::min(s->w, int64_t(float(s->h * tw) / float(th))), 1);
    int64_t top = int64_t(float(s->h - ch) / 2), left = int64_t(float(s->w - cw) / 2);
    img.x = cropBox(ctx, img, top, left, ch, cw, r);
    s->h = ch;
    s->w = cw;
  } else if (*pad) {
    int64_t ph = std::max(s->h, int64_t(float(s->w * th) / float(tw)));
    int64_t pw = std::max(s->w, int64_t(float(s->h * tw) / float(th)));
    int64_t top = int64_t(float(ph - s->h) / 2), left = int64_t(float(pw - s->w) / 2);
    if (top > 0 || left > 0) {
      img.x = padImage(ctx, img, top, left, top, left, *fill, a.calledAs, r);
      s->h += 2 * top;
      s->w += 2 * left;
    }
  }
  s->toH = th;
  s->toW = tw;
  Value out = resizeImage(ctx, img.x, *s, *method, *antialias, r);
  if (ctx.typeOf(out.tensor).dtype != dtype) {
    if (!isFloat(dtype)) // lamina's float-to-integer cast saturates, as saturate_cast
      out = fun(ctx, Op::Round, out, r);
    out = Value::ofTensor(ctx.cast(out.tensor, dtype, r), r);
  }
  if (*format == "channels_first") {
    std::vector<int64_t> perm;
    for (int64_t i = 0; i < lead; ++i)
      perm.push_back(i);
    for (int64_t i : {lead + 2, lead, lead + 1})
      perm.push_back(i);
    out = Value::ofTensor(ctx.transpose(out.tensor, perm, r), r);
  }
  return out;
}

// K.resize_images(x, height_factor, width_factor, data_format, interpolation): tf.image.resize
// to the sizes times the integer factors, with any of its methods (Keras's legacy backend).
Value resizeImages(Context &ctx, const CallArgs &a) {
  static constexpr std::string_view kFormats[] = {"channels_last", "channels_first"};
  Value x = tensorOf(ctx, a[0]);
  auto fh = intArg(ctx, a, 1), fw = intArg(ctx, a, 2);
  auto format = stringArg(ctx, a, 3, kFormats);
  auto method = stringArg(ctx, a, 4, kResizeMethods);
  if (x.isError() || !fh || !fw || !format || !method)
    return Value::error(a.range);
  if (ctx.typeOf(x.tensor).rank() != 4)
    return ctx.fail(DiagKind::RankMismatch, a[0].range, "`resize_images`", "a batch of images",
                    ctx.typeOf(x.tensor).rank());
  if (*fh <= 0 || *fw <= 0)
    return ctx.fail(DiagKind::WrongKind, a[*fh <= 0 ? 1 : 2].range, argName(a, *fh <= 0 ? 1 : 2),
                    "a positive factor", ctx.describe(a[*fh <= 0 ? 1 : 2]));
  auto s = knownImageSize(ctx, x, *format == "channels_last" ? 1 : 2, a);
  if (!s)
    return Value::error(a.range);
  s->toH = s->h * *fh;
  s->toW = s->w * *fw;
  return resizeImage(ctx, x, *s, *method, false, a.range);
}

template <bool LeftRight> Value flip(Context &ctx, const CallArgs &a) {
  auto image = imageArg(ctx, a);
  return image ? reverseAxes(ctx, image->x, {LeftRight ? image->w : image->h}, a.range)
               : Value::error(a.range);
}

// tf.image.rot90(image, k): k quarter turns counter-clockwise (NumPy's rot90 on the image
// axes): a turn is a transpose of height and width, then the new height reversed.
Value rot90(Context &ctx, const CallArgs &a) {
  auto image = imageArg(ctx, a);
  auto k = intArg(ctx, a, 1);
  if (!image || !k)
    return Value::error(a.range);
  Value x = image->x;
  int64_t turns = ((*k % 4) + 4) % 4;
  if (turns == 2)
    return reverseAxes(ctx, x, {image->h, image->w}, a.range);
  if (turns == 0)
    return x;
  std::vector<int64_t> perm;
  for (int64_t i = 0; i < int64_t(ctx.typeOf(x.tensor).rank()); ++i)
    perm.push_back(i == image->h ? image->w : i == image->w ? image->h : i);
  if (turns == 1)
    return reverseAxes(ctx, Value::ofTensor(ctx.transpose(x.tensor, perm, a.range), a.range),
                       {image->h}, a.range);
  return Value::ofTensor(
      ctx.transpose(reverseAxes(ctx, x, {image->h}, a.range).tensor, perm, a.range), a.range);
}

// tf.nn.depth_to_space and space_to_depth (NHWC, TensorFlow's DCR order): blocks of
// block_size x block_size pixels and the channels that hold them.
template <bool ToSpace> Value depthSpace(Context &ctx, const CallArgs &a) {
  Value x = tensorOf(ctx, a[0]);
  auto b = intArg(ctx, a, 1);
  if (x.isError() || !b)
    return Value::error(a.range);
  Shape s = ctx.typeOf(x.tensor).shape;
  if (s.size() != 4)
    return ctx.fail(DiagKind::RankMismatch, a[0].range, fmt::format("`{}`", a.calledAs),
                    "a batch of images [batch, height, width, channels]", s.size());
  if (*b < 2)
    return ctx.fail(DiagKind::WrongKind, a[1].range, argName(a, 1), "2 or more",
                    ctx.describe(a[1]));
  Dim bd(*b), bb(*b * *b);
  auto div = [&](const Dim &d, const Dim &by) -> std::optional<Dim> {
    auto q = Dim::divExact(d, by);
    if (!q)
      ctx.fail(DiagKind::SplitMismatch, a.range, d.str(), fmt::format("blocks of {}", by.str()));
    return q;
  };
  const std::vector<int64_t> perm = {0, 1, 3, 2, 4, 5};
  SourceRange r = a.range;
  if (ToSpace) { // [N, H, W, b*b*C'] -> [N, H, W, b, b, C'] -> [N, H, b, W, b, C'] -> [N, Hb, Wb,
                 // C']
    auto c = div(s[3], bb);
    if (!c)
      return Value::error(r);
    MaybeId blocks = ctx.reshape(x.tensor, {s[0], s[1], s[2], bd, bd, *c}, r);
    if (!blocks)
      return Value::error(r);
    ValueId moved = ctx.transpose(*blocks, perm, r);
    auto hb = Dim::mul(s[1], bd), wb = Dim::mul(s[2], bd);
    return tensorValue(hb && wb ? ctx.reshape(moved, {s[0], *hb, *wb, *c}, r) : std::nullopt, r);
  }
  // [N, H, W, C] -> [N, H/b, b, W/b, b, C] -> [N, H/b, W/b, b, b, C] -> [N, H/b, W/b, b*b*C]
  auto h = div(s[1], bd), w = div(s[2], bd);
  if (!h || !w)
    return Value::error(r);
  MaybeId blocks = ctx.reshape(x.tensor, {s[0], *h, bd, *w, bd, s[3]}, r);
  if (!blocks)
    return Value::error(r);
  ValueId moved = ctx.transpose(*blocks, perm, r);
  auto c = Dim::mul(s[3], bb);
  return tensorValue(c ? ctx.reshape(moved, {s[0], *h, *w, *c}, r) : std::nullopt, r);
}

// tf.image.per_image_standardization: (x - mean) / max(stddev, 1 / sqrt(pixels * channels))
// over each image; integers become float32.
Value standardize(Context &ctx, const CallArgs &a) {
  auto image = imageArg(ctx, a);
  if (!image)
    return Value::error(a.range);
  SourceRange r = a.range;
  Value x = image->x;
  if (!isFloat(ctx.typeOf(x.tensor).dtype))
    x = Value::ofTensor(ctx.cast(x.tensor, DType::F32, r), r);
  std::vector<int64_t> axes = {image->h, image->w, image->w + 1};
  Value n = countOf(ctx, x, axes, r);
  Value m = ew(ctx, Op::Div, {reduce(ctx, Op::ReduceSum, x, axes, true, r), n}, r);
  Value d = ew(ctx, Op::Sub, {x, m}, r);
  Value var = ew(ctx, Op::Div,
                 {reduce(ctx, Op::ReduceSum, ew(ctx, Op::Mul, {d, d}, r), axes, true, r), n}, r);
  Value floor = ew(ctx, Op::Div, {num(1, r), fun(ctx, Op::Sqrt, n, r)}, r);
  return ew(ctx, Op::Div, {d, ew(ctx, Op::Max, {fun(ctx, Op::Sqrt, var, r), floor}, r)}, r);
}

// The arguments of crop_to_bounding_box and pad_to_bounding_box: the image, its known
// height and width, and the box (offset_height, offset_width, target_height, target_width).
struct Box {
  Image image;
  int64_t h, w, top, left, height, width;
};

std::optional<Box> boxArgs(Context &ctx, const CallArgs &a) {
  auto image = imageArg(ctx, a);
  auto top = intArg(ctx, a, 1), left = intArg(ctx, a, 2);
  auto height = intArg(ctx, a, 3), width = intArg(ctx, a, 4);
  if (!image || !top || !left || !height || !width)
    return std::nullopt;
  auto h = knownSize(ctx, image->x, image->h, a), w = knownSize(ctx, image->x, image->w, a);
  if (!h || !w)
    return std::nullopt;
  return Box{*image, *h, *w, *top, *left, *height, *width};
}

// tf.image.crop_to_bounding_box(image, offset_height, offset_width, target_height,
// target_width): the box must lie inside the image.
Value cropToBox(Context &ctx, const CallArgs &a) {
  auto b = boxArgs(ctx, a);
  if (!b)
    return Value::error(a.range);
  if (b->top < 0 || b->left < 0 || b->height <= 0 || b->width <= 0 || b->top + b->height > b->h ||
      b->left + b->width > b->w)
    return ctx.failWithLabel(
        "offsets must be 0 or more and the box inside the image", DiagKind::DoesNotFit, a.range,
        fmt::format("the {}x{} box at offset ({}, {})", b->height, b->width, b->top, b->left),
        fmt::format("the {}x{} image", b->h, b->w));
  return cropBox(ctx, b->image, b->top, b->left, b->height, b->width, a.range);
}

// tf.image.central_crop(image, central_fraction): TensorFlow's box, from the top-left corner
// int((size - size * fraction) / 2) on each side.
Value centralCrop(Context &ctx, const CallArgs &a) {
  auto image = imageArg(ctx, a);
  auto fraction = floatArg(ctx, a, 1);
  if (!image || !fraction)
    return Value::error(a.range);
  if (!(*fraction > 0 && *fraction <= 1))
    return ctx.fail(DiagKind::WrongKind, a[1].range, argName(a, 1), "a fraction in (0, 1]",
                    ctx.describe(a[1]));
  auto h = knownSize(ctx, image->x, image->h, a), w = knownSize(ctx, image->x, image->w, a);
  if (!h || !w)
    return Value::error(a.range);
  auto start = [&](int64_t size) { return int64_t((double(size) - double(size) * *fraction) / 2); };
  int64_t top = start(*h), left = start(*w);
  return cropBox(ctx, *image, top, left, *h - 2 * top, *w - 2 * left, a.range);
}

// tf.image.pad_to_bounding_box(image, offset_height, offset_width, target_height,
// target_width): zeros around the image.
Value padToBox(Context &ctx, const CallArgs &a) {
  auto b = boxArgs(ctx, a);
  if (!b)
    return Value::error(a.range);
  const Image *image = &b->image;
  int64_t bottom = b->height - b->top - b->h, right = b->width - b->left - b->w;
  if (b->top < 0 || b->left < 0 || bottom < 0 || right < 0)
    return ctx.failWithLabel(
        "offsets must be 0 or more and the image inside the target", DiagKind::DoesNotFit, a.range,
        fmt::format("the {}x{} image at offset ({}, {})", b->h, b->w, b->top, b->left),
        fmt::format("the {}x{} target", b->height, b->width));
  return padImage(ctx, *image, b->top, b->left, bottom, right, 0, a.calledAs, a.range);
}

// tf.image.rgb_to_grayscale: 0.2989 R + 0.5870 G + 0.1140 B, keeping a channel axis of 1.
Value rgbToGrayscale(Context &ctx, const CallArgs &a) {
  Value x = tensorOf(ctx, a[0]);
  if (x.isError())
    return x;
  SourceRange r = a.range;
  const TensorType t = ctx.typeOf(x.tensor);
  if (!isFloat(t.dtype))
    return ctx.fail(DiagKind::WrongKind, a[0].range, argName(a, 0),
                    "a float image (convert integers with `cast(x, 'float32') / 255`)",
                    ctx.describe(x));
  if (t.shape.empty() || t.shape.back() != Dim(3))
    return ctx.fail(DiagKind::WrongKind, a[0].range, argName(a, 0), "an image with 3 channels",
                    ctx.describe(x));
  Array weights = makeArray(t.dtype, {3});
  const double kWeights[] = {0.2989, 0.5870, 0.1140};
  for (int64_t i = 0; i < 3; ++i)
    storeFloat(weights, i, kWeights[i]);
  Value w = Value::ofTensor(ctx.constant(std::move(weights), r), r);
  return reduce(ctx, Op::ReduceSum, ew(ctx, Op::Mul, {x, w}, r), {int64_t(t.rank()) - 1}, true, r);
}

// The largest value of an integer dtype, as a double (TensorFlow's `dtype.max`).
double integerMax(DType t) {
  unsigned bits = 8 * byteSize(t) - (kindOf(t) == DTypeKind::Signed ? 1 : 0);
  return std::ldexp(1.0, int(bits)) - 1.0;
}

// tf.image.convert_image_dtype(image, dtype, saturate=False): integers are fractions of their
// type's largest value. Integer to float: cast, times 1 / max; float to integer: times
// (max + 0.5), then cast (clipped into range first when saturating); floats: cast.
Value convertImage(Context &ctx, const Value &x, DType to, bool saturate, const CallArgs &a) {
  SourceRange r = a.range;
  DType from = ctx.typeOf(x.tensor).dtype;
  if (from == to)
    return x;
  if (!isFloat(from) && !isFloat(to))
    return ctx.fail(DiagKind::Unsupported, r, "`convert_image_dtype` between integer types",
                    "convert to float32 and back");
  if (isFloat(to)) {
    Value y = Value::ofTensor(ctx.cast(x.tensor, to, r), r);
    return isFloat(from) ? y : ew(ctx, Op::Mul, {y, num(1.0 / integerMax(from), r)}, r);
  }
  Value scaled = ew(ctx, Op::Mul, {x, num(integerMax(to) + 0.5, r)}, r);
  if (saturate) {
    double low = kindOf(to) == DTypeKind::Signed ? -integerMax(to) - 1 : 0;
    scaled =
        ew(ctx, Op::Min, {ew(ctx, Op::Max, {scaled, num(low, r)}, r), num(integerMax(to), r)}, r);
  }
  return Value::ofTensor(ctx.cast(scaled.tensor, to, r), r);
}

Value convertImageDtype(Context &ctx, const CallArgs &a) {
  Value x = tensorOf(ctx, a[0]);
  auto to = dtypeArg(ctx, a, 1, std::nullopt);
  auto saturate = boolArg(ctx, a, 2);
  if (x.isError() || !to || !saturate)
    return Value::error(a.range);
  return convertImage(ctx, x, *to, *saturate, a);
}

// tf.image.adjust_brightness(image, delta): delta added in float (f16 and f32 images as they
// are, others converted to f32 first), converted back with saturation.
Value adjustBrightness(Context &ctx, const CallArgs &a) {
  SourceRange r = a.range;
  Value x = tensorOf(ctx, a[0]);
  if (x.isError())
    return x;
  DType t = ctx.typeOf(x.tensor).dtype;
  bool asIs = t == DType::F16 || t == DType::F32;
  Value f = asIs ? x : convertImage(ctx, x, DType::F32, false, a);
  MaybeId delta = f.isError() ? std::nullopt : toTensor(ctx, a[1], ctx.typeOf(f.tensor).dtype);
  if (!delta)
    return Value::error(r);
  Value sum = ew(ctx, Op::Add, {f, Value::ofTensor(*delta, r)}, r);
  return asIs ? sum : convertImage(ctx, sum, t, true, a);
}

// tf.image.adjust_contrast(images, contrast_factor): each channel moved away from its mean
// over the image's height and width, `(x - mean) * factor + mean`, in float.
Value adjustContrast(Context &ctx, const CallArgs &a) {
  SourceRange r = a.range;
  auto image = imageArg(ctx, a);
  if (!image)
    return Value::error(r);
  DType t = ctx.typeOf(image->x.tensor).dtype;
  bool asIs = t == DType::F16 || t == DType::F32;
  Value f = asIs ? image->x : convertImage(ctx, image->x, DType::F32, false, a);
  if (f.isError())
    return f;
  Value mean = ew(ctx, Op::Div,
                  {reduce(ctx, Op::ReduceSum, f, {image->h, image->w}, true, r),
                   countOf(ctx, f, {image->h, image->w}, r)},
                  r);
  Value out =
      ew(ctx, Op::Add, {ew(ctx, Op::Mul, {ew(ctx, Op::Sub, {f, mean}, r), a[1]}, r), mean}, r);
  return asIs ? out : convertImage(ctx, out, t, true, a);
}

constexpr BuiltinDef kImages[] = {
    {"resize",
     "images|image|x, size, method='bilinear', preserve_aspect_ratio=False, "
     "antialias=False",
     resize,
     "TensorFlow 2's resize, every method (bilinear, nearest, bicubic, area, lanczos3, "
     "lanczos5, gaussian, mitchellcubic), antialias: f32 (nearest keeps the dtype)"},
    {"resize_with_pad", "image|x, target_height, target_width, method='bilinear', antialias=False",
     resizeWithPad, "resized to fit the target keeping the aspect ratio, centred in zeros"},
    {"resize_with_crop_or_pad", "image|x, target_height, target_width", resizeWithCropOrPad,
     "the centre cropped, or zeros around the image, to the target size"},
    {"_resize_images",
     "x, height_factor, width_factor, data_format='channels_last', "
     "interpolation='nearest'",
     resizeImages, "Keras's resize_images: tf.image.resize by integer factors"},
    {"_keras_image_resize",
     "images, size, interpolation='bilinear', antialias=False, crop_to_aspect_ratio=False, "
     "pad_to_aspect_ratio=False, fill_mode='constant', fill_value=0.0, data_format=None",
     kerasResize,
     "Keras 3's image resize: cropped or padded to the aspect ratio, resized, cast back"},
    {"flip_left_right", "image|x", flip<true>, "reverse the width axis"},
    {"flip_up_down", "image|x", flip<false>, "reverse the height axis"},
    {"rot90", "image|x, k=1", rot90, "k quarter turns counter-clockwise"},
    {"depth_to_space", "input|x, block_size", depthSpace<true>,
     "channels into block_size x block_size pixels (NHWC, TensorFlow's order)"},
    {"space_to_depth", "input|x, block_size", depthSpace<false>,
     "block_size x block_size pixels into channels (NHWC, TensorFlow's order)"},
    {"per_image_standardization", "image|x", standardize,
     "`(x - mean) / max(std, 1 / sqrt(n))` over each image"},
    {"central_crop", "image|x, central_fraction", centralCrop,
     "the centre of each image, central_fraction of its height and width"},
    {"crop_to_bounding_box", "image|x, offset_height, offset_width, target_height, target_width",
     cropToBox, "the box of the given size at the given offset"},
    {"pad_to_bounding_box", "image|x, offset_height, offset_width, target_height, target_width",
     padToBox, "the image at the given offset in a box of zeros"},
    {"rgb_to_grayscale", "images|image|x", rgbToGrayscale,
     "`0.2989 R + 0.5870 G + 0.1140 B`, one channel"},
    {"convert_image_dtype", "image|x, dtype, saturate=False", convertImageDtype,
     "integers as fractions of their largest value: u8 255 is 1.0 (TensorFlow)"},
    {"adjust_brightness", "image|x, delta", adjustBrightness,
     "`x + delta` in float, converted back with saturation"},
    {"adjust_contrast", "images|image|x, contrast_factor", adjustContrast,
     "`(x - mean) * factor + mean`, the mean per channel over height and width"},
};

} // namespace

std::span<const BuiltinDef> imageBuiltins() { return kImages; }

} // namespace lamina::sema
