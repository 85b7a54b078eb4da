#!/usr/bin/env bash
# The concurrency tests under ThreadSanitizer (RELIABILITY.md §5): the thread pool, and the JIT
# compiling, caching, evicting and running kernels from many threads at once. Not part of
# test.sh (a third full build would push CI past its budget); run it after touching
# runtime/threads or compiler/jit.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset tsan >/dev/null
cmake --build build/tsan --target lamina_unit_tests -j 2
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
  build/tsan/tests/lamina_unit_tests -tc='ThreadPool*,JIT engine*,JIT kernels*'
