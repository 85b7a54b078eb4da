#!/usr/bin/python3
"""One name redefined 5000 times keeps the REPL's memory bounded: only the latest value is
kept, and compiled kernels are evicted by the JIT's cache. Every 20th redefinition changes
x's shape, so 250 shapes give 500 distinct kernels, more than the in-memory cache (256)
holds. `:stats` reports the live kernels and the resident memory after 1000 and after all
5000 redefinitions.

usage: memory_test.py LAMINA
"""

import os
import subprocess
import sys
import tempfile

REDEFINITIONS = 5000
MAX_LIVE_KERNELS = 256 + 8    # the cache's capacity, and a few held by a computation
MAX_GROWTH_KIB = 64 * 1024    # resident memory may grow by at most 64 MiB after warm-up


def stats(block):
    out = {}
    for line in block.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[1].isdigit():
            out[parts[0]] = int(parts[1])
    return out


def main():
    lamina = sys.argv[1]
    lines = []
    for i in range(REDEFINITIONS):
        if i % 20 == 0:
            lines.append(f"x = randn([4, {8 + i // 20}], seed={i})")
        else:
            lines.append("x = x * 0.5 + 1")
        if i + 1 in (1000, REDEFINITIONS):
            lines.append(":stats")
    with tempfile.TemporaryDirectory() as work:
        env = dict(os.environ, HOME=work, XDG_CACHE_HOME=work, NO_COLOR="1")
        result = subprocess.run([lamina, "repl", "--no-cache", "--threads", "1"],
                                input="\n".join(lines) + "\n", capture_output=True, text=True,
                                env=env, timeout=1200)
    if result.returncode != 0:
        print("FAIL: exit status", result.returncode, result.stderr[-2000:])
        return 1
    blocks = result.stdout.split("values ")[1:]
    if len(blocks) != 2:
        print("FAIL: expected two :stats reports, got:\n", result.stdout[-2000:])
        return 1
    early, late = stats("values " + blocks[0]), stats("values " + blocks[1])
    print(f"after 1000: {early}\nafter {REDEFINITIONS}: {late}")
    ok = True
    for name, value, limit in [("values", late["values"], 1),
                               ("live_kernels", late["live_kernels"], MAX_LIVE_KERNELS),
                               ("resident growth (KiB)",
                                late["resident_kib"] - early["resident_kib"], MAX_GROWTH_KIB)]:
        verdict = "ok" if value <= limit else "FAIL"
        ok = ok and value <= limit
        print(f"{verdict}: {name} = {value} (at most {limit})")
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
