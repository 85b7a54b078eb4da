#!/usr/bin/env bash
# Installs every Debian 12 package lamina needs to build, test and benchmark.
# Idempotent: packages already present are left alone, and apt is only touched when
# something is missing, so running it again costs a second.
set -euo pipefail

packages=(
  cmake ninja-build g++ pkg-config
  llvm-19-dev llvm-19-tools libzstd-dev clang-19 libclang-rt-19-dev libfuzzer-19-dev
  antlr4 libantlr4-runtime-dev
  doctest-dev libcli11-dev nlohmann-json3-dev libfmt-dev libedit-dev libzip-dev
  libbenchmark-dev libeigen3-dev libopenblas-dev
  clang-format python3-numpy
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
