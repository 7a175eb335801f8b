//! The networks, shared by build.rs (which writes their model files and the
//! desktop's outputs) and the firmware (which loads them with
//! `load_static!` / `load_static_int8!`).

use constnet::quant::{self, Int8};
use constnet::{Dense, Params, Relu, Tanh, Zeros};

/// The f32 network: Dense, ReLU, Dense, tanh, Dense.
pub type Net = (Dense<4, 16>, Relu, Dense<16, 16>, Tanh, Dense<16, 3>);
/// Its int8 form: `(Quantize, (QDense, QRelu, QDense, QLut, QDense), Dequantize)`.
pub type Net8 = Int8<Net, 4>;

/// Inputs the firmware runs (and build.rs ran on the desktop).
pub const INPUTS: [[f32; 4]; 8] = [
    [0.0, 0.0, 0.0, 0.0],
    [1.0, -1.0, 0.5, 0.25],
    [-0.75, 0.5, 1.5, -1.25],
    [2.0, 2.0, -2.0, 0.0],
    [0.1, 0.2, 0.3, 0.4],
    [-1.5, -0.5, 0.5, 1.5],
    [0.9, -0.3, -0.8, 0.6],
    [-2.0, 1.0, 0.0, -1.0],
];

/// Deterministic, varied weights (no RNG needed).
pub fn net() -> Net {
    let mut m = Net::zeros();
    let mut k = 7u32;
    for t in 0..Net::TENSORS {
        for v in m.tensor_mut(t) {
            k = k.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            *v = ((k >> 8) as f32 / (1u32 << 24) as f32 - 0.5) * 1.2;
        }
    }
    m
}

/// 64 calibration samples in `[-2, 2]⁴`.
pub fn calibration() -> [[f32; 4]; 64] {
    core::array::from_fn(|s| core::array::from_fn(|i| ((s * 7 + i * 5) % 33) as f32 / 8.0 - 2.0))
}

pub fn net8(net: &Net) -> Net8 {
    quant::quantize(net, &calibration()).expect("the network quantizes")
}
