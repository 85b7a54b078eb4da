#!/usr/bin/python3
"""Runs a scripted `lamina repl` session and compares its output (standard output and
standard error, merged in the order they were written) with the expected transcript, exactly,
and its exit status with the expected one.

usage: run_session.py LAMINA SESSION.in EXPECTED.out STATUS [--stdin]

The session runs in a fresh temporary folder (for :save/:load), with the kernel cache off and
one thread, from a file argument or, with --stdin, piped through standard input. With
LAMINA_UPDATE_GOLDEN=1 the transcript is rewritten instead (review the diff). The two lines
of `:time` carry measurements: they are compared as `compile  <timing>` and
`run      <timing> (N runs, ENGINE)`.
"""

import difflib
import os
import re
import subprocess
import sys
import tempfile

TIMEOUT = 300  # seconds; the sanitizer build is slow, but nothing may hang


def normalize(text):
    text = re.sub(r"(?m)^compile  .*$", "compile  <timing>", text)
    return re.sub(r"(?m)^run      median .*( \(\d+ runs, \w+\))$", r"run      <timing>\1", text)


def main():
    lamina, session, expected_path, status = sys.argv[1:5]
    use_stdin = "--stdin" in sys.argv[5:]
    with tempfile.TemporaryDirectory() as work:
        env = dict(os.environ, HOME=work, XDG_STATE_HOME=work, XDG_CACHE_HOME=work,
                   NO_COLOR="1")
        # One target everywhere (portable x86-64, 4-lane vectors): the plans print their
        # schedules for it, whatever CPU runs the test.
        command = [lamina, "repl", "--no-cache", "--threads", "1", "--cpu", "generic"]
        with open(session, "rb") as source:
            result = subprocess.run(
                command + ([] if use_stdin else [os.path.abspath(session)]),
                stdin=source if use_stdin else subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT, cwd=work, env=env, timeout=TIMEOUT)
    got = normalize(result.stdout.decode())
    if os.environ.get("LAMINA_UPDATE_GOLDEN") == "1":
        with open(expected_path, "w") as f:
            f.write(got)
        print(f"updated {expected_path} (exit status {result.returncode})")
        return 0
    with open(expected_path) as f:
        expected = f.read()
    ok = True
    if got != expected:
        ok = False
        print(f"FAIL: the output of {session} differs from {expected_path}:")
        sys.stdout.writelines(difflib.unified_diff(
            expected.splitlines(True), got.splitlines(True), "expected", "got"))
    if result.returncode != int(status):
        ok = False
        print(f"FAIL: exit status {result.returncode}, expected {status}")
    if ok:
        print(f"PASS: {session} ({len(got.splitlines())} lines, exit status {status})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
