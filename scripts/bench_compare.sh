#!/usr/bin/env bash
# Runs constnet's benchmark (examples/bench.rs) and the NumPy peer (and the
# PyTorch peer when `import torch` works) back to back, one thread each, on
# the same configurations, and prints the ratios. The machines are shared and
# noisy: compare the ratios of one run, not absolute numbers across runs.
# constnet runs twice per figure: with its default exact kernels (the bits a
# firmware build computes) and with `--fused` (fused multiply-adds, opt-in
# via `constnet::math::set_fused`) when the CPU has FMA.
#
#   scripts/bench_compare.sh              # one round
#   ROUNDS=3 scripts/bench_compare.sh     # three rounds, medians per figure
#   PEERS=/path/to/peers scripts/bench_compare.sh
#
# Needs: cargo, python3 with numpy and threadpoolctl (`python3 -m pip install
# numpy threadpoolctl`), the peer scripts in ../shared/bench/peers (or $PEERS).
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

echo "# $(date -u +%FT%TZ) $(lscpu | sed -n 's/^Model name: *//p') ($(getconf _NPROCESSORS_ONLN) CPUs), load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# constnet kernel path: $("$BENCH" path)"
FUSED=0
if "$BENCH" path --fused >/dev/null 2>&1; then FUSED=1; echo "# constnet fused path: $("$BENCH" path --fused)"; fi
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
    "$BENCH" "${ours[@]}" > "$OUT/$cfg.constnet.$r"
    # The quadrants layers are below math::INLINE_WEIGHTS: always exact kernels.
    if [ "$FUSED" = 1 ] && [ "$cfg" != quadrants ]; then
      "$BENCH" "${ours[@]}" --fused > "$OUT/$cfg.fused.$r"
    else
      cp "$OUT/$cfg.constnet.$r" "$OUT/$cfg.fused.$r"
    fi
    lean=(--lean); [ "$cfg" = quadrants ] && lean=()
    np "${lean[@]}" "${peer[@]}" > "$OUT/$cfg.numpy.$r"
    if [ "$TORCH" = 1 ]; then th "${peer[@]}" > "$OUT/$cfg.torch.$r"; fi
    echo "# round $r: $cfg done" >&2
  done
done

python3 - "$OUT" "$ROUNDS" "$TORCH" "$FUSED" "$PAR" <<'PY'
import statistics, sys
out, rounds, torch, fused = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1", sys.argv[4] == "1"
par = sys.argv[5].split()

def val(cfg, peer, key):
    vs = []
    for r in range(1, rounds + 1):
        for line in open(f"{out}/{cfg}.{peer}.{r}"):
            if line.startswith(key + "="):
                vs.append(float(line.split("=", 1)[1]))
    return statistics.median(vs), vs

rows = [
    ("784-128-10 train b32 (samples/s)", "mlp32", "train_samples_per_s", False, 2.0),
    ("784-128-10 train b128 (samples/s)", "mlp128", "train_samples_per_s", False, 1.5),
    ("batch-1 inference latency (us)", "mlp32", "infer_latency_b1_us", True, 3.0),
    ("batched inference (samples/s)", "mlp32", "infer_samples_per_s", False, 1.2),
    ("quadrants 2-3-2 SGD (steps/s)", "quadrants", "train_samples_per_s", False, 2000.0),
    ("Cretan 784-50-10 b200 (samples/s)", "cretan", "train_samples_per_s", False, 2.0),
]
if par:
    rows += [
        ("2 threads: train b32 (samples/s)", "par32", "train_samples_per_s", False, 0),
        ("2 threads: train b128 (samples/s)", "par128", "train_samples_per_s", False, 0),
    ]
peers = ["numpy"] + (["torch"] if torch else [])
ours_cols = ["constnet"] + (["fused"] if fused else [])
print(f"{'figure':36} " + " ".join(f"{c:>12}" for c in ours_cols + peers) + " "
      + " ".join(f"{c[:5] + '/' + p[:5]:>12}" for c in ours_cols for p in peers) + f" {'target':>8}")
for name, cfg, key, lower_better, target in rows:
    ours = {c: val(cfg, c, key) for c in ours_cols}
    theirs = {p: val(cfg, p, key)[0] for p in peers}
    ratio = lambda o, t: t / o if lower_better else o / t
    ratios = [ratio(ours[c][0], theirs[p]) for c in ours_cols for p in peers]
    verdict = " ".join(f"{c}:{'met' if ratio(ours[c][0], theirs['numpy']) >= target else 'MISSED'}" for c in ours_cols)
    goal = f"{target:>6g}x {verdict}" if target else "    (no target)"
    print(f"{name:36} " + " ".join(f"{ours[c][0]:12.4g}" for c in ours_cols) + " "
          + " ".join(f"{theirs[p]:12.4g}" for p in peers) + " "
          + " ".join(f"{x:12.2f}" for x in ratios) + f" {goal}")
    if rounds > 1:
        print("#   runs: " + "; ".join(f"{c}: " + ", ".join(f"{v:.4g}" for v in val(cfg, c, key)[1])
                                     for c in ours_cols + peers))
print(f"# raw key=value outputs: {out}")
PY
