# Shared by the CLI test scripts (source it after setting `set -u`): a temporary folder with
# its own kernel cache, pass/fail counters, and the two checks.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The kernel cache goes to the test's own folder, never the user's.
export XDG_CACHE_HOME="$tmp/cache"
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
