// Image builtins (docs/language.md, "Images"): TensorFlow's tf.image and tf.nn operations on
// images laid out [batch, height, width, channels] or [height, width, channels], and Keras's
// resize_images. Each is written with the shape builtins, so it fuses like them: a resize is
// two gathers along the image's axes with constant indices and weights, computed here from
// the (known) sizes.

#include "compiler/sema/Compose.h"
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

// One axis of TensorFlow 2's resize (half-pixel centres, no antialiasing): nearest takes
// floor((i + 0.5) * scale); bilinear blends the two neighbours of (i + 0.5) * scale - 0.5,
// clamped to the edge, as `a + (b - a) * t` in float32 like TensorFlow's kernel.
Value resizeAxis(Context &ctx, const Value &x, int64_t axis, int64_t from, int64_t to,
                 bool bilinear, SourceRange r) {
  double scale = double(from) / double(to);
  std::vector<int64_t> lo, hi;
  std::vector<double> t;
  for (int64_t i = 0; i < to; ++i) {
    if (!bilinear) {
      lo.push_back(std::min(int64_t(std::floor((double(i) + 0.5) * scale)), from - 1));
      continue;
    }
    double in = (double(i) + 0.5) * scale - 0.5;
    double f = std::floor(in);
    lo.push_back(std::clamp(int64_t(f), int64_t(0), from - 1));
    hi.push_back(std::clamp(int64_t(std::ceil(in)), int64_t(0), from - 1));
    t.push_back(double(float(in - f)));
  }
  Value a = gatherAlong(ctx, x, lo, axis, r);
  if (!bilinear)
    return a;
  Value b = gatherAlong(ctx, x, hi, axis, r);
  Value w = weightsAlong(ctx, t, axis, ctx.typeOf(x.tensor).rank(), r);
  return ew(ctx, Op::Add, {a, ew(ctx, Op::Mul, {ew(ctx, Op::Sub, {b, a}, r), w}, r)}, r);
}

// tf.image.resize(images, size, method='bilinear', preserve_aspect_ratio=False,
// antialias=False): float32 results (nearest keeps the dtype, as TensorFlow).
Value resize(Context &ctx, const CallArgs &a) {
  static constexpr std::string_view kMethods[] = {"bilinear", "nearest",      "bicubic",
                                                  "area",     "lanczos3",     "lanczos5",
                                                  "gaussian", "mitchellcubic"};
  auto image = imageArg(ctx, a);
  auto size = image ? intListArg(ctx, a[1], "`size`") : std::nullopt;
  auto method = image ? stringArg(ctx, a, 2, kMethods) : std::nullopt;
  auto keepAspect = boolArg(ctx, a, 3), antialias = boolArg(ctx, a, 4);
  if (!image || !size || !method || !keepAspect || !antialias)
    return Value::error(a.range);
  if (size->size() != 2 || (*size)[0] <= 0 || (*size)[1] <= 0)
    return ctx.fail(DiagKind::WrongKind, a[1].range, argName(a, 1),
                    "two positive sizes [height, width]", ctx.describe(a[1]));
  if (*method != "bilinear" && *method != "nearest")
    return ctx.fail(DiagKind::Unsupported, a[2].range, fmt::format("method '{}'", *method),
                    "lamina resizes with 'bilinear' and 'nearest'");
  if (*keepAspect || (*antialias && *method == "bilinear"))
    return ctx.fail(DiagKind::Unsupported, a.range,
                    *keepAspect ? "`preserve_aspect_ratio=True`" : "`antialias=True`",
                    "lamina resizes without them");
  bool bilinear = *method == "bilinear";
  Value x = image->x;
  auto h = knownSize(ctx, x, image->h, a), w = knownSize(ctx, x, image->w, a);
  if (!h || !w)
    return Value::error(a.range);
  if (bilinear)
    x = Value::ofTensor(ctx.cast(x.tensor, DType::F32, a.range), a.range);
  x = resizeAxis(ctx, x, image->w, *w, (*size)[1], bilinear, a.range);
  return resizeAxis(ctx, x, image->h, *h, (*size)[0], bilinear, a.range);
}

// K.resize_images(x, height_factor, width_factor, data_format, interpolation): each pixel
// repeated (nearest) or blended (bilinear) to the integer factors.
Value resizeImages(Context &ctx, const CallArgs &a) {
  static constexpr std::string_view kFormats[] = {"channels_last", "channels_first"};
  static constexpr std::string_view kMethods[] = {"nearest", "bilinear"};
  Value x = tensorOf(ctx, a[0]);
  auto fh = intArg(ctx, a, 1), fw = intArg(ctx, a, 2);
  auto format = stringArg(ctx, a, 3, kFormats);
  auto method = stringArg(ctx, a, 4, kMethods);
  if (x.isError() || !fh || !fw || !format || !method)
    return Value::error(a.range);
  if (ctx.typeOf(x.tensor).rank() != 4)
    return ctx.fail(DiagKind::RankMismatch, a[0].range, "`resize_images`", "a batch of images",
                    ctx.typeOf(x.tensor).rank());
  int64_t hAxis = *format == "channels_last" ? 1 : 2;
  auto h = knownSize(ctx, x, hAxis, a), w = knownSize(ctx, x, hAxis + 1, a);
  if (!h || !w)
    return Value::error(a.range);
  bool bilinear = *method == "bilinear";
  if (bilinear)
    x = Value::ofTensor(ctx.cast(x.tensor, DType::F32, a.range), a.range);
  x = resizeAxis(ctx, x, hAxis + 1, *w, *w * *fw, bilinear, a.range);
  return resizeAxis(ctx, x, hAxis, *h, *h * *fh, bilinear, a.range);
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
  size_t rank = ctx.typeOf(image->x.tensor).rank();
  std::vector<Value> widths;
  for (size_t i = 0; i < rank; ++i) {
    int64_t before = int64_t(i) == image->h ? b->top : int64_t(i) == image->w ? b->left : 0;
    int64_t after = int64_t(i) == image->h ? bottom : int64_t(i) == image->w ? right : 0;
    widths.push_back(Value::seq({Value::integer(before, a.range), Value::integer(after, a.range)},
                                false, a.range));
  }
  const BuiltinDef *pad = findBuiltin("pad");
  CallArgs p{pad,
             a.calledAs,
             a.range,
             {image->x, Value::seq(std::move(widths), false, a.range),
              Value::string("constant", a.range), Value::integer(0, a.range)},
             {true, true, false, false}};
  return pad->lower(ctx, p);
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

constexpr BuiltinDef kImages[] = {
    {"resize",
     "images|image|x, size, method='bilinear', preserve_aspect_ratio=False, "
     "antialias=False",
     resize, "TensorFlow 2's resize: 'bilinear' (f32) or 'nearest', half-pixel centres"},
    {"_resize_images",
     "x, height_factor, width_factor, data_format='channels_last', "
     "interpolation='nearest'",
     resizeImages, "Keras's resize_images: each pixel repeated (or blended) by the factors"},
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
};

} // namespace

std::span<const BuiltinDef> imageBuiltins() { return kImages; }

} // namespace lamina::sema
