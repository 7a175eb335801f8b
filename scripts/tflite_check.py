#!/usr/bin/env python3
"""constnet against the TensorFlow Lite interpreter on freshly drawn inputs.

For every model in tests/data/tflite/ that constnet imports, draws random
inputs (a new seed each run, printed so a failure can be replayed), runs them
through the interpreter (ai-edge-litert, reference kernels BUILTIN_REF, one
sample per invoke) and through `examples/convert.rs --run`, and compares:
int8 outputs bit for bit, f32 outputs within 1e-6 relative to the
sample's largest output (|d| <= 1e-6 * max(max|ref|, 1)) -- or, where random
inputs make a dot product cancel, no further from the reference kernels than
the interpreter's own optimized kernels are on the same inputs. It also counts how often the interpreter's other kernel sets
(optimized built-ins, XNNPACK) differ from its reference kernels. Exits 1 on
any constnet mismatch.

Needs only the interpreter, not TensorFlow (pinned):
  python3 -m venv /tmp/litert && /tmp/litert/bin/pip install ai-edge-litert==2.3.0 numpy==2.4.6
  /tmp/litert/bin/python scripts/tflite_check.py [--samples 500] [--seed N]
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
from ai_edge_litert.interpreter import Interpreter, OpResolverType

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "tests", "data", "tflite")
SKIP = {"softmax_int8"}  # refused by design (no int8 softmax): tested in tests/import_tflite.rs
KERNELS = {
    "ref": OpResolverType.BUILTIN_REF,
    "builtin": OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES,
    "xnnpack": OpResolverType.AUTO,
}


def interpret(path, xs, resolver):
    it = Interpreter(model_path=path, experimental_op_resolver_type=resolver, num_threads=1)
    it.allocate_tensors()
    inp, out = it.get_input_details()[0], it.get_output_details()[0]
    ys = []
    for x in xs:
        it.set_tensor(inp["index"], x.reshape(inp["shape"]).astype(inp["dtype"]))
        it.invoke()
        ys.append(it.get_tensor(out["index"]).reshape(-1).copy())
    return np.stack(ys)


def draw(rng, name, inp, n):
    """Random inputs of the model's dtype and width: the whole int8 range, or
    floats over (and a little beyond) the range the model was trained on."""
    width = int(np.prod(inp["shape"]))
    if inp["dtype"] == np.int8:
        return rng.integers(-128, 128, size=(n, width)).astype(np.int8)
    if name.startswith("sine"):
        return rng.uniform(-1.0, 7.3, size=(n, width)).astype(np.float32)
    if name.startswith("mnist"):
        return rng.uniform(0.0, 1.0, size=(n, width)).astype(np.float32)
    return rng.normal(0.0, 1.5, size=(n, width)).astype(np.float32)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=300)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--convert", default=os.path.join(ROOT, "target", "release", "examples", "convert"),
                    help="the built convert example (cargo build --release --features std --example convert)")
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(4), "little")
    print(f"tflite_check: seed {seed}, {args.samples} samples per model")
    rng = np.random.default_rng(seed)
    failed = False
    names = sorted(f[:-7] for f in os.listdir(FIXTURES) if f.endswith(".tflite"))
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            if name in SKIP:
                continue
            path = os.path.join(FIXTURES, name + ".tflite")
            probe = Interpreter(model_path=path)
            probe.allocate_tensors()
            inp = probe.get_input_details()[0]
            xs = draw(rng, name, inp, args.samples)
            want = {k: interpret(path, xs, r) for k, r in KERNELS.items()}
            xin, yout = os.path.join(tmp, name + ".in.npy"), os.path.join(tmp, name + ".out.npy")
            np.save(xin, xs)
            r = subprocess.run([args.convert, path, "--run", xin, yout], capture_output=True, text=True)
            if r.returncode != 0:
                print(f"{name}: convert failed:\n{r.stdout}{r.stderr}")
                failed = True
                continue
            got = np.load(yout)
            ref = want["ref"]
            others = ", ".join(
                f"{k} differs from ref in {int((want[k] != ref).sum())}" for k in ("builtin", "xnnpack"))
            if ref.dtype == np.int8:
                bad = int((got != ref).sum())
                print(f"{name}: int8, {ref.size} outputs, constnet differs from BUILTIN_REF in {bad}; "
                      f"interpreter: {others}")
                failed |= bad != 0
            else:
                scale = np.maximum(np.abs(ref).max(axis=1, keepdims=True), 1.0)
                rel = lambda y: float((np.abs(y.astype(np.float64) - ref) / scale).max())
                worst = rel(got)
                # TFLite's own kernel sets, on the same inputs, in the same measure.
                own = max(rel(want["builtin"]), rel(want["xnnpack"]))
                ok = worst <= 1e-6 or worst <= own
                print(f"{name}: f32, {ref.size} outputs, worst difference from BUILTIN_REF {worst:.2e} of the "
                      f"sample's largest output (bound: 1e-6, or what TFLite's own kernel sets differ by, {own:.2e})"
                      f"{'' if ok else ' FAIL'}; interpreter: {others}")
                failed |= not ok
    if failed:
        print(f"tflite_check: MISMATCH (replay with --seed {seed})")
        sys.exit(1)
    print("tflite_check: constnet matches the interpreter on every model")


if __name__ == "__main__":
    main()
