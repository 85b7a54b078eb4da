#!/usr/bin/env bash
# Fuzzes lamina with libFuzzer + ASan + UBSan (the `fuzz` preset, clang-19): each harness of
# tests/fuzz in turn, from its seed corpus and its regressions, with the source dictionary.
#
#   scripts/fuzz.sh [--minutes N | --runs N] [--jobs J] [HARNESS...]
#
# --minutes N  fuzz each harness for N minutes (default 1)
# --runs N     fuzz each harness for N executions, seed 1 (what CI does: repeatable)
# --jobs J     run J harnesses at once (default 1), each on its own core while there are enough
# HARNESS      parse_check interp jit config npy npz safetensors repl (default: all)
#
# New inputs go to build/fuzz/corpus/HARNESS (never into the tree); a failing input is saved
# as build/fuzz/artifacts/HARNESS/crash-* - copy it into tests/fuzz/regressions/HARNESS/ with
# the fix, so it runs in every `ctest` from then on (tests/fuzz/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=1
runs=""
jobs=1
harnesses=()
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) minutes=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) harnesses+=("$1"); shift ;;
  esac
done
[ ${#harnesses[@]} -gt 0 ] || harnesses=(parse_check interp jit config npy npz safetensors repl)

bash scripts/install-deps.sh
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz --target lamina_fuzzers

# fuzz_one HARNESS: runs it, prints its statistics; fails if it found a problem.
fuzz_one() {
  local name=$1
  local binary=build/fuzz/tests/fuzz/lamina_fuzz_$name
  local out=build/fuzz/corpus/$name
  local artifacts=build/fuzz/artifacts/$name
  mkdir -p "$out" "$artifacts"
  local inputs=("$out" "tests/fuzz/corpus/$name")
  [ -d "tests/fuzz/regressions/$name" ] && inputs+=("tests/fuzz/regressions/$name")
  local flags=(-artifact_prefix="$artifacts/" -timeout=60 -rss_limit_mb=4096 -malloc_limit_mb=4096
               -max_len=8192 -print_final_stats=1 -close_fd_mask=1)
  case "$name" in parse_check|interp|jit) flags+=(-dict=tests/fuzz/lamina.dict) ;; esac
  # A generated program compiles in a second or two under ASan; with every core busy (--jobs)
  # that can pass a minute of wall time. Five minutes still catches a hang.
  if [ "$name" = jit ]; then flags+=(-timeout=300); fi
  if [ -n "$runs" ]; then
    flags+=(-runs="$runs" -seed=1)
  else
    flags+=(-max_total_time=$((minutes * 60)))
  fi
  local log=build/fuzz/$name.log
  if XDG_CACHE_HOME=build/fuzz/cache "$binary" "${flags[@]}" "${inputs[@]}" >"$log" 2>&1; then
    if [ -n "$runs" ]; then echo "=== fuzz $name: $runs runs"; else echo "=== fuzz $name: $minutes min"; fi
    grep -E "stat::number_of_executed_units|stat::peak_rss_mb|Done [0-9]+ runs" "$log" || true
  else
    echo "fuzz.sh: $name FAILED; the input is in $artifacts, the log in $log" >&2
    grep -E -A30 "fuzz invariant broken|ERROR: (AddressSanitizer|libFuzzer|LeakSanitizer)|runtime error" "$log" | head -60 >&2
    return 1
  fi
}

for name in "${harnesses[@]}"; do
  [ -x "build/fuzz/tests/fuzz/lamina_fuzz_$name" ] || { echo "fuzz.sh: no harness $name" >&2; exit 2; }
done
failed=0
running=0
for name in "${harnesses[@]}"; do
  if [ "$running" -ge "$jobs" ]; then
    wait -n || failed=1
    running=$((running - 1))
  fi
  fuzz_one "$name" &
  running=$((running + 1))
done
while [ "$running" -gt 0 ]; do
  wait -n || failed=1
  running=$((running - 1))
done
exit $failed
