#!/usr/bin/env bash
# Rewrites the generated sections of docs/language.md (between the `<!-- NAME:begin -->` and
# `<!-- NAME:end -->` markers) from `lamina doc NAME`, after a change to the builtin registry
# or the promotion rules. tests/unit/DocsTest.cpp fails until this has been run.
set -euo pipefail
cd "$(dirname "$0")/.."
lamina=${LAMINA:-build/release/tools/lamina/lamina}
for section in builtins promotion; do
  "$lamina" doc "$section" >"/tmp/lamina-doc-$section.md"
  /usr/bin/env python3 - "$section" "/tmp/lamina-doc-$section.md" <<'PY'
import sys
section, generated = sys.argv[1], open(sys.argv[2]).read()
path = "docs/language.md"
text = open(path).read()
begin, end = f"<!-- {section}:begin -->\n", f"<!-- {section}:end -->"
head, rest = text.split(begin, 1)
_, tail = rest.split(end, 1)
open(path, "w").write(head + begin + generated + end + tail)
PY
done
echo "docs/language.md regenerated"
