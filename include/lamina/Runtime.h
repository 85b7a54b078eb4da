#pragma once

// Process-wide settings and state of lamina's runtime. What one call computes with (the
// engine, threads or a host Executor, the target CPU, the kernel cache, the byte budget) is
// ComputeOptions (lamina/Layer.h), passed with each call; what is shared by the whole process
// is set here, explicitly - lamina changes no process-wide state its host did not ask for.

#include "lamina/Executor.h"
#include "lamina/Export.h"

#include <cstddef>

namespace lamina {

/// lamina's thread pool for `threads` threads (0: one per core), shared by every call that
/// asks for that count: the Executor ComputeOptions::threads selects, for a host that wants
/// to run its own loops on it too. More than ComputeOptions::kMaxThreads is a lamina::Error.
LAMINA_API Executor &threadPool(unsigned threads = 0);

/// OpenBLAS's own thread count, process-wide. Only deep and wide f32/f64 products reach
/// OpenBLAS, one block of rows per lamina thread, so a host that gives lamina the cores sets 1
/// (the `lamina` CLI does); a host that calls OpenBLAS itself keeps its own setting.
LAMINA_API void setBlasThreads(int threads);

/// The compiled kernels kept in memory besides those a layer holds (at least 1; default 256).
LAMINA_API void setKernelMemoryCache(size_t kernels);
/// The input signatures (dtypes and shapes, batch axis aside) each Lambda, Activation or
/// Dense epilogue keeps checked and compiled, least recently used dropped first (at least 1;
/// default 64). Each layer follows a new value at its next new signature.
LAMINA_API void setLayerSignatureCache(size_t signatures);

struct RuntimeStats {
  size_t liveKernels = 0;   // compiled kernels alive, held by a layer or a cache
  size_t cachedKernels = 0; // of them, in the in-memory cache
};
LAMINA_API RuntimeStats runtimeStats();

} // namespace lamina
