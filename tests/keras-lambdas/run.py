#!/usr/bin/env python3
"""Run each case of cases.py with the real libraries and with `lamina run`, and compare.

    ~/.cache/lamina/library-venv/bin/python tests/keras-lambdas/run.py [--lamina PATH] [--seed N]
        [--only REGEX] [--engine jit|interp] [--verbose] [--keep DIR] [--reference-only]

Prints one row per case (match / mismatch / refused / crash), the totals and the percentage
that match. Exits 1 only if lamina crashed (a signal, a JIT failure, a usage or I/O error,
a timeout, no output) or a reference failed (the corpus itself is broken); 2 on bad usage.
"""

import argparse
import ast
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import types
import zlib
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cases import CASES, DEFAULT_TOL  # noqa: E402

DEFAULT_LAMINA = "/work/main/build/release/tools/lamina/lamina"
DEFAULT_SEED = 20261207
TIMEOUT_SECONDS = 120

DTYPES = {
    "bool": np.bool_, "i8": np.int8, "u8": np.uint8, "i32": np.int32, "i64": np.int64,
    "f16": np.float16, "f32": np.float32, "f64": np.float64,
}


# ----------------------------------------------------------------------------- inputs

def parse_spec(spec):
    m = re.fullmatch(r"(\w+)\[([\d, ]*)\]", spec)
    assert m, f"bad input spec {spec!r}"
    shape = tuple(int(d) for d in m.group(2).split(",") if d.strip())
    return np.dtype(DTYPES[m.group(1)]), shape


def make_input(t, rng):
    dtype, shape = parse_spec(t.spec)
    kind = t.kind
    if kind is None:
        if dtype == np.bool_:
            kind = "bool"
        elif np.issubdtype(dtype, np.integer):
            kind = "int"
        else:
            kind = "normal" if t.lo is None else "uniform"
    lo = 0 if t.lo is None else t.lo
    hi = 10 if t.hi is None else t.hi
    if kind == "normal":
        a = rng.standard_normal(shape)
    elif kind == "uniform":
        a = rng.uniform(lo, hi, shape)
    elif kind in ("int", "intfloat"):
        a = rng.integers(int(lo), int(hi), shape)
    elif kind in ("bool", "binary"):
        a = rng.integers(0, 2, shape)
    elif kind == "mask":
        lengths = rng.integers(1, shape[-1] + 1, shape[:-1])
        a = np.arange(shape[-1]) < lengths[..., None]
    elif kind == "onehot":
        a = np.eye(shape[-1])[rng.integers(0, shape[-1], shape[:-1])]
    elif kind == "prob":
        e = np.exp(rng.standard_normal(shape))
        a = e / e.sum(axis=-1, keepdims=True)
    elif kind == "nan":
        a = rng.standard_normal(shape)
        a[rng.random(shape) < 0.1] = np.nan
    elif kind == "padded":
        a = rng.standard_normal(shape)
        lengths = rng.integers(1, shape[1] + 1, shape[0])
        steps = np.arange(shape[1]).reshape((1, shape[1]) + (1,) * (len(shape) - 2))
        a = a * (steps < lengths.reshape((shape[0],) + (1,) * (len(shape) - 1)))
    else:
        raise AssertionError(f"unknown input kind {kind!r}")
    return np.ascontiguousarray(np.asarray(a).astype(dtype))


def make_inputs(case, seed):
    """The case's inputs as NumPy arrays: a dict of arrays, or of lists of arrays.

    Each case has its own generator, from the run's seed and the case's name, so adding or
    removing a case changes no other case's inputs."""
    rng = np.random.default_rng([seed, zlib.crc32(case.name.encode())])
    values = {}
    for name, spec in case.inputs.items():
        if isinstance(spec, list):
            values[name] = [make_input(t, rng) for t in spec]
        else:
            values[name] = make_input(spec, rng)
    return values


# ----------------------------------------------------------------------------- the real libraries

def load_libraries():
    import jax.numpy as jnp
    import keras
    import tensorflow as tf
    from keras import ops
    from keras.src.legacy import backend as legacy

    tf.get_logger().setLevel("ERROR")  # deprecation notices of tf.compat.v1 calls

    # Keras 3 keeps the Keras 2 backend functions in keras.src.legacy.backend; epsilon()
    # and floatx() moved to keras.backend / keras.config.
    K = types.SimpleNamespace(**{n: getattr(legacy, n) for n in dir(legacy) if not n.startswith("_")})
    K.epsilon = keras.backend.epsilon
    K.floatx = keras.backend.floatx
    K.image_data_format = keras.backend.image_data_format
    feeds = {
        "tf": tf.constant,
        "np": lambda a: a,
        "jax": jnp.asarray,
    }
    namespace = {"K": K, "tf": tf, "np": np, "ops": ops, "keras": keras, "jnp": jnp}
    return namespace, feeds


def entry_point(src, namespace):
    """The function the source defines: its trailing lambda, else its last def."""
    tree = ast.parse(src)
    last = tree.body[-1]
    scope = dict(namespace)
    if isinstance(last, ast.Expr) and isinstance(last.value, ast.Lambda):
        exec(compile(ast.Module(tree.body[:-1], []), "<case>", "exec"), scope)
        return eval(compile(ast.Expression(last.value), "<case>", "eval"), scope)
    assert isinstance(last, ast.FunctionDef), "a source ends with a lambda or a def"
    exec(compile(tree, "<case>", "exec"), scope)
    return scope[last.name]


def as_outputs(result):
    """A Lambda returning a tuple or list has several outputs (top_k's namedtuple too)."""
    if isinstance(result, (tuple, list)):
        return [np.asarray(r) for r in result]
    return [np.asarray(result)]


def reference(case, inputs, namespace, feeds):
    feed = feeds[case.feed]
    args = {n: [feed(a) for a in v] if isinstance(v, list) else feed(v) for n, v in inputs.items()}
    return as_outputs(entry_point(case.src, namespace)(**args))


# ----------------------------------------------------------------------------- lamina

def run_lamina(lamina, case, inputs, workdir, engine):
    """Returns (status, detail, outputs); status is None when lamina produced outputs."""
    src = workdir / "case.lam"
    src.write_text(case.src + "\n")
    cmd = [lamina, "run", str(src), "--no-cache", "--engine", engine]
    for name, value in inputs.items():
        for i, a in enumerate(value if isinstance(value, list) else [value]):
            path = workdir / f"{name}_{i}.npy"
            np.save(path, a)
            cmd += ["-i", f"{name}={path}"]
    out = workdir / "out.npz"
    cmd += ["-o", str(out)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        return "crash", f"timeout after {TIMEOUT_SECONDS} s", None
    stderr = proc.stderr.replace(str(src), "case.lam")
    codes = sorted(set(re.findall(r"error\[(E\d+)\]", stderr)))
    if proc.returncode == 1 and codes:
        first = next(l for l in stderr.splitlines() if "error[" in l)
        return "refused", f"{','.join(codes)}: {first.strip()}", stderr
    if proc.returncode != 0:  # a signal, a JIT failure, usage, I/O, or exit 1 without a diagnostic
        what = f"signal {-proc.returncode}" if proc.returncode < 0 else f"exit {proc.returncode}"
        tail = stderr.strip().splitlines()[-1] if stderr.strip() else ""
        return "crash", f"{what}: {tail}", stderr
    if not out.exists():
        return "crash", "exit 0 without writing the output", stderr
    with np.load(out) as z:
        outputs = [z[f"arr_{i}"] for i in range(len(z.files))]
    return None, "", outputs


# ----------------------------------------------------------------------------- comparison

def worst(got, want):
    """(max abs error, max error relative to |library|, index, lamina value, library value)."""
    g = got.astype(np.float64)
    w = want.astype(np.float64)
    err = np.abs(g - w)
    err = np.where(np.isnan(g) & np.isnan(w), 0.0, err)
    err = np.where(np.isnan(err), np.inf, err)
    if err.size == 0:
        return 0.0, 0.0, (), None, None
    i = np.unravel_index(np.argmax(err), err.shape)
    rel = float(np.max(err / np.maximum(np.abs(w), np.finfo(np.float64).tiny)))
    return float(err[i]), rel, tuple(int(k) for k in i), g[i], w[i]


def compare(case, got, want):
    """(matches, detail). dtype and shape must be the library's; values within tolerance."""
    if len(got) != len(want):
        return False, f"{len(got)} outputs, library {len(want)}"
    for k, (g, w) in enumerate(zip(got, want)):
        at = f"output {k}: " if len(want) > 1 else ""
        if g.dtype != w.dtype:
            return False, f"{at}dtype {g.dtype}, library {w.dtype}"
        if g.shape != w.shape:
            return False, f"{at}shape {g.shape}, library {w.shape}"
        if case.check is not None:
            continue  # random values: the case's statistical check decides
        if np.issubdtype(w.dtype, np.floating):
            rtol, atol = case.tol or DEFAULT_TOL[w.dtype.name]
            ok = np.allclose(g.astype(np.float64), w.astype(np.float64), rtol=rtol, atol=atol,
                             equal_nan=True)
            if not ok:
                err, rel, i, gv, wv = worst(g, w)
                return False, (f"{at}max abs err {err:.3g} (rel {rel:.3g}) > rtol {rtol:g}/atol {atol:g}"
                               f"; at {i} lamina {gv:.7g}, library {wv:.7g}")
        elif not np.array_equal(g, w):
            bad = np.argwhere(g != w)
            i = tuple(int(v) for v in bad[0])
            return False, f"{at}{len(bad)} of {w.size} differ; at {i} lamina {g[i]}, library {w[i]}"
    return True, ""


def flat_inputs(inputs):
    return {n: [a.astype(np.float64) for a in v] if isinstance(v, list) else v.astype(np.float64)
            for n, v in inputs.items()}


# ----------------------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lamina", default=DEFAULT_LAMINA, help=f"the lamina binary (default {DEFAULT_LAMINA})")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"input seed (default {DEFAULT_SEED})")
    ap.add_argument("--only", default=None, help="run only cases whose name matches this regex")
    ap.add_argument("--engine", default="jit", choices=["jit", "interp"])
    ap.add_argument("--verbose", "-v", action="store_true", help="print source and stderr of each failure")
    ap.add_argument("--keep", default=None, help="keep each case's files in this directory")
    ap.add_argument("--reference-only", action="store_true",
                    help="only run the references (checks the corpus without lamina)")
    args = ap.parse_args()

    cases = [c for c in CASES if args.only is None or re.search(args.only, c.name)]
    names = [c.name for c in CASES]
    dupes = {n for n in names if names.count(n) > 1}
    assert not dupes, f"duplicate case names: {sorted(dupes)}"
    if not args.reference_only and not os.access(args.lamina, os.X_OK):
        print(f"lamina binary not found or not executable: {args.lamina}", file=sys.stderr)
        return 2

    print(f"seed {args.seed}; {len(cases)} cases; engine {args.engine}")
    lamina = args.lamina
    if not args.reference_only:
        # Others rebuild the binary while this runs: measure one copy of it throughout.
        built = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(os.stat(lamina).st_mtime))
        lamina = str(Path(tempfile.mkdtemp(prefix="lamina-corpus-")) / "lamina")
        shutil.copy2(args.lamina, lamina)
        print(f"lamina {args.lamina} (built {built}), run from a copy")
    namespace, feeds = load_libraries()

    rows = []
    width = max(len(c.name) for c in cases)
    for case in cases:
        inputs = make_inputs(case, args.seed)
        try:
            want = reference(case, inputs, namespace, feeds)
            if case.check is not None:
                ok, why = case.check(flat_inputs(inputs), want)
                assert ok, f"the reference fails its own statistical check: {why}"
        except Exception as e:  # a broken case, not a lamina failure
            status, detail = "ref-error", f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"
            rows.append((case, status, detail, ""))
            print(f"{case.name:<{width}}  {status:<9} {detail}", flush=True)
            continue
        if args.reference_only:
            shapes = ", ".join(f"{w.dtype}{list(w.shape)}" for w in want)
            rows.append((case, "reference", shapes, ""))
            print(f"{case.name:<{width}}  reference {shapes}", flush=True)
            continue

        if args.keep:
            workdir = Path(args.keep) / case.name
            workdir.mkdir(parents=True, exist_ok=True)
            status, detail, got = run_lamina(lamina, case, inputs, workdir, args.engine)
        else:
            with tempfile.TemporaryDirectory(prefix="lamina-case-") as tmp:
                status, detail, got = run_lamina(lamina, case, inputs, Path(tmp), args.engine)
        stderr = ""
        if status is None:
            ok, detail = compare(case, got, want)
            if ok and case.check is not None:
                ok, why = case.check(flat_inputs(inputs), got)
                detail = f"by statistics: {why}"
            status = "match" if ok else "mismatch"
        else:
            stderr = got
        rows.append((case, status, detail, stderr))
        print(f"{case.name:<{width}}  {status:<9} {detail}", flush=True)
        if args.verbose and status != "match":
            print("    | " + case.src.replace("\n", "\n    | "))
            for line in (stderr or "").rstrip().splitlines():
                print("    ! " + line)

    counts = {}
    for _, status, _, _ in rows:
        counts[status] = counts.get(status, 0) + 1
    total = len(rows)
    print()
    print("totals: " + ", ".join(f"{s} {n}" for s, n in sorted(counts.items())) + f"; {total} cases")
    if not args.reference_only and total:
        matched = counts.get("match", 0)
        print(f"run and match the library: {matched}/{total} = {100.0 * matched / total:.1f} %")
    if not args.reference_only:
        shutil.rmtree(Path(lamina).parent, ignore_errors=True)
    return 1 if counts.get("crash") or counts.get("ref-error") else 0


if __name__ == "__main__":
    sys.exit(main())
