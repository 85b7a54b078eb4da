// TensorFlow's resize tables (ResizeWeights.h). Every expression keeps TensorFlow's operand
// types - float where its kernels compute in float, double where C++ promotes them - because
// the point of the tables is to round exactly as TensorFlow does. (lamina is built for the
// baseline x86-64 and AArch64 targets without -ffast-math; the one contraction that could
// change a table, AArch64 fused multiply-adds, would move a weight by an ulp.)

#include "compiler/sema/ResizeWeights.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace lamina::sema::resize {
namespace {

int64_t bound(int64_t i, int64_t size) { return std::min(size - 1, std::max(int64_t(0), i)); }

// TensorFlow's resize scale with half-pixel centres and without align_corners: in / out in
// float (CalculateResizeScale).
float resizeScale(int64_t from, int64_t to) { return float(from) / float(to); }

// The filters of sampling_kernels.h, each evaluated at |x|.
float evaluate(Filter filter, float x) {
  x = std::abs(x);
  switch (filter) {
  case Filter::Triangle:
    return x < 1.0f ? 1.0f - x : 0.0f;
  case Filter::KeysCubic:
    if (x >= 2.0f)
      return 0.0f;
    if (x >= 1.0f)
      return ((-0.5f * x + 2.5f) * x - 4.0f) * x + 2.0f;
    return ((1.5f * x - 2.5f) * x) * x + 1.0f;
  case Filter::MitchellCubic:
    if (x >= 2.0f)
      return 0.0f;
    if (x >= 1.0f)
      return (((-7.0f / 18.0f) * x + 2.0f) * x - 10.0f / 3.0f) * x + 16.0f / 9.0f;
    return (((7.0f / 6.0f) * x - 2.0f) * x) * x + 8.0f / 9.0f;
  case Filter::Lanczos3:
  case Filter::Lanczos5: {
    const float radius = filter == Filter::Lanczos3 ? 3.0f : 5.0f;
    constexpr float kPi = 3.14159265359f;
    if (x > radius)
      return 0.0f;
    if (x <= 1e-3) // sin(x) / x at 0
      return 1.0f;
    return radius * std::sin(kPi * x) * std::sin(kPi * x / radius) / (kPi * kPi * x * x);
  }
  case Filter::Gaussian: {
    constexpr float kRadius = 1.5f, kSigma = kRadius / 3.0f;
    if (x >= kRadius)
      return 0.0f;
    return float(std::exp(-x * x / (2.0 * kSigma * kSigma)));
  }
  }
  return 0.0f;
}

float radiusOf(Filter filter) {
  switch (filter) {
  case Filter::Triangle:
    return 1.0f;
  case Filter::KeysCubic:
  case Filter::MitchellCubic:
    return 2.0f;
  case Filter::Lanczos3:
    return 3.0f;
  case Filter::Lanczos5:
    return 5.0f;
  case Filter::Gaussian:
    return 1.5f;
  }
  return 1.0f;
}

// Lays per-output spans (a first index and its weights) out as taps, each index bound to the
// image; a span shorter than the longest is padded with zero weights on its last index, which
// adds an exact zero.
AxisTaps tapsOf(const std::vector<int64_t> &starts, const std::vector<std::vector<float>> &spans,
                int64_t from) {
  size_t n = 0;
  for (const auto &s : spans)
    n = std::max(n, s.size());
  n = std::max<size_t>(n, 1);
  AxisTaps taps;
  taps.index.assign(n, std::vector<int64_t>(starts.size()));
  taps.weight.assign(n, std::vector<float>(starts.size(), 0.0f));
  for (size_t i = 0; i < starts.size(); ++i)
    for (size_t k = 0; k < n; ++k) {
      taps.index[k][i] =
          bound(starts[i] + int64_t(std::min(k, std::max<size_t>(spans[i].size(), 1) - 1)), from);
      if (k < spans[i].size())
        taps.weight[k][i] = spans[i][k];
    }
  return taps;
}

// Weights scaled to sum to 1, unless their sum is too small to divide by (then all zero).
void normalise(std::vector<float> &w) {
  float sum = 0.0f;
  for (float v : w)
    sum += v;
  if (std::abs(sum) >= 1000.0f * std::numeric_limits<float>::min()) {
    const float inverse = 1.0f / sum;
    for (float &v : w)
      v *= inverse;
  } else {
    std::fill(w.begin(), w.end(), 0.0f);
  }
}

} // namespace

AxisTaps scaleAndTranslate(Filter filter, int64_t from, int64_t to, bool antialias) {
  // tf.image.resize passes scale = to / from in float; the kernel inverts it in double.
  const float scale = float(to) / float(from);
  const float invScale = float(1.0 / scale);
  const float kernelScale = antialias ? std::max(invScale, 1.0f) : 1.0f;
  const float reach = radiusOf(filter) * kernelScale;
  const float oneOverKernelScale = 1.0f / kernelScale;
  std::vector<int64_t> starts(static_cast<size_t>(to), 0);
  std::vector<std::vector<float>> spans(static_cast<size_t>(to));
  for (int64_t x = 0; x < to; ++x) {
    const float sample = (float(x) + 0.5f) * invScale;
    if (sample < 0 || sample > float(from))
      continue; // outside the image: an empty span, a zero output
    int64_t start = int64_t(std::ceil(sample - reach - 0.5f));
    int64_t end = int64_t(std::floor(sample + reach - 0.5f));
    start = bound(start, from);
    end = bound(end, from) + 1;
    std::vector<float> &w = spans[size_t(x)];
    for (int64_t source = start; source < end; ++source) {
      const float position = float(source) + 0.5f - sample;
      w.push_back(evaluate(filter, std::abs(position * oneOverKernelScale)));
    }
    normalise(w);
    starts[size_t(x)] = start;
  }
  return tapsOf(starts, spans, from);
}

AxisTaps bicubic(int64_t from, int64_t to) {
  // resize_bicubic_op.cc's table: Keys' cubic at i / 1024, computed in double, stored as float.
  constexpr int64_t kTable = 1024;
  static const std::vector<float> table = [] {
    constexpr double a = -0.5;
    std::vector<float> t(size_t(kTable + 1) * 2);
    for (int64_t i = 0; i <= kTable; ++i) {
      float x = float(double(i) * 1.0 / double(kTable));
      t[size_t(i) * 2] = float(((a + 2) * x - (a + 3)) * x * x + 1);
      x = float(x + 1.0);
      t[size_t(i) * 2 + 1] = float(((a * x - 5 * a) * x + 8 * a) * x - 4 * a);
    }
    return t;
  }();
  const float scale = resizeScale(from, to);
  std::vector<int64_t> starts(static_cast<size_t>(to));
  std::vector<std::vector<float>> spans(static_cast<size_t>(to));
  for (int64_t out = 0; out < to; ++out) {
    const float in = (float(out) + 0.5f) * scale - 0.5f;
    const int64_t at = int64_t(std::floor(in));
    const float delta = in - float(at);
    const int64_t offset = std::lrint(delta * float(kTable));
    const float coefficients[4] = {table[size_t(offset) * 2 + 1], table[size_t(offset) * 2],
                                   table[size_t(kTable - offset) * 2],
                                   table[size_t(kTable - offset) * 2 + 1]};
    // Four taps at at-1 .. at+2, each dropped when outside the image.
    std::vector<float> w(4);
    for (int64_t k = 0; k < 4; ++k)
      w[size_t(k)] = bound(at - 1 + k, from) == at - 1 + k ? coefficients[k] : 0.0f;
    float sum = ((w[0] + w[1]) + w[2]) + w[3];
    if (std::abs(sum) >= 1000.0f * std::numeric_limits<float>::min()) {
      const float inverse = 1.0f / sum;
      for (float &v : w)
        v *= inverse;
    }
    starts[size_t(out)] = at - 1; // tap k reads bound(at - 1 + k)
    spans[size_t(out)] = std::move(w);
  }
  return tapsOf(starts, spans, from);
}

AxisTaps area(int64_t from, int64_t to) {
  const float scale = resizeScale(from, to);
  std::vector<int64_t> starts(static_cast<size_t>(to));
  std::vector<std::vector<float>> spans(static_cast<size_t>(to));
  for (int64_t y = 0; y < to; ++y) {
    const float in0 = float(y) * scale, in1 = float(y + 1) * scale;
    const int64_t first = int64_t(std::floor(in0)), end = int64_t(std::ceil(in1));
    std::vector<float> &w = spans[size_t(y)];
    for (int64_t i = first; i < end; ++i) {
      // The part of input cell i inside [in0, in1], as resize_area_op.cc computes it.
      float cover;
      if (float(i) < in0)
        cover = float(i + 1) > in1 ? scale : float(i + 1) - in0;
      else
        cover = float(i + 1) > in1 ? in1 - float(i) : 1.0f;
      w.push_back(cover);
    }
    starts[size_t(y)] = first;
  }
  return tapsOf(starts, spans, from); // resize_area bounds every index, as tapsOf does
}

float areaNormaliser(int64_t fromH, int64_t toH, int64_t fromW, int64_t toW) {
  return float(1.0 / (resizeScale(fromH, toH) * resizeScale(fromW, toW)));
}

std::vector<int64_t> nearest(int64_t from, int64_t to) {
  const float scale = resizeScale(from, to);
  std::vector<int64_t> index(static_cast<size_t>(to));
  for (int64_t i = 0; i < to; ++i)
    index[size_t(i)] = bound(int64_t(std::floor((float(i) + 0.5f) * scale)), from);
  return index;
}

Lerp bilinear(int64_t from, int64_t to) {
  const float scale = resizeScale(from, to);
  Lerp l;
  for (int64_t i = 0; i < to; ++i) {
    const float in = (float(i) + 0.5f) * scale - 0.5f;
    const float floor = std::floor(in);
    l.lo.push_back(std::max(int64_t(floor), int64_t(0)));
    l.hi.push_back(std::min(int64_t(std::ceil(in)), from - 1));
    l.t.push_back(in - floor);
  }
  return l;
}

} // namespace lamina::sema::resize
