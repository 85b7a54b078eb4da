#!/usr/bin/env bash
# lamina's main job on the bundled examples, from nothing: installs what is missing, builds
# the release preset, checks every example (printing each result type), runs the Keras
# antirectifier on a bundled batch with the reference interpreter, and checks that every
# example is in canonical form.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release >/dev/null
lamina=build/release/tools/lamina/lamina
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

echo "=== lamina check: annotated defs describe their own inputs"
"$lamina" check examples/antirectifier.lam examples/softmax.lam examples/gelu.lam
echo "=== lamina check: lambdas take their inputs (and arguments) from the command line"
"$lamina" check examples/leaky_relu.lam --input 'x=f32[B,256]' --arg alpha=0.1
"$lamina" check examples/two_inputs.lam --input 't=f32[B,256]' --input 't=f32[B,256]'
echo "=== lamina emit --stage ir examples/antirectifier.lam"
"$lamina" emit --stage ir examples/antirectifier.lam
echo "=== lamina run examples/antirectifier.lam on examples/data/batch.npy [8, 256]"
"$lamina" run examples/antirectifier.lam -i x=examples/data/batch.npy
"$lamina" run examples/antirectifier.lam -i x=examples/data/batch.npy -o "$out/antirectifier.npy"
echo "wrote $(stat -c %s "$out/antirectifier.npy") bytes of .npy"
echo "=== lamina fmt --check examples/*.lam"
"$lamina" fmt --check examples/*.lam && echo "all canonical"
