#!/usr/bin/env python3
"""PyTorch fixtures for tests/import_torch.rs, and the check that torch loads
what constnet writes.

  (default)       trains nn.Sequential(Linear(4,16), ReLU, Linear(16,8), Tanh,
                  Linear(8,3), Sigmoid) on a small synthetic task and writes
                  tests/data/torch/mlp.safetensors (its state_dict),
                  mlp.input.npy (float32 [64, 4]) and mlp.output.npy (torch's
                  float32 outputs [64, 3]).
  --check-export FILE INPUT OUTPUT
                  loads a constnet-written safetensors file into the same
                  Sequential (load_state_dict(strict=True)), runs INPUT and
                  fails unless every output is within 1e-6 relative
                  (|d| <= 1e-6 * max(|y|, 1)) of OUTPUT (constnet's outputs).

Pinned versions (PyPI; CI needs none of them, the fixtures are committed):
  python3 -m venv /tmp/pt && /tmp/pt/bin/pip install torch==2.15.0 safetensors==0.8.0 numpy==2.4.6
  /tmp/pt/bin/python scripts/torch_fixtures.py
  cargo test --features std --test import_torch -- --ignored   # rewrites the from_constnet.* files
  /tmp/pt/bin/python scripts/torch_fixtures.py --check-export tests/data/torch/from_constnet.safetensors \
      tests/data/torch/from_constnet.input.npy tests/data/torch/from_constnet.output.npy
"""
import os
import sys

import numpy as np
import torch
from safetensors.torch import load_file, save_file

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "data", "torch")
torch.set_num_threads(1)


def mlp():
    return torch.nn.Sequential(torch.nn.Linear(4, 16), torch.nn.ReLU(), torch.nn.Linear(16, 8), torch.nn.Tanh(),
                               torch.nn.Linear(8, 3), torch.nn.Sigmoid())


def max_rel(y, want):
    return float((np.abs(y.astype(np.float64) - want) / np.maximum(np.abs(want), 1.0)).max())


def make():
    torch.manual_seed(20261201)
    net = mlp()
    x = torch.randn(2000, 4)
    target = torch.stack([torch.sigmoid(x[:, 0] * x[:, 1]), (x[:, 2] > x[:, 3]).float(),
                          torch.sigmoid(x.sum(1))], 1)
    opt = torch.optim.Adam(net.parameters(), lr=0.01)
    for step in range(400):
        i = torch.randint(0, 2000, (64,))
        loss = torch.nn.functional.mse_loss(net(x[i]), target[i])
        opt.zero_grad()
        loss.backward()
        opt.step()
    print(f"trained: final batch MSE {loss.item():.4f}")
    os.makedirs(OUT, exist_ok=True)
    save_file({k: v.contiguous() for k, v in net.state_dict().items()}, os.path.join(OUT, "mlp.safetensors"))
    xs = torch.randn(64, 4, generator=torch.Generator().manual_seed(7)) * 1.5
    with torch.no_grad():
        ys = net(xs)
    np.save(os.path.join(OUT, "mlp.input.npy"), xs.numpy().astype(np.float32))
    np.save(os.path.join(OUT, "mlp.output.npy"), ys.numpy().astype(np.float32))
    print("wrote", sorted(os.listdir(OUT)))


def check_export(path, inputs, outputs):
    net = mlp()
    net.load_state_dict(load_file(path), strict=True)
    xs, want = np.load(inputs), np.load(outputs)
    with torch.no_grad():
        ys = net(torch.from_numpy(xs)).numpy()
    err = max_rel(ys, want)
    print(f"torch ran constnet's {os.path.basename(path)}: max relative difference from constnet {err:.3e}")
    if err > 1e-6:
        sys.exit(1)


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--check-export":
        check_export(*sys.argv[2:])
    elif len(sys.argv) == 1:
        make()
    else:
        sys.exit(__doc__)
