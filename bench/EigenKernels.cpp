// The suite with Eigen 3.4 arrays (mapped, no copies), what a C++ user would write without a
// JIT; built with the same flags as the hand-written loops.

#include "bench/HandWritten.h"

#include <Eigen/Core>

namespace lamina::bench::eigen {
namespace {

using Vec = Eigen::Map<const Eigen::ArrayXf>;
using Out = Eigen::Map<Eigen::ArrayXf>;
using Rows = Eigen::Map<const Eigen::Array<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>;
using OutRows = Eigen::Map<Eigen::Array<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>;

Vec in(const Buffers &b, size_t k, size_t lo, size_t hi) {
  return Vec(b.in[k] + lo, Eigen::Index(hi - lo));
}
Out out(const Buffers &b, size_t lo, size_t hi) { return Out(b.out + lo, Eigen::Index(hi - lo)); }

} // namespace

double square(const Buffers &b, size_t lo, size_t hi) {
  out(b, lo, hi) = in(b, 0, lo, hi).square();
  return 0;
}

double mulAdd(const Buffers &b, size_t lo, size_t hi) {
  out(b, lo, hi) = in(b, 0, lo, hi) * in(b, 1, lo, hi) + in(b, 2, lo, hi);
  return 0;
}

double linearCombination(const Buffers &b, size_t lo, size_t hi) {
  auto c = in(b, 2, lo, hi);
  out(b, lo, hi) = 2.0f * in(b, 0, lo, hi) + 3.0f * in(b, 1, lo, hi) - 0.5f * c * c;
  return 0;
}

double sinCos(const Buffers &b, size_t lo, size_t hi) {
  auto x = in(b, 0, lo, hi);
  out(b, lo, hi) = x.sin().square() + x.cos().square();
  return 0;
}

double gelu(const Buffers &b, size_t lo, size_t hi) {
  auto x = in(b, 0, lo, hi);
  out(b, lo, hi) = 0.5f * x * (1.0f + (0.7978845608f * (x + 0.044715f * x.cube())).tanh());
  return 0;
}

double leakyRelu(const Buffers &b, size_t lo, size_t hi) {
  auto x = in(b, 0, lo, hi);
  out(b, lo, hi) = (x > 0.0f).select(x, 0.01f * x);
  return 0;
}

double softmax(const Buffers &b, size_t lo, size_t hi) {
  auto c = Eigen::Index(b.cols), r = Eigen::Index(hi - lo);
  Rows x(b.in[0] + lo * b.cols, r, c);
  OutRows y(b.out + lo * b.cols, r, c);
  y = (x.colwise() - x.rowwise().maxCoeff()).exp();
  y.colwise() /= y.rowwise().sum();
  return 0;
}

double antirectifier(const Buffers &b, size_t lo, size_t hi) {
  auto c = Eigen::Index(b.cols), r = Eigen::Index(hi - lo);
  Rows x(b.in[0] + lo * b.cols, r, c);
  OutRows y(b.out + lo * 2 * b.cols, r, 2 * c);
  for (Eigen::Index k = 0; k < r; ++k) {
    Eigen::ArrayXf d = x.row(k).transpose() - x.row(k).mean();
    d *= 1.0f / std::sqrt(std::max(d.square().sum(), 1e-12f));
    y.row(k).head(c) = d.max(0.0f).transpose();
    y.row(k).tail(c) = (-d).max(0.0f).transpose();
  }
  return 0;
}

double l2Normalize(const Buffers &b, size_t lo, size_t hi) {
  auto c = Eigen::Index(b.cols), r = Eigen::Index(hi - lo);
  Rows x(b.in[0] + lo * b.cols, r, c);
  OutRows y(b.out + lo * b.cols, r, c);
  y = x.colwise() * x.square().rowwise().sum().max(1e-12f).rsqrt();
  return 0;
}

double dot(const Buffers &b, size_t lo, size_t hi) {
  return double((in(b, 0, lo, hi) * in(b, 1, lo, hi)).sum());
}

} // namespace lamina::bench::eigen
