#!/usr/bin/env bash
# Training speed of the mnist example's CNN preset against the same CNN in
# PyTorch (scripts/torch_cnn.py), one thread each, back to back in the same
# rounds: constnet's exact path, its fast path (--fast) and PyTorch, ROUNDS
# times (default 3), EPOCHS epochs each (default 2; the first is a warm-up).
# No augmentation, no learning-rate decay, no weight averaging on our side,
# so both train the same way on the same 8,000 digits. Prints each run's
# steady epoch time and the medians' ratios.
#   bash scripts/cnn_speed.sh            # PYTHON=/path/to/python with torch
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
EPOCHS=${EPOCHS:-2}
PY=${PYTHON:-python3}
"$PY" -c "import torch" 2>/dev/null || { echo "PyTorch not importable by $PY (set PYTHON)"; exit 1; }
[ -f data/mnist10k/train-images-idx3-ubyte.gz ] || bash scripts/fetch_mnist.sh
cargo build -q --release --features std --example mnist
BIN=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')/release/examples/mnist
ours() { # extra args -> seconds of the last epoch
  RAYON_NUM_THREADS=1 "$BIN" --preset cnn --epochs "$EPOCHS" --shift 0 --rotate 0 --zoom 0 --decay 0 \
    --average 0 --out "out/cnn-speed" "$@" | sed -n 's/^epoch .*| \([0-9.]*\) s$/\1/p' | tail -1
}
torch() {
  "$PY" scripts/torch_cnn.py --data data/mnist10k --epochs "$EPOCHS" --threads 1 |
    sed -n 's/^# epoch .*: \([0-9.]*\) s,.*/\1/p' | tail -1
}
echo "cpu: $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
"$PY" -c "import torch; print('torch', torch.__version__, torch.backends.cpu.get_cpu_capability())"
exact=() fast=() pt=()
for r in $(seq "$ROUNDS"); do
  e=$(ours) f=$(ours --fast) p=$(torch)
  echo "round $r: constnet exact $e s, constnet fast $f s, PyTorch $p s per epoch of 8,000"
  exact+=("$e") fast+=("$f") pt+=("$p")
done
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
me=$(median "${exact[@]}") mf=$(median "${fast[@]}") mp=$(median "${pt[@]}")
awk -v e="$me" -v f="$mf" -v p="$mp" 'BEGIN {
  printf "median epoch: exact %.2f s (%.0f samples/s), fast %.2f s (%.0f samples/s), PyTorch %.2f s (%.0f samples/s)\n", e, 8000 / e, f, 8000 / f, p, 8000 / p
  printf "speed vs PyTorch: exact %.2fx, fast %.2fx (goal 1.5x)\n", p / e, p / f
}'
