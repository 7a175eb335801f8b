//! The firmware's networks, their model files, and everything needed to
//! rebuild their int8 forms bit for bit: calibration inputs and the seeded
//! anomaly-detection autoencoder.
//!
//! Shared (by `#[path]`) between the firmware ([`common`](super) re-exports
//! it), the firmware's `build.rs` (which generates the autoencoder's model
//! files), the desktop twin (`examples/firmware_twin.rs`) and the model
//! generator (`examples/firmware_models.rs`). It holds no int8 statics, so
//! the int8 model files can be regenerated from it even when the committed
//! ones no longer load. Only `core`, `constnet`, `rand_core` and `rand_pcg`.

use constnet::data::quadrants;
use constnet::prelude::*;
use constnet::quant::{self, Int8, QuantError};
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

/// The desktop-trained quadrants model, in the model format.
pub const QUADRANTS_BIN: &[u8] = include_bytes!("../models/quadrants.bin");
/// The desktop-trained sine model, in the model format.
pub const SINE_BIN: &[u8] = include_bytes!("../models/sine.bin");

/// The quadrants model, checked and built by the compiler; in flash.
pub static QUADRANTS: Quadrants =
    constnet::load_static!(QUADRANTS_BIN => Quadrants(Dense, Tanh, Dense, Tanh, Dense));
/// The sine model, checked and built by the compiler; in flash.
pub static SINE: Sine = constnet::load_static!(SINE_BIN => Sine(Dense, Relu, Dense, Relu, Dense));

/// The int8 sine network: f32 in, f32 out,
/// `(Quantize, (QDense<1, 16>, QRelu, QDense<16, 16>, QRelu, QDense<16, 1>), Dequantize)`.
pub type SineInt8 = Int8<Sine, 1>;
/// The int8 quadrants network (tanh as 256-entry tables).
pub type QuadrantsInt8 = Int8<Quadrants, 2>;

/// Calibration samples for the sine model.
pub const SINE_CALIBRATION: usize = 256;

/// Calibration inputs of the sine model: `x = (k + 0.5) · 2π / 256`, the
/// training range `[0, 2π)` evenly.
pub fn sine_calibration() -> [[f32; 1]; SINE_CALIBRATION] {
    core::array::from_fn(|k| [(k as f32 + 0.5) * (core::f32::consts::TAU / SINE_CALIBRATION as f32)])
}

/// Calibration samples for the quadrants model.
pub const QUADRANTS_CALIBRATION: usize = 500;
/// Seed of the quadrants calibration points.
pub const QUADRANTS_CALIBRATION_SEED: u64 = 10;

/// Calibration inputs of the quadrants model: points drawn as the training
/// data is (`data::quadrants`), from a fixed seed.
pub fn quadrants_calibration() -> [[f32; 2]; QUADRANTS_CALIBRATION] {
    let mut rng = Pcg32::seed_from_u64(QUADRANTS_CALIBRATION_SEED);
    core::array::from_fn(|_| quadrants::sample(&mut rng).0)
}

/// Post-training quantization of the desktop-trained sine model (what
/// `examples/firmware_models.rs` saves as `models/sine-int8.bin`).
pub fn quantize_sine() -> Result<SineInt8, QuantError> {
    quant::quantize(&SINE, &sine_calibration())
}

/// Post-training quantization of the desktop-trained quadrants model
/// (`models/quadrants-int8.bin`).
pub fn quantize_quadrants() -> Result<QuadrantsInt8, QuantError> {
    quant::quantize(&QUADRANTS, &quadrants_calibration())
}

network! {
    /// The MLPerf Tiny anomaly-detection autoencoder's shape:
    /// 640-128-128-128-128-8-128-128-128-128-640, ReLU after every layer but
    /// the last; 264,192 multiply-adds. Seeded weights (He init), not trained:
    /// the firmware measures speed, size and bit-identity, not AUC.
    #[derive(Clone, Debug, PartialEq)]
    pub struct Anomaly((
        (Dense<640, 128>, Relu, Dense<128, 128>, Relu, Dense<128, 128>, Relu, Dense<128, 128>, Relu),
        (Dense<128, 8>, Relu, Dense<8, 128>, Relu),
        (Dense<128, 128>, Relu, Dense<128, 128>, Relu, Dense<128, 128>, Relu, Dense<128, 640>),
    ));
}

/// The autoencoder's int8 form (≈ 270 kB).
pub type AnomalyInt8 = Int8<Anomaly, 640>;

/// Multiply-adds of one autoencoder inference.
pub const ANOMALY_MACS: usize = 640 * 128 + 3 * 128 * 128 + 128 * 8 + 8 * 128 + 3 * 128 * 128 + 128 * 640;
const _: () = assert!(ANOMALY_MACS == 264_192);

/// Seed of the autoencoder's He initialisation.
pub const ANOMALY_SEED: u64 = 6_400_128;
/// Calibration samples for the autoencoder.
pub const ANOMALY_CALIBRATION: usize = 32;

/// The seeded autoencoder (He initialisation from [`ANOMALY_SEED`]; biases
/// small and non-zero so they matter). Boxed by the caller if the stack is
/// small: it is 1.06 MB.
pub fn anomaly_f32() -> Anomaly {
    let mut net = Anomaly::zeros();
    let mut rng = Pcg32::seed_from_u64(ANOMALY_SEED);
    init(&mut net, Init::He, &mut rng);
    for i in 0..<Anomaly as Params>::TENSORS {
        if <Anomaly as Params>::shape(i).kind == constnet::TensorKind::Bias {
            // A bias: 1/64 · (k mod 7 − 3), deterministic and exact in f32.
            for (k, b) in net.tensor_mut(i).iter_mut().enumerate() {
                *b = ((k % 7) as f32 - 3.0) / 64.0;
            }
        }
    }
    net
}

/// Input `k` of the autoencoder: 640 values in `[−1, 1)` from a xorshift
/// stream (a `const fn`, so a test input can be a `static` in flash).
/// Calibration uses `k = 1..=ANOMALY_CALIBRATION`, the firmware `k = 0`.
pub const fn anomaly_input(k: u32) -> [f32; 640] {
    let mut x = [0.0f32; 640];
    let mut s = 0x9e37_79b9u32 ^ k.wrapping_mul(0x85eb_ca6b);
    let mut i = 0;
    while i < 640 {
        s ^= s << 13;
        s ^= s >> 17;
        s ^= s << 5;
        // 24 random bits → [0, 1) exactly, then [−1, 1).
        x[i] = (s >> 8) as f32 * (1.0 / 16_777_216.0) * 2.0 - 1.0;
        i += 1;
    }
    x
}

/// Calibration inputs of the autoencoder.
pub fn anomaly_calibration() -> [[f32; 640]; ANOMALY_CALIBRATION] {
    core::array::from_fn(|k| anomaly_input(k as u32 + 1))
}

/// Post-training quantization of the seeded autoencoder.
pub fn quantize_anomaly(net: &Anomaly) -> Result<AnomalyInt8, QuantError> {
    quant::quantize(net, &anomaly_calibration())
}

network! {
    /// The `mnist` example's `cnn` preset, the same type (its model file
    /// loads into no other): two 5×5 convolutions with ReLU and 2×2 max
    /// pooling, then 1568-128-10, with dropout (the identity at inference).
    /// Trained on the desktop with `cargo run --release --features std
    /// --example mnist -- --preset cnn`; `models/mnist_cnn.bin` is its
    /// `out/mnist-cnn/model.cnet`.
    #[derive(Clone, Debug, PartialEq)]
    pub struct MnistCnn(constnet::layers![input [784] =>
        Unflatten(28, 28, 1),
        Conv2d(16, 5, padding = 2), Relu, MaxPool2d(2),
        Conv2d(32, 5, padding = 2), Relu, MaxPool2d(2), Dropout(25),
        Flatten, Dense(128), Relu, Dropout(50), Dense(10)]);
}

/// The trained CNN in the model format (861 kB: Cortex-M4F only).
pub const MNIST_CNN_BIN: &[u8] = include_bytes!("../models/mnist_cnn.bin");
/// The int8 MNIST CNN: f32 in, f32 out, `(Quantize, (QUnflatten, QConv2d,
/// QRelu, QMaxPool2d, QConv2d, QRelu, QMaxPool2d, (QRelu, QFlatten, QDense,
/// QRelu, QRelu, QDense)), Dequantize)` (the dropouts become full-range
/// clamps, the identity).
pub type MnistCnnInt8 = Int8<MnistCnn, 784>;

/// Calibration digits of the MNIST CNN: the first 100 training images of
/// `data/mnist10k`, 784 pixel bytes each (`scripts/mnist_digits.py`).
pub const MNIST_CALIBRATION: &[u8; 100 * 784] = include_bytes!("../models/mnist_calibration.bin");

/// Post-training quantization of the trained CNN (what
/// `examples/firmware_models.rs` saves as `models/mnist_cnn.q8`), calibrated
/// on [`MNIST_CALIBRATION`] as the example feeds digits (`p / 255`).
pub fn quantize_mnist_cnn(net: &MnistCnn) -> Result<MnistCnnInt8, QuantError> {
    let calibration: [[f32; 784]; 100] =
        core::array::from_fn(|k| core::array::from_fn(|i| MNIST_CALIBRATION[k * 784 + i] as f32 / 255.0));
    quant::quantize(net, &calibration)
}
