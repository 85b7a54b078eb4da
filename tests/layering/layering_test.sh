#!/usr/bin/env bash
# The layering check (cmake/Layering.cmake) passes on the source tree and fails on a planted
# wrong include of each kind: a stage reaching up, the runtime reaching into the JIT, and a
# third-party header outside its owner.
set -euo pipefail
source=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cmake -DROOT="$source" -P "$source/cmake/Layering.cmake"

plant() { # folder, file, include line, expected text in the error
  rm -rf "$tmp/tree" && mkdir -p "$tmp/tree/$1"
  printf '%s\nint planted;\n' "$3" >"$tmp/tree/$1/$2"
  if cmake -DROOT="$tmp/tree" -P "$source/cmake/Layering.cmake" 2>"$tmp/err"; then
    echo "FAIL: $1/$2 with '$3' passed the layering check"
    exit 1
  fi
  if ! grep -qF "$4" "$tmp/err"; then
    echo "FAIL: the error does not name '$4':"
    cat "$tmp/err"
    exit 1
  fi
}
plant compiler/jit Planted.cpp '#include "compiler/sema/Sema.h"' 'compiler/jit/Planted.cpp: includes "compiler/sema/Sema.h"'
plant compiler/jit Planted.h '#include "runtime/threads/ThreadPool.h"' 'includes "runtime/threads/ThreadPool.h"'
plant runtime/tensor Planted.cpp '#include "compiler/jit/Jit.h"' 'runtime/tensor/Planted.cpp: includes "compiler/jit/Jit.h"'
plant runtime/layers Planted.cpp '#include "compiler/jit/Jit.h"' 'runtime/layers/Planted.cpp'
plant tools/lamina Planted.cpp '#include "tools/lamina/repl/Session.h"' 'tools/lamina/repl/Session.h'
plant compiler/types Planted.cpp '#include <llvm/IR/Module.h>' 'compiler/types/Planted.cpp: includes <llvm/IR/Module.h>'
plant compiler/sema Planted.cpp '#include "antlr4-runtime.h"' 'antlr4-runtime.h'
echo "layering: the tree passes; 7 planted includes are refused"
