// The hand-written fused loops: one pass over memory per expression, no temporaries; built
// with -O3 -march=native -ffast-math so g++ vectorizes them with glibc's libmvec (the
// docs/performance.md `cpp-best` reference).

#include "bench/HandWritten.h"

#include <algorithm>
#include <cmath>

namespace lamina::bench::hand {

double square(const Buffers &b, size_t lo, size_t hi) {
  const float *__restrict x = b.in[0];
  float *__restrict y = b.out;
  for (size_t i = lo; i < hi; ++i)
    y[i] = x[i] * x[i];
  return 0;
}

double mulAdd(const Buffers &b, size_t lo, size_t hi) {
  const float *__restrict p = b.in[0], *__restrict q = b.in[1], *__restrict r = b.in[2];
  float *__restrict y = b.out;
  for (size_t i = lo; i < hi; ++i)
    y[i] = p[i] * q[i] + r[i];
  return 0;
}

double linearCombination(const Buffers &b, size_t lo, size_t hi) {
  const float *__restrict p = b.in[0], *__restrict q = b.in[1], *__restrict r = b.in[2];
  float *__restrict y = b.out;
  for (size_t i = lo; i < hi; ++i)
    y[i] = 2.0f * p[i] + 3.0f * q[i] - 0.5f * r[i] * r[i];
  return 0;
}

double sinCos(const Buffers &b, size_t lo, size_t hi) {
  const float *__restrict x = b.in[0];
  float *__restrict y = b.out;
  for (size_t i = lo; i < hi; ++i) {
    float s = std::sin(x[i]), c = std::cos(x[i]);
    y[i] = s * s + c * c;
  }
  return 0;
}

double gelu(const Buffers &b, size_t lo, size_t hi) {
  const float *__restrict x = b.in[0];
  float *__restrict y = b.out;
  for (size_t i = lo; i < hi; ++i) {
    float v = x[i];
    y[i] = 0.5f * v * (1.0f + std::tanh(0.7978845608f * (v + 0.044715f * v * v * v)));
  }
  return 0;
}

double leakyRelu(const Buffers &b, size_t lo, size_t hi) {
  const float *__restrict x = b.in[0];
  float *__restrict y = b.out;
  for (size_t i = lo; i < hi; ++i)
    y[i] = x[i] > 0.0f ? x[i] : 0.01f * x[i];
  return 0;
}

double softmax(const Buffers &b, size_t lo, size_t hi) {
  const size_t c = b.cols;
  for (size_t r = lo; r < hi; ++r) {
    const float *__restrict x = b.in[0] + r * c;
    float *__restrict y = b.out + r * c;
    float m = x[0];
    for (size_t j = 1; j < c; ++j)
      m = std::max(m, x[j]);
    float s = 0.0f;
    for (size_t j = 0; j < c; ++j) {
      y[j] = std::exp(x[j] - m);
      s += y[j];
    }
    float inv = 1.0f / s;
    for (size_t j = 0; j < c; ++j)
      y[j] *= inv;
  }
  return 0;
}

double antirectifier(const Buffers &b, size_t lo, size_t hi) {
  const size_t c = b.cols;
  for (size_t r = lo; r < hi; ++r) {
    const float *__restrict x = b.in[0] + r * c;
    float *__restrict y = b.out + r * 2 * c;
    float s = 0.0f;
    for (size_t j = 0; j < c; ++j)
      s += x[j];
    float mean = s / float(c), ss = 0.0f;
    for (size_t j = 0; j < c; ++j)
      ss += (x[j] - mean) * (x[j] - mean);
    float inv = 1.0f / std::sqrt(std::max(ss, 1e-12f));
    for (size_t j = 0; j < c; ++j) {
      float d = (x[j] - mean) * inv;
      y[j] = std::max(d, 0.0f);
      y[c + j] = std::max(-d, 0.0f);
    }
  }
  return 0;
}

double l2Normalize(const Buffers &b, size_t lo, size_t hi) {
  const size_t c = b.cols;
  for (size_t r = lo; r < hi; ++r) {
    const float *__restrict x = b.in[0] + r * c;
    float *__restrict y = b.out + r * c;
    float ss = 0.0f;
    for (size_t j = 0; j < c; ++j)
      ss += x[j] * x[j];
    float inv = 1.0f / std::sqrt(std::max(ss, 1e-12f));
    for (size_t j = 0; j < c; ++j)
      y[j] = x[j] * inv;
  }
  return 0;
}

double dot(const Buffers &b, size_t lo, size_t hi) {
  const float *__restrict x = b.in[0], *__restrict y = b.in[1];
  float acc = 0.0f;
  for (size_t i = lo; i < hi; ++i)
    acc += x[i] * y[i];
  return acc;
}

} // namespace lamina::bench::hand
