#!/usr/bin/env bash
# The lamina CLI as a user runs it: outputs and exit codes (0 fine, 1 input errors, 2 usage,
# 3 I/O), including the foundation issue's "done when" commands.
set -u
lamina=$1
source "$(dirname "$0")/lib.sh"

# --- fmt prints canonical text that formats to itself
src='def f(x): x-=mean(x,axis=1,keepdims=True);return concat([relu(x),relu(-x)],axis=1)'
expect fmt-expr 0 "$lamina" fmt --expr "$src"
cp "$tmp/out" "$tmp/canonical.lam"
contains fmt-expr "$tmp/canonical.lam" "    x -= mean(x, axis=1, keepdims=True)"
expect fmt-idempotent 0 "$lamina" fmt --check "$tmp/canonical.lam"
expect fmt-stdin 0 "$lamina" fmt - <"$tmp/canonical.lam"
cmp -s "$tmp/out" "$tmp/canonical.lam" && passed=$((passed + 1)) ||
  { failed=$((failed + 1)); echo "FAIL fmt-stdin: output differs"; }

# --- fmt --check and --write
printf 'lambda x:x**2\n' >"$tmp/ugly.lam"
expect fmt-check-ugly 1 "$lamina" fmt --check "$tmp/ugly.lam"
contains fmt-check-ugly "$tmp/out" "ugly.lam: not in canonical form"
expect fmt-write 0 "$lamina" fmt --write "$tmp/ugly.lam"
expect fmt-check-after-write 0 "$lamina" fmt --check "$tmp/ugly.lam"
contains fmt-write "$tmp/ugly.lam" "lambda x: x ** 2"
expect fmt-write-expr 2 "$lamina" fmt --write --expr 'x'

# --- check: one diagnostic with a caret, exit 1
expect check-unclosed 1 "$lamina" check --expr 'lambda x: (x + '
contains check-unclosed "$tmp/err" "<expr>:1:11: error[E0203]: \`(\` is never closed"
contains check-unclosed "$tmp/err" "   |           ^"
[ "$(grep -c 'error\[' "$tmp/err")" -eq 1 ] && passed=$((passed + 1)) ||
  { failed=$((failed + 1)); echo "FAIL check-unclosed: not exactly one diagnostic"; }
expect check-ok 0 "$lamina" check --expr 'lambda x: x ** 2' --input 'x=f32[B,3]'
contains check-ok "$tmp/out" "f32[B, 3]"
expect check-expr-file 0 "$lamina" check --expr "@$tmp/canonical.lam" --input 'x=f32[B,256]'
contains check-expr-file "$tmp/out" "f32[B, 512]"
expect check-no-input 1 "$lamina" check --expr 'lambda x: x ** 2'
contains check-no-input "$tmp/err" "error[E0306]: no input is bound to parameter \`x\`"
expect check-bad-input 2 "$lamina" check --expr 'lambda x: x' --input 'x=f33[3]'
contains check-bad-input "$tmp/err" "unknown dtype"
expect check-bad-arg 2 "$lamina" check --expr 'lambda x, a=1: x * a' --input 'x=f32[3]' --arg 'a=(1,'
expect check-unknown-arg 1 "$lamina" check --expr 'lambda x: x' --input 'x=f32[3]' --arg 'b=1'
contains check-unknown-arg "$tmp/err" "error[E0313]"

# --- the semantics issue's "done when" commands
anti='def antirectifier(x): x -= mean(x, axis=1, keepdims=True); x = l2_normalize(x, axis=1); return concat([relu(x), relu(-x)], axis=1)'
expect done-antirectifier 0 "$lamina" check --expr "$anti" --input 'x=f32[B,256]'
[ "$(cat "$tmp/out")" = "f32[B, 512]" ] && passed=$((passed + 1)) ||
  { failed=$((failed + 1)); echo "FAIL done-antirectifier: printed $(cat "$tmp/out")"; }
expect done-broadcast 1 "$lamina" check --expr 'lambda x, y: x + y' --input 'x=f32[B,256]' --input 'y=f32[B,255]'
contains done-broadcast "$tmp/err" "<expr>:1:16: error[E0501]: shapes [B, 256] and [B, 255] cannot be broadcast together"
contains done-broadcast "$tmp/err" "   |                ^ dimension -1 is 256 on the left and 255 on the right"
expect done-k-l2 0 "$lamina" check --expr 'lambda x: K.l2_normalize(x, axis=1)' --input 'x=f32[B,256]'
contains done-k-l2 "$tmp/out" "f32[B, 256]"
expect done-tf-sum 0 "$lamina" check --expr 'lambda x: tf.reduce_sum(x, axis=-1, keepdims=True)' --input 'x=f32[B,256]'
contains done-tf-sum "$tmp/out" "f32[B, 1]"

# --- run: .npy in, .npy/.npz out, against NumPy when it is there
if /usr/bin/python3 -c 'import numpy' 2>/dev/null; then
  /usr/bin/python3 - "$tmp" <<'PY'
import sys, numpy as np
d = sys.argv[1]
x = np.random.default_rng(7).standard_normal((64, 256)).astype(np.float32)
np.save(f"{d}/x.npy", x)
c = x - x.mean(axis=1, keepdims=True)
n = c / np.sqrt(np.maximum((c * c).sum(axis=1, keepdims=True), 1e-12))
np.save(f"{d}/want.npy", np.concatenate([np.maximum(n, 0), np.maximum(-n, 0)], axis=1))
PY
  expect run-antirectifier 0 "$lamina" run --expr "$anti" -i "x=$tmp/x.npy" -o "$tmp/got.npy"
  /usr/bin/python3 -c "import numpy as np, sys; g = np.load('$tmp/got.npy'); w = np.load('$tmp/want.npy'); sys.exit(0 if g.shape == (64, 512) and g.dtype == np.float32 and np.abs(g - w).max() <= 1e-6 else 1)" &&
    passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL run-antirectifier: differs from NumPy by more than 1e-6"; }
  expect run-k-l2 0 "$lamina" run --expr 'lambda x: K.l2_normalize(x, axis=1)' -i "x=$tmp/x.npy" -o "$tmp/l2.npy"
  expect run-tf-sum 0 "$lamina" run --expr 'lambda x: tf.reduce_sum(x, axis=-1, keepdims=True)' -i "x=$tmp/x.npy" -o "$tmp/sum.npy"
  /usr/bin/python3 -c "import numpy as np, sys; x = np.load('$tmp/x.npy'); s = np.load('$tmp/sum.npy'); l = np.load('$tmp/l2.npy'); sys.exit(0 if s.shape == (64, 1) and np.allclose(s, x.sum(axis=-1, keepdims=True), rtol=1e-5, atol=1e-5) and np.allclose(l, x / np.linalg.norm(x, axis=1, keepdims=True), rtol=1e-6, atol=1e-6) else 1)" &&
    passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL run-aliases: results differ from NumPy"; }
  expect run-two-outputs 0 "$lamina" run --expr 'lambda x: (x * 2, sum(x))' -i "x=$tmp/x.npy" -o "$tmp/both.npz"
  /usr/bin/python3 -c "import numpy as np, sys; z = np.load('$tmp/both.npz'); sys.exit(0 if sorted(z.files) == ['arr_0', 'arr_1'] and z['arr_1'].shape == () else 1)" &&
    passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL run-two-outputs: npz members"; }
  expect run-list-param 0 "$lamina" run --expr 'lambda t: t[0] - t[1]' -i "t=$tmp/x.npy" -i "t=$tmp/x.npy" -o "$tmp/zero.npy"
  /usr/bin/python3 -c "import numpy as np, sys; sys.exit(0 if not np.load('$tmp/zero.npy').any() else 1)" &&
    passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL run-list-param: t[0] - t[1] is not 0"; }
  # Inputs bind by name, whatever the order of the -i options.
  /usr/bin/python3 -c "import numpy as np; np.save('$tmp/one.npy', np.ones(3, np.float32)); np.save('$tmp/ten.npy', np.full(3, 10, np.float32))"
  expect run-order 0 "$lamina" run --expr 'lambda a, b: a - b' -i "b=$tmp/one.npy" -i "a=$tmp/ten.npy"
  contains run-order "$tmp/out" "[9., 9., 9.]"
  printf 'def f(x, y: f32[3]):\n    return x - y\n' >"$tmp/annotated.lam"
  expect run-missing-input 2 "$lamina" run "$tmp/annotated.lam" -i "x=$tmp/one.npy"
  contains run-missing-input "$tmp/err" "no array for input \`y\`"
  printf 'def f(x):\n    w = variable(zeros([100000, 100000, 10]))\n    return x\n' >"$tmp/bigvar.lam"
  expect run-variable-budget 1 "$lamina" run "$tmp/bigvar.lam" -i "x=$tmp/one.npy"
  contains run-variable-budget "$tmp/err" "error[E0703]"
  # Issue 13, item 10: the extension says the format; anything else is refused, not mislabelled.
  expect run-output-extension 2 "$lamina" run --expr 'lambda x: x' -i "x=$tmp/one.npy" -o "$tmp/out.txt"
  contains run-output-extension "$tmp/err" "outputs are written as .npy (one output) or .npz"
  [ ! -e "$tmp/out.txt" ] && passed=$((passed + 1)) ||
    { failed=$((failed + 1)); echo "FAIL run-output-extension: out.txt was written"; }
  # Positional inputs all go to the first parameter, as Keras calls the function (E0317).
  expect run-positional-argument 1 "$lamina" run --expr 'lambda t, alpha: t[0] + alpha * t[1]' -i "$tmp/one.npy" -i "$tmp/ten.npy"
  contains run-positional-argument "$tmp/err" "error[E0317]: \`lambda\` is missing its argument \`alpha\`"
fi
printf 'not an npy file' >"$tmp/bad.npy"
expect run-bad-npy 3 "$lamina" run --expr 'lambda x: x' -i "x=$tmp/bad.npy"
expect run-missing-npy 3 "$lamina" run --expr 'lambda x: x' -i "x=$tmp/none.npy"

# --- no colour when not on a terminal, or with NO_COLOR; colour when forced
expect no-color 1 "$lamina" check --expr 'x +'
if grep -q $'\033' "$tmp/err"; then failed=$((failed + 1)); echo "FAIL no-color: escapes in a pipe"; else passed=$((passed + 1)); fi
expect color-always 1 "$lamina" --color always check --expr 'x +'
grep -q $'\033' "$tmp/err" && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL color-always"; }

# --- limits: one clear diagnostic each
head -c 65537 /dev/zero | tr '\0' 'x' >"$tmp/big.lam"
expect too-large 1 "$lamina" check "$tmp/big.lam"
contains too-large "$tmp/err" "error[E0001]"
printf '%*s' 10000 '' | tr ' ' '(' >"$tmp/deep.lam"
printf 'x' >>"$tmp/deep.lam"
printf '%*s' 10000 '' | tr ' ' ')' >>"$tmp/deep.lam"
expect too-deep 1 "$lamina" check "$tmp/deep.lam"
contains too-deep "$tmp/err" "error[E0002]"
[ "$(grep -c 'error\[' "$tmp/err")" -eq 1 ] && passed=$((passed + 1)) ||
  { failed=$((failed + 1)); echo "FAIL too-deep: not exactly one diagnostic"; }

# --- emit
expect emit-ast 0 "$lamina" emit --stage ast --expr 'lambda x: -x**2'
contains emit-ast "$tmp/out" "Lambda (x) @1:1-1:16"
expect emit-unknown-stage 2 "$lamina" emit --stage mlir --expr 'x'
expect emit-ir 0 "$lamina" emit --stage ir --expr 'lambda x: x * 2' --input 'x=f32[B,3]'
contains emit-ir "$tmp/out" "%1 = constant 2 : f32[]"
contains emit-ir "$tmp/out" "%2 = mul %0, %1 : f32[B, 3]"

# --- the JIT: plans, LLVM IR, assembly, pass logs, the benchmark protocol
softmax='def softmax(x): e = exp(x - max(x, axis=1, keepdims=True)); return e / sum(e, axis=1, keepdims=True)'
expect emit-ir-opt 0 "$lamina" emit --stage ir-opt --expr "$softmax" --input 'x=f32[B,256]'
contains emit-ir-opt "$tmp/out" "1 loop nest (one fused kernel)"
contains emit-ir-opt-schedule "$tmp/out" "vectors: along axis"
contains emit-ir-opt "$tmp/out" "row buffer"
expect emit-ir-opt-stored 0 "$lamina" emit --stage ir-opt --expr 'lambda x: x - sum(x, axis=0)' --input 'x=f32[B,8]'
contains emit-ir-opt-stored "$tmp/out" "is stored: reduction stored"
expect emit-llvm 0 "$lamina" emit --stage llvm --expr 'lambda x: x * 2' --input 'x=f32[N]' --no-cache
contains emit-llvm "$tmp/out" "define void @lamina_kernel_s0"
expect emit-asm 0 "$lamina" emit --stage asm --expr 'lambda x: x * 2' --input 'x=f32[N]' --cpu generic
contains emit-asm "$tmp/out" "lamina_kernel_s0:"
expect emit-passes 0 "$lamina" emit --stage ir-opt --expr 'lambda x: x ** 2 + 0' --input 'x=f32[N]' --print-after-all --time-passes
contains emit-passes "$tmp/err" "IR after simplify"
contains emit-passes "$tmp/err" "; time cse"
expect bench-protocol 0 "$lamina" bench --expr 'lambda a, b: a * b' --inputs 'a:1000;b:1000' --seconds 0.01
contains bench-protocol "$tmp/out" "ns_per_elem="
contains bench-protocol "$tmp/out" "compile_ms="
# A dtype per input; integer inputs are in-range indices.
expect bench-dtypes 0 "$lamina" bench --expr 'lambda t, i: gather(t, i, axis=0)' --inputs 't:4096,64;i:1000:i32' --seconds 0.01
contains bench-dtypes "$tmp/out" "ns_per_elem="
expect bench-bad-dtype 2 "$lamina" bench --expr 'lambda x: x' --inputs 'x:10:q99' --seconds 0.01
expect bench-rows 0 "$lamina" bench --expr "$softmax" --inputs 'x:39,256' --threads 2 --seconds 0.01
contains bench-rows "$tmp/out" "stages=1"
expect bench-bad-inputs 2 "$lamina" bench --expr 'lambda x: x' --inputs 'x:-3'
if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import numpy' 2>/dev/null; then
  expect run-bad-cpu 4 "$lamina" run --expr 'lambda x: x' -i "x=$tmp/x.npy" --cpu no-such-cpu
  contains run-bad-cpu "$tmp/err" "unknown CPU"
  # The JIT (default) and the interpreter agree bit for bit on elementwise arithmetic, and the
  # kernel cache is written under XDG_CACHE_HOME, then reused.
  expect run-jit 0 "$lamina" run --expr 'lambda x: x * 3 - 1 / (x + 2)' -i "x=$tmp/x.npy" -o "$tmp/jit.npy"
  expect run-interp 0 "$lamina" run --expr 'lambda x: x * 3 - 1 / (x + 2)' -i "x=$tmp/x.npy" -o "$tmp/interp.npy" --engine interp
  cmp -s "$tmp/jit.npy" "$tmp/interp.npy" && passed=$((passed + 1)) ||
    { failed=$((failed + 1)); echo "FAIL run-jit: differs from the interpreter"; }
  ls "$tmp/cache/lamina/kernels/"*.o >/dev/null 2>&1 && passed=$((passed + 1)) ||
    { failed=$((failed + 1)); echo "FAIL run-jit: no kernel cache entry"; }
  expect run-threads 0 "$lamina" run --expr "$softmax" -i "x=$tmp/x.npy" -o "$tmp/t2.npy" --threads 2
  expect run-generic-cpu 0 "$lamina" run --expr 'lambda x: exp(x) + x // 3' -i "x=$tmp/x.npy" -o "$tmp/g.npy" --cpu generic --no-cache
fi

# --- usage and I/O errors
expect no-command 2 "$lamina"
expect bad-option 2 "$lamina" check --frobnicate
expect help 0 "$lamina" --help
contains help "$tmp/out" "Exit codes: 0 fine, 1 the input has errors, 2 usage error, 3 I/O error, 4 JIT failure"
expect version 0 "$lamina" --version
contains version "$tmp/out" "lamina "
expect missing-file 3 "$lamina" check "$tmp/does-not-exist.lam"
contains missing-file "$tmp/err" "cannot read"
expect directory 3 "$lamina" check "$tmp"
expect io-beats-errors 3 "$lamina" check "$tmp/big.lam" "$tmp/does-not-exist.lam"

echo "cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
