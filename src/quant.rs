//! Int8 integer inference with TensorFlow Lite's arithmetic: quantized
//! layers as types, post-training quantization, integer-only forward passes.
//!
//! * **Layers** — [`QDense<IN, OUT>`] (int8 weights, int32 bias, per-channel
//!   multipliers, fused ReLU clamp; TensorFlow Lite Micro's arithmetic),
//!   [`QDenseLiteRt<IN, OUT>`] (the same layer with the desktop TFLite
//!   interpreter's `f64` requantization, for imported models), [`QRelu`], [`QLut`] (tanh, sigmoid,
//!   leaky ReLU as 256-entry tables), and the boundary layers [`Quantize`]
//!   and [`Dequantize`]. They implement [`Layer`](crate::Layer) for `[i8; N]`
//!   and batches `[[i8; N]; B]`, so tuples of them are networks and a layer
//!   that does not chain is a compile error, as for f32.
//! * **The int8 type follows from the f32 type** — [`Quantizable`] maps each
//!   f32 layer to its int8 form; [`Int8<Net, IN>`] is the whole f32-in,
//!   f32-out network; `size_of` of it is its flash need and
//!   [`Footprint::ACTIVATION_BYTES`] its activation RAM, both compile-time
//!   constants.
//! * **Post-training quantization** — [`quantize`] calibrates on sample
//!   inputs (min/max ranges) and builds the int8 network with TFLite's int8
//!   scheme: per-tensor asymmetric activations, per-output-channel
//!   symmetric weights in `[−127, 127]`, int32 biases at scale `s_in · s_w`,
//!   Q31 multipliers ([`requant`]). No heap; it runs on the device too.
//! * **Integer-only inference** — no floats between [`Quantize`] and
//!   [`Dequantize`]; the kernels ([`crate::math::int8`]) give the same bits
//!   on every target and path, and the same bits as TensorFlow Lite Micro's
//!   reference int8 kernels for the same parameters (see
//!   [`requant::multiply_by_quantized_multiplier`] for how the PyPI
//!   interpreters' kernels differ at rounding ties).
//!
//! ```
//! use constnet::prelude::*;
//! use constnet::quant::{self, Int8};
//! use rand_core::SeedableRng;
//!
//! type Net = (Dense<1, 16>, Relu, Dense<16, 16>, Relu, Dense<16, 1>);
//! let mut net: Net = Zeros::zeros();
//! init(&mut net, Init::He, &mut rand_pcg::Pcg64::seed_from_u64(7));
//!
//! let calibration: [[f32; 1]; 64] = core::array::from_fn(|i| [i as f32 / 10.0]);
//! let int8: Int8<Net, 1> = quant::quantize(&net, &calibration).unwrap();
//! // The int8 type was derived from `Net`; it is f32 in, f32 out:
//! let (y, want) = (int8.forward(&[2.0])[0], net.forward(&[2.0])[0]);
//! assert!((y - want).abs() < 0.05 * want.abs().max(1.0));
//! // Its parts: (Quantize, (QDense<1, 16>, QRelu, QDense<16, 16>, QRelu, QDense<16, 1>), Dequantize).
//! let q: [i8; 1] = int8.0.forward(&[2.0]);
//! let _: [i8; 16] = int8.1.0.forward(&q);
//! // Flash: 16 + 256 + 16 bytes of weights plus 9 bytes per output of bias, multiplier, shift, …
//! assert!(core::mem::size_of::<Int8<Net, 1>>() < 1000);
//! ```

mod activation;
mod boundary;
mod calibrate;
mod conv;
mod dense;
mod dense_litert;
mod footprint;
mod params;
pub mod requant;

pub use activation::{Int8Tensor, QLut, QRelu};
pub use boundary::{Dequantize, Quantize};
pub use calibrate::Quantizable;
pub use conv::{QConv2d, QDepthwiseConv2d, QFlatten, QGlobalAvgPool2d, QMaxPool2d, QUnflatten};
pub use dense::QDense;
pub use dense_litert::QDenseLiteRt;
pub use footprint::Footprint;
pub use params::{QuantParams, Range};

use core::fmt;

/// The int8 network of an f32 network `Net` with `IN` inputs: quantize the
/// f32 input, run the int8 layers, dequantize the output.
pub type Int8<Net, const IN: usize> = (Quantize, <Net as Quantizable<[f32; IN]>>::Quantized, Dequantize);

/// Why a network could not be quantized, or int8 parameters are invalid.
///
/// Non-exhaustive: later versions may add checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum QuantError {
    /// [`quantize`] was given no calibration samples.
    NoCalibrationData,
    /// A calibration sample holds a NaN or an infinity.
    NonFiniteCalibration {
        /// Index of the sample.
        sample: usize,
    },
    /// A layer's outputs were never finite during calibration, so no
    /// quantization can be chosen for them.
    EmptyRange,
    /// A requantization multiplier outside TFLite's range (mantissa 0 or in
    /// `[2^30, 2^31)`, shift in `[−31, 30]`).
    Multiplier {
        /// The output channel.
        output: usize,
        /// Its mantissa.
        mantissa: i32,
        /// Its shift.
        shift: i8,
    },
    /// A requantization scale that is not finite and positive
    /// ([`QDenseLiteRt`]).
    Scale {
        /// The output channel.
        output: usize,
    },
    /// An activation clamp with `min > max`.
    Clamp {
        /// The lower clamp.
        min: i8,
        /// The upper clamp.
        max: i8,
    },
}

impl fmt::Display for QuantError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            QuantError::NoCalibrationData => write!(f, "no calibration samples were given"),
            QuantError::NonFiniteCalibration { sample } => {
                write!(f, "calibration sample {sample} holds a NaN or an infinity")
            }
            QuantError::EmptyRange => {
                write!(f, "a layer produced no finite output during calibration")
            }
            QuantError::Multiplier { output, mantissa, shift } => write!(
                f,
                "output {output}: multiplier {mantissa} · 2^{shift} is outside TFLite's range \
                 (mantissa 0 or in [2^30, 2^31), shift in [-31, 30])"
            ),
            QuantError::Scale { output } => {
                write!(f, "output {output}: the requantization scale is not finite and positive")
            }
            QuantError::Clamp { min, max } => write!(f, "activation clamp [{min}, {max}] is empty"),
        }
    }
}

impl core::error::Error for QuantError {}

/// Post-training quantization of `net` (f32, `IN` inputs) with TFLite's
/// int8 scheme, calibrated on `calibration`: the input's range and every
/// layer's output range are the min/max over those samples (widened to
/// include 0). Use a few hundred representative inputs, e.g. part of the
/// training set.
///
/// # Errors
/// [`QuantError::NoCalibrationData`] for an empty slice,
/// [`QuantError::NonFiniteCalibration`] for a sample with NaN or ±∞,
/// [`QuantError::EmptyRange`] if a layer never produced a finite output.
pub fn quantize<Net, const IN: usize>(
    net: &Net,
    calibration: &[[f32; IN]],
) -> Result<Int8<Net, IN>, QuantError>
where
    Net: Quantizable<[f32; IN]>,
{
    if calibration.is_empty() {
        return Err(QuantError::NoCalibrationData);
    }
    let mut input = Range::EMPTY;
    let mut ranges = Net::NO_RANGES;
    for (sample, x) in calibration.iter().enumerate() {
        if !crate::math::all_finite(x) {
            return Err(QuantError::NonFiniteCalibration { sample });
        }
        input.observe(x);
        net.observe(x, &mut ranges);
    }
    let input = QuantParams::from_range(input);
    let (layers, output) = net.quantize_layer(input, &ranges, None)?;
    Ok((Quantize::new(input), layers, Dequantize::new(output)))
}
