#pragma once

// The C functions compiled kernels may call by name. The JIT resolves these symbols and no
// others, so a kernel can never reach into the host process by accident, and a libm call that
// slipped into generated code fails at link time instead of running slowly.
//
// What is here: the functions LLVM itself lowers some IR to on x86-64 — fmod/fmodf for frem,
// fma/fmaf on CPUs without FMA, the rounding functions on CPUs without SSE4.1, memcpy/memset/
// memmove for memory intrinsics, powi for llvm.powi, and the f16/bf16 conversions LLVM calls
// when the CPU has no instruction for them. The f16/bf16 ones are written here (correctly
// rounded, to nearest even) because LLVM 19 passes and returns those types in XMM registers,
// an ABI the system's libgcc builds do not all share.

#include <cstdint>
#include <vector>

namespace lamina::codegen {

struct RuntimeSymbol {
  const char *name; // the symbol as LLVM emits it (unmangled C name)
  void *address;
};

/// Every symbol a kernel may call, with its address in this process.
const std::vector<RuntimeSymbol> &mathRuntimeSymbols();

/// Row blocks of large products, through OpenBLAS (BlasRuntime.cpp): c[m, n] = a[m, k] @ b[k, n],
/// all row-major and contiguous. Sizes fit in int (the plan checks).
extern "C" void lamina_gemm_f32(const float *a, const float *b, float *c, int64_t m, int64_t k,
                                int64_t n);
extern "C" void lamina_gemm_f64(const double *a, const double *b, double *c, int64_t m, int64_t k,
                                int64_t n);

/// OpenBLAS's own thread count, process-wide. lamina never changes it unasked: a host that
/// uses OpenBLAS itself keeps its setting, and one that gives lamina the cores calls this with
/// 1, since lamina already splits a product's rows over its own pool.
void setBlasThreads(int threads);

} // namespace lamina::codegen
