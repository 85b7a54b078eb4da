// The matrix products kernels hand to OpenBLAS (Stage::blas): one row block of a row-major
// [M, K] @ [K, N], called by each thread for its rows. OpenBLAS runs single-threaded here:
// lamina's pool already splits the rows, and a second pool inside would compete for the same
// cores (docs/performance.md, "Products").

#include "compiler/codegen/MathRuntime.h"

#include <cblas.h>

#include <cstdint>
#include <mutex>

extern "C" void openblas_set_num_threads(int);

namespace lamina::codegen {
namespace {

void serialBlas() {
  static std::once_flag once;
  std::call_once(once, [] { openblas_set_num_threads(1); });
}

} // namespace

extern "C" void lamina_gemm_f32(const float *a, const float *b, float *c, int64_t m, int64_t k,
                                int64_t n) {
  serialBlas();
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(m), int(n), int(k), 1.0f, a, int(k), b,
              int(n), 0.0f, c, int(n));
}

extern "C" void lamina_gemm_f64(const double *a, const double *b, double *c, int64_t m, int64_t k,
                                int64_t n) {
  serialBlas();
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(m), int(n), int(k), 1.0, a, int(k), b,
              int(n), 0.0, c, int(n));
}

} // namespace lamina::codegen
