// The loops a C++ programmer would write for each layout case: contiguous inner loops the
// compiler vectorizes, per-column accumulators in a row-sized array for reductions over leading
// axes, blocked 2-D transposes, memcpy for row copies, cblas_sgemm for the large products.
// Built with -O3 -march=native -ffast-math, as the suite's references.

#include "bench/LayoutCases.h"

#include <cblas.h>
#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace lamina::bench {
namespace {

using I = int64_t;

const float *f32(const LayoutBuffers &b, size_t k = 0) {
  return static_cast<const float *>(b.in[k]);
}
float *outF32(const LayoutBuffers &b) { return static_cast<float *>(b.out); }
I dim(const LayoutBuffers &b, size_t input, size_t axis) { return b.shapes[input][axis]; }

// Column reductions of a [rows, cols] matrix into out[cols]: one pass, a row at a time.
template <class F> void columns(const LayoutBuffers &b, float init, F op) {
  const float *__restrict x = f32(b);
  float *__restrict y = outF32(b);
  I rows = dim(b, 0, 0), cols = dim(b, 0, 1);
  std::fill(y, y + cols, init);
  for (I i = 0; i < rows; ++i)
    for (I j = 0; j < cols; ++j)
      y[j] = op(y[j], x[i * cols + j]);
}

void sumAxis0(const LayoutBuffers &b) {
  columns(b, 0.0f, [](float a, float v) { return a + v; });
}
void maxAxis0(const LayoutBuffers &b) {
  columns(b, -std::numeric_limits<float>::infinity(),
          [](float a, float v) { return std::max(a, v); });
}

// [B, T, D] reduced over T into [B, D].
template <class F> void middle(const LayoutBuffers &b, float init, F op, float scale) {
  const float *__restrict x = f32(b);
  float *__restrict y = outF32(b);
  I batch = dim(b, 0, 0), t = dim(b, 0, 1), d = dim(b, 0, 2);
  for (I i = 0; i < batch; ++i) {
    float *__restrict row = y + i * d;
    std::fill(row, row + d, init);
    for (I k = 0; k < t; ++k)
      for (I j = 0; j < d; ++j)
        row[j] = op(row[j], x[(i * t + k) * d + j]);
    if (scale != 1.0f)
      for (I j = 0; j < d; ++j)
        row[j] *= scale;
  }
}

void meanMiddle(const LayoutBuffers &b) {
  middle(
      b, 0.0f, [](float a, float v) { return a + v; }, 1.0f / float(dim(b, 0, 1)));
}
void minMiddle(const LayoutBuffers &b) {
  middle(
      b, std::numeric_limits<float>::infinity(), [](float a, float v) { return std::min(a, v); },
      1.0f);
}

void sumAxes01(const LayoutBuffers &b) {
  const float *__restrict x = f32(b);
  float *__restrict y = outF32(b);
  I rows = dim(b, 0, 0) * dim(b, 0, 1), d = dim(b, 0, 2);
  std::fill(y, y + d, 0.0f);
  for (I i = 0; i < rows; ++i)
    for (I j = 0; j < d; ++j)
      y[j] += x[i * d + j];
}

void stride2(const LayoutBuffers &b) {
  const float *__restrict x = f32(b);
  float *__restrict y = outF32(b);
  I rows = dim(b, 0, 0), cols = dim(b, 0, 1), out = (cols + 1) / 2;
  for (I i = 0; i < rows; ++i)
    for (I j = 0; j < out; ++j)
      y[i * out + j] = x[i * cols + 2 * j];
}

void stride3Scaled(const LayoutBuffers &b) {
  const float *__restrict x = f32(b);
  float *__restrict y = outF32(b);
  I rows = dim(b, 0, 0), cols = dim(b, 0, 1), out = (cols - 1 + 2) / 3;
  for (I i = 0; i < rows; ++i)
    for (I j = 0; j < out; ++j)
      y[i * out + j] = x[i * cols + 1 + 3 * j] * 2.0f;
}

void reverseAxis0(const LayoutBuffers &b) {
  const float *__restrict x = f32(b);
  float *__restrict y = outF32(b);
  I rows = dim(b, 0, 0), cols = dim(b, 0, 1);
  for (I i = 0; i < rows; ++i)
    for (I j = 0; j < cols; ++j)
      y[i * cols + j] = x[(rows - 1 - i) * cols + j] + 1.0f;
}

// Blocked, so that both the rows read and the rows written stay in cache.
void transpose2d(const LayoutBuffers &b) {
  const float *__restrict x = f32(b);
  float *__restrict y = outF32(b);
  I rows = dim(b, 0, 0), cols = dim(b, 0, 1);
  constexpr I kBlock = 32;
  for (I i0 = 0; i0 < rows; i0 += kBlock)
    for (I j0 = 0; j0 < cols; j0 += kBlock)
      for (I j = j0; j < std::min(cols, j0 + kBlock); ++j)
        for (I i = i0; i < std::min(rows, i0 + kBlock); ++i)
          y[j * rows + i] = x[i * cols + j];
}

void transpose102(const LayoutBuffers &b) {
  const float *x = f32(b);
  float *y = outF32(b);
  I n0 = dim(b, 0, 0), n1 = dim(b, 0, 1), d = dim(b, 0, 2);
  for (I j = 0; j < n1; ++j)
    for (I i = 0; i < n0; ++i)
      std::memcpy(y + (j * n0 + i) * d, x + (i * n1 + j) * d, size_t(d) * sizeof(float));
}

void argminRows(const LayoutBuffers &b) {
  const float *__restrict x = f32(b);
  auto *__restrict y = static_cast<int64_t *>(b.out);
  I rows = dim(b, 0, 0), cols = dim(b, 0, 1);
  for (I i = 0; i < rows; ++i) {
    const float *row = x + i * cols;
    I best = 0;
    for (I j = 1; j < cols; ++j)
      if (row[j] < row[best])
        best = j;
    y[i] = best;
  }
}

void argmaxAxis0(const LayoutBuffers &b) {
  const float *__restrict x = f32(b);
  auto *__restrict y = static_cast<int64_t *>(b.out);
  I rows = dim(b, 0, 0), cols = dim(b, 0, 1);
  std::vector<float> best(x, x + cols);
  std::fill(y, y + cols, 0);
  for (I i = 1; i < rows; ++i)
    for (I j = 0; j < cols; ++j) {
      float v = x[i * cols + j];
      bool better = v > best[size_t(j)];
      best[size_t(j)] = better ? v : best[size_t(j)];
      y[j] = better ? i : y[j];
    }
}

// out[b] = a[b] @ w[b] for [B, M, K] @ [B, K, N]: OpenBLAS once per matrix, as NumPy's
// matmul does.
void batchedSgemm(const LayoutBuffers &b) {
  I batch = dim(b, 0, 0), m = dim(b, 0, 1), k = dim(b, 0, 2), n = dim(b, 1, 2);
  for (I p = 0; p < batch; ++p)
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(m), int(n), int(k), 1.0f,
                f32(b, 0) + p * m * k, int(k), f32(b, 1) + p * k * n, int(n), 0.0f,
                outF32(b) + p * m * n, int(n));
}

// OpenBLAS, single-threaded (the caller sets it): [M, K] @ [K, N].
void sgemm(const LayoutBuffers &b) {
  I m = dim(b, 0, 0), k = dim(b, 0, 1), n = dim(b, 1, 1);
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(m), int(n), int(k), 1.0f, f32(b, 0),
              int(k), f32(b, 1), int(n), 0.0f, outF32(b), int(n));
}

// Dense(activation='relu') as OpenBLAS users write it: the product, then one pass adding the
// bias and clamping.
void sgemmBiasRelu(const LayoutBuffers &b) {
  sgemm(b);
  I m = dim(b, 0, 0), n = dim(b, 1, 1);
  const float *__restrict bias = f32(b, 2);
  float *__restrict y = outF32(b);
  for (I i = 0; i < m; ++i)
    for (I j = 0; j < n; ++j)
      y[i * n + j] = std::max(y[i * n + j] + bias[j], 0.0f);
}

// einsum('bqd,bkd->bqk') = q[b] @ k[b]^T: OpenBLAS once per matrix, the right one transposed.
void attentionScores(const LayoutBuffers &b) {
  I batch = dim(b, 0, 0), t = dim(b, 0, 1), d = dim(b, 0, 2);
  for (I p = 0; p < batch; ++p)
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, int(t), int(t), int(d), 1.0f,
                f32(b, 0) + p * t * d, int(d), f32(b, 1) + p * t * d, int(d), 0.0f,
                outF32(b) + p * t * t, int(t));
}

void tile4(const LayoutBuffers &b) {
  const float *x = f32(b);
  float *y = outF32(b);
  I rows = dim(b, 0, 0), cols = dim(b, 0, 1);
  for (I i = 0; i < rows; ++i)
    for (I r = 0; r < 4; ++r)
      std::memcpy(y + (i * 4 + r) * cols, x + i * cols, size_t(cols) * sizeof(float));
}

void repeat2(const LayoutBuffers &b) {
  const float *__restrict x = f32(b);
  float *__restrict y = outF32(b);
  I n = dim(b, 0, 0) * dim(b, 0, 1);
  for (I i = 0; i < n; ++i) {
    y[2 * i] = x[i];
    y[2 * i + 1] = x[i];
  }
}

void reflectPad2(const LayoutBuffers &b) {
  const float *x = f32(b);
  float *y = outF32(b);
  I rows = dim(b, 0, 0), cols = dim(b, 0, 1), out = cols + 4;
  for (I i = 0; i < rows; ++i) {
    const float *row = x + i * cols;
    float *o = y + i * out;
    o[0] = row[2];
    o[1] = row[1];
    std::memcpy(o + 2, row, size_t(cols) * sizeof(float));
    o[cols + 2] = row[cols - 2];
    o[cols + 3] = row[cols - 3];
  }
}

void oneHot64(const LayoutBuffers &b) {
  const auto *i = static_cast<const int32_t *>(b.in[0]);
  float *y = outF32(b);
  I n = dim(b, 0, 0);
  std::memset(y, 0, size_t(n) * 64 * sizeof(float));
  for (I k = 0; k < n; ++k)
    if (i[k] >= 0 && i[k] < 64)
      y[k * 64 + i[k]] = 1.0f;
}

void cumsumAxis0(const LayoutBuffers &b) {
  const float *__restrict x = f32(b);
  float *__restrict y = outF32(b);
  I rows = dim(b, 0, 0), cols = dim(b, 0, 1);
  std::memcpy(y, x, size_t(cols) * sizeof(float));
  for (I i = 1; i < rows; ++i)
    for (I j = 0; j < cols; ++j)
      y[i * cols + j] = y[(i - 1) * cols + j] + x[i * cols + j];
}

void gatherRows(const LayoutBuffers &b) {
  const float *t = f32(b, 0);
  const auto *idx = static_cast<const int32_t *>(b.in[1]);
  float *y = outF32(b);
  I m = dim(b, 1, 0), d = dim(b, 0, 1);
  for (I k = 0; k < m; ++k)
    std::memcpy(y + k * d, t + I(idx[k]) * d, size_t(d) * sizeof(float));
}

void leakyF64(const LayoutBuffers &b) {
  const auto *__restrict x = static_cast<const double *>(b.in[0]);
  auto *__restrict y = static_cast<double *>(b.out);
  I n = dim(b, 0, 0);
  for (I i = 0; i < n; ++i)
    y[i] = x[i] > 0 ? x[i] : 0.1 * x[i];
}

#ifdef __F16C__
// Eight halves at a time through F16C: widen, compute in f32, round once.
void affineF16(const LayoutBuffers &b) {
  const auto *x = static_cast<const uint16_t *>(b.in[0]);
  auto *y = static_cast<uint16_t *>(b.out);
  I n = dim(b, 0, 0), i = 0;
  const __m256 two = _mm256_set1_ps(2.0f), one = _mm256_set1_ps(1.0f);
  for (; i + 8 <= n; i += 8) {
    __m256 v = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i *>(x + i)));
    v = _mm256_add_ps(_mm256_mul_ps(v, two), one);
    _mm_storeu_si128(reinterpret_cast<__m128i *>(y + i),
                     _mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT));
  }
  for (; i < n; ++i)
    y[i] = _cvtss_sh(_cvtsh_ss(x[i]) * 2.0f + 1.0f, _MM_FROUND_TO_NEAREST_INT);
}
#endif

// Python's floor division and modulo.
void divModI32(const LayoutBuffers &b) {
  const auto *__restrict x = static_cast<const int32_t *>(b.in[0]);
  auto *__restrict y = static_cast<int32_t *>(b.out);
  I n = dim(b, 0, 0);
  for (I i = 0; i < n; ++i) {
    int32_t v = x[i], q = v / 3, m = v % 7;
    q -= (v % 3 != 0) & (v < 0);
    m += m < 0 ? 7 : 0;
    y[i] = q + m;
  }
}

// Column softmax of [rows, cols]: the maxima, then exp and the sums, then the scaling.
void softmaxAxis0(const LayoutBuffers &b) {
  const float *__restrict x = f32(b);
  float *__restrict y = outF32(b);
  I rows = dim(b, 0, 0), cols = dim(b, 0, 1);
  std::vector<float> top(size_t(cols), -std::numeric_limits<float>::infinity());
  std::vector<float> sum(size_t(cols), 0.0f);
  float *__restrict mx = top.data(), *__restrict s = sum.data();
  for (I i = 0; i < rows; ++i)
    for (I j = 0; j < cols; ++j)
      mx[j] = std::max(mx[j], x[i * cols + j]);
  for (I i = 0; i < rows; ++i)
    for (I j = 0; j < cols; ++j) {
      float e = std::exp(x[i * cols + j] - mx[j]);
      y[i * cols + j] = e;
      s[j] += e;
    }
  for (I j = 0; j < cols; ++j)
    s[j] = 1.0f / s[j];
  for (I i = 0; i < rows; ++i)
    for (I j = 0; j < cols; ++j)
      y[i * cols + j] *= s[j];
}

void l2NormalizeAxis0(const LayoutBuffers &b) {
  const float *__restrict x = f32(b);
  float *__restrict y = outF32(b);
  I rows = dim(b, 0, 0), cols = dim(b, 0, 1);
  std::vector<float> sum(size_t(cols), 0.0f);
  float *__restrict s = sum.data();
  for (I i = 0; i < rows; ++i)
    for (I j = 0; j < cols; ++j)
      s[j] += x[i * cols + j] * x[i * cols + j];
  for (I j = 0; j < cols; ++j)
    s[j] = 1.0f / std::sqrt(std::max(s[j], 1e-12f));
  for (I i = 0; i < rows; ++i)
    for (I j = 0; j < cols; ++j)
      y[i * cols + j] = x[i * cols + j] * s[j];
}

// The variance of each column of a [rows, cols] matrix: the mean, then the squared deviations.
void columnVariance(const float *__restrict x, I rows, I cols, float *__restrict out) {
  std::vector<float> meanRow(static_cast<size_t>(cols), 0.0f);
  float *__restrict mean = meanRow.data();
  for (I i = 0; i < rows; ++i)
    for (I j = 0; j < cols; ++j)
      mean[j] += x[i * cols + j];
  for (I j = 0; j < cols; ++j)
    mean[j] /= float(rows);
  std::fill(out, out + cols, 0.0f);
  for (I i = 0; i < rows; ++i)
    for (I j = 0; j < cols; ++j) {
      float e = x[i * cols + j] - mean[j];
      out[j] += e * e;
    }
  for (I j = 0; j < cols; ++j)
    out[j] /= float(rows);
}

// std over T of [B, T, D]: a column variance per batch, while its rows are in cache.
void stdMiddle(const LayoutBuffers &b) {
  I batch = dim(b, 0, 0), t = dim(b, 0, 1), d = dim(b, 0, 2);
  for (I p = 0; p < batch; ++p) {
    float *row = outF32(b) + p * d;
    columnVariance(f32(b) + p * t * d, t, d, row);
    for (I j = 0; j < d; ++j)
      row[j] = std::sqrt(row[j]);
  }
}

void centerColumns(const LayoutBuffers &b) {
  const float *__restrict x = f32(b);
  float *__restrict y = outF32(b);
  I rows = dim(b, 0, 0), cols = dim(b, 0, 1);
  std::vector<float> sum(size_t(cols), 0.0f);
  float *__restrict s = sum.data();
  for (I i = 0; i < rows; ++i)
    for (I j = 0; j < cols; ++j)
      s[j] += x[i * cols + j];
  for (I j = 0; j < cols; ++j)
    s[j] /= float(rows);
  for (I i = 0; i < rows; ++i)
    for (I j = 0; j < cols; ++j)
      y[i * cols + j] = x[i * cols + j] - s[j];
}

// --- cases of our own

// Softmax over the middle axis of [B, T, D]: per batch, the three column passes over T rows.
void softmaxMiddle(const LayoutBuffers &b) {
  I batch = dim(b, 0, 0), t = dim(b, 0, 1), d = dim(b, 0, 2);
  for (I p = 0; p < batch; ++p) {
    LayoutBuffers one{{f32(b) + p * t * d}, {{t, d}}, outF32(b) + p * t * d};
    softmaxAxis0(one);
  }
}

void varAxis0(const LayoutBuffers &b) {
  columnVariance(f32(b), dim(b, 0, 0), dim(b, 0, 1), outF32(b));
}

void logsumexpRows(const LayoutBuffers &b) {
  const float *__restrict x = f32(b);
  float *__restrict y = outF32(b);
  I rows = dim(b, 0, 0), cols = dim(b, 0, 1);
  for (I i = 0; i < rows; ++i) {
    const float *row = x + i * cols;
    float m = -std::numeric_limits<float>::infinity();
    for (I j = 0; j < cols; ++j)
      m = std::max(m, row[j]);
    float s = 0;
    for (I j = 0; j < cols; ++j)
      s += std::exp(row[j] - m);
    y[i] = m + std::log(s);
  }
}

// Mean and max pooling over time, side by side: [B, T, D] -> [B, 2D].
void meanMaxPool(const LayoutBuffers &b) {
  const float *__restrict x = f32(b);
  float *__restrict y = outF32(b);
  I batch = dim(b, 0, 0), t = dim(b, 0, 1), d = dim(b, 0, 2);
  for (I p = 0; p < batch; ++p) {
    float *__restrict mean = y + p * 2 * d, *__restrict top = mean + d;
    std::fill(mean, mean + d, 0.0f);
    std::fill(top, top + d, -std::numeric_limits<float>::infinity());
    for (I k = 0; k < t; ++k)
      for (I j = 0; j < d; ++j) {
        float v = x[(p * t + k) * d + j];
        mean[j] += v;
        top[j] = std::max(top[j], v);
      }
    for (I j = 0; j < d; ++j)
      mean[j] /= float(t);
  }
}

} // namespace

std::vector<LayoutCase> layoutCases(int64_t n) {
  const int64_t R = n / 256, T = 16, D = 128, BT = std::max<int64_t>(1, n / (T * D));
  const int64_t V = 4096, M = std::max<int64_t>(1, n / 64);
  using E = Elem;
  std::vector<LayoutCase> cases = {
      {"P1", "sum axis0 odd width", "lambda x: sum(x, axis=0)", {{"x", {n / 100, 100}}}, sumAxis0},
      {"P2", "max axis0", "lambda x: max(x, axis=0)", {{"x", {R, 256}}}, maxAxis0},
      {"P3", "mean middle axis", "lambda x: mean(x, axis=1)", {{"x", {BT, T, D}}}, meanMiddle},
      {"P4", "sum axes (0, 1)", "lambda x: sum(x, axis=(0, 1))", {{"x", {BT, T, D}}}, sumAxes01},
      {"P5", "min axis -2", "lambda x: min(x, axis=-2)", {{"x", {BT, T, D}}}, minMiddle},
      {"P6", "stride 2", "lambda x: x[:, ::2]", {{"x", {R, 256}}}, stride2},
      {"P7", "stride 3 scaled", "lambda x: x[:, 1::3] * 2", {{"x", {R, 255}}}, stride3Scaled},
      {"P8", "reverse axis0", "lambda x: x[::-1] + 1", {{"x", {R, 256}}}, reverseAxis0},
      {"P9", "transpose 2-D", "lambda x: transpose(x)", {{"x", {512, n / 512}}}, transpose2d},
      {"P10",
       "transpose (1,0,2)",
       "lambda x: transpose(x, (1, 0, 2))",
       {{"x", {BT, T, D}}},
       transpose102},
      {"P11", "argmin rows", "lambda x: argmin(x, axis=-1)", {{"x", {R, 256}}}, argminRows},
      {"P12", "argmax axis0", "lambda x: argmax(x, axis=0)", {{"x", {R, 256}}}, argmaxAxis0},
      {"P13",
       "batched matmul",
       "lambda a, b: matmul(a, b)",
       {{"a", {BT, T, D}}, {"b", {BT, D, 32}}},
       batchedSgemm,
       "OpenBLAS"},
      {"P14",
       "dense 2-D matmul",
       "lambda x, w: matmul(x, w)",
       {{"x", {n / 64, 64}}, {"w", {64, 64}}},
       sgemm,
       "OpenBLAS"},
      {"P15",
       "attention scores",
       "lambda q, k: einsum('bqd,bkd->bqk', q, k)",
       {{"q", {BT, T, D}}, {"k", {BT, T, D}}},
       attentionScores,
       "OpenBLAS"},
      {"P16", "tile", "lambda x: tile(x, (1, 4))", {{"x", {n / 64, 64}}}, tile4},
      {"P17", "repeat axis1", "lambda x: repeat(x, 2, axis=1)", {{"x", {n / 64, 64}}}, repeat2},
      {"P18",
       "reflect pad",
       "lambda x: pad(x, ((0, 0), (2, 2)), mode='reflect')",
       {{"x", {R, 256}}},
       reflectPad2},
      {"P19", "one_hot", "lambda i: one_hot(i, 64)", {{"i", {n / 64}, E::I32, 64}}, oneHot64},
      {"P20", "cumsum axis0", "lambda x: cumsum(x, axis=0)", {{"x", {R, 256}}}, cumsumAxis0},
      {"P21",
       "embedding gather",
       "lambda t, i: gather(t, i, axis=0)",
       {{"t", {V, 64}}, {"i", {M}, E::I32, V}},
       gatherRows},
      {"P22", "f64 leaky", "lambda x: where(x > 0, x, 0.1 * x)", {{"x", {n}, E::F64}}, leakyF64},
#ifdef __F16C__
      {"P23", "f16 affine", "lambda x: x * 2 + 1", {{"x", {n}, E::F16}}, affineF16},
#else
      {"P23", "f16 affine", "lambda x: x * 2 + 1", {{"x", {n}, E::F16}}, nullptr},
#endif
      {"P24", "int32 div mod", "lambda x: x // 3 + x % 7", {{"x", {n}, E::I32}}, divModI32},
      {"P25", "softmax axis0", "lambda x: softmax(x, axis=0)", {{"x", {R, 256}}}, softmaxAxis0},
      {"P26",
       "l2_normalize axis0",
       "lambda x: l2_normalize(x, axis=0)",
       {{"x", {R, 256}}},
       l2NormalizeAxis0},
      {"P27", "std middle axis", "lambda x: std(x, axis=1)", {{"x", {BT, T, D}}}, stdMiddle},
      {"P28",
       "center columns",
       "lambda x: x - mean(x, axis=0, keepdims=True)",
       {{"x", {R, 256}}},
       centerColumns},
      // Ours: Dense's product at a Keras size, alone and with its bias and activation, softmax
      // over time, a variance over the batch, logsumexp along rows, mean and max pooling over
      // time.
      {"L1",
       "dense [B*T,256]@[256,256]",
       "lambda x, w: matmul(x, w)",
       {{"x", {R, 256}}, {"w", {256, 256}}},
       sgemm,
       "OpenBLAS"},
      {"L6",
       "dense + bias + relu",
       "lambda x, w, b: relu(matmul(x, w) + b)",
       {{"x", {R, 256}}, {"w", {256, 256}}, {"b", {256}}},
       sgemmBiasRelu,
       "OpenBLAS"},
      // A small Dense with its bias and activation, and a classifier head of 10 columns.
      {"L7",
       "dense 64 + bias + relu",
       "lambda x, w, b: relu(matmul(x, w) + b)",
       {{"x", {n / 64, 64}}, {"w", {64, 64}}, {"b", {64}}},
       sgemmBiasRelu,
       "OpenBLAS"},
      {"L8",
       "head [n/128,128]@[128,10]",
       "lambda x, w: matmul(x, w)",
       {{"x", {n / 128, 128}}, {"w", {128, 10}}},
       sgemm,
       "OpenBLAS"},
      {"L2",
       "softmax middle axis",
       "lambda x: softmax(x, axis=1)",
       {{"x", {BT, T, D}}},
       softmaxMiddle},
      {"L3", "var axis0", "lambda x: var(x, axis=0)", {{"x", {R, 256}}}, varAxis0},
      {"L4", "logsumexp rows", "lambda x: logsumexp(x, axis=-1)", {{"x", {R, 256}}}, logsumexpRows},
      {"L5",
       "mean and max pool",
       "lambda x: K.concatenate([K.mean(x, axis=1), K.max(x, axis=1)])",
       {{"x", {BT, T, D}}},
       meanMaxPool},
  };
  return cases;
}

} // namespace lamina::bench
