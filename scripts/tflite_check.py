#!/usr/bin/env python3
"""constnet against the TensorFlow Lite interpreter on freshly drawn inputs.

For every model in tests/data/tflite/ that constnet imports, draws random
inputs (a new seed each run, printed so a failure can be replayed), runs them
through the interpreter (ai-edge-litert, reference kernels BUILTIN_REF, one
sample per invoke) and through `examples/convert.rs --run`, and compares:
int8 outputs bit for bit, f32 outputs within 1e-6 relative to the
magnitude of what each output sums (|d| <= 1e-6 * (sum_i |W[o,i] x_i| + |b_o|)
for a final FULLY_CONNECTED; max(max|ref|, 1) of the sample otherwise):
random inputs make dot products cancel, and the summation order is the only
difference, so that is the scale the rounding error has. It also counts how often the interpreter's other kernel sets
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


def interpret(path, xs, resolver, with_scale=False):
    """Outputs per sample; with_scale also the magnitude of what each output
    sums: sum_i |W[o,i] x_i| + |b_o| when the last operator is an f32
    FULLY_CONNECTED (read from the interpreter's own tensors), else
    max(max|y|, 1) of the sample."""
    it = Interpreter(model_path=path, experimental_op_resolver_type=resolver, num_threads=1,
                     experimental_preserve_all_tensors=with_scale)
    it.allocate_tensors()
    inp, out = it.get_input_details()[0], it.get_output_details()[0]
    last = it._get_ops_details()[-1]
    fc = with_scale and last["op_name"] == "FULLY_CONNECTED" and out["dtype"] == np.float32
    ys, scales = [], []
    for x in xs:
        it.set_tensor(inp["index"], x.reshape(inp["shape"]).astype(inp["dtype"]))
        it.invoke()
        y = it.get_tensor(out["index"]).reshape(-1).copy()
        ys.append(y)
        if fc:
            ins = list(last["inputs"])
            a = it.get_tensor(ins[0]).reshape(-1).astype(np.float64)
            w = it.get_tensor(ins[1]).astype(np.float64)
            b = np.abs(it.get_tensor(ins[2]).astype(np.float64)) if len(ins) > 2 and ins[2] >= 0 else 0.0
            scales.append(np.abs(w * a[None, :]).sum(axis=1) + b)
        else:
            scales.append(np.full(y.shape, max(float(np.abs(y).max()), 1.0)))
    return (np.stack(ys), np.stack(scales)) if with_scale else np.stack(ys)


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
            want = {k: interpret(path, xs, r) for k, r in KERNELS.items() if k != "ref"}
            want["ref"], magnitude = interpret(path, xs, KERNELS["ref"], with_scale=True)
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
                # Relative to the magnitude of the sum each output is: the
                # rounding of an f32 dot product is bounded by that, not by the
                # (possibly cancelled) result.
                scale = np.maximum(magnitude, 1e-30)
                rel = lambda y: float((np.abs(y.astype(np.float64) - ref) / scale).max())
                worst = rel(got)
                own = max(rel(want["builtin"]), rel(want["xnnpack"]))
                ok = worst <= 1e-6
                print(f"{name}: f32, {ref.size} outputs, worst difference from BUILTIN_REF {worst:.2e} of the "
                      f"output's summed magnitude (bound 1e-6; TFLite's own kernel sets: {own:.2e})"
                      f"{'' if ok else ' FAIL'}; interpreter: {others}")
                failed |= not ok
    if failed:
        print(f"tflite_check: MISMATCH (replay with --seed {seed})")
        sys.exit(1)
    print("tflite_check: constnet matches the interpreter on every model")


if __name__ == "__main__":
    main()
