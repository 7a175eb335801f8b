//! The constnet layers an imported `.tflite` network maps onto, with their
//! parameters as the file holds them.

#[allow(unused_imports)]
use std::{format, prelude::rust_2024::*, vec};

use core::fmt;

/// The element type of a network's input or output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DType {
    /// 32-bit float.
    F32,
    /// int8, with a scale and zero point.
    I8,
}

/// A network's input or output tensor.
#[derive(Clone, Debug, PartialEq)]
pub struct Io {
    /// The tensor's name in the `.tflite` file.
    pub name: String,
    /// Elements per sample (the batch dimension is 1).
    pub len: usize,
    /// Its element type.
    pub dtype: DType,
    /// `(scale, zero point)` of an int8 tensor.
    pub quantization: Option<(f32, i8)>,
}

/// An f32 activation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Activation {
    /// [`Relu`](crate::Relu) (TFLite's RELU). The variants are not named
    /// after the layers so that compiler messages keep printing constnet's
    /// layer types by their short names.
    Rectifier,
    /// [`Sigmoid`](crate::Sigmoid) (TFLite's LOGISTIC).
    Logistic,
    /// [`Tanh`](crate::Tanh).
    HyperbolicTangent,
    /// [`Softmax`](crate::Softmax).
    SoftMax,
}

impl Activation {
    /// The constnet type's name.
    pub fn name(self) -> &'static str {
        match self {
            Activation::Rectifier => "Relu",
            Activation::Logistic => "Sigmoid",
            Activation::HyperbolicTangent => "Tanh",
            Activation::SoftMax => "Softmax",
        }
    }
}

/// One constnet layer of an imported network. (Not named after the layer
/// types, so that compiler messages keep printing those by short names.)
///
/// Non-exhaustive: later versions import more operators.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum ImportedLayer {
    /// [`Dense<ins, outs>`](crate::Dense): `weight` row-major `[outs][ins]`.
    FullyConnected {
        /// Inputs.
        ins: usize,
        /// Outputs.
        outs: usize,
        /// `outs × ins` weights, row after row.
        weight: Vec<f32>,
        /// `outs` biases (zeros if the file has none).
        bias: Vec<f32>,
    },
    /// An f32 activation over `len` values.
    Activation {
        /// Which.
        kind: Activation,
        /// Values per sample.
        len: usize,
    },
    /// An int8 FULLY_CONNECTED: [`QDenseLiteRt`](crate::quant::QDenseLiteRt)
    /// or [`QDense`](crate::quant::QDense), depending on the
    /// [`Arithmetic`](super::Arithmetic).
    FullyConnectedInt8 {
        /// Inputs.
        ins: usize,
        /// Outputs.
        outs: usize,
        /// `outs × ins` int8 weights, row after row.
        weight: Vec<i8>,
        /// `outs` int32 biases at scale `s_in · s_w[o]` (zeros if none).
        bias: Vec<i32>,
        /// `s_in`, and the input zero point.
        input: (f32, i8),
        /// `s_w[o]`: one per output (a per-tensor scale is repeated).
        weight_scale: Vec<f32>,
        /// Whether the file's weights were per-channel.
        per_channel: bool,
        /// `s_out`, and the output zero point.
        output: (f32, i8),
        /// The fused activation's clamp `[min, max]`.
        clamp: (i8, i8),
        /// The fused activation's TFLite name (`NONE`, `RELU`, …).
        fused: &'static str,
    },
    /// [`QRelu`](crate::quant::QRelu): a clamp.
    ReluInt8 {
        /// Values per sample.
        len: usize,
        /// `[min, max]`.
        clamp: (i8, i8),
    },
    /// [`QLut`](crate::quant::QLut): int8 TANH or LOGISTIC as a table.
    TableInt8 {
        /// Values per sample.
        len: usize,
        /// The TFLite operator it computes.
        operator: &'static str,
        /// `table[q as u8]` is the output for input `q`.
        table: Box<[i8; 256]>,
    },
    /// [`Quantize`](crate::quant::Quantize): f32 → int8.
    ToInt8 {
        /// Values per sample.
        len: usize,
        /// Scale and zero point.
        params: (f32, i8),
    },
    /// [`Dequantize`](crate::quant::Dequantize): int8 → f32.
    ToF32 {
        /// Values per sample.
        len: usize,
        /// Scale and zero point.
        params: (f32, i8),
    },
}

impl ImportedLayer {
    /// Whether this is one of the int8 layers.
    pub fn is_int8(&self) -> bool {
        !matches!(self, ImportedLayer::FullyConnected { .. } | ImportedLayer::Activation { .. })
    }

    /// Values per sample going in.
    pub fn input_len(&self) -> usize {
        match *self {
            ImportedLayer::FullyConnected { ins, .. } | ImportedLayer::FullyConnectedInt8 { ins, .. } => ins,
            ImportedLayer::Activation { len, .. }
            | ImportedLayer::ReluInt8 { len, .. }
            | ImportedLayer::TableInt8 { len, .. }
            | ImportedLayer::ToInt8 { len, .. }
            | ImportedLayer::ToF32 { len, .. } => len,
        }
    }

    /// Values per sample coming out.
    pub fn output_len(&self) -> usize {
        match *self {
            ImportedLayer::FullyConnected { outs, .. } | ImportedLayer::FullyConnectedInt8 { outs, .. } => {
                outs
            }
            _ => self.input_len(),
        }
    }

    /// Bytes per input value (4 for f32, 1 for int8).
    pub(super) fn input_width(&self) -> usize {
        match self {
            ImportedLayer::FullyConnected { .. }
            | ImportedLayer::Activation { .. }
            | ImportedLayer::ToInt8 { .. } => 4,
            _ => 1,
        }
    }

    /// Bytes per output value.
    pub(super) fn output_width(&self) -> usize {
        match self {
            ImportedLayer::FullyConnected { .. }
            | ImportedLayer::Activation { .. }
            | ImportedLayer::ToF32 { .. } => 4,
            _ => 1,
        }
    }
}

impl fmt::Display for ImportedLayer {
    /// One line: the layer, its shape and its quantization.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportedLayer::FullyConnected { ins, outs, .. } => write!(f, "Dense {ins} -> {outs} (f32)"),
            ImportedLayer::Activation { kind, len } => write!(f, "{} over {len} (f32)", kind.name()),
            ImportedLayer::FullyConnectedInt8 {
                ins,
                outs,
                input,
                weight_scale,
                per_channel,
                output,
                clamp,
                fused,
                ..
            } => {
                let (lo, hi) =
                    weight_scale.iter().fold((f32::INFINITY, 0f32), |(lo, hi), &s| (lo.min(s), hi.max(s)));
                write!(f, "int8 dense {ins} -> {outs}: input scale {} zp {}, ", input.0, input.1)?;
                if *per_channel {
                    write!(f, "weights per-channel scales {lo:e}..{hi:e}, ")?;
                } else {
                    write!(f, "weights per-tensor scale {hi:e}, ")?;
                }
                write!(
                    f,
                    "output scale {} zp {}, fused {fused} (clamp [{}, {}])",
                    output.0, output.1, clamp.0, clamp.1
                )
            }
            ImportedLayer::ReluInt8 { len, clamp } => {
                write!(f, "int8 ReLU over {len}: clamp [{}, {}]", clamp.0, clamp.1)
            }
            ImportedLayer::TableInt8 { len, operator, .. } => {
                write!(f, "int8 {operator} over {len}: 256-entry table")
            }
            ImportedLayer::ToInt8 { len, params } => {
                write!(f, "Quantize {len} f32 -> int8: scale {} zp {}", params.0, params.1)
            }
            ImportedLayer::ToF32 { len, params } => {
                write!(f, "Dequantize {len} int8 -> f32: scale {} zp {}", params.0, params.1)
            }
        }
    }
}
