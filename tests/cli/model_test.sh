#!/usr/bin/env bash
# `lamina model summary|run` as a user runs them, on the bundled example and on broken
# configs: outputs, exit codes, and errors located in the JSON file.
set -u
lamina=$1
examples=$2
source "$(dirname "$0")/lib.sh"

model="$examples/model"
expect summary 0 "$lamina" model summary "$model"
contains summary "$tmp/out" 'Model: "example"'
contains summary "$tmp/out" "antirectifier (Lambda)"
contains summary "$tmp/out" "(None, 64)"
contains summary "$tmp/out" "Total params: 868"

expect run-print 0 "$lamina" model run "$model" -i "features=$model/features.npy" -i "context=$model/context.npy"
contains run-print "$tmp/out" "f32[3, 4]"
expect run-npy 0 "$lamina" model run "$model/config.json" -i "features=$model/features.npy" \
  -i "context=$model/context.npy" -o "$tmp/y.npy"
if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import numpy' 2>/dev/null; then
  # Softmax rows sum to one.
  expect run-npy-rows 0 /usr/bin/python3 -c "import numpy as n; y = n.load('$tmp/y.npy'); assert y.shape == (3, 4); assert abs(y.sum(1) - 1).max() < 1e-5, y"
fi
# Every engine, thread count and target computes the same rows; the cache goes where it is told
# and nowhere when it is off.
expect run-interp 0 "$lamina" model run "$model" -i "$model/features.npy" -i "$model/context.npy" \
  --engine interp
cp "$tmp/out" "$tmp/interp.txt"
expect run-threads-generic 0 "$lamina" model run "$model" -i "$model/features.npy" \
  -i "$model/context.npy" --threads 1 --cpu generic --cache-dir "$tmp/kernels"
cp "$tmp/out" "$tmp/jit.txt"
expect run-same-as-interp 0 cmp "$tmp/jit.txt" "$tmp/interp.txt"
expect run-cache-dir-written 0 test -n "$(ls -A "$tmp/kernels")"
expect run-no-cache 0 "$lamina" model run "$model" -i "$model/features.npy" -i "$model/context.npy" \
  --no-cache --cache-dir "$tmp/unused"
expect run-no-cache-wrote-nothing 1 test -e "$tmp/unused"
expect run-threads-too-many 2 "$lamina" model run "$model" -i "$model/features.npy" \
  -i "$model/context.npy" --threads 100000
expect run-missing-input 2 "$lamina" model run "$model" -i "features=$model/features.npy"
contains run-missing-input "$tmp/err" "no array for input \`context\`"
expect run-unknown-input 2 "$lamina" model run "$model" -i "nope=$model/features.npy"
expect run-wrong-shape 1 "$lamina" model run "$model" -i "features=$model/features.npy" \
  -i "context=$examples/data/batch.npy"
contains run-wrong-shape "$tmp/err" "lamina: error[E0702]: input \`context\` is f32[8, 256] but the program expects f32[None, 16] (model \`example\`)"
# Issue 13, item 10: bare files bind in the order of the inputs not named; batches must agree.
expect run-positional 0 "$lamina" model run "$model" -i "$model/features.npy" -i "$model/context.npy"
contains run-positional "$tmp/out" "f32[3, 4]"
expect run-named-then-bare 0 "$lamina" model run "$model" -i "context=$model/context.npy" -i "$model/features.npy"
expect run-too-many 2 "$lamina" model run "$model" -i "$model/features.npy" -i "$model/context.npy" -i "$model/context.npy"
contains run-too-many "$tmp/err" "more inputs than the model's 2 (features, context)"
if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import numpy' 2>/dev/null; then
  /usr/bin/python3 -c "import numpy as n; n.save('$tmp/c2.npy', n.ones((2, 16), n.float32))"
  expect run-batches 1 "$lamina" model run "$model" -i "$model/features.npy" -i "$tmp/c2.npy"
  contains run-batches "$tmp/err" "error[E0704]: \`batch\` is 3 in input \`features\` but 2 in input \`context\`"
fi
printf '{"class_name": "Sequential", "config": {"layers": [{"class_name": "Dense", "config": {"units": 3}}]}}' >"$tmp/noinput.json"
expect run-no-inputs 1 "$lamina" model run "$tmp/noinput.json" -i "x=$model/features.npy"
contains run-no-inputs "$tmp/err" "the model declares no inputs"

# A mistake inside a lambda string: reported at its line and column in the JSON file.
sed 's/mean(x, axis=1, keepdims=True)/mean(x, axis=3, keepdims=True)/' "$model/config.json" >"$tmp/bad.json"
expect bad-axis 1 "$lamina" model summary "$tmp/bad.json"
line=$(grep -n 'axis=3' "$tmp/bad.json" | cut -d: -f1)
contains bad-axis "$tmp/err" "$tmp/bad.json:$line:"
contains bad-axis "$tmp/err" "error[E0502]"
contains bad-axis "$tmp/err" "^"

# Issue 13, item 10: a wrong output_shape is reported at the output_shape, not the function;
# a missing layer and a cycle are named.
sed 's/"output_shape": \[64\]/"output_shape": [65]/' "$model/config.json" >"$tmp/shape.json"
expect output-shape 1 "$lamina" model summary "$tmp/shape.json"
line=$(grep -n '"output_shape": \[65\]' "$tmp/shape.json" | cut -d: -f1)
column=$(($(grep '"output_shape": \[65\]' "$tmp/shape.json" | sed 's/"output_shape": \[65\].*//' | wc -c) + 16))
contains output-shape "$tmp/err" "$tmp/shape.json:$line:$column: error[E0510]"
cat >"$tmp/graph.json" <<'JSON'
{"class_name": "Functional", "config": {"name": "f", "layers": [
 {"class_name": "InputLayer", "name": "in", "config": {"name": "in", "batch_shape": [null, 4]}, "inbound_nodes": []},
 {"class_name": "Dense", "name": "a", "config": {"name": "a", "units": 4}, "inbound_nodes": [[["b", 0, 0, {}]]]},
 {"class_name": "Dense", "name": "b", "config": {"name": "b", "units": 4}, "inbound_nodes": [[["a", 0, 0, {}]]]},
 {"class_name": "Dense", "name": "c", "config": {"name": "c", "units": 4}, "inbound_nodes": [[["nowhere", 0, 0, {}]]]}],
 "input_layers": [["in", 0, 0]], "output_layers": [["b", 0, 0]]}}
JSON
expect graph-cycle 1 "$lamina" model summary "$tmp/graph.json"
contains graph-cycle "$tmp/err" "error[E0811]: the layers form a cycle: a <- b <- a"
sed 's/\[\["b", 0, 0, {}\]\]\]},/[["in", 0, 0, {}]]]},/' "$tmp/graph.json" >"$tmp/graph2.json"
expect graph-missing 1 "$lamina" model summary "$tmp/graph2.json"
contains graph-missing "$tmp/err" "layer \`c\` takes an output of \`nowhere\`, which is not a layer of this model"

# Bytecode lambdas and safe_mode are refused; so is a weights path outside the folder.
cat >"$tmp/keras2.json" <<'JSON'
{"class_name": "Sequential", "config": {"layers": [
  {"class_name": "Lambda", "config": {"function": ["4wEAAAAAAAAAAAAAAAEAAAAB", null, null],
                                      "function_type": "lambda"}}]}}
JSON
expect bytecode 1 "$lamina" model summary "$tmp/keras2.json"
contains bytecode "$tmp/err" "error[E0808]"
contains bytecode "$tmp/err" "keras2.json:2:"
sed 's/"model.weights.safetensors"/"..\/..\/etc\/passwd"/' "$model/config.json" >"$tmp/escape.json"
expect weights-escape 1 "$lamina" model summary "$tmp/escape.json"
contains weights-escape "$tmp/err" "error[E0809]"
printf '{"class_name": "Sequential", "safe_mode": false, "config": {"layers": []}}' >"$tmp/safe.json"
expect safe-mode 1 "$lamina" model summary "$tmp/safe.json"
contains safe-mode "$tmp/err" "error[E0807]"
expect missing-config 1 "$lamina" model summary "$tmp/none.json"

echo "model cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
