#!/usr/bin/python3
"""`lamina repl` on a real pseudo-terminal: Tab completion (one candidate, a list, a
namespace), multi-line input with the continuation prompt, Ctrl-C abandoning a line, and the
history file: a line typed in one session is recalled with the up arrow (and with Ctrl-R) in
the next. Python 3 standard library only; every wait has a timeout, so it cannot hang CI.

usage: pty_test.py LAMINA
"""

import os
import pty
import select
import sys
import tempfile
import time

TIMEOUT = 20.0  # seconds for any one expected output (a first JIT compile included)


class Session:
    def __init__(self, lamina, history, home):
        env = dict(os.environ, TERM="xterm", HOME=home, XDG_STATE_HOME=home + "/state",
                   XDG_CACHE_HOME=home + "/cache", NO_COLOR="1")
        # For the sanitizer build: a leak inside libedit itself is not ours (see lsan.supp).
        supp = os.path.join(os.path.dirname(os.path.abspath(__file__)), "lsan.supp")
        env["LSAN_OPTIONS"] = ":".join(filter(None, [os.environ.get("LSAN_OPTIONS"),
                                                      "suppressions=" + supp]))
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execve(lamina, [lamina, "repl", "--history", history, "--threads", "1"], env)
        self.output = b""

    def read_until(self, needle, what):
        """Reads until `needle` appears after what was consumed; fails after TIMEOUT."""
        needle = needle.encode()
        deadline = time.monotonic() + TIMEOUT
        while needle not in self.output:
            left = deadline - time.monotonic()
            if left <= 0:
                fail(f"timed out waiting for {what}: {needle!r}\n--- output so far:\n"
                     f"{self.output.decode(errors='replace')}")
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                try:
                    chunk = os.read(self.fd, 4096)
                except OSError:
                    chunk = b""
                if not chunk:
                    fail(f"the REPL ended while waiting for {what}: {needle!r}\n--- output:\n"
                         f"{self.output.decode(errors='replace')}")
                self.output += chunk
        at = self.output.index(needle) + len(needle)
        seen, self.output = self.output[:at], self.output[at:]
        return seen.decode(errors="replace")

    def send(self, text):
        os.write(self.fd, text.encode())

    def wait_exit(self):
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return os.waitstatus_to_exitcode(status)
            try:  # drain, so the child never blocks on a full terminal
                if select.select([self.fd], [], [], 0.1)[0]:
                    os.read(self.fd, 4096)
            except OSError:
                pass
        os.kill(self.pid, 9)
        fail("the REPL did not exit after :quit")


def fail(message):
    print("FAIL:", message)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)
    print("ok:", message)


def main():
    lamina = sys.argv[1]
    with tempfile.TemporaryDirectory() as home:
        history = os.path.join(home, "history")

        s = Session(lamina, history, home)
        s.read_until(">>> ", "the first prompt")

        # Tab completes a unique builtin name.
        s.send("x = ones((2, 3))\r")
        s.read_until(">>> ", "the prompt after an assignment")
        # (The terminal shows the completion as cursor movements, so the value is what proves it.)
        s.send("l2_norm\t")
        s.read_until("alize", "l2_norm<Tab> completing to l2_normalize")
        s.send("(x, axis=1)\r")
        out = s.read_until(">>> ", "the value of l2_normalize")
        check("f32[2, 3]" in out and "0.5774" in out, "Tab completion, then the value printed")

        # Tab on an ambiguous word lists the candidates; a namespace completes one level.
        s.send("rel\t")  # completes the common prefix `relu`, a second Tab lists
        s.read_until("u", "rel<Tab> completing to relu")
        s.send("\t")
        out = s.read_until("relu6", "the list of relu* candidates")
        check("relu" in out, "Tab lists relu and relu6")
        s.read_until(">>> relu", "the line shown again under the list")
        s.send("\x15")  # Ctrl-U: clear the line
        s.send("tf.nn.rel\t")
        s.read_until("u", "tf.nn.rel<Tab>")
        s.send("(x - 2)\r")
        out = s.read_until(">>> ", "tf.nn.relu's value")
        check("[[0., 0., 0.]," in out, "a qualified alias completes and runs")

        # A def over several lines: continuation prompts until the empty line.
        s.send("def twice(a):\r")
        s.read_until("... ", "the continuation prompt after a def header")
        s.send("    b = a + a\r")
        s.read_until("... ", "the continuation prompt inside the body")
        s.send("    return b\r")
        s.read_until("... ", "the continuation prompt before the empty line")
        s.send("\r")
        s.read_until(">>> ", "the prompt after the def")
        s.send("twice(x)\r")
        out = s.read_until(">>> ", "the def's result")
        check("[[2., 2., 2.]," in out, "a multi-line def is defined and called")

        # The history holds the def whole: Up recalls all of it, Enter defines it again.
        s.send("\x1b[A\x1b[A")  # up: `twice(x)`, up again: the def
        out = s.read_until("return b", "the up arrow recalling the def")
        # (libedit redraws by editing the shown line: `def ` is inserted before `twice(`.)
        check("def " in out and "b = a + a" in out, "Up recalls a def whole: " + repr(out))
        s.send("\r")
        s.read_until(">>> ", "the prompt after the recalled def")
        s.send("twice(x) + 1\r")
        out = s.read_until(">>> ", "the recalled def's result")
        check("[[3., 3., 3.]," in out, "the recalled def is defined again")

        # Brackets continue a line too.
        s.send("concat([x,\r")
        s.read_until("... ", "the continuation prompt inside brackets")
        s.send("x], axis=0)\r")
        out = s.read_until(">>> ", "the bracketed value")
        check("f32[4, 3]" in out, "an open bracket continues the input")

        # Ctrl-C abandons a half-typed multi-line input and gives a fresh prompt.
        s.send("y = concat([x,\r")
        s.read_until("... ", "the continuation prompt")
        s.send("garbage\x03")
        s.read_until(">>> ", "a fresh prompt after Ctrl-C")
        s.send(":vars\r")
        out = s.read_until(">>> ", ":vars")
        check(" y " not in out and "x " in out, "Ctrl-C dropped the unfinished input")

        # The newcomer's session: a tensor, the antirectifier over three lines, its value,
        # :type, :asm, :time, a mistake with its caret.
        s.send("x = randn([4, 8], seed=0)\r")
        s.read_until(">>> ", "the prompt after randn")
        s.send("def antirectifier(x):\r")
        s.read_until("... ", "the def's continuation prompt")
        for line in ["    x = x - mean(x, axis=1, keepdims=True)",
                     "    x = l2_normalize(x, axis=1)",
                     "    return concat([relu(x), relu(-x)], axis=1)", ""]:
            s.send(line + "\r")
            s.read_until("... " if line else ">>> ", "the antirectifier's next line")
        s.send("antirectifier(x)\r")
        s.read_until("f32[4, 16]", "the antirectifier's value")
        s.read_until(">>> ", "the prompt after it")
        s.send(":type antirectifier(x)\r")
        s.read_until("f32[4, 16]", ":type")
        s.read_until(">>> ", "the prompt after :type")
        s.send(":asm antirectifier(x)\r")
        s.read_until("ret", ":asm")
        s.read_until(">>> ", "the prompt after :asm")
        s.send(":time antirectifier(x) 20\r")
        s.read_until("median", ":time")
        s.read_until(">>> ", "the prompt after :time")
        s.send("antirectifier(x, axis=3)\r")
        out = s.read_until(">>> ", "the mistake's diagnostic")
        check("error[" in out and "^" in out, "the antirectifier session: value, :type, :asm, "
              ":time, a caret under the mistake")

        # Ctrl-C abandons a running computation (the interpreter's 3000^3 matmul takes far
        # longer than the test waits) and the session goes on.
        s.send(":set engine interp\r")
        s.read_until(">>> ", "the prompt after :set engine")
        s.send("big = sum(ones((3000, 3000)) @ ones((3000, 3000)))\r")
        time.sleep(1.0)
        s.send("\x03")
        s.read_until("interrupted", "the interrupted computation")
        s.read_until(">>> ", "the prompt after the interrupt")
        s.send(":set engine jit\r")
        s.read_until(">>> ", "the prompt after :set engine jit")
        s.send("ones((2,)) * 21\r")
        s.read_until("[21., 21.]", "a value after the interrupt")
        s.read_until(">>> ", "the prompt after it")
        check(True, "Ctrl-C abandons a running computation; the session goes on")

        # A line for the next session to recall, then quit (with the abandoned computation
        # still running: the process must end anyway).
        s.send("41 + 1\r")
        out = s.read_until(">>> ", "41 + 1")
        check("42" in out, "a bare expression prints its value")
        s.send(":quit\r")
        check(s.wait_exit() == 0, ":quit exits with status 0")
        check(os.path.exists(history), "the history file was written")

        # The second session recalls lines from the first.
        s = Session(lamina, history, home)
        s.read_until(">>> ", "the prompt of the second session")
        s.send("\x1b[A")  # up: `:quit`
        s.read_until(":quit", "the up arrow recalling :quit")
        s.send("\x1b[A")  # up again: `41 + 1`
        s.read_until("41 + 1", "the up arrow recalling 41 + 1")
        s.send("\r")
        s.read_until("42", "the recalled line's value")
        s.read_until(">>> ", "the prompt after it")
        check(True, "history recalled across sessions with the up arrow")
        s.send("\x12twice")  # Ctrl-R: reverse search
        s.read_until("(x)", "Ctrl-R finding twice(x)")
        s.send("\x15\x07")  # leave the search (Ctrl-G) after clearing
        # A line with a value of its own, so the prompt awaited is the one after it, not the
        # search's redraw: keys sent before the editor is back in raw mode would be echoed by
        # the terminal and lost (it happened under CI's load).
        s.send("6 * 7\r")
        s.read_until("42", "the value of a line typed after the search")
        s.read_until(">>> ", "a prompt after the search")
        check(True, "Ctrl-R searches the history")
        s.send("\x12antirectifier(x):")  # a def from the first session, found whole
        out = s.read_until("axis=1)", "Ctrl-R finding the antirectifier def")
        s.send("\r")
        s.read_until(">>> ", "the prompt after the recalled def")
        s.send("antirectifier(ones((1, 2)))\r")
        out = s.read_until(">>> ", "the recalled antirectifier's value")
        check("f32[1, 4]" in out, "a def saved in the history file is recalled whole")
        s.send("\x04")  # Ctrl-D on an empty line
        check(s.wait_exit() == 0, "Ctrl-D exits with status 0")
    print("PASS")


if __name__ == "__main__":
    main()
