// The process-wide settings of include/lamina/Runtime.h, over the driver and the thread pools.

#include "lamina/Runtime.h"

#include "compiler/driver/Driver.h"
#include "lamina/Layer.h"
#include "runtime/layers/LaminaFunction.h"
#include "runtime/support/Boundary.h"
#include "runtime/threads/ThreadPool.h"

namespace lamina {

Executor &threadPool(unsigned threads) {
  return guarded("threadPool", [&]() -> Executor & {
    ComputeOptions compute;
    compute.threads = threads;
    return executorFor(compute);
  });
}

void setBlasThreads(int threads) { driver::setBlasThreads(threads); }

void setKernelMemoryCache(size_t kernels) {
  driver::Driver::shared().setMemoryCacheCapacity(kernels);
}

void setLayerSignatureCache(size_t signatures) {
  driver::Driver::shared().setSignatureCacheCapacity(signatures);
}

RuntimeStats runtimeStats() {
  driver::Driver &d = driver::Driver::shared();
  return RuntimeStats{d.liveKernels(), d.memoryCacheSize()};
}

} // namespace lamina
