// The matrix products kernels hand to OpenBLAS (Stage::blas): one row block of a row-major
// [M, K] @ [K, N], called by each thread for its rows. lamina's pool already splits the rows,
// so OpenBLAS's own threads would compete for the same cores: the CLI and the benchmarks set
// them to one (setBlasThreads), and a host chooses (docs/embedding.md); lamina never changes
// a process-wide setting behind its host's back.

#include "compiler/codegen/MathRuntime.h"

#include <cblas.h>

#include <cstdint>

extern "C" void openblas_set_num_threads(int);

namespace lamina::codegen {
void setBlasThreads(int threads) { openblas_set_num_threads(threads < 1 ? 1 : threads); }

extern "C" void lamina_gemm_f32(const float *a, const float *b, float *c, int64_t m, int64_t k,
                                int64_t n) {
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(m), int(n), int(k), 1.0f, a, int(k), b,
              int(n), 0.0f, c, int(n));
}

extern "C" void lamina_gemm_f64(const double *a, const double *b, double *c, int64_t m, int64_t k,
                                int64_t n) {
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(m), int(n), int(k), 1.0, a, int(k), b,
              int(n), 0.0, c, int(n));
}

} // namespace lamina::codegen
