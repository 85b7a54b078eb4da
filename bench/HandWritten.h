#pragma once

// Declarations of the reference kernels (HandWritten.cpp, EigenKernels.cpp).

#include "bench/Suite.h"

namespace lamina::bench::hand {
double square(const Buffers &, size_t, size_t);
double mulAdd(const Buffers &, size_t, size_t);
double linearCombination(const Buffers &, size_t, size_t);
double sinCos(const Buffers &, size_t, size_t);
double gelu(const Buffers &, size_t, size_t);
double leakyRelu(const Buffers &, size_t, size_t);
double softmax(const Buffers &, size_t, size_t);
double antirectifier(const Buffers &, size_t, size_t);
double l2Normalize(const Buffers &, size_t, size_t);
double dot(const Buffers &, size_t, size_t);
} // namespace lamina::bench::hand

namespace lamina::bench::eigen {
double square(const Buffers &, size_t, size_t);
double mulAdd(const Buffers &, size_t, size_t);
double linearCombination(const Buffers &, size_t, size_t);
double sinCos(const Buffers &, size_t, size_t);
double gelu(const Buffers &, size_t, size_t);
double leakyRelu(const Buffers &, size_t, size_t);
double softmax(const Buffers &, size_t, size_t);
double antirectifier(const Buffers &, size_t, size_t);
double l2Normalize(const Buffers &, size_t, size_t);
double dot(const Buffers &, size_t, size_t);
} // namespace lamina::bench::eigen
