#!/usr/bin/env bash
# lamina's main job on the bundled examples, from nothing: installs what is missing, builds
# the release preset, loads the example model (examples/model: Dense layers, the
# antirectifier, a lambda with a variable, a two-input lambda; its lambdas are source text in
# config.json), prints its summary and runs it on bundled data; then checks every lambda
# example, shows the fusion plan, compiles and runs the antirectifier alone (and interprets
# it), times it, and checks that every example is in canonical form.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release >/dev/null
lamina=build/release/tools/lamina/lamina
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

echo "=== lamina model summary examples/model"
"$lamina" model summary examples/model
echo "=== lamina model run examples/model on examples/model/{features,context}.npy"
XDG_CACHE_HOME="$out" "$lamina" model run examples/model -i features=examples/model/features.npy \
  -i context=examples/model/context.npy
echo "=== lamina check: annotated defs describe their own inputs"
"$lamina" check examples/antirectifier.lam examples/softmax.lam examples/gelu.lam
echo "=== lamina check: lambdas take their inputs (and arguments) from the command line"
"$lamina" check examples/leaky_relu.lam --input 'x=f32[B,256]' --arg alpha=0.1
"$lamina" check examples/two_inputs.lam --input 't=f32[B,256]' --input 't=f32[B,256]'
echo "=== lamina emit --stage ir examples/antirectifier.lam"
"$lamina" emit --stage ir examples/antirectifier.lam
echo "=== lamina emit --stage ir-opt examples/antirectifier.lam: the fusion plan"
"$lamina" emit --stage ir-opt examples/antirectifier.lam | grep '^;'
echo "=== lamina run examples/antirectifier.lam on examples/data/batch.npy [8, 256] (JIT)"
"$lamina" run examples/antirectifier.lam -i x=examples/data/batch.npy --cache-dir "$out/cache"
"$lamina" run examples/antirectifier.lam -i x=examples/data/batch.npy -o "$out/antirectifier.npy" \
  --cache-dir "$out/cache"
echo "=== the same with the reference interpreter"
"$lamina" run examples/antirectifier.lam -i x=examples/data/batch.npy --engine interp
echo "wrote $(stat -c %s "$out/antirectifier.npy") bytes of .npy"
echo "=== lamina bench: the antirectifier on [3906, 256] (about 1e6 elements), 1 and 2 threads"
for threads in 1 2; do
  "$lamina" bench --expr "@examples/antirectifier.lam" --inputs x:3906,256 --threads $threads \
    --cache-dir "$out/cache" --seconds 0.2 | head -2
done
echo "=== lamina fmt --check examples/*.lam"
"$lamina" fmt --check examples/*.lam && echo "all canonical"
