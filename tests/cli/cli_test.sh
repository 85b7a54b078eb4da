#!/usr/bin/env bash
# The lamina CLI as a user runs it: outputs and exit codes (0 fine, 1 input errors, 2 usage,
# 3 I/O), including the foundation issue's "done when" commands.
set -u
lamina=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

# expect NAME WANT_EXIT COMMAND... ; output is left in $tmp/out and $tmp/err
expect() {
  local name=$1 want=$2
  shift 2
  "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  if [ "$got" -eq "$want" ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL $name: exit $got, expected $want"
    sed 's/^/  stdout: /' "$tmp/out" | head -20
    sed 's/^/  stderr: /' "$tmp/err" | head -20
  fi
}

# contains NAME FILE TEXT
contains() {
  if grep -qF -- "$3" "$2"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL $1: $(basename "$2") lacks: $3"
    sed 's/^/  | /' "$2" | head -20
  fi
}

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
expect check-ok 0 "$lamina" check --expr 'lambda x: x ** 2'
contains check-ok "$tmp/out" "<expr>: ok"
expect check-expr-file 0 "$lamina" check --expr "@$tmp/canonical.lam"

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
expect emit-unknown-stage 2 "$lamina" emit --stage llvm --expr 'x'

# --- usage and I/O errors
expect no-command 2 "$lamina"
expect bad-option 2 "$lamina" check --frobnicate
expect help 0 "$lamina" --help
contains help "$tmp/out" "Exit codes: 0 fine, 1 the input has errors, 2 usage error, 3 I/O error"
expect version 0 "$lamina" --version
contains version "$tmp/out" "lamina "
expect missing-file 3 "$lamina" check "$tmp/does-not-exist.lam"
contains missing-file "$tmp/err" "cannot read"
expect directory 3 "$lamina" check "$tmp"
expect io-beats-errors 3 "$lamina" check "$tmp/big.lam" "$tmp/does-not-exist.lam"

echo "cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
