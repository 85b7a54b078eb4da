#!/usr/bin/env bash
# liblamina.so exports lamina's public API and nothing else (docs/embedding.md): every
# defined dynamic symbol is a name declared in include/lamina/ (or the C ABI's lamina_*), so
# no compiler internal, LLVM, ANTLR, fmt or std:: template leaks into a host's namespace.
set -euo pipefail
library=$1
include=$2

# Global symbols only: upper-case types, and `u` (GNU unique). A lower-case type is a local
# entry the version script made (liblamina.map), which no host can bind to.
symbols=$(nm -D --defined-only "$library" | awk '$2 ~ /^[A-Zu]$/ {print $3}' | c++filt)
count=$(wc -l <<<"$symbols")
if ((count < 50)); then
  echo "FAIL: only $count symbols exported; is the public API marked LAMINA_API?"
  exit 1
fi

# The names the public headers declare: classes, structs, enums and functions.
public=$(cat "$include"/lamina/*.h |
  grep -oE '(class|struct|enum class) (LAMINA_API )?[A-Z][A-Za-z0-9_]*|LAMINA_API [^(;]*[ *&][A-Za-z_][A-Za-z0-9_]*\(' |
  sed -E 's/\($//; s/.*[ *&]//' | sort -u)

bad=0
while IFS= read -r symbol; do
  name=${symbol#typeinfo name for }
  name=${name#typeinfo for }
  name=${name#vtable for }
  case $name in
  lamina_*) continue ;; # the C ABI
  lamina::*) ;;
  *)
    echo "not lamina's API: $symbol"
    bad=1
    continue
    ;;
  esac
  first=${name#lamina::}
  first=${first%%[^A-Za-z0-9_]*}
  if ! grep -qxF "$first" <<<"$public"; then
    echo "not declared in include/lamina: $symbol"
    bad=1
  fi
done <<<"$symbols"
if ((bad)); then
  echo "FAIL: liblamina.so exports more than its public API"
  exit 1
fi
echo "exports: $count symbols, all public API"
