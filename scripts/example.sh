#!/usr/bin/env bash
# lamina's main job on the bundled examples, from nothing: installs what is missing, builds
# the release preset, checks every example source and prints it in canonical form.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release >/dev/null
lamina=build/release/tools/lamina/lamina
"$lamina" check examples/*.lam
for f in examples/*.lam; do
  echo
  echo "=== lamina fmt $f"
  "$lamina" fmt "$f"
done
"$lamina" fmt --check examples/*.lam
