// The per-axis sampling tables of TensorFlow 2's image resizes (tf.image.resize), computed at
// compile time from the known sizes. TensorFlow resizes the two image axes separately: each
// output pixel of an axis is a weighted sum of a few input pixels, so an axis is a list of
// taps, each an input index and a float32 weight per output position. The tables reproduce
// TensorFlow's kernels float operation for float operation (resize_bicubic_op.cc,
// resize_area_op.cc, scale_and_translate_op.cc, sampling_kernels.h), so the sums that apply
// them round as TensorFlow's do.

#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace lamina::sema::resize {

// out[i] = sum over taps k, in order, of in[index[k][i]] * weight[k][i], in float32.
struct AxisTaps {
  std::vector<std::vector<int64_t>> index; // [tap][output position]
  std::vector<std::vector<float>> weight;  // [tap][output position]
};

// The filters of TensorFlow's ScaleAndTranslate kernel (sampling_kernels.h).
enum class Filter { Triangle, KeysCubic, MitchellCubic, Lanczos3, Lanczos5, Gaussian };

// ScaleAndTranslate along one axis (no translation): the filter at half-pixel centres, its
// support stretched by the scale when antialiasing a downsample, taps outside the image
// dropped and the rest normalised to sum to 1.
AxisTaps scaleAndTranslate(Filter filter, int64_t from, int64_t to, bool antialias);

// resize_bicubic with half-pixel centres: Keys' cubic (a = -0.5) from TensorFlow's 1024-entry
// table, taps outside the image dropped and the rest renormalised.
AxisTaps bicubic(int64_t from, int64_t to);

// resize_area along one axis: each input cell weighted by how much of it the output cell
// covers, in input pixels (the caller divides by both axes' scales at the end, as TensorFlow).
AxisTaps area(int64_t from, int64_t to);

// resize_area's final factor, 1 / (height_scale * width_scale) as TensorFlow rounds it.
float areaNormaliser(int64_t fromH, int64_t toH, int64_t fromW, int64_t toW);

// resize_nearest_neighbor with half-pixel centres: the input index of each output position.
std::vector<int64_t> nearest(int64_t from, int64_t to);

// resize_bilinear with half-pixel centres: the two neighbours and the fraction of the way
// from the first to the second, blended as `a + (b - a) * t`.
struct Lerp {
  std::vector<int64_t> lo, hi;
  std::vector<float> t;
};
Lerp bilinear(int64_t from, int64_t to);

} // namespace lamina::sema::resize
