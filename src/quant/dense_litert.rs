//! [`QDenseLiteRt<IN, OUT>`]: int8 FULLY_CONNECTED with the requantization
//! of LiteRT's (TensorFlow Lite's) reference kernels, for imported models.

use super::QuantError;
use super::requant::requantize_f64;
use crate::Layer;
use crate::math::int8;

/// An int8 fully connected layer that computes what the TensorFlow Lite
/// interpreter on the desktop (LiteRT, `ai-edge-litert` / `tensorflow` on
/// PyPI, reference kernels `BUILTIN_REF`) computes for the same
/// parameters, bit for bit:
///
/// ```text
/// acc[o] = bias[o] + Σ_i w[o][i] · (x[i] − input_zero_point)          (i32, wrapping)
/// y[o]   = clamp(round(acc[o] · scale[o]) + output_zero_point, act_min, act_max)
/// scale[o] = f64(s_in) · f64(s_w[o]) / f64(s_out)     (round: f64, ties away from zero)
/// ```
///
/// [`QDense`](super::QDense) computes the same sum but applies the scale as
/// a Q31 mantissa and a shift, as TensorFlow Lite *Micro* does; the two
/// differ by one in the rare outputs where the 31-bit mantissa moves the
/// product across a half ([`requant`](super::requant) has the details).
/// Import a `.tflite` file into this type to get the interpreter's bits
/// (`examples/convert.rs` prints the type to declare), into `QDense` to get
/// TFLite Micro's and the fastest Cortex-M kernels.
///
/// Cost: the sums run on the portable kernel; each output then takes one
/// `f64` multiply and a `round` (software floating point on a Cortex-M,
/// some 100 instructions per output, not per multiply-accumulate).
///
/// Memory (`#[repr(C)]`): 8 bytes of scale and 4 of folded bias per output,
/// `IN·OUT` weight bytes and 4 bytes of zero points and clamp, rounded up
/// to a multiple of 8:
///
/// ```
/// use constnet::quant::QDenseLiteRt;
/// use constnet::Layer;
/// assert_eq!(core::mem::size_of::<QDenseLiteRt<16, 16>>(), 12 * 16 + 16 * 16 + 8);
/// // y = (x0 − x1) · 0.25: 14 · 0.25 = 3.5 rounds away from zero to 4.
/// static LAYER: QDenseLiteRt<2, 1> = QDenseLiteRt::new([[1, -1]], [0], [0.25], 0, 0, -128, 127);
/// assert_eq!(LAYER.forward(&[20, 6]), [4]);
/// assert_eq!(LAYER.forward(&[[20, 6], [6, 20]]), [[4], [-4]]); // batches too
/// ```
#[derive(Clone, Debug, PartialEq)]
#[repr(C)]
pub struct QDenseLiteRt<const IN: usize, const OUT: usize> {
    scale: [f64; OUT],
    kernel_bias: [i32; OUT],
    weight: [[i8; IN]; OUT],
    input_zero_point: i8,
    output_zero_point: i8,
    act_min: i8,
    act_max: i8,
}

impl<const IN: usize, const OUT: usize> QDenseLiteRt<IN, OUT> {
    /// Builds a layer from int8 weight rows, the int32 bias (scale
    /// `s_in · s_w[o]`, as a `.tflite` stores it), the per-output `f64`
    /// scales `s_in · s_w[o] / s_out` (see [`scales`](Self::scales)), the
    /// input and output zero points and the activation clamp. A `const fn`.
    ///
    /// # Panics
    /// If a scale is not finite and positive or `act_min > act_max`; at
    /// compile time in a `const` or `static`. [`try_new`](Self::try_new)
    /// returns these as errors.
    #[track_caller]
    pub const fn new(
        weight: [[i8; IN]; OUT],
        bias: [i32; OUT],
        scale: [f64; OUT],
        input_zero_point: i8,
        output_zero_point: i8,
        act_min: i8,
        act_max: i8,
    ) -> Self {
        match Self::try_new(weight, bias, scale, input_zero_point, output_zero_point, act_min, act_max) {
            Ok(layer) => layer,
            Err(QuantError::Scale { .. }) => panic!("QDenseLiteRt: a scale is not finite and positive"),
            Err(_) => panic!("QDenseLiteRt: act_min is greater than act_max"),
        }
    }

    /// [`new`](Self::new), returning invalid parameters as an error.
    ///
    /// ```
    /// use constnet::quant::{QDenseLiteRt, QuantError};
    /// let bad = QDenseLiteRt::<1, 1>::try_new([[1]], [0], [f64::NAN], 0, 0, -128, 127);
    /// assert_eq!(bad, Err(QuantError::Scale { output: 0 }));
    /// ```
    ///
    /// # Errors
    /// [`QuantError::Scale`] naming the first bad output,
    /// [`QuantError::Clamp`] for `act_min > act_max`.
    pub const fn try_new(
        weight: [[i8; IN]; OUT],
        bias: [i32; OUT],
        scale: [f64; OUT],
        input_zero_point: i8,
        output_zero_point: i8,
        act_min: i8,
        act_max: i8,
    ) -> Result<Self, QuantError> {
        let mut o = 0;
        while o < OUT {
            if !(scale[o].is_finite() && scale[o] > 0.0) {
                return Err(QuantError::Scale { output: o });
            }
            o += 1;
        }
        if act_min > act_max {
            return Err(QuantError::Clamp { min: act_min, max: act_max });
        }
        let kernel_bias = int8::fold_bias(&weight, &bias, input_zero_point);
        Ok(Self { scale, kernel_bias, weight, input_zero_point, output_zero_point, act_min, act_max })
    }

    /// The per-output `f64` scales as the interpreter computes them from a
    /// tensor's `f32` scales: `f64(input_scale) · f64(weight_scale[o]) /
    /// f64(output_scale)`, in that order. A `const fn`.
    ///
    /// ```
    /// use constnet::quant::QDenseLiteRt;
    /// assert_eq!(QDenseLiteRt::<4, 2>::scales(0.5, [0.25, 0.125], 2.0), [0.0625, 0.03125]);
    /// ```
    pub const fn scales(input_scale: f32, weight_scale: [f32; OUT], output_scale: f32) -> [f64; OUT] {
        let mut out = [0.0; OUT];
        let mut o = 0;
        while o < OUT {
            out[o] = input_scale as f64 * weight_scale[o] as f64 / output_scale as f64;
            o += 1;
        }
        out
    }

    /// The int8 weight rows (`weight[o][i]` connects input `i` to output `o`).
    pub const fn weight(&self) -> &[[i8; IN]; OUT] {
        &self.weight
    }

    /// The int32 bias as TFLite stores it (before the input zero point is
    /// folded in).
    ///
    /// ```
    /// use constnet::quant::QDenseLiteRt;
    /// let l = QDenseLiteRt::<2, 1>::new([[3, 4]], [100], [0.5], 5, 0, -128, 127);
    /// assert_eq!(l.bias(), [100]);
    /// ```
    pub fn bias(&self) -> [i32; OUT] {
        int8::unfold_bias(&self.weight, &self.kernel_bias, self.input_zero_point)
    }

    /// The per-output requantization scales.
    pub const fn scale(&self) -> &[f64; OUT] {
        &self.scale
    }

    /// The zero point of the input activations.
    pub const fn input_zero_point(&self) -> i8 {
        self.input_zero_point
    }

    /// The zero point of the output activations.
    pub const fn output_zero_point(&self) -> i8 {
        self.output_zero_point
    }

    /// The fused activation's lower clamp.
    pub const fn act_min(&self) -> i8 {
        self.act_min
    }

    /// The fused activation's upper clamp.
    pub const fn act_max(&self) -> i8 {
        self.act_max
    }

    #[inline]
    fn forward_row(&self, x: &[i8; IN], y: &mut [i8; OUT]) {
        let mut acc = [0i32; OUT];
        int8::accumulate(self.weight.as_flattened(), &self.kernel_bias, x, &mut acc);
        let (zp, min, max) = (self.output_zero_point as i32, self.act_min as i32, self.act_max as i32);
        for ((y, &a), &s) in y.iter_mut().zip(&acc).zip(&self.scale) {
            *y = requantize_f64(a, s, zp, min, max);
        }
    }
}

impl<const IN: usize, const OUT: usize> Layer<[i8; IN]> for QDenseLiteRt<IN, OUT> {
    type Output = [i8; OUT];
    #[inline]
    fn forward(&self, x: &[i8; IN]) -> [i8; OUT] {
        let mut y = [0; OUT];
        self.forward_row(x, &mut y);
        y
    }
}

impl<const IN: usize, const OUT: usize, const B: usize> Layer<[[i8; IN]; B]> for QDenseLiteRt<IN, OUT> {
    type Output = [[i8; OUT]; B];
    #[inline]
    fn forward(&self, x: &[[i8; IN]; B]) -> [[i8; OUT]; B] {
        let mut y = [[0; OUT]; B];
        for (x, y) in x.iter().zip(y.iter_mut()) {
            self.forward_row(x, y);
        }
        y
    }
}
