#!/usr/bin/env bash
# The whole test suite from nothing: installs what is missing, then builds and tests the
# release build and the ASan + UBSan build (CMakePresets.json: `release`, `debug`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
for preset in release debug; do
  echo "=== $preset: configure, build, test"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset"
  ctest --preset "$preset"
done
