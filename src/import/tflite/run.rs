//! Running an imported network without declaring its type: the same kernels
//! the typed layers call, over run-time lengths (what `convert --run` and the
//! interpreter comparisons use).

#[allow(unused_imports)]
use std::{format, prelude::rust_2024::*, vec};

use super::emit::litert_scale;
use super::error::ImportError;
use super::layer::{Activation, ImportedLayer};
use super::{Arithmetic, Model};
use crate::math::{self, int8};
use crate::quant::QuantParams;
use crate::quant::requant::{quantize_multiplier, requantize_f64};

/// One sample's values going into or coming out of a network.
#[derive(Clone, Debug, PartialEq)]
pub enum Values {
    /// f32 values.
    F32(Vec<f32>),
    /// int8 values.
    I8(Vec<i8>),
}

impl Values {
    /// Number of values.
    pub fn len(&self) -> usize {
        match self {
            Values::F32(v) => v.len(),
            Values::I8(v) => v.len(),
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Model {
    /// Runs the network on one sample: f32 values for a network with an f32
    /// input, int8 for an int8 input ([`input`](Self::input) says which and
    /// how many). Gives the same values as the typed network
    /// ([`rust_type`](Self::rust_type)) loaded from
    /// [`to_model_bytes`](Self::to_model_bytes): the same kernels, called
    /// with run-time lengths.
    ///
    /// ```
    /// use constnet::import::tflite::{self, Arithmetic, Values};
    /// let model = tflite::import(&std::fs::read("tests/data/tflite/sine_f32.tflite")?, Arithmetic::LiteRt)?;
    /// let Values::F32(y) = model.run(&Values::F32(vec![1.0]))? else { unreachable!() };
    /// assert!((y[0] - 1f32.sin()).abs() < 0.2);
    /// assert!(model.run(&Values::I8(vec![1])).is_err()); // wrong dtype
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`ImportError::Input`] for an input of the wrong dtype or length.
    pub fn run(&self, input: &Values) -> Result<Values, ImportError> {
        let want = self.input.len;
        match (input, self.input.dtype) {
            (Values::F32(_), super::DType::I8) => {
                return Err(ImportError::Input {
                    problem: "f32 values given, the network takes int8".into(),
                });
            }
            (Values::I8(_), super::DType::F32) => {
                return Err(ImportError::Input {
                    problem: "int8 values given, the network takes f32".into(),
                });
            }
            _ if input.len() != want => {
                return Err(ImportError::Input {
                    problem: format!("{} values given, the network takes {want}", input.len()),
                });
            }
            _ => {}
        }
        let mut v = input.clone();
        for l in &self.layers {
            v = self.step(l, v)?;
        }
        Ok(v)
    }

    fn step(&self, l: &ImportedLayer, v: Values) -> Result<Values, ImportError> {
        let mismatch =
            || ImportError::Input { problem: format!("layer `{l}` got values of the other dtype") };
        Ok(match (l, v) {
            (ImportedLayer::FullyConnected { ins, outs, weight, bias }, Values::F32(x)) => {
                let mut y = vec![0.0; *outs];
                if ins * outs <= math::INLINE_WEIGHTS {
                    math::dense_forward_inline(weight, bias, &x, &mut y, *ins, *outs);
                } else {
                    math::dense_forward(weight, bias, &x, &mut y, *ins, *outs);
                }
                Values::F32(y)
            }
            (ImportedLayer::Activation { kind, .. }, Values::F32(mut x)) => {
                match kind {
                    Activation::Rectifier => x.iter_mut().for_each(|v| *v = if *v > 0.0 { *v } else { 0.0 }),
                    Activation::Logistic => x.iter_mut().for_each(|v| *v = crate::scalar::sigmoid(*v)),
                    Activation::HyperbolicTangent => x.iter_mut().for_each(|v| *v = crate::scalar::tanh(*v)),
                    Activation::SoftMax => math::softmax_in_place(&mut x),
                }
                Values::F32(x)
            }
            (
                ImportedLayer::FullyConnectedInt8 {
                    ins,
                    outs,
                    weight,
                    bias,
                    input,
                    weight_scale,
                    output,
                    clamp,
                    ..
                },
                Values::I8(x),
            ) => {
                let (ins, outs) = (*ins, *outs);
                // Fold the input zero point into the bias, as the typed layers do.
                let kernel_bias: Vec<i32> = (0..outs)
                    .map(|o| {
                        bias[o].wrapping_sub(
                            int8::row_sum(&weight[o * ins..(o + 1) * ins]).wrapping_mul(input.1 as i32),
                        )
                    })
                    .collect();
                let scales: Vec<f64> =
                    (0..outs).map(|o| litert_scale(input.0, weight_scale[o], output.0)).collect();
                let (zp, min, max) = (output.1 as i32, clamp.0 as i32, clamp.1 as i32);
                let mut y = vec![0i8; outs];
                match self.arithmetic {
                    Arithmetic::LiteRt => {
                        let mut acc = vec![0i32; outs];
                        int8::dense_accumulate(weight, &kernel_bias, &x, &mut acc, ins, outs);
                        for ((y, &a), &s) in y.iter_mut().zip(&acc).zip(&scales) {
                            *y = requantize_f64(a, s, zp, min, max);
                        }
                    }
                    Arithmetic::Micro => {
                        let m: Vec<_> = scales.iter().map(|&s| quantize_multiplier(s)).collect();
                        let multiplier: Vec<i32> = m.iter().map(|m| m.mantissa).collect();
                        let shift: Vec<i8> = m.iter().map(|m| m.shift).collect();
                        let rq = int8::Requant {
                            multiplier: &multiplier,
                            shift: &shift,
                            output_zero_point: zp,
                            min,
                            max,
                        };
                        int8::dense_forward(weight, &kernel_bias, &x, &mut y, ins, outs, &rq);
                    }
                }
                Values::I8(y)
            }
            (ImportedLayer::ReluInt8 { clamp, .. }, Values::I8(mut x)) => {
                x.iter_mut().for_each(|v| *v = (*v).max(clamp.0).min(clamp.1));
                Values::I8(x)
            }
            (ImportedLayer::TableInt8 { table, .. }, Values::I8(mut x)) => {
                x.iter_mut().for_each(|v| *v = table[*v as u8 as usize]);
                Values::I8(x)
            }
            (ImportedLayer::ToInt8 { params, .. }, Values::F32(x)) => {
                let p = QuantParams::new(params.0, params.1);
                Values::I8(x.iter().map(|&v| p.quantize(v)).collect())
            }
            (ImportedLayer::ToF32 { params, .. }, Values::I8(x)) => {
                let p = QuantParams::new(params.0, params.1);
                Values::F32(x.iter().map(|&v| p.dequantize(v)).collect())
            }
            _ => return Err(mismatch()),
        })
    }
}
