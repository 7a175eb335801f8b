//! What the firmware computes, written once for the device and the desktop.
//!
//! The firmware (`src/bin/*.rs`) and the desktop twin
//! (`examples/firmware_twin.rs` in the root crate, which includes this file)
//! call the same functions and print the same `out:` lines; CI checks the
//! two outputs are identical, byte for byte. Only `core`, `constnet`,
//! `rand_core` and `rand_pcg` are used here: no heap, no `std`.

use constnet::data::quadrants;
use constnet::prelude::*;
use core::fmt::{self, Write};
use rand_core::SeedableRng;
use rand_pcg::Pcg32;

network! {
    /// The `quadrants` example's better configuration, trained on the desktop
    /// (`cargo run --release --example quadrants -- --save …`).
    #[derive(Clone, Debug, PartialEq)]
    pub struct Quadrants((Dense<2, 16>, Tanh, Dense<16, 16>, Tanh, Dense<16, 2>));
}

network! {
    /// 1-16-16-1 sine regressor, trained on the desktop (`examples/sine.rs`).
    #[derive(Clone, Debug, PartialEq)]
    pub struct Sine((Dense<1, 16>, Relu, Dense<16, 16>, Relu, Dense<16, 1>));
}

network! {
    /// The network trained on the device: small enough for the Cortex-M0's
    /// soft-float. Four ReLU units represent `sign(x·y)` exactly
    /// (`|x + y| − |x − y|`); eight leave room for a random start.
    #[derive(Clone, Debug, PartialEq)]
    pub struct OnDevice((Dense<2, 8>, Relu, Dense<8, 2>));
}

/// The desktop-trained quadrants model, in the model format.
pub const QUADRANTS_BIN: &[u8] = include_bytes!("../models/quadrants.bin");
/// The desktop-trained sine model, in the model format.
pub const SINE_BIN: &[u8] = include_bytes!("../models/sine.bin");

/// The quadrants model, checked and built by the compiler; in flash.
pub static QUADRANTS: Quadrants =
    constnet::load_static!(QUADRANTS_BIN => Quadrants(Dense, Tanh, Dense, Tanh, Dense));
/// The sine model, checked and built by the compiler; in flash.
pub static SINE: Sine = constnet::load_static!(SINE_BIN => Sine(Dense, Relu, Dense, Relu, Dense));

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

/// Runs `net` on the fixed sine inputs, prints the output bit patterns and
/// the prediction in thousandths, and returns the largest error in
/// thousandths (against a table of `sin`, so the firmware needs no libm).
pub fn sine_predictions<W: Write>(net: &Sine, out: &mut W) -> Result<i32, fmt::Error> {
    // round(1000 · sin((k + 0.5) · 2π / 16)), k = 0..16
    const SIN_MILLI: [i32; SINE_POINTS] =
        [195, 556, 831, 981, 981, 831, 556, 195, -195, -556, -831, -981, -981, -831, -556, -195];
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
