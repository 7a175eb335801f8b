#!/usr/bin/env python3
"""Writes examples/firmware/models/mnist_digits.bin: the first ten test images
of data/mnist10k (scripts/fetch_mnist.sh), each as its label byte followed by
its 784 pixel bytes, for the firmware's CNN runs (examples/firmware/src/bin/cnn_f32.rs,
cnn_int8.rs); and models/mnist_calibration.bin: the first 100 training images'
pixels, the int8 CNN's calibration set (examples/firmware/src/models.rs)."""
import gzip

img = gzip.open("data/mnist10k/t10k-images-idx3-ubyte.gz").read()
lab = gzip.open("data/mnist10k/t10k-labels-idx1-ubyte.gz").read()
out = bytearray()
for k in range(10):
    out.append(lab[8 + k])
    out += img[16 + 784 * k:16 + 784 * (k + 1)]
open("examples/firmware/models/mnist_digits.bin", "wb").write(out)

train = gzip.open("data/mnist10k/train-images-idx3-ubyte.gz").read()
open("examples/firmware/models/mnist_calibration.bin", "wb").write(train[16:16 + 100 * 784])
