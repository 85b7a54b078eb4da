#pragma once

// The capacity of every cache between source text and a kernel's run, in one place: the
// driver holds one CachePolicy (Driver::setCachePolicy) and hands each cache its share. Every
// cache is an LruCache (compiler/support/LruCache.h): at most its capacity, the least recently
// used entry evicted first. A kernel evicted from a cache stays alive while a caller holds it.

#include <cstddef>

namespace lamina::driver {

struct CachePolicy {
  /// Kernels in each process-wide cache: compileSource's (by source text and request) and
  /// the JIT's in-memory one (by optimized IR and target).
  size_t kernels = 256;
  /// Checked (and compiled) forms per layer function, by input signature (SignatureCache):
  /// a layer fed ever new shapes, such as a varying sequence length, must not keep every
  /// kernel it ever compiled alive.
  size_t signatures = 64;
  /// Run-time shape checks and derived sizes per kernel, by the values of its symbols: a few
  /// batch sizes in a row skip the checks; ever new ones must not grow without end.
  size_t boundShapes = 16;
};

} // namespace lamina::driver
