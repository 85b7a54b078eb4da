#!/usr/bin/env bash
# The whole test suite from nothing: installs what is missing, then builds and tests the
# release build and the ASan + UBSan build (CMakePresets.json: `release`, `debug`), and fuzzes
# each libFuzzer harness for a fixed number of runs (the `fuzz` preset; scripts/fuzz.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
for preset in release debug; do
  echo "=== $preset: configure, build, test"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset"
  ctest --preset "$preset"
done
echo "=== fuzz: every harness, a fixed number of runs from seed 1"
bash scripts/fuzz.sh --runs 1000
