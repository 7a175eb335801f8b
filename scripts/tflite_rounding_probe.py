#!/usr/bin/env python3
"""Which requantization rounding does the PyPI TFLite interpreter (ai-edge-litert)
use for int8 FULLY_CONNECTED?  Builds tiny int8 FC models by hand (flatbuffer via
ai_edge_litert.schema_py_generated object API + flatbuffers), computes the expected
outputs under several rounding hypotheses with exact integer Python, runs the
model with the three kernel sets and compares.

Findings with ai-edge-litert 2.3.0 (x86-64, AVX-512), every case:
  BUILTIN_REF                        round((double)acc * (double)s_in*s_w/s_out), ties away from zero
  BUILTIN_WITHOUT_DEFAULT_DELEGATES  Q31 two-step (gemmlowp form), both roundings ties up (ruy)
  AUTO (XNNPACK)                     rint(f32(acc) * f32 scale), ties to even
constnet's QDense computes TFLite Micro's reference form (Q31, gemmlowp double
rounding); importing .tflite models to match BUILTIN_REF needs the first rule.

Set up and run (pinned versions):
  python3 -m venv /tmp/litert && /tmp/litert/bin/pip install ai-edge-litert==2.3.0 flatbuffers==25.12.19 numpy==2.4.6
  /tmp/litert/bin/python scripts/tflite_rounding_probe.py [--verbose]
"""
import math
import sys

import numpy as np
import flatbuffers
from ai_edge_litert import schema_py_generated as S
from ai_edge_litert.interpreter import Interpreter, OpResolverType

INT32_MIN, INT32_MAX = -(1 << 31), (1 << 31) - 1


# ----------------------------------------------------------------------------
# Reference arithmetic (exact, integers only)
# ----------------------------------------------------------------------------
def f32(x):
    return float(np.float32(x))


def quantize_multiplier(m):
    """TFLite QuantizeMultiplier(double) -> (M0, shift). m is a Python float (double)."""
    if m == 0.0:
        return 0, 0
    q, shift = math.frexp(m)                    # m = q * 2^shift, q in [0.5, 1)
    # TfLiteRound = std::round: half away from zero
    M0 = int(math.floor(abs(q) * (1 << 31) + 0.5)) * (1 if q > 0 else -1)
    # (q * 2^31 is exact in double, so floor(x + 0.5) is exact for x >= 0)
    assert M0 <= (1 << 31)
    if M0 == (1 << 31):
        M0 //= 2
        shift += 1
    if shift < -31:                              # TFLite flushes tiny multipliers to 0
        shift, M0 = 0, 0
    return M0, shift


def c_div(a, b):
    """C/C++ integer division (truncates toward zero)."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


def srdhm(a, b):
    """gemmlowp SaturatingRoundingDoublingHighMul(int32 a, int32 b)."""
    if a == INT32_MIN and b == INT32_MIN:
        return INT32_MAX
    ab = a * b
    nudge = (1 << 30) if ab >= 0 else (1 - (1 << 30))
    return c_div(ab + nudge, 1 << 31)


def rdbpot(x, exponent):
    """gemmlowp RoundingDivideByPOT(int32 x, int exponent): round half away from zero."""
    mask = (1 << exponent) - 1
    remainder = x & mask                         # two's-complement bit and (Python ints ok)
    threshold = (mask >> 1) + (1 if x < 0 else 0)
    return (x >> exponent) + (1 if remainder > threshold else 0)


def mbqm_double(x, M0, shift):
    """TFLite default MultiplyByQuantizedMultiplier (double rounding)."""
    left = shift if shift > 0 else 0
    right = -shift if shift < 0 else 0
    xl = x * (1 << left)
    assert INT32_MIN <= xl <= INT32_MAX, "x*2^left overflows int32"
    return rdbpot(srdhm(xl, M0), right)


def mbqm_single(x, M0, shift):
    """TFLite MultiplyByQuantizedMultiplier with TFLITE_SINGLE_ROUNDING."""
    assert -31 <= shift <= 30
    total_shift = 31 - shift
    rnd = 1 << (total_shift - 1)
    r = (x * M0 + rnd) >> total_shift            # arithmetic shift = floor
    return max(INT32_MIN, min(INT32_MAX, r))


def mbqm_double_halfup(x, M0, shift):
    """Double rounding where BOTH steps round half up (toward +inf), no negative
    special-casing: y = (x*2^left*M0 + 2^30) >> 31 ; out = (y + 2^(right-1)) >> right.
    Matches BUILTIN_WITHOUT_DEFAULT_DELEGATES (optimized kernels -> ruy x86 SIMD kernels) bit
    for bit in every test; ruy's apply_multiplier.cc says its optimized paths may break ties
    "upward" (RUY_OPT_NATIVE_ROUNDING) instead of gemmlowp's away-from-zero."""
    left = shift if shift > 0 else 0
    right = -shift if shift < 0 else 0
    xl = x * (1 << left)
    assert INT32_MIN <= xl <= INT32_MAX
    y = (xl * M0 + (1 << 30)) >> 31
    y = max(INT32_MIN, min(INT32_MAX, y))
    if right > 0:
        y = (y + (1 << (right - 1))) >> right
    return y


def c_round(v):
    """C/C++ std::round on a double: half away from zero (exact, no +0.5 trick)."""
    t = math.trunc(v)
    if abs(v - t) >= 0.5:          # v - trunc(v) is exact in binary64
        t += 1 if v > 0 else -1
    return int(t)


def requant_f64_round(acc, m_double):
    """LiteRT >= 2.x reference kernel: static_cast<int32_t>(round((double)acc * eff)),
    eff = (double)s_in * (double)s_w / (double)s_out  (computed in that order)."""
    return c_round(float(acc) * m_double)


def requant_fp32_rne(acc, scale_f32):
    """XNNPACK 'fp32' requantization: float32(acc) * float32 scale, round to nearest even.
    scale_f32 = (float32(s_in) * float32(s_w)) / float32(s_out), all in float32."""
    v = np.float32(acc) * np.float32(scale_f32)
    return int(np.rint(v))


# ----------------------------------------------------------------------------
# Model builder
# ----------------------------------------------------------------------------
def build_fc_model(K, N, B, s_in, zp_in, w_scales, W, bias, s_out, zp_out,
                   fused_act=S.ActivationFunctionType.NONE, op_version=None):
    """int8 FULLY_CONNECTED: input [B,K] int8, weights [N,K] int8 (const), bias [N] int32
    (const), output [B,N] int8. w_scales: list of length 1 (per-tensor) or N (per-channel,
    quantized_dimension 0)."""
    W = np.asarray(W, dtype=np.int8).reshape(N, K)
    bias = np.asarray(bias, dtype=np.int32).reshape(N)
    per_channel = len(w_scales) > 1
    nsc = len(w_scales)

    def qp(scales, zps, qdim=0):
        return S.QuantizationParametersT(scale=[float(s) for s in scales],
                                         zeroPoint=[int(z) for z in zps],
                                         quantizedDimension=qdim)

    buffers = [S.BufferT(), S.BufferT(), S.BufferT(), S.BufferT(), S.BufferT()]
    buffers[2].data = list(W.tobytes())
    buffers[3].data = list(bias.astype('<i4').tobytes())

    t_in = S.TensorT(); t_in.shape = [B, K]; t_in.type = S.TensorType.INT8
    t_in.buffer = 1; t_in.name = "input"; t_in.quantization = qp([s_in], [zp_in])
    t_w = S.TensorT(); t_w.shape = [N, K]; t_w.type = S.TensorType.INT8
    t_w.buffer = 2; t_w.name = "weights"
    t_w.quantization = qp(w_scales, [0] * nsc, 0)
    t_b = S.TensorT(); t_b.shape = [N]; t_b.type = S.TensorType.INT32
    t_b.buffer = 3; t_b.name = "bias"
    t_b.quantization = qp([f32(s_in) * f32(s) for s in w_scales], [0] * nsc, 0)
    t_out = S.TensorT(); t_out.shape = [B, N]; t_out.type = S.TensorType.INT8
    t_out.buffer = 4; t_out.name = "output"; t_out.quantization = qp([s_out], [zp_out])

    opts = S.FullyConnectedOptionsT()
    opts.fusedActivationFunction = fused_act
    opts.weightsFormat = S.FullyConnectedOptionsWeightsFormat.DEFAULT
    opts.keepNumDims = False

    op = S.OperatorT()
    op.opcodeIndex = 0
    op.inputs = [0, 1, 2]
    op.outputs = [3]
    op.builtinOptionsType = S.BuiltinOptions.FullyConnectedOptions
    op.builtinOptions = opts

    sg = S.SubGraphT()
    sg.tensors = [t_in, t_w, t_b, t_out]
    sg.inputs = [0]
    sg.outputs = [3]
    sg.operators = [op]
    sg.name = "main"

    oc = S.OperatorCodeT()
    oc.builtinCode = S.BuiltinOperator.FULLY_CONNECTED
    oc.deprecatedBuiltinCode = S.BuiltinOperator.FULLY_CONNECTED
    oc.version = op_version or (12 if per_channel else 4)

    m = S.ModelT()
    m.version = 3
    m.operatorCodes = [oc]
    m.subgraphs = [sg]
    m.buffers = buffers
    m.description = "hand-built int8 FC rounding probe"

    b = flatbuffers.Builder(1024)
    b.Finish(m.Pack(b), file_identifier=b"TFL3")
    return bytes(b.Output())


# ----------------------------------------------------------------------------
# Expected outputs
# ----------------------------------------------------------------------------
def effective_multipliers(s_in, w_scales, s_out):
    """double real multiplier as TFLite computes it (each float32 scale cast to double)."""
    return [f32(s_in) * f32(s) / f32(s_out) for s in w_scales]


def xnn_scales(s_in, w_scales, s_out):
    """XNNPACK computes the requantization scale in float32."""
    return [float(np.float32(np.float32(s_in) * np.float32(s)) / np.float32(s_out))
            for s in w_scales]


def accumulators(X, W, bias, zp_in):
    X = np.asarray(X, dtype=np.int64)
    W = np.asarray(W, dtype=np.int64)
    return (X - zp_in) @ W.T + np.asarray(bias, dtype=np.int64)[None, :]


def act_range(fused_act, zp_out):
    if fused_act == S.ActivationFunctionType.RELU:
        return max(-128, zp_out), 127
    return -128, 127


HYPS = ("f64_round", "double", "single", "double_halfup", "fp32_rne")


def expected(acc, s_in, w_scales, s_out, zp_out, fused_act):
    B, N = acc.shape
    ms = effective_multipliers(s_in, w_scales, s_out)
    qms = [quantize_multiplier(mm) for mm in ms]
    xs = xnn_scales(s_in, w_scales, s_out)
    lo, hi = act_range(fused_act, zp_out)
    out = {k: np.zeros((B, N), dtype=np.int64) for k in HYPS}
    for bi in range(B):
        for n in range(N):
            c = n if len(w_scales) > 1 else 0
            M0, sh = qms[c]
            a = int(acc[bi, n])
            out["double"][bi, n] = min(hi, max(lo, mbqm_double(a, M0, sh) + zp_out))
            out["single"][bi, n] = min(hi, max(lo, mbqm_single(a, M0, sh) + zp_out))
            out["double_halfup"][bi, n] = min(hi, max(lo, mbqm_double_halfup(a, M0, sh) + zp_out))
            out["fp32_rne"][bi, n] = min(hi, max(lo, requant_fp32_rne(a, xs[c]) + zp_out))
            out["f64_round"][bi, n] = min(hi, max(lo, requant_f64_round(a, ms[c]) + zp_out))
    return out, qms


# ----------------------------------------------------------------------------
# Running
# ----------------------------------------------------------------------------
RESOLVERS = {
    "BUILTIN_REF": OpResolverType.BUILTIN_REF,
    "BUILTIN_WITHOUT_DEFAULT_DELEGATES": OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES,
    "AUTO(XNNPACK)": OpResolverType.AUTO,
}


def run(model, X, resolver):
    it = Interpreter(model_content=model, experimental_op_resolver_type=resolver, num_threads=1)
    it.allocate_tensors()
    ops = [d["op_name"] for d in it._get_ops_details()]
    inp = it.get_input_details()[0]
    outd = it.get_output_details()[0]
    it.set_tensor(inp["index"], np.asarray(X, dtype=np.int8))
    it.invoke()
    return it.get_tensor(outd["index"]).astype(np.int64), ops


def run_case(name, s_in, zp_in, w_scales, s_out, zp_out, W, bias, X,
             fused_act=S.ActivationFunctionType.NONE, verbose=False, show_rows=None,
             also_batch1=True):
    X = np.asarray(X, dtype=np.int64)
    W = np.asarray(W, dtype=np.int64)
    B, K = X.shape
    N = W.shape[0]
    acc = accumulators(X, W, bias, zp_in)
    exp, qms = expected(acc, s_in, w_scales, s_out, zp_out, fused_act)
    ms = effective_multipliers(s_in, w_scales, s_out)
    print(f"\n=== {name}: B={B} K={K} N={N} s_in={s_in} zp_in={zp_in} s_w={w_scales} "
          f"s_out={s_out} zp_out={zp_out} act={fused_act}")
    for c, (mm, (M0, sh)) in enumerate(zip(ms, qms)):
        if len(ms) > 1 or c == 0:
            print(f"    ch{c}: m={mm!r} M0={M0} shift={sh}")
    nd = int((exp["double"] != exp["single"]).sum())
    print(f"    hypotheses differ: double!=single in {nd}/{acc.size}, "
          f"f64_round!=double {int((exp['f64_round'] != exp['double']).sum())}, "
          f"f64_round!=single {int((exp['f64_round'] != exp['single']).sum())}, "
          f"f64_round!=fp32_rne {int((exp['f64_round'] != exp['fp32_rne']).sum())}, "
          f"double!=double_halfup {int((exp['double'] != exp['double_halfup']).sum())}")
    model = build_fc_model(K, N, B, s_in, zp_in, w_scales, W, bias, s_out, zp_out, fused_act)
    results = {}
    for rname, rt in RESOLVERS.items():
        try:
            got, ops = run(model, X, rt)
        except Exception as e:  # noqa
            print(f"    {rname:34s} ERROR: {e}")
            results[rname] = None
            continue
        got1 = None
        if also_batch1 and B > 1:
            m1 = build_fc_model(K, N, 1, s_in, zp_in, w_scales, W, bias, s_out, zp_out, fused_act)
            got1 = np.concatenate([run(m1, X[i:i + 1], rt)[0] for i in range(B)], axis=0)
        summ = []
        for h in HYPS:
            mism = int((got != exp[h]).sum())
            summ.append(f"{h}:{acc.size - mism}/{acc.size}")
        line = f"    {rname:34s} ops={ops} match " + "  ".join(summ)
        if got1 is not None:
            line += f"  | batch1==batchB: {bool((got1 == got).all())}"
        print(line)
        results[rname] = got
    # show rows where hypotheses differ
    anyd = np.zeros(acc.shape, dtype=bool)
    for h in HYPS[1:]:
        anyd |= exp[h] != exp[HYPS[0]]
    diff = np.argwhere(anyd)
    if show_rows is None:
        show_rows = 12 if not verbose else len(diff)
    if len(diff):
        print("    sample distinguishing points (row,col): acc -> " + " ".join(HYPS) + " | observed REF OPT XNN")
        for (bi, n) in diff[:show_rows]:
            obs = [("ERR" if results[r] is None else str(int(results[r][bi, n]))) for r in RESOLVERS]
            xs_ = [int(v) for v in X[bi][:8]]
            print(f"      ({bi:3d},{n:2d}) x={xs_}{'...' if K > 8 else ''} acc={int(acc[bi, n]):6d} -> "
                  + " ".join(f"{int(exp[h][bi, n]):4d}" for h in HYPS)
                  + f" | {' '.join(f'{o:>4s}' for o in obs)}")
    return exp, results


def main():
    verbose = "--verbose" in sys.argv
    import ai_edge_litert
    try:
        from importlib.metadata import version
        print("ai-edge-litert", version("ai-edge-litert"))
    except Exception:
        pass
    rng = np.random.default_rng(12345)

    # --- 1. sweeps: K=1, weight 1, bias 0 -> acc = x - zp_in for every int8 x ---
    X = np.arange(-128, 128).reshape(-1, 1)
    for (nm, s_in, s_w, s_out) in [
        ("sweep m=0.25 (M0=2^30, shift=-1)", 0.5, 0.5, 1.0),
        ("sweep m=0.375 (M0=0.75*2^31, shift=-1)", 0.75, 0.5, 1.0),
        ("sweep m=0.3", 1.0, 0.3, 1.0),
        ("sweep m=0.0390625=5/128 (shift=-4)", 0.0390625, 1.0, 1.0),
        ("sweep m=1.5 (positive shift 1)", 0.75, 1.0, 0.5),
        ("sweep m=1.3 (positive shift 1)", 1.0, 1.3, 1.0),
    ]:
        run_case(nm, s_in, 0, [s_w], s_out, 0, [[1]], [0], X, verbose=verbose)

    # m = 0.25*(1-2^-46): Q31 rounds M0 to exactly 2^30 (a tie for every acc = 2 mod 4),
    # double arithmetic sees 0.5*(1-2^-46) (not a tie), float32 sees exactly 0.25.
    run_case("sweep m=0.25*(1-2^-46) (s_in=1+2^-23, s_w=1-2^-23, s_out=4)",
             1 + 2**-23, 0, [1 - 2**-23], 4.0, 0, [[1]], [0], X, verbose=verbose, show_rows=16)

    # wider accumulator range for small multipliers: N channels with bias offsets
    N = 8
    Wc = np.ones((N, 1), dtype=np.int64)
    biasc = np.array([-1024, -768, -512, -256, 256, 512, 768, 1024]) * 2
    run_case("sweep m=0.0390625, acc in [-2176,2175] via bias", 0.0390625, 0, [1.0], 1.0, 0,
             Wc, biasc, X, verbose=verbose)

    # nonzero zero points + ReLU
    run_case("sweep m=0.25 zp_in=7 zp_out=-3 RELU", 0.5, 7, [0.5], 1.0, -3, [[1]], [0], X,
             fused_act=S.ActivationFunctionType.RELU, verbose=verbose)

    # --- 2. random realistic FC (K=16, N=8, B=64), per-tensor ---
    for (nm, s_in, s_w, s_out, wmax, xmax) in [
        ("random m=0.25", 0.5, 0.5, 1.0, 4, 30),
        ("random m=0.3", 1.0, 0.3, 1.0, 4, 25),
        ("random m=0.0123 (shift -6)", 0.05, 0.0123, 0.05, 20, 60),
        ("random m=1.5", 0.75, 1.0, 0.5, 2, 8),
    ]:
        K, N, B = 16, 8, 64
        W = rng.integers(-wmax, wmax + 1, size=(N, K))
        X = rng.integers(-xmax, xmax + 1, size=(B, K))
        bias = rng.integers(-20, 21, size=N)
        run_case(nm, s_in, 3, [s_w], s_out, -2, W, bias, X, verbose=verbose, show_rows=6)

    # --- 2b. larger positive shift, and realistic large layers ---
    X = np.arange(-128, 128).reshape(-1, 1)
    run_case("sweep m=5.3 (positive shift 3)", 1.0, 0, [5.3], 1.0, 0, [[1]], [0], X,
             verbose=verbose, show_rows=6)
    run_case("sweep m=2.5 exact (positive shift 2, ties at odd acc)", 1.0, 0, [2.5], 1.0, 0,
             [[1]], [0], X, verbose=verbose, show_rows=6)
    for (nm, K, N, B) in [("realistic 640->128", 640, 128, 4), ("realistic 16->16", 16, 16, 7),
                          ("realistic 128->8", 128, 8, 1)]:
        W = rng.integers(-127, 128, size=(N, K))
        X = rng.integers(-128, 128, size=(B, K))
        bias = rng.integers(-5000, 5001, size=N)
        # choose s_out so outputs mostly stay in range
        acc = accumulators(X, W, bias, -7)
        s_in, s_w = 0.0235, 0.0041
        s_out = float(np.float32(s_in * s_w * np.abs(acc).max() / 100.0))
        run_case(nm + f" (s_out={s_out:.5g})", s_in, -7, [s_w], s_out, 5, W, bias, X,
                 verbose=verbose, show_rows=4)
        w_scales = list(rng.uniform(0.002, 0.006, size=N).astype(np.float32))
        run_case(nm + " per-channel", s_in, -7, w_scales, s_out, 5, W, bias, X,
                 verbose=verbose, show_rows=4)

    # --- 3. per-channel (quantized_dimension 0) ---
    w_scales = [0.25, 0.3, 0.375, 0.0390625, 0.0123, 1.5, 1.3, 0.5]
    N = len(w_scales)
    X = np.arange(-128, 128).reshape(-1, 1)
    run_case("per-channel sweep (s_in=1, s_out=1, per-ch scales)", 1.0, 0, w_scales, 1.0, 0,
             np.ones((N, 1)), np.zeros(N), X, verbose=verbose, show_rows=24)
    K, B = 16, 64
    W = rng.integers(-4, 5, size=(N, K))
    X = rng.integers(-20, 21, size=(B, K))
    bias = rng.integers(-20, 21, size=N)
    run_case("per-channel random", 0.5, 3, [s * 2 for s in w_scales], 1.0, -2, W, bias, X,
             verbose=verbose, show_rows=12)


if __name__ == "__main__":
    main()
