#!/usr/bin/env bash
# The concurrency tests under ThreadSanitizer (docs/embedding.md, "Thread safety"): the thread
# pool, the JIT compiling, caching, evicting and running kernels from many threads at once, and
# a model called from many threads. Not part of test.sh (a third full build would push CI past
# its budget); run it after touching runtime/threads, compiler/jit or the layer runtime.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset tsan >/dev/null
cmake --build build/tsan --target lamina_unit_tests lamina_runtime_tests -j 2
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
  build/tsan/tests/lamina_unit_tests -tc='ThreadPool*,JIT engine*,JIT kernels*'
# The layer runtime: 16 threads calling one model while each compiles a lambda. OpenBLAS is not
# instrumented, so it runs on the calling threads only (its own threads would be invisible).
OPENBLAS_NUM_THREADS=1 XDG_CACHE_HOME="$(mktemp -d)" TSAN_OPTIONS="halt_on_error=1" \
  build/tsan/tests/lamina_runtime_tests -tc='threads*'
