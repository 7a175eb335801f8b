#!/usr/bin/env python3
"""Writes examples/firmware/models/mnist_digits.bin: the first ten test images
of data/mnist10k (scripts/fetch_mnist.sh), each as its label byte followed by
its 784 pixel bytes, for the firmware's CNN run (examples/firmware/src/bin/cnn_f32.rs)."""
import gzip

img = gzip.open("data/mnist10k/t10k-images-idx3-ubyte.gz").read()
lab = gzip.open("data/mnist10k/t10k-labels-idx1-ubyte.gz").read()
out = bytearray()
for k in range(10):
    out.append(lab[8 + k])
    out += img[16 + 784 * k:16 + 784 * (k + 1)]
open("examples/firmware/models/mnist_digits.bin", "wb").write(out)
