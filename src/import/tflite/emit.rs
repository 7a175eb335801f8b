//! What an imported network becomes: its Rust type, its constnet model file
//! and its memory needs.

#[allow(unused_imports)]
use std::{format, prelude::rust_2024::*, vec};

use super::layer::{Activation, ImportedLayer};
use super::{Arithmetic, Model};
use crate::io::int8::Int8Params;
use crate::params::fingerprint;
use crate::quant::{QDenseLiteRt, requant::quantize_multiplier};
use crate::{Params, Relu, Sigmoid, Softmax, Tanh};

/// The longest tuple constnet implements its traits for.
const MAX_TUPLE: usize = 8;

/// Groups `items` the way the network's type nests them: one item alone, up
/// to [`MAX_TUPLE`] as a flat tuple, more as the first seven and a nested
/// tuple of the rest.
fn nest<T>(items: &[T], leaf: &impl Fn(&T) -> String) -> String {
    match items {
        [one] => leaf(one),
        _ if items.len() <= MAX_TUPLE => {
            format!("({})", items.iter().map(leaf).collect::<Vec<_>>().join(", "))
        }
        _ => {
            let (head, rest) = items.split_at(MAX_TUPLE - 1);
            let mut parts: Vec<String> = head.iter().map(leaf).collect();
            parts.push(nest(rest, leaf));
            format!("({})", parts.join(", "))
        }
    }
}

/// The tuple fingerprint over the same nesting as [`nest`].
fn nest_fingerprint<T>(items: &[T], leaf: &impl Fn(&T) -> u64) -> u64 {
    match items {
        [one] => leaf(one),
        _ => {
            let (head, rest) =
                if items.len() <= MAX_TUPLE { (items, &items[..0]) } else { items.split_at(MAX_TUPLE - 1) };
            let mut h = fingerprint::str("(");
            for item in head {
                h = fingerprint::mix(h, leaf(item));
            }
            if !rest.is_empty() {
                h = fingerprint::mix(h, nest_fingerprint(rest, leaf));
            }
            fingerprint::mix(h, fingerprint::str(")"))
        }
    }
}

fn dense_fingerprint(name: &str, ins: usize, outs: usize) -> u64 {
    fingerprint::mix(fingerprint::mix(fingerprint::str(name), ins as u64), outs as u64)
}

impl Model {
    fn dense_name(&self) -> &'static str {
        match self.arithmetic {
            Arithmetic::LiteRt => "QDenseLiteRt",
            Arithmetic::Micro => "QDense",
        }
    }

    fn kind(&self, l: &ImportedLayer) -> &'static str {
        match l {
            ImportedLayer::FullyConnected { .. } => "Dense",
            ImportedLayer::Activation { kind, .. } => kind.name(),
            ImportedLayer::FullyConnectedInt8 { .. } => self.dense_name(),
            ImportedLayer::ReluInt8 { .. } => "QRelu",
            ImportedLayer::TableInt8 { .. } => "QLut",
            ImportedLayer::ToInt8 { .. } => "Quantize",
            ImportedLayer::ToF32 { .. } => "Dequantize",
        }
    }

    /// The Rust type to declare for this network, e.g.
    /// `(QDenseLiteRt<1, 16>, QDenseLiteRt<16, 16>, QDenseLiteRt<16, 1>)`.
    /// More than eight layers nest: the first seven and a tuple of the rest.
    pub fn rust_type(&self) -> String {
        nest(&self.layers, &|l: &ImportedLayer| match *l {
            ImportedLayer::FullyConnected { ins, outs, .. }
            | ImportedLayer::FullyConnectedInt8 { ins, outs, .. } => {
                format!("{}<{ins}, {outs}>", self.kind(l))
            }
            _ => self.kind(l).to_string(),
        })
    }

    /// The layer list to give [`load_static!`](crate::load_static!) or
    /// [`load_static_int8!`](crate::load_static_int8!) after `=>`, nested
    /// like [`rust_type`](Self::rust_type): `(Dense, Relu, Dense)`.
    pub fn load_static_layers(&self) -> String {
        let s = nest(&self.layers, &|l: &ImportedLayer| self.kind(l).to_string());
        if self.layers.len() == 1 { format!("({s})") } else { s }
    }

    /// The architecture fingerprint the network's type has
    /// ([`Params::FINGERPRINT`] or [`Int8Params::FINGERPRINT`]).
    pub fn fingerprint(&self) -> u64 {
        nest_fingerprint(&self.layers, &|l: &ImportedLayer| match *l {
            ImportedLayer::FullyConnected { ins, outs, .. } => dense_fingerprint("Dense", ins, outs),
            ImportedLayer::Activation { kind: Activation::Rectifier, .. } => <Relu as Params>::FINGERPRINT,
            ImportedLayer::Activation { kind: Activation::Logistic, .. } => <Sigmoid as Params>::FINGERPRINT,
            ImportedLayer::Activation { kind: Activation::HyperbolicTangent, .. } => {
                <Tanh as Params>::FINGERPRINT
            }
            ImportedLayer::Activation { kind: Activation::SoftMax, .. } => <Softmax as Params>::FINGERPRINT,
            ImportedLayer::FullyConnectedInt8 { ins, outs, .. } => {
                dense_fingerprint(self.dense_name(), ins, outs)
            }
            ImportedLayer::ReluInt8 { .. } => <crate::quant::QRelu as Int8Params>::FINGERPRINT,
            ImportedLayer::TableInt8 { .. } => <crate::quant::QLut as Int8Params>::FINGERPRINT,
            ImportedLayer::ToInt8 { .. } => <crate::quant::Quantize as Int8Params>::FINGERPRINT,
            ImportedLayer::ToF32 { .. } => <crate::quant::Dequantize as Int8Params>::FINGERPRINT,
        })
    }

    /// The constnet model file for this network: the f32 format
    /// ([`crate::io`], `.cnet`) for an f32 network, the int8 format
    /// ([`crate::io::int8`], `.q8`) for an int8 one. Loading it into the
    /// type [`rust_type`](Self::rust_type) names gives the network.
    pub fn to_model_bytes(&self) -> Vec<u8> {
        let mut body = Vec::new();
        if self.is_int8() {
            for l in &self.layers {
                self.write_int8(l, &mut body);
            }
            frame(crate::io::int8::MAGIC, crate::io::int8::VERSION, self.fingerprint(), body.len(), body)
        } else {
            for l in &self.layers {
                if let ImportedLayer::FullyConnected { weight, bias, .. } = l {
                    body.extend(weight.iter().chain(bias).flat_map(|v| v.to_le_bytes()));
                }
            }
            let count = body.len() / 4;
            frame(crate::io::MAGIC, crate::io::VERSION, self.fingerprint(), count, body)
        }
    }

    fn write_int8(&self, l: &ImportedLayer, out: &mut Vec<u8>) {
        match l {
            ImportedLayer::FullyConnectedInt8 {
                weight,
                bias,
                input,
                weight_scale,
                output,
                clamp,
                outs,
                ..
            } => {
                out.extend([input.1, output.1, clamp.0, clamp.1].map(|v| v as u8));
                out.extend(weight.iter().map(|&v| v as u8));
                out.extend(bias.iter().flat_map(|v| v.to_le_bytes()));
                match self.arithmetic {
                    Arithmetic::LiteRt => {
                        for &s in weight_scale.iter().take(*outs) {
                            out.extend(litert_scale(input.0, s, output.0).to_le_bytes());
                        }
                    }
                    Arithmetic::Micro => {
                        let m: Vec<_> = (0..*outs)
                            .map(|o| quantize_multiplier(litert_scale(input.0, weight_scale[o], output.0)))
                            .collect();
                        out.extend(m.iter().flat_map(|m| m.mantissa.to_le_bytes()));
                        out.extend(m.iter().map(|m| m.shift as u8));
                    }
                }
            }
            ImportedLayer::ReluInt8 { clamp, .. } => out.extend([clamp.0 as u8, clamp.1 as u8]),
            ImportedLayer::TableInt8 { table, .. } => out.extend(table.iter().map(|&v| v as u8)),
            ImportedLayer::ToInt8 { params, .. } | ImportedLayer::ToF32 { params, .. } => {
                out.extend(params.0.to_le_bytes());
                out.push(params.1 as u8);
            }
            ImportedLayer::FullyConnected { .. } | ImportedLayer::Activation { .. } => {}
        }
    }

    /// Flash bytes of the network as a `static`: `size_of` of
    /// [`rust_type`](Self::rust_type).
    pub fn flash_bytes(&self) -> usize {
        let (mut size, mut align) = (0usize, 1usize);
        for l in &self.layers {
            let (s, a) = match *l {
                ImportedLayer::FullyConnected { ins, outs, .. } => (4 * (ins * outs + outs), 4),
                ImportedLayer::Activation { .. } => (0, 1),
                ImportedLayer::FullyConnectedInt8 { ins, outs, .. } => match self.arithmetic {
                    // `QDenseLiteRt`: f64 scale and i32 bias per output, the weights, 4 bytes of zero points and clamp.
                    Arithmetic::LiteRt => (12 * outs + ins * outs + 4, 8),
                    // `QDense`: i32 bias and multiplier and i8 shift per output, the weights, 4 bytes.
                    Arithmetic::Micro => (9 * outs + ins * outs + 4, 4),
                },
                ImportedLayer::ReluInt8 { .. } => (2, 1),
                ImportedLayer::TableInt8 { .. } => (256, 1),
                ImportedLayer::ToInt8 { .. } | ImportedLayer::ToF32 { .. } => {
                    (size_of::<crate::quant::Quantize>(), 4)
                }
            };
            size += s.next_multiple_of(a);
            align = align.max(a);
        }
        size.next_multiple_of(align)
    }

    /// Activation RAM of one forward pass: the largest input-plus-output
    /// pair of any layer (plus a [`QDenseLiteRt`]'s row of `i32`
    /// accumulators), as [`Footprint`](crate::quant::Footprint) counts it.
    pub fn activation_bytes(&self) -> usize {
        self.layers
            .iter()
            .map(|l| {
                let extra = match (l, self.arithmetic) {
                    (ImportedLayer::FullyConnectedInt8 { outs, .. }, Arithmetic::LiteRt) => 4 * outs,
                    _ => 0,
                };
                l.input_len() * l.input_width() + l.output_len() * l.output_width() + extra
            })
            .max()
            .unwrap_or(0)
    }
}

/// `f64(s_in) · f64(s_w) / f64(s_out)`, as the interpreter computes it.
pub(super) fn litert_scale(s_in: f32, s_w: f32, s_out: f32) -> f64 {
    QDenseLiteRt::<0, 1>::scales(s_in, [s_w], s_out)[0]
}

/// Header, body and CRC-32 of a constnet model file.
fn frame(magic: [u8; 4], version: u32, fp: u64, count: usize, body: Vec<u8>) -> Vec<u8> {
    let mut out = Vec::with_capacity(crate::io::HEADER_LEN + body.len() + crate::io::CHECKSUM_LEN);
    out.extend(magic);
    out.extend(version.to_le_bytes());
    out.extend(fp.to_le_bytes());
    out.extend((count as u32).to_le_bytes());
    out.extend(body);
    let crc = crate::io::crc32(&out);
    out.extend(crc.to_le_bytes());
    out
}
