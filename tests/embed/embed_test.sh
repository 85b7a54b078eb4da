#!/usr/bin/env bash
# Installs lamina into a temporary prefix and builds examples/embed against the *installed*
# package, as a host application would (find_package(lamina), then pkg-config).
set -euo pipefail
build=$1
source=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_CACHE_HOME="$tmp/cache"

cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
cmake -S "$source/examples/embed" -B "$tmp/build" -G Ninja -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
cmake --build "$tmp/build" >/dev/null
out=$("$tmp/build/embed" "$source/examples/embed/model.json")
echo "$out"
grep -qF "f32[2, 8]" <<<"$out"
# The structured diagnostic: code, line 2, column 16 (`undefined_name`), its length.
grep -qF "diagnostic E0301 error at 2:16 (14 bytes)" <<<"$out"

# The C host (include/lamina.h): threads, target, no cache, warm-up, a run on its buffer, the
# model, and the diagnostic as fields.
cout=$("$tmp/build/c_example" "$source/examples/embed/model.json")
echo "$cout"
grep -qF "f32[2, 4]: 1 1 1 3 5 7 9 11" <<<"$cout"
grep -qF "model: 1 input(s), output rank 2" <<<"$cout"
grep -qF "diagnostic E0301 error at 2:16 (14 bytes)" <<<"$cout"

# Building, saving and loading a model (docs/embedding.md): the loaded model's bits agree.
(cd "$tmp" && "$tmp/build/save_load") | tee "$tmp/save_load.out"
grep -qF "identical: 1" "$tmp/save_load.out"
test -f "$tmp/small/config.json" && test -f "$tmp/small/model.weights.safetensors"

# A broken config: exit 1 and the error at its line and column in the JSON file.
sed 's/axis=1, keepdims/axis=5, keepdims/' "$source/examples/embed/model.json" >"$tmp/bad.json"
if "$tmp/build/embed" "$tmp/bad.json" 2>"$tmp/err"; then
  echo "FAIL: a broken config was accepted"
  exit 1
fi
line=$(grep -n 'axis=5' "$tmp/bad.json" | cut -d: -f1)
grep -qF "$tmp/bad.json:$line:" "$tmp/err"

# pkg-config: the same program with plain g++.
export PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig:$tmp/prefix/lib/x86_64-linux-gnu/pkgconfig"
libdir=$(pkg-config --variable=libdir lamina)
g++ "$source/examples/embed/main.cpp" -o "$tmp/embed-pc" $(pkg-config --cflags --libs lamina) \
  -pthread -Wl,-rpath,"$libdir"
"$tmp/embed-pc" "$source/examples/embed/model.json" | grep -qF "f32[2, 8]"
gcc -std=c99 -Wall -Wextra -Werror "$source/examples/embed/c_example.c" -o "$tmp/c-pc" \
  $(pkg-config --cflags --libs lamina) -Wl,-rpath,"$libdir"
"$tmp/c-pc" | grep -qF "f32[2, 4]: 1 1 1 3 5 7 9 11"
echo "embed: installed package, find_package and pkg-config all work, from C++ and from C"
