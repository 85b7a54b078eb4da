#!/usr/bin/env bash
# Golden tests of `lamina emit`: each tests/emit/*.lam says how to run the compiler
# (`# RUN PREFIX ARGS...`: `lamina emit ARGS --no-cache FILE`) and what its output must hold,
# as FileCheck lines of that prefix (`# IR:`, `# OPT-NEXT:`, `# LLVM-NOT:` ...). So a change to
# a stage's output shows up as a failed check naming the line, not as a silent drift.
set -uo pipefail
lamina=$1
filecheck=$2
dir=$(dirname "$0")
status=0
count=0
for file in "$dir"/*.lam; do
  while IFS= read -r run; do
    read -r -a words <<<"${run#\# RUN }"
    prefix=${words[0]}
    args=("${words[@]:1}")
    count=$((count + 1))
    if ! "$lamina" emit "${args[@]}" --no-cache "$file" >"${TMPDIR:-/tmp}/emit.$$.out" 2>&1; then
      echo "FAIL $file ($prefix): lamina emit failed:"
      cat "${TMPDIR:-/tmp}/emit.$$.out"
      status=1
      continue
    fi
    if ! "$filecheck" --check-prefix="$prefix" "$file" <"${TMPDIR:-/tmp}/emit.$$.out"; then
      echo "FAIL $file ($prefix)"
      status=1
    fi
  done < <(grep '^# RUN ' "$file")
done
rm -f "${TMPDIR:-/tmp}/emit.$$.out"
if ((count < 10)); then
  echo "FAIL: only $count runs found"
  exit 1
fi
((status == 0)) && echo "emit: $count golden runs pass"
exit $status
