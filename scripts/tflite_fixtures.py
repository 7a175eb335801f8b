#!/usr/bin/env python3
"""Makes the TensorFlow Lite fixtures in tests/data/tflite/: small Keras models
trained here, converted by the TFLite converter to f32 and to full-integer
int8, run by the TFLite interpreter on fixed inputs with its three kernel
sets. tests/import_tflite.rs checks constnet against these outputs.

Models
  sine     1-16-16-1 ReLU (TFLM "hello world"), y = sin(x) on [0, 2pi]
           sine_f32, sine_int8 (int8 in/out), sine_int8_float_io (QUANTIZE/DEQUANTIZE edges)
  mnist    Flatten(28x28) -> 64 ReLU -> 10 logits, on data/mnist10k (8,000 train digits)
           mnist_f32, mnist_int8 (converter default weights), mnist_int8_per_tensor or
           mnist_int8_per_channel (the other setting of the dense-layer per-channel flag)
  act      4 -> 16 tanh -> 8 sigmoid -> 3: TANH and LOGISTIC
           act_f32, act_int8
  softmax  4 -> 3 -> softmax: softmax_f32, softmax_int8 (int8 SOFTMAX, which constnet refuses)

Files per model: <model>.tflite, <model>.input.npy (one sample per row, the
model's input dtype, flattened to [N, values]), <model>.ref.npy (BUILTIN_REF),
<model>.builtin.npy (BUILTIN_WITHOUT_DEFAULT_DELEGATES), <model>.xnnpack.npy
(AUTO), one sample per invoke; and manifest.json (operators, tensors,
quantization, kernel-set agreement).

Regenerate (pinned versions; TensorFlow is needed only here, not in CI):
  python3 -m venv /tmp/tf && /tmp/tf/bin/pip install tensorflow-cpu==2.20.0 \
      ai-edge-litert==2.3.0 flatbuffers==25.12.19 numpy==2.4.6
  bash scripts/fetch_mnist.sh
  /tmp/tf/bin/python scripts/tflite_fixtures.py
  cargo run --release --features std --example convert -- \
      tests/data/tflite/sine_int8.tflite -o tests/data/tflite/sine_int8.q8
"""
import gzip
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np
import tensorflow as tf
from ai_edge_litert.interpreter import Interpreter, OpResolverType

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "data", "tflite")
KERNELS = {
    "ref": OpResolverType.BUILTIN_REF,
    "builtin": OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES,
    "xnnpack": OpResolverType.AUTO,
}

tf.config.threading.set_intra_op_parallelism_threads(1)
tf.config.threading.set_inter_op_parallelism_threads(1)
tf.keras.utils.set_random_seed(20261201)
keras = tf.keras


def idx(name):
    with gzip.open(os.path.join(ROOT, "data", "mnist10k", name + ".gz"), "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def convert(model, kind, representative=None, per_channel_dense=None):
    c = tf.lite.TFLiteConverter.from_keras_model(model)
    if kind != "f32":
        c.optimizations = [tf.lite.Optimize.DEFAULT]
        c.representative_dataset = lambda: ([x[None, ...].astype(np.float32)] for x in representative)
        c.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        if kind == "int8":
            c.inference_input_type = tf.int8
            c.inference_output_type = tf.int8
        if per_channel_dense is not None:
            c._experimental_disable_per_channel_quantization_for_dense_layers = not per_channel_dense
    return c.convert()


def run(path, xs, resolver):
    it = Interpreter(model_path=path, experimental_op_resolver_type=resolver, num_threads=1)
    it.allocate_tensors()
    inp, out = it.get_input_details()[0], it.get_output_details()[0]
    ys = []
    for x in xs:
        it.set_tensor(inp["index"], x.reshape(inp["shape"]).astype(inp["dtype"]))
        it.invoke()
        ys.append(it.get_tensor(out["index"]).reshape(-1).copy())
    return np.stack(ys)


def describe(path):
    it = Interpreter(model_path=path, experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    it.allocate_tensors()
    ops = [d["op_name"] for d in it._get_ops_details()]
    tensors = []
    for t in it.get_tensor_details():
        q = t["quantization_parameters"]
        tensors.append({
            "name": t["name"], "shape": [int(v) for v in t["shape"]], "dtype": np.dtype(t["dtype"]).name,
            "scales": [float(v) for v in q["scales"]][:4] + (["..."] if len(q["scales"]) > 4 else []),
            "n_scales": len(q["scales"]),
            "zero_points": [int(v) for v in q["zero_points"]][:4],
            "quantized_dimension": int(q["quantized_dimension"]),
        })
    return it, ops, tensors


def fixture(name, tfl, inputs_f32, manifest, extra=None):
    path = os.path.join(OUT, name + ".tflite")
    with open(path, "wb") as f:
        f.write(tfl)
    it, ops, tensors = describe(path)
    inp, out = it.get_input_details()[0], it.get_output_details()[0]
    if inp["dtype"] == np.int8:
        s, z = inp["quantization"]
        xs = np.clip(np.round(inputs_f32 / s) + z, -128, 127).astype(np.int8)
    else:
        xs = inputs_f32.astype(np.float32)
    xs = xs.reshape(len(xs), -1)
    np.save(os.path.join(OUT, name + ".input.npy"), xs)
    outs = {}
    for k, r in KERNELS.items():
        outs[k] = run(path, xs, r)
        np.save(os.path.join(OUT, f"{name}.{k}.npy"), outs[k])
    entry = {"file": name + ".tflite", "bytes": len(tfl), "operators": ops, "tensors": tensors,
             "input": {"name": inp["name"], "shape": [int(v) for v in inp["shape"]],
                       "dtype": np.dtype(inp["dtype"]).name, "quantization": list(inp["quantization"])},
             "output": {"name": out["name"], "shape": [int(v) for v in out["shape"]],
                        "dtype": np.dtype(out["dtype"]).name, "quantization": list(out["quantization"])},
             "samples": int(len(xs))}
    ref = outs["ref"]
    agree = {}
    for a, b in (("ref", "builtin"), ("ref", "xnnpack"), ("builtin", "xnnpack")):
        d = np.abs(outs[a].astype(np.float64) - outs[b].astype(np.float64))
        agree[f"{a}!={b}"] = {"count": int((outs[a] != outs[b]).sum()), "max_abs": float(d.max())}
    entry["kernel_sets"] = {"outputs": int(ref.size), **agree}
    entry.update(extra or {})
    manifest[name] = entry
    print(f"{name}: {len(tfl)} bytes, ops {ops}, {agree}")


def main():
    os.makedirs(OUT, exist_ok=True)
    manifest = {"tensorflow": tf.__version__, "keras": keras.__version__,
                "ai_edge_litert": "2.3.0", "numpy": np.__version__}

    # --- sine ----------------------------------------------------------------
    x = np.random.default_rng(1).uniform(0, 2 * np.pi, size=(1000, 1)).astype(np.float32)
    y = np.sin(x)
    sine = keras.Sequential([keras.Input((1,)), keras.layers.Dense(16, activation="relu"),
                             keras.layers.Dense(16, activation="relu"), keras.layers.Dense(1)])
    sine.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    hist = sine.fit(x, y, epochs=60, batch_size=32, verbose=0)
    sine_mse = float(hist.history["loss"][-1])
    xs = np.concatenate([np.linspace(0, 2 * np.pi, 60), [-0.5, 6.6, 7.0, 3.14159]]).astype(np.float32)[:, None]
    extra = {"keras_train_mse": sine_mse}
    fixture("sine_f32", convert(sine, "f32"), xs, manifest, extra)
    fixture("sine_int8", convert(sine, "int8", x[:300]), xs, manifest, extra)
    fixture("sine_int8_float_io", convert(sine, "int8_float_io", x[:300]), xs, manifest, extra)

    # --- mnist ---------------------------------------------------------------
    xtr = idx("train-images-idx3-ubyte").astype(np.float32) / 255.0
    ytr = idx("train-labels-idx1-ubyte").astype(np.int64)
    xte = idx("t10k-images-idx3-ubyte").astype(np.float32) / 255.0
    yte = idx("t10k-labels-idx1-ubyte").astype(np.int64)
    mnist = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(),
                              keras.layers.Dense(64, activation="relu"), keras.layers.Dense(10)])
    mnist.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    mnist.fit(xtr, ytr, epochs=3, batch_size=32, verbose=0)
    _, acc = mnist.evaluate(xte, yte, verbose=0)
    print(f"mnist: Keras held-out accuracy {acc:.4f} on {len(xte)} digits")
    extra = {"keras_test_accuracy": float(acc), "note": "inputs flattened to [N, 784]; the model takes [1, 28, 28]"}
    digits = xte[:100]
    fixture("mnist_f32", convert(mnist, "f32"), digits, manifest, extra)
    default = convert(mnist, "int8", xtr[:300])
    fixture("mnist_int8", default, digits, manifest, extra)
    n_scales = [t["n_scales"] for t in manifest["mnist_int8"]["tensors"] if t["dtype"] == "int8"
                and len(t["shape"]) == 2 and t["shape"][0] in (64, 10) and t["shape"][1] in (784, 64)]
    default_per_channel = any(n > 1 for n in n_scales)
    other = "mnist_int8_per_tensor" if default_per_channel else "mnist_int8_per_channel"
    manifest["mnist_int8"]["weights"] = "per-channel" if default_per_channel else "per-tensor"
    fixture(other, convert(mnist, "int8", xtr[:300], per_channel_dense=not default_per_channel), digits,
            manifest, extra)

    # --- act: tanh and sigmoid -----------------------------------------------
    rng = np.random.default_rng(2)
    xa = rng.normal(0, 1, size=(2000, 4)).astype(np.float32)
    ya = np.stack([np.sin(xa[:, 0]) * xa[:, 1], np.tanh(xa[:, 2] - xa[:, 3]), xa[:, 0] * 0.3 + 0.1], 1)
    act = keras.Sequential([keras.Input((4,)), keras.layers.Dense(16, activation="tanh"),
                            keras.layers.Dense(8, activation="sigmoid"), keras.layers.Dense(3)])
    act.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    act.fit(xa, ya, epochs=20, batch_size=32, verbose=0)
    xs = rng.normal(0, 1.5, size=(64, 4)).astype(np.float32)
    fixture("act_f32", convert(act, "f32"), xs, manifest)
    fixture("act_int8", convert(act, "int8", xa[:300]), xs, manifest)

    # --- softmax ---------------------------------------------------------------
    sm = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3), keras.layers.Softmax()])
    sm.compile(optimizer="adam", loss="mse")
    xs = rng.normal(0, 1.5, size=(64, 4)).astype(np.float32)
    fixture("softmax_f32", convert(sm, "f32"), xs, manifest)
    fixture("softmax_int8", convert(sm, "int8", xa[:300]), xs, manifest)

    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
