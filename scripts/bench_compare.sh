#!/usr/bin/env bash
# Runs constnet's benchmark (examples/bench.rs) and the NumPy peer (and the
# PyTorch peer when `import torch` works) back to back, one thread each, on
# the same configurations, and prints the ratios and every figure's share of
# this core's measured FMA peak. The machines are shared and noisy: compare
# the ratios of one run, not absolute numbers across runs.
# constnet runs twice per figure: with its default exact kernels (the bits a
# firmware build computes) and with `--fast` (the matrix micro-kernels with
# fused multiply-adds, opt-in via `constnet::math::set_fast`) when the CPU
# has FMA.
#
#   scripts/bench_compare.sh              # one round
#   ROUNDS=5 scripts/bench_compare.sh     # five rounds, medians per figure
#   BASELINE=da07c00 ROUNDS=5 scripts/bench_compare.sh   # also that revision's exact path, same rounds
#   PEERS=/path/to/peers scripts/bench_compare.sh
#
# Needs: cargo, python3 with numpy and threadpoolctl (`python3 -m pip install
# numpy threadpoolctl`), the peer scripts in ../shared/bench/peers (or $PEERS);
# gcc for the peers' fma_peak.c probe on AVX-512 CPUs (optional: the
# benchmark measures the peak itself too).
set -euo pipefail
cd "$(dirname "$0")/.."
PEERS=${PEERS:-../shared/bench/peers}
ROUNDS=${ROUNDS:-1}
# PARALLEL=1 adds 2-thread training rows (ParallelTrainer against NumPy
# with 2 BLAS threads); they have no target and need an otherwise idle machine.
PAR=""; [ "${PARALLEL:-0}" = 1 ] && PAR="par32 par128"
OUT=${OUT:-$(mktemp -d)}
mkdir -p "$OUT"
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1  # the peers' --threads overrides

[ -f "$PEERS/numpy_mlp.py" ] || { echo "error: $PEERS/numpy_mlp.py not found (set PEERS)" >&2; exit 1; }
python3 -c 'import numpy, threadpoolctl' || { echo "error: python3 -m pip install numpy threadpoolctl" >&2; exit 1; }
TORCH=0
if python3 -c 'import torch' 2>/dev/null; then TORCH=1; fi

cargo build --quiet --release --features std --example bench
BENCH="${CARGO_TARGET_DIR:-target}/release/examples/bench"
BASE=0
if [ -n "${BASELINE:-}" ]; then
  # The baseline revision's own bench, built in a worktree of its own.
  rm -rf "$OUT/baseline"
  git worktree add --force --detach "$OUT/baseline" "$BASELINE" >/dev/null
  (cd "$OUT/baseline" && CARGO_TARGET_DIR="$OUT/baseline-target" cargo build --quiet --release --features std --example bench)
  BASE_BENCH="$OUT/baseline-target/release/examples/bench"
  BASE=1
fi

echo "# $(date -u +%FT%TZ) $(lscpu | sed -n 's/^Model name: *//p') ($(getconf _NPROCESSORS_ONLN) CPUs), load: $(cut -d' ' -f1-3 /proc/loadavg)"
"$BENCH" info > "$OUT/info"
sed 's/^/# /' "$OUT/info"
PEAK=$(sed -n 's/^fma_peak_gflops=//p' "$OUT/info")
# The peers' probe, where it can run (its zmm part needs AVX-512F).
if grep -qw avx512f /proc/cpuinfo && command -v gcc >/dev/null; then
  gcc -O2 -o "$OUT/fma_peak" "$PEERS/fma_peak.c" && "$OUT/fma_peak" 9 > "$OUT/fma_peak.txt"
  sed 's/^/# fma_peak.c: /' "$OUT/fma_peak.txt"
fi
echo "# constnet exact path: $("$BENCH" path)"
FAST=0
if "$BENCH" path --fast >/dev/null 2>&1; then FAST=1; echo "# constnet fast path: $("$BENCH" path --fast)"; fi
[ "$BASE" = 1 ] && echo "# baseline: $BASELINE ($(git rev-parse --short "$BASELINE")), exact path"
[ "$TORCH" = 1 ] || echo "# torch not importable: PyTorch peer skipped"

np() { env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python3 "$PEERS/numpy_mlp.py" "$@"; }
th() { python3 "$PEERS/torch_mlp.py" "$@"; }

MLP="--data random --hidden 128 --epochs 3 --lr 0.1"
CRETAN="--data random --hidden 50 --act sigmoid --out sigmoid --loss mse --mse-reduction halfsum --lr 0.3 --batch 200 --epochs 3"
QUAD="--data quadrants --hidden 3 --act leaky --out leaky --loss mse --lr 0.05 --batch 1 --epochs 1 --n-train 100000"

for r in $(seq 1 "$ROUNDS"); do
  for cfg in mlp32 mlp128 cretan quadrants $PAR; do
    case $cfg in
      mlp32) ours=(mlp 32); peer=($MLP --batch 32) ;;
      mlp128) ours=(mlp 128); peer=($MLP --batch 128) ;;
      par32) ours=(mlp2 32); peer=($MLP --batch 32 --threads 2) ;;
      par128) ours=(mlp2 128); peer=($MLP --batch 128 --threads 2) ;;
      cretan) ours=(cretan); peer=($CRETAN) ;;
      quadrants) ours=(quadrants); peer=($QUAD) ;;
    esac
    "$BENCH" "${ours[@]}" > "$OUT/$cfg.exact.$r"
    # The quadrants layers are below math::INLINE_WEIGHTS: always exact kernels.
    if [ "$FAST" = 1 ] && [ "$cfg" != quadrants ]; then
      "$BENCH" "${ours[@]}" --fast > "$OUT/$cfg.fast.$r"
    else
      cp "$OUT/$cfg.exact.$r" "$OUT/$cfg.fast.$r"
    fi
    if [ "$BASE" = 1 ]; then "$BASE_BENCH" "${ours[@]}" > "$OUT/$cfg.base.$r"; fi
    lean=(--lean); [ "$cfg" = quadrants ] && lean=()
    np "${lean[@]}" "${peer[@]}" > "$OUT/$cfg.numpy.$r"
    if [ "$TORCH" = 1 ]; then th "${peer[@]}" > "$OUT/$cfg.torch.$r"; fi
    echo "# round $r: $cfg done" >&2
  done
done

python3 - "$OUT" "$ROUNDS" "$TORCH" "$FAST" "$PAR" "$PEAK" "$BASE" <<'PY'
import statistics, sys
out, rounds, torch, fast = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1", sys.argv[4] == "1"
par = sys.argv[5].split()
peak = float(sys.argv[6]) if sys.argv[6] not in ("", "none") else None
base = sys.argv[7] == "1"

def vals(cfg, who, key):
    vs = []
    for r in range(1, rounds + 1):
        for line in open(f"{out}/{cfg}.{who}.{r}"):
            if line.startswith(key + "="):
                vs.append(float(line.split("=", 1)[1]))
    return vs

def val(cfg, who, key):
    vs = vals(cfg, who, key)
    return statistics.median(vs), vs

# FLOPs per sample as the peers count them (from the NumPy peer's own report).
def flop(cfg, key):
    return vals(cfg, "numpy", key)[0]

# name, config, key, lower is better, FLOP key (None: no share of peak), target (fast over both peers)
rows = [
    ("784-128-10 train b32 (samples/s)", "mlp32", "train_samples_per_s", False, "flops_per_train_sample", 1.3),
    ("784-128-10 train b128 (samples/s)", "mlp128", "train_samples_per_s", False, "flops_per_train_sample", 1.3),
    ("batch-1 inference latency (us)", "mlp32", "infer_latency_b1_us", True, "flops_per_infer", 1.5),
    ("batched inference (samples/s)", "mlp32", "infer_samples_per_s", False, "flops_per_infer", 1.3),
    ("quadrants 2-3-2 SGD (steps/s)", "quadrants", "train_samples_per_s", False, None, 0),
    ("Cretan 784-50-10 b200 (samples/s)", "cretan", "train_samples_per_s", False, "flops_per_train_sample", 1.3),
]
if par:
    rows += [
        ("2 threads: train b32 (samples/s)", "par32", "train_samples_per_s", False, None, 0),
        ("2 threads: train b128 (samples/s)", "par128", "train_samples_per_s", False, None, 0),
    ]
peers = ["numpy"] + (["torch"] if torch else [])
ours_cols = ["exact"] + (["fast"] if fast else []) + (["base"] if base else [])
print(f"# FMA peak used for the shares: {peak} GFLOP/s" if peak else "# no FMA peak measured: no shares of peak")
print(f"{'figure':36} " + " ".join(f"{c:>10}" for c in ours_cols + peers) + " "
      + " ".join(f"{c[:5] + '/' + p[:5]:>11}" for c in ours_cols for p in peers)
      + (" " + " ".join(f"{c[:5] + '%pk':>9}" for c in ours_cols + peers) if peak else "") + "  target (fast vs every peer)")
for name, cfg, key, lower_better, fkey, target in rows:
    ours = {c: val(cfg, c, key) for c in ours_cols}
    theirs = {p: val(cfg, p, key)[0] for p in peers}
    ratio = lambda o, t: t / o if lower_better else o / t
    ratios = [ratio(ours[c][0], theirs[p]) for c in ours_cols for p in peers]
    shares = ""
    if peak:
        allv = {**{c: ours[c][0] for c in ours_cols}, **theirs}
        if fkey:
            f = flop(cfg, fkey)
            g = {w: (f / (v * 1e-6) if lower_better else f * v) / 1e9 for w, v in allv.items()}
            shares = " " + " ".join(f"{100 * g[w] / peak:8.1f}%" for w in ours_cols + peers)
        else:
            shares = " " + " ".join(f"{'-':>9}" for _ in ours_cols + peers)
    col = "fast" if fast else "exact"
    if target:
        met = all(ratio(ours[col][0], theirs[p]) >= target for p in peers)
        goal = f"  {target:g}x {'met' if met else 'MISSED'}"
    else:
        goal = "  (no target)"
    print(f"{name:36} " + " ".join(f"{ours[c][0]:10.4g}" for c in ours_cols) + " "
          + " ".join(f"{theirs[p]:10.4g}" for p in peers) + " "
          + " ".join(f"{x:11.2f}" for x in ratios) + shares + goal)
    if rounds > 1:
        print("#   runs: " + "; ".join(f"{c}: " + ", ".join(f"{v:.4g}" for v in val(cfg, c, key)[1])
                                     for c in ours_cols + peers))
if peak:
    print(f"# batched figures' target: fast at >= 75% of the FMA peak ({0.75 * peak:.1f} GFLOP/s) end to end")
print(f"# raw key=value outputs: {out}")
PY
if [ "$BASE" = 1 ]; then git worktree remove --force "$OUT/baseline" || true; fi
