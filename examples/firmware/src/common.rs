//! What the firmware computes, written once for the device and the desktop.
//!
//! The firmware (`src/bin/*.rs`) and the desktop twin
//! (`examples/firmware_twin.rs` in the root crate, which includes this file)
//! call the same functions and print the same `out:` lines; CI checks the
//! two outputs are identical, byte for byte. Only `core`, `constnet`,
//! `rand_core` and `rand_pcg` are used here: no heap, no `std`. The networks,
//! their f32 statics and the calibration data are in `models.rs`
//! (re-exported here), which the build script and the model generator
//! share.

use constnet::data::quadrants;
use constnet::prelude::*;
use core::fmt::{self, Write};
use rand_core::SeedableRng;
use rand_pcg::Pcg32;

network! {
    /// The network trained on the device: small enough for the Cortex-M0's
    /// soft-float. Four ReLU units represent `sign(x·y)` exactly
    /// (`|x + y| − |x − y|`); eight leave room for a random start.
    #[derive(Clone, Debug, PartialEq)]
    pub struct OnDevice((Dense<2, 8>, Relu, Dense<8, 2>));
}

#[path = "models.rs"]
mod models;
pub use models::*;

/// The int8 sine model file (`cargo run --release --example firmware_models`).
pub const SINE_Q8: &[u8] = include_bytes!("../models/sine.q8");
/// The int8 quadrants model file.
pub const QUADRANTS_Q8: &[u8] = include_bytes!("../models/quadrants.q8");

/// The int8 sine model, checked and built by the compiler; in flash.
pub static SINE_INT8: SineInt8 =
    constnet::load_static_int8!(SINE_Q8 => (Quantize, (QDense, QRelu, QDense, QRelu, QDense), Dequantize));
/// The int8 quadrants model (tanh as lookup tables), in flash.
pub static QUADRANTS_INT8: QuadrantsInt8 =
    constnet::load_static_int8!(QUADRANTS_Q8 => (Quantize, (QDense, QLut, QDense, QLut, QDense), Dequantize));

/// Number of fixed quadrants test points.
pub const QUADRANT_POINTS: usize = 24;

/// Fixed quadrants test point `k`: a 6 × 4 grid over `[-2, 2]²` that avoids
/// the axes.
pub fn quadrant_point(k: usize) -> [f32; 2] {
    [(k % 6) as f32 * 0.7 - 1.75, (k / 6) as f32 * 1.1 - 1.65]
}

/// Runs `net` on the fixed points, prints one line per point (class and the
/// two output bit patterns) and returns how many are classified correctly.
pub fn quadrants_predictions<W: Write>(net: &Quadrants, out: &mut W) -> Result<usize, fmt::Error> {
    let mut correct = 0;
    for k in 0..QUADRANT_POINTS {
        let p = quadrant_point(k);
        let y = net.forward(&p);
        let class = constnet::math::argmax(&y);
        correct += usize::from(class == quadrants::label(p));
        writeln!(out, "out: quadrants {k:2} class {class} {:08x} {:08x}", y[0].to_bits(), y[1].to_bits())?;
    }
    writeln!(out, "out: quadrants {correct}/{QUADRANT_POINTS} fixed points correct")?;
    Ok(correct)
}

/// Number of fixed sine test points.
pub const SINE_POINTS: usize = 16;

/// Fixed sine test input `k`: `x = (k + 0.5) · 2π / 16`.
pub fn sine_point(k: usize) -> [f32; 1] {
    [(k as f32 + 0.5) * (core::f32::consts::TAU / SINE_POINTS as f32)]
}

/// `round(1000 · sin((k + 0.5) · 2π / 16))`, `k = 0..16`: the firmware needs no libm.
pub const SIN_MILLI: [i32; SINE_POINTS] =
    [195, 556, 831, 981, 981, 831, 556, 195, -195, -556, -831, -981, -981, -831, -556, -195];

/// Runs `net` on the fixed sine inputs, prints the output bit patterns and
/// the prediction in thousandths, and returns the largest error in
/// thousandths (against a table of `sin`, so the firmware needs no libm).
pub fn sine_predictions<W: Write>(net: &Sine, out: &mut W) -> Result<i32, fmt::Error> {
    let mut worst = 0;
    for (k, want) in SIN_MILLI.iter().enumerate() {
        let y = net.forward(&sine_point(k))[0];
        let milli = (y * 1000.0) as i32;
        worst = worst.max((milli - want).abs());
        writeln!(out, "out: sine {k:2} {:08x} {milli}", y.to_bits())?;
    }
    writeln!(out, "out: sine max error {worst}/1000")?;
    Ok(worst)
}

/// Seed of the on-device training run.
pub const TRAIN_SEED: u64 = 2024;
/// Training steps on the device (one random point each).
pub const TRAIN_STEPS: usize = 20_000;
/// Fresh points the trained network is scored on.
pub const TEST_POINTS: usize = 1_000;
/// Initial learning rate of the on-device SGD; halved after each quarter of
/// the steps. (Over seeds 0..30 this schedule scored 983–998 of 1,000 on
/// the desktop twin; a constant rate dipped to 922.)
pub const TRAIN_LR: f32 = 0.05;

/// Optimizer and buffers of the on-device training, all of fixed size.
pub struct DeviceTrainer {
    /// The network being trained.
    pub net: OnDevice,
    /// Cache and gradient of one step.
    pub trainer: Trainer<OnDevice, [f32; 2]>,
    /// Plain SGD.
    pub sgd: Sgd,
    /// Source of the training and test points.
    pub rng: Pcg32,
}

impl DeviceTrainer {
    /// Seeded He initialisation and a fresh random stream.
    pub fn new() -> Self {
        let mut rng = Pcg32::seed_from_u64(TRAIN_SEED);
        let mut net = OnDevice::zeros();
        init(&mut net, Init::He, &mut rng);
        Self { net, trainer: Trainer::new(), sgd: Sgd::new(TRAIN_LR), rng }
    }

    /// A fresh random point and its class.
    pub fn draw(&mut self) -> ([f32; 2], usize) {
        quadrants::sample(&mut self.rng)
    }

    /// One training step on `p`: forward, softmax cross-entropy, backward,
    /// SGD update. Returns the loss (NaN if it was not finite; the network
    /// is then unchanged).
    #[inline(never)]
    pub fn learn(&mut self, p: &[f32; 2], label: usize) -> f32 {
        self.trainer.step(&mut self.net, &mut self.sgd, &SoftmaxCrossEntropy, p, &label).unwrap_or(f32::NAN)
    }

    /// [`draw`](Self::draw) a point and [`learn`](Self::learn) from it.
    pub fn step(&mut self) -> f32 {
        let (p, label) = self.draw();
        self.learn(&p, label)
    }

    /// Correct classifications of `n` fresh random points.
    pub fn score(&mut self, n: usize) -> usize {
        (0..n)
            .filter(|_| {
                let (p, label) = self.draw();
                constnet::math::argmax(&self.net.forward(&p)) == label
            })
            .count()
    }
}

impl Default for DeviceTrainer {
    fn default() -> Self {
        Self::new()
    }
}

/// FNV-1a over the bit patterns of every parameter: one line that pins the
/// whole trained network.
pub fn params_hash<M: Params>(net: &M) -> u32 {
    let mut h = 0x811c_9dc5u32;
    for i in 0..M::TENSORS {
        for v in net.tensor(i) {
            for b in v.to_bits().to_le_bytes() {
                h = (h ^ b as u32).wrapping_mul(0x0100_0193);
            }
        }
    }
    h
}

/// Trains [`OnDevice`] from its seeded start for [`TRAIN_STEPS`] steps
/// (learning rate halved each quarter), prints progress, and returns the number of [`TEST_POINTS`] fresh points
/// classified correctly.
pub fn train_on_device<W: Write>(out: &mut W) -> Result<usize, fmt::Error> {
    let mut t = DeviceTrainer::new();
    writeln!(out, "out: train init hash {:08x}", params_hash(&t.net))?;
    let quarter = TRAIN_STEPS / 4;
    for round in 1..=4 {
        t.sgd.lr = TRAIN_LR / (1 << (round - 1)) as f32;
        let mut loss_sum = 0.0f32;
        for _ in 0..quarter {
            loss_sum += t.step();
        }
        let milli = (loss_sum / quarter as f32 * 1000.0) as i32;
        writeln!(
            out,
            "out: train step {:5} mean loss {milli}/1000 hash {:08x}",
            round * quarter,
            params_hash(&t.net)
        )?;
    }
    let correct = t.score(TEST_POINTS);
    writeln!(out, "out: train accuracy {correct}/{TEST_POINTS} on fresh points")?;
    Ok(correct)
}

/// Index of the largest int8 output (the first of equals): a classifier's
/// answer without dequantizing.
pub fn argmax_i8(v: &[i8]) -> usize {
    let mut best = 0;
    for (i, &x) in v.iter().enumerate() {
        if x > v[best] {
            best = i;
        }
    }
    best
}

/// One inference of the int8 sine model, f32 in and out — what
/// `net.forward(x)` computes, layer by layer — also returning the int8
/// output. Not inlined: the benchmark and the predictions share one copy
/// (flash).
#[inline(never)]
pub fn sine_int8_infer(net: &SineInt8, x: &[f32; 1]) -> ([i8; 1], f32) {
    let q = net.1.forward(&net.0.forward(x));
    (q, net.2.forward(&q)[0])
}

/// Runs the int8 sine model on the fixed inputs, prints the int8 output, the
/// dequantized output's bit pattern and the prediction in thousandths, and
/// returns the largest error in thousandths. Printed with [`Line`], not
/// `core::fmt`, to keep the Cortex-M0 binary small.
pub fn sine_int8_predictions<W: Write>(net: &SineInt8, out: &mut W) -> Result<i32, fmt::Error> {
    let mut worst = 0;
    let mut line = Line::new(out);
    for (k, want) in SIN_MILLI.iter().enumerate() {
        let (q, y) = sine_int8_infer(net, &sine_point(k));
        let milli = (y * 1000.0) as i32;
        worst = worst.max((milli - want).abs());
        line.str("out: sine-int8 ").dec(k as i32, 2).str(" q ").dec(q[0] as i32, 4).str(" ");
        line.hex(y.to_bits(), 8).str(" ").dec(milli, 0).end()?;
    }
    line.str("out: sine-int8 max error ").dec(worst, 0).str("/1000").end()?;
    Ok(worst)
}

/// Output without `core::fmt` — whose machinery costs about 3.5 kB of
/// flash and a few hundred bytes of stack on a Cortex-M0: pieces go straight
/// to `write_str` (no buffer), numbers print as `{:w}` and `{:0w$x}` would.
/// The first error is kept and returned by [`end`](Self::end).
#[derive(Debug)]
pub struct Line<'a, W: Write> {
    out: &'a mut W,
    ok: bool,
}

/// One-character strings of the hex digits.
const DIGITS: [&str; 16] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "a", "b", "c", "d", "e", "f"];
/// Powers of ten for [`Line::dec`], largest first.
const POW10: [u32; 10] =
    [1_000_000_000, 100_000_000, 10_000_000, 1_000_000, 100_000, 10_000, 1_000, 100, 10, 1];

impl<'a, W: Write> Line<'a, W> {
    /// Writes into `out`.
    pub fn new(out: &'a mut W) -> Self {
        Self { out, ok: true }
    }

    /// Writes `s`.
    #[inline(never)]
    pub fn str(&mut self, s: &str) -> &mut Self {
        if self.ok {
            self.ok = self.out.write_str(s).is_ok();
        }
        self
    }

    /// Writes `v` in decimal, right-aligned in `width` columns (`{v:width}`).
    #[inline(never)]
    pub fn dec(&mut self, v: i32, width: usize) -> &mut Self {
        let u = v.unsigned_abs();
        // Digits: by comparison with the powers of ten (the M0 has no divide).
        let first = POW10.iter().position(|&p| u >= p).unwrap_or(POW10.len() - 1);
        let len = POW10.len() - first + usize::from(v < 0);
        for _ in len..width {
            self.str(" ");
        }
        if v < 0 {
            self.str("-");
        }
        let mut rest = u;
        for &p in POW10.get(first..).unwrap_or(&[]) {
            let mut d = 0;
            while rest >= p {
                rest -= p;
                d += 1;
            }
            self.digit(d);
        }
        self
    }

    /// Writes the low `digits` hex digits of `v`, zero-padded (`{v:08x}`).
    #[inline(never)]
    pub fn hex(&mut self, v: u32, digits: u32) -> &mut Self {
        let mut shift = 4 * digits.min(8);
        while shift > 0 {
            shift -= 4;
            self.digit((v >> shift) & 0xf);
        }
        self
    }

    /// Writes one digit `0`–`f`.
    #[inline(never)]
    fn digit(&mut self, d: u32) {
        self.str(DIGITS.get(d as usize).copied().unwrap_or("?"));
    }

    /// Ends the line (`\n`); the first error of the line, if any.
    pub fn end(&mut self) -> fmt::Result {
        self.str("\n");
        let ok = core::mem::replace(&mut self.ok, true);
        if ok { Ok(()) } else { Err(fmt::Error) }
    }
}

/// Fresh points the int8 and f32 quadrants models are compared on.
pub const AGREEMENT_POINTS: usize = 1_000;
/// Seed of those points.
pub const AGREEMENT_SEED: u64 = 77;

/// Runs the int8 quadrants model on the fixed points (class from the int8
/// outputs, the int8 outputs, the dequantized bit patterns), then scores it
/// and the f32 model on [`AGREEMENT_POINTS`] fresh points. Returns the
/// fixed points classified correctly.
pub fn quadrants_int8_predictions<W: Write>(
    net: &QuadrantsInt8,
    f32_net: &Quadrants,
    out: &mut W,
) -> Result<usize, fmt::Error> {
    let mut correct = 0;
    for k in 0..QUADRANT_POINTS {
        let p = quadrant_point(k);
        let q = net.1.forward(&net.0.forward(&p));
        let y = net.2.forward(&q);
        let class = argmax_i8(&q);
        correct += usize::from(class == quadrants::label(p));
        writeln!(
            out,
            "out: quadrants-int8 {k:2} class {class} q {:4} {:4} {:08x} {:08x}",
            q[0],
            q[1],
            y[0].to_bits(),
            y[1].to_bits()
        )?;
    }
    writeln!(out, "out: quadrants-int8 {correct}/{QUADRANT_POINTS} fixed points correct")?;
    let mut rng = Pcg32::seed_from_u64(AGREEMENT_SEED);
    let (mut int8_ok, mut f32_ok, mut same) = (0, 0, 0);
    for _ in 0..AGREEMENT_POINTS {
        let (p, label) = quadrants::sample(&mut rng);
        let a = argmax_i8(&net.1.forward(&net.0.forward(&p)));
        let b = constnet::math::argmax(&f32_net.forward(&p));
        int8_ok += usize::from(a == label);
        f32_ok += usize::from(b == label);
        same += usize::from(a == b);
    }
    writeln!(
        out,
        "out: quadrants-int8 accuracy {int8_ok}/{AGREEMENT_POINTS} (f32 {f32_ok}/{AGREEMENT_POINTS}), same class as f32 on {same}"
    )?;
    Ok(correct)
}

/// FNV-1a over bytes.
pub fn fnv1a(bytes: impl IntoIterator<Item = u8>) -> u32 {
    bytes.into_iter().fold(0x811c_9dc5u32, |h, b| (h ^ b as u32).wrapping_mul(0x0100_0193))
}

/// The anomaly score: mean squared reconstruction error of the output
/// `y(i)` against the input `x`, summed in index order.
fn anomaly_score(x: &[f32; 640], y: impl Fn(usize) -> f32) -> f32 {
    let mut sum = 0.0f32;
    for (i, a) in x.iter().enumerate() {
        let d = a - y(i);
        sum += d * d;
    }
    sum / 640.0
}

/// The f32 autoencoder end to end: features in, reconstruction (left in
/// `y`) and anomaly score out. The same arithmetic as `net.forward(x)`, in
/// two non-inlined pieces with the reconstruction written in place, as
/// [`anomaly_int8_run`] does (less stack).
#[inline(never)]
pub fn anomaly_f32_run(net: &Anomaly, x: &[f32; 640], y: &mut [f32; 640]) -> f32 {
    #[inline(never)]
    fn encode(net: &Anomaly, x: &[f32; 640]) -> [f32; 128] {
        net.0.0.forward(x)
    }
    #[inline(never)]
    fn decode(net: &Anomaly, code: &[f32; 128], y: &mut [f32; 640]) {
        *y = net.0.2.forward(&net.0.1.forward(code));
    }
    decode(net, &encode(net, x), y);
    anomaly_score(x, |i| y[i])
}

/// The int8 autoencoder end to end: f32 features in (quantized), the ten
/// int8 dense layers, and the anomaly score out, dequantizing the int8
/// reconstruction (left in `q`) one value at a time (what `Dequantize`
/// computes), so no 2,560-byte f32 output array is needed. The same
/// arithmetic as `net.forward(x)`, called in two pieces that are not
/// inlined, so the encoder's activations are freed before the decoder runs,
/// and the reconstruction written in place: about 2 kB less stack than one
/// inlined chain returning by value.
#[inline(never)]
pub fn anomaly_int8_run(net: &AnomalyInt8, x: &[f32; 640], q: &mut [i8; 640]) -> f32 {
    #[inline(never)]
    fn encode(net: &AnomalyInt8, x: &[f32; 640]) -> [i8; 128] {
        net.1.0.forward(&net.0.forward(x))
    }
    #[inline(never)]
    fn decode(net: &AnomalyInt8, code: &[i8; 128], q: &mut [i8; 640]) {
        *q = net.1.2.forward(&net.1.1.forward(code));
    }
    decode(net, &encode(net, x), q);
    let out = net.2.params();
    anomaly_score(x, |i| out.dequantize(q[i]))
}

/// Prints an autoencoder result: a hash of the 640 output bit patterns, the
/// first four, and the anomaly score. Returns the hash.
#[inline(never)]
pub fn anomaly_report<W: Write>(
    label: &str,
    y: impl Fn(usize) -> f32,
    score: f32,
    out: &mut W,
) -> Result<u32, fmt::Error> {
    let hash = fnv1a((0..640).flat_map(|i| y(i).to_bits().to_le_bytes()));
    let mut line = Line::new(out);
    line.str("out: ").str(label).str(" outputs hash ").hex(hash, 8).str(" first");
    for i in 0..4 {
        line.str(" ").hex(y(i).to_bits(), 8);
    }
    line.str(" score ")
        .hex(score.to_bits(), 8)
        .str(" (")
        .dec((score * 1000.0) as i32, 0)
        .str("/1000)")
        .end()?;
    Ok(hash)
}

/// The TensorFlow Lite Micro "hello world" sine model (1-16-16-1, ReLU)
/// trained in Keras and converted to full-integer int8 by the TFLite
/// converter (`scripts/tflite_fixtures.py`), imported by
/// `examples/convert.rs` into the type it printed: int8 in, int8 out, with
/// the desktop interpreter's (`BUILTIN_REF`) arithmetic.
pub type TfliteSine = (
    constnet::quant::QDenseLiteRt<1, 16>,
    constnet::quant::QDenseLiteRt<16, 16>,
    constnet::quant::QDenseLiteRt<16, 1>,
);

/// The converter's model file for [`TfliteSine`].
pub const TFLITE_SINE_Q8: &[u8] = include_bytes!("../../../tests/data/tflite/sine_int8.q8");

/// The imported sine model, checked and built by the compiler; in flash.
pub static TFLITE_SINE: TfliteSine = constnet::load_static_int8!(
    TFLITE_SINE_Q8 => (QDenseLiteRt, QDenseLiteRt, QDenseLiteRt)
);

/// The data of a version-1 `.npy` file: what follows its 10-byte preamble
/// and the header length it gives (empty if the bytes are shorter).
pub const fn npy_data(b: &[u8]) -> &[u8] {
    if b.len() < 10 {
        return &[];
    }
    let start = 10 + (b[8] as usize | (b[9] as usize) << 8);
    if start > b.len() { &[] } else { b.split_at(start).1 }
}

/// The fixture's int8 inputs, one per sample (`sine_int8.input.npy`).
pub const TFLITE_SINE_INPUTS: &[u8] =
    npy_data(include_bytes!("../../../tests/data/tflite/sine_int8.input.npy"));

/// The interpreter's int8 outputs for them (`sine_int8.ref.npy`, reference
/// kernels).
pub const TFLITE_SINE_INTERPRETER: &[u8] =
    npy_data(include_bytes!("../../../tests/data/tflite/sine_int8.ref.npy"));

/// Prints `out: tflite-sine k x y` for every fixture input, with `y` from
/// `output(k, x)`, and returns how many differ from the interpreter's.
pub fn tflite_sine_lines<W: Write>(
    out: &mut W,
    output: impl Fn(usize, i8) -> i8,
) -> Result<usize, fmt::Error> {
    let mut differ = 0;
    let mut line = Line::new(out);
    for (k, (&x, &want)) in TFLITE_SINE_INPUTS.iter().zip(TFLITE_SINE_INTERPRETER).enumerate() {
        let y = output(k, x as i8);
        differ += usize::from(y != want as i8);
        line.str("out: tflite-sine ").dec(k as i32, 2).str(" x ").dec(x as i8 as i32, 4);
        line.str(" y ").dec(y as i32, 4).end()?;
    }
    Ok(differ)
}

/// Ten digits of the held-out MNIST set (`data/mnist10k`'s first ten test
/// images): for each, its label byte, then its 784 pixels (written by
/// `scripts/mnist_digits.py` from `data/mnist10k/t10k-*`).
pub const MNIST_DIGITS: &[u8; 10 * 785] = include_bytes!("../models/mnist_digits.bin");
/// Multiply-adds of one CNN inference: the two convolutions (every tap,
/// padding included, as im2col computes them) and the two dense layers.
pub const MNIST_CNN_MACS: usize = 28 * 28 * 16 * 25 + 14 * 14 * 32 * 16 * 25 + 1568 * 128 + 128 * 10;
const _: () = assert!(MNIST_CNN_MACS == 3_024_384);

/// Digit `k` of [`MNIST_DIGITS`] as the example feeds it (`p / 255`), and its label.
pub fn mnist_digit(k: usize) -> ([f32; 784], usize) {
    let d = &MNIST_DIGITS[k * 785..(k + 1) * 785];
    (core::array::from_fn(|i| d[1 + i] as f32 / 255.0), d[0] as usize)
}

/// One `out:` line per digit — label, prediction, the ten logits' bit
/// patterns hashed and the first two — and the number right; `classify`
/// runs the network.
pub fn cnn_report<W: Write>(
    classify: impl Fn(&[f32; 784]) -> [f32; 10],
    out: &mut W,
) -> Result<usize, fmt::Error> {
    let mut right = 0;
    for k in 0..10 {
        let (x, label) = mnist_digit(k);
        let y = classify(&x);
        let predicted = constnet::math::argmax(&y);
        right += (predicted == label) as usize;
        let hash = fnv1a(y.iter().flat_map(|v| v.to_bits().to_le_bytes()));
        Line::new(out)
            .str("out: cnn digit ")
            .dec(k as i32, 0)
            .str(" label ")
            .dec(label as i32, 0)
            .str(" predicted ")
            .dec(predicted as i32, 0)
            .str(" logits hash ")
            .hex(hash, 8)
            .str(" first ")
            .hex(y[0].to_bits(), 8)
            .str(" ")
            .hex(y[1].to_bits(), 8)
            .end()?;
    }
    Line::new(out).str("out: cnn ").dec(right as i32, 0).str(" of 10 digits right").end()?;
    Ok(right)
}

/// One depthwise-separable block of [`DsCnnInt8`]: a 3×3 depthwise
/// convolution and a 1×1 convolution over 25×5×64, each with a fused ReLU.
pub type DsBlock = (
    constnet::quant::QDepthwiseConv2d<25, 5, 64, 3, 1, 1, 25, 5>,
    constnet::quant::QConv2d<25, 5, 64, 64, 1, 1, 0, 25, 5>,
);

/// A keyword-spotting-sized DS-CNN in int8 (MLPerf Tiny's shape, with a
/// square first kernel): a 49×10 feature map (49 frames of 10 MFCCs), a
/// 5×5 convolution with stride 2 to 25×5×64, four depthwise-separable
/// blocks, global average pooling and a 64-12 dense layer; TFLite's
/// per-channel scheme throughout. Seeded weights (not trained: this measures
/// size, speed and bit-identity), built by a `const fn`, so the firmware's
/// copy is a `static` in flash.
pub type DsCnnInt8 = (
    constnet::quant::QConv2d<49, 10, 1, 64, 5, 2, 2, 25, 5>,
    (DsBlock, DsBlock, DsBlock, DsBlock),
    constnet::quant::QGlobalAvgPool2d<25, 5, 64>,
    constnet::quant::QDense<64, 12>,
);

/// Multiply-adds of one DS-CNN inference (every tap of the first
/// convolution, padding included; the depthwise taps inside the image only
/// would be fewer).
pub const DS_CNN_MACS: usize = 25 * 5 * 64 * 25 + 4 * (25 * 5 * 64 * 9 + 25 * 5 * 64 * 64) + 64 * 12;
const _: () = assert!(DS_CNN_MACS == 2_536_768);

/// A 64-bit linear congruential step (Knuth's MMIX constants); the top
/// bits are the output.
const fn lcg(s: u64) -> u64 {
    s.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407)
}

/// `N` pseudo-random int8 values in `[-m, m]`, and the next state.
const fn i8s<const N: usize>(mut s: u64, m: i32) -> ([i8; N], u64) {
    let mut v = [0i8; N];
    let mut i = 0;
    while i < N {
        s = lcg(s);
        v[i] = (((s >> 33) % (2 * m as u64 + 1)) as i32 - m) as i8;
        i += 1;
    }
    (v, s)
}

/// Per-channel multipliers near `2⁻ˢʰⁱᶠᵗ/2`: mantissas in `[2³⁰, 2³⁰·1.5)`.
const fn multipliers<const N: usize>(mut s: u64, shift: i8) -> ([i32; N], [i8; N], u64) {
    let mut m = [0i32; N];
    let mut i = 0;
    while i < N {
        s = lcg(s);
        m[i] = (1 << 30) + ((s >> 34) % (1 << 29)) as i32;
        i += 1;
    }
    (m, [shift; N], s)
}

const fn ds_block(s: u64) -> (DsBlock, u64) {
    let mut dw = [[[0i8; 64]; 3]; 3];
    let mut s = s;
    let mut t = 0;
    while t < 9 {
        let (row, next) = i8s::<64>(s, 100);
        dw[t / 3][t % 3] = row;
        s = next;
        t += 1;
    }
    let (dm, dsh, s) = multipliers::<64>(s, -7);
    let depthwise = constnet::quant::QDepthwiseConv2d::new(dw, [64; 64], dm, dsh, -20, -128, -128, 127);
    let mut pw = [[[[0i8; 64]; 1]; 1]; 64];
    let mut s = s;
    let mut o = 0;
    while o < 64 {
        let (row, next) = i8s::<64>(s, 100);
        pw[o][0][0] = row;
        s = next;
        o += 1;
    }
    let (pm, psh, s) = multipliers::<64>(s, -9);
    let pointwise = constnet::quant::QConv2d::new(pw, [0; 64], pm, psh, -128, -128, -128, 127);
    ((depthwise, pointwise), s)
}

/// The seeded DS-CNN (see [`DsCnnInt8`]).
pub const fn ds_cnn_int8(seed: u64) -> DsCnnInt8 {
    let mut first = [[[[0i8; 1]; 5]; 5]; 64];
    let mut s = lcg(seed);
    let mut o = 0;
    while o < 64 {
        let (taps, next) = i8s::<25>(s, 127);
        let mut t = 0;
        while t < 25 {
            first[o][t / 5][t % 5][0] = taps[t];
            t += 1;
        }
        s = next;
        o += 1;
    }
    let (m, sh, s) = multipliers::<64>(s, -6);
    let conv = constnet::quant::QConv2d::new(first, [0; 64], m, sh, 0, -128, -128, 127);
    let (b1, s) = ds_block(s);
    let (b2, s) = ds_block(s);
    let (b3, s) = ds_block(s);
    let (b4, s) = ds_block(s);
    let mut fc = [[0i8; 64]; 12];
    let mut s = s;
    let mut o = 0;
    while o < 12 {
        let (row, next) = i8s::<64>(s, 127);
        fc[o] = row;
        s = next;
        o += 1;
    }
    let (fm, fsh, _) = multipliers::<12>(s, -8);
    let dense = constnet::quant::QDense::new(fc, [0; 12], fm, fsh, -128, 0, -128, 127);
    (conv, (b1, b2, b3, b4), constnet::quant::QGlobalAvgPool2d::new(-128, 127), dense)
}

/// A seeded 49×10 int8 feature map for the DS-CNN.
pub const fn ds_cnn_input(seed: u64) -> [[[i8; 1]; 10]; 49] {
    let mut x = [[[0i8; 1]; 10]; 49];
    let mut s = lcg(seed ^ 0x5eed);
    let mut f = 0;
    while f < 49 {
        let (row, next) = i8s::<10>(s, 127);
        let mut k = 0;
        while k < 10 {
            x[f][k][0] = row[k];
            k += 1;
        }
        s = next;
        f += 1;
    }
    x
}

/// The `out:` line of a DS-CNN run: the twelve int8 scores and the class.
pub fn ds_cnn_report<W: Write>(y: &[i8; 12], out: &mut W) -> Result<(), fmt::Error> {
    let mut line = Line::new(out);
    line.str("out: ds-cnn int8 scores");
    for &v in y {
        line.str(" ").dec(v as i32, 0);
    }
    line.str(" class ").dec(constnet::math::int8::argmax(y) as i32, 0).end()
}

/// The int8 MNIST CNN file (`cargo run --release --example firmware_models`).
pub const MNIST_CNN_Q8: &[u8] = include_bytes!("../models/mnist_cnn.q8");

/// One `out:` line per digit of the int8 CNN — label, prediction and the ten
/// f32 outputs' bit patterns hashed — and the number right.
pub fn cnn_int8_report<W: Write>(
    classify: impl Fn(&[f32; 784]) -> [f32; 10],
    out: &mut W,
) -> Result<usize, fmt::Error> {
    let mut right = 0;
    for k in 0..10 {
        let (x, label) = mnist_digit(k);
        let y = classify(&x);
        let predicted = constnet::math::argmax(&y);
        right += (predicted == label) as usize;
        let hash = fnv1a(y.iter().flat_map(|v| v.to_bits().to_le_bytes()));
        Line::new(out)
            .str("out: cnn int8 digit ")
            .dec(k as i32, 0)
            .str(" label ")
            .dec(label as i32, 0)
            .str(" predicted ")
            .dec(predicted as i32, 0)
            .str(" outputs hash ")
            .hex(hash, 8)
            .end()?;
    }
    Line::new(out).str("out: cnn int8 ").dec(right as i32, 0).str(" of 10 digits right").end()?;
    Ok(right)
}
