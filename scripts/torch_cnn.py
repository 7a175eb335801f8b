#!/usr/bin/env python3
"""PyTorch peer of the `mnist` example's `cnn` preset, for the training-speed
ratio in BENCHMARKS.md (the shared peers in ../shared/bench/peers are MLPs).

The same network — conv 5x5x16 (padding 2), ReLU, max-pool 2, conv 5x5x32
(padding 2), ReLU, max-pool 2, dropout 25%, flatten, 1568-128 ReLU, dropout
50%, 128-10 — with softmax cross-entropy, Adam (lr 1e-3), batches of 32,
shuffled every epoch, on the same IDX files, pixels p/255. PyTorch runs NCHW
(its native CPU layout; constnet runs channels last). One thread by default.
Only the training loop is timed (shuffle included, evaluation not), as the
example's per-epoch seconds are; run the example with `--shift 0 --rotate 0
--zoom 0 --decay 0` for the same work.

  python3 scripts/torch_cnn.py --data data/mnist10k --epochs 3

Prints one line per epoch, then key=value lines: epoch_s (median),
train_samples_per_s, test_accuracy.
"""
import argparse
import gzip
import os
import time

p = argparse.ArgumentParser()
p.add_argument("--data", default="data/mnist10k")
p.add_argument("--epochs", type=int, default=3)
p.add_argument("--batch", type=int, default=32)
p.add_argument("--lr", type=float, default=1e-3)
p.add_argument("--threads", type=int, default=1)
p.add_argument("--seed", type=int, default=0)
args = p.parse_args()
for v in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[v] = str(args.threads)

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

torch.set_num_threads(args.threads)


def read_idx(stem):
    for name in (stem, stem + ".gz"):
        path = os.path.join(args.data, name)
        if os.path.exists(path):
            with (gzip.open if name.endswith(".gz") else open)(path, "rb") as f:
                raw = f.read()
            dims = raw[3]
            shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
            return np.frombuffer(raw, np.uint8, offset=4 + 4 * dims).reshape(shape)
    raise SystemExit(f"{stem} not found in {args.data}")


def main():
    torch.manual_seed(args.seed)
    g = torch.Generator().manual_seed(args.seed)
    xtr = torch.from_numpy(read_idx("train-images-idx3-ubyte").astype(np.float32) / 255.0).unsqueeze(1)
    ytr = torch.from_numpy(read_idx("train-labels-idx1-ubyte").astype(np.int64))
    xte = torch.from_numpy(read_idx("t10k-images-idx3-ubyte").astype(np.float32) / 255.0).unsqueeze(1)
    yte = torch.from_numpy(read_idx("t10k-labels-idx1-ubyte").astype(np.int64))
    model = nn.Sequential(
        nn.Conv2d(1, 16, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Dropout(0.25),
        nn.Flatten(), nn.Linear(1568, 128), nn.ReLU(), nn.Dropout(0.5), nn.Linear(128, 10),
    )
    loss_fn = nn.CrossEntropyLoss()
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    print(f"# torch {torch.__version__}; threads={torch.get_num_threads()} "
          f"cpu_capability={torch.backends.cpu.get_cpu_capability()} mkldnn={torch.backends.mkldnn.is_available()}; "
          f"n_train={len(xtr)} batch={args.batch}")
    n, times = len(xtr), []
    xs_buf, ys_buf = xtr.clone(), ytr.clone()
    for epoch in range(args.epochs):
        model.train()
        t0 = time.perf_counter()
        perm = torch.randperm(n, generator=g)
        xs = torch.index_select(xtr, 0, perm, out=xs_buf)
        ys = torch.index_select(ytr, 0, perm, out=ys_buf)
        for i in range(0, n - args.batch + 1, args.batch):
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(xs[i:i + args.batch]), ys[i:i + args.batch])
            loss.backward()
            opt.step()
        times.append(time.perf_counter() - t0)
        model.eval()
        with torch.inference_mode():
            acc = float((model(xte).argmax(1) == yte).float().mean())
        print(f"# epoch {epoch + 1}: {times[-1]:.3f} s, test accuracy {100 * acc:.2f}%", flush=True)
    ep = sorted(times)[len(times) // 2]
    print(f"epoch_s={ep:.4f}")
    print(f"train_samples_per_s={n / ep:.1f}")
    print(f"test_accuracy={acc:.4f}")


if __name__ == "__main__":
    main()
