//! [`QDense<IN, OUT>`]: TFLite's int8 FULLY_CONNECTED as a const-generic layer.

use super::QuantError;
use super::requant::QuantizedMultiplier;
use crate::Layer;
use crate::math::int8;

/// An int8 fully connected layer with `IN` inputs and `OUT` outputs,
/// computing exactly what TensorFlow Lite's reference int8 FULLY_CONNECTED
/// kernel computes for the same parameters:
///
/// ```text
/// acc[o] = bias[o] + Σ_i w[o][i] · (x[i] − input_zero_point)       (i32, wrapping)
/// y[o]   = clamp(MultiplyByQuantizedMultiplier(acc[o], multiplier[o], shift[o])
///                + output_zero_point, act_min, act_max)
/// ```
///
/// Weights are symmetric int8 (zero point 0, as TFLite's int8 spec
/// requires), one row per output like [`Dense`](crate::Dense); the
/// multipliers are per output channel (a per-tensor layer repeats one
/// multiplier). A fused ReLU is the clamp `[output_zero_point, 127]`, ReLU6
/// `[output_zero_point, quantize(6)]`, none `[−128, 127]`.
///
/// Memory (`#[repr(C)]`, no padding inside): `IN·OUT` weight bytes, 4 bytes
/// of folded bias and 4 of multiplier per output, 1 of shift per output and
/// 4 bytes of zero points and clamp, rounded up to a multiple of 4:
///
/// ```
/// use constnet::quant::QDense;
/// use constnet::Layer;
/// assert_eq!(core::mem::size_of::<QDense<16, 16>>(), 16 * 16 + 9 * 16 + 4);
/// // y = x0 − x1, scaled by 0.5: weights 1 and −1, multiplier 0.5 = 2^30 / 2^31.
/// static LAYER: QDense<2, 1> = QDense::new([[1, -1]], [0], [1 << 30], [0], 0, 0, -128, 127);
/// assert_eq!(LAYER.forward(&[20, 6]), [7]);
/// assert_eq!(LAYER.forward(&[[20, 6], [0, 100]]), [[7], [-50]]); // batches too
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[repr(C)]
pub struct QDense<const IN: usize, const OUT: usize> {
    kernel_bias: [i32; OUT],
    multiplier: [i32; OUT],
    weight: [[i8; IN]; OUT],
    shift: [i8; OUT],
    input_zero_point: i8,
    output_zero_point: i8,
    act_min: i8,
    act_max: i8,
}

impl<const IN: usize, const OUT: usize> QDense<IN, OUT> {
    /// Builds a layer from TFLite's parameters: int8 weight rows, the int32
    /// bias (scale `s_in · s_w[o]`), per-output multiplier mantissas and
    /// shifts, the input and output zero points and the activation clamp.
    /// A `const fn`: a layer in a `static` has its folded bias computed by
    /// the compiler.
    ///
    /// # Panics
    /// If a multiplier is outside TFLite's range (mantissa 0 or in
    /// `[2^30, 2^31)`, shift in `[−31, 30]`) or `act_min > act_max`; at
    /// compile time when called in a `const` or `static`. [`try_new`](Self::try_new)
    /// returns these as errors.
    #[allow(clippy::too_many_arguments)]
    #[track_caller]
    pub const fn new(
        weight: [[i8; IN]; OUT],
        bias: [i32; OUT],
        multiplier: [i32; OUT],
        shift: [i8; OUT],
        input_zero_point: i8,
        output_zero_point: i8,
        act_min: i8,
        act_max: i8,
    ) -> Self {
        match Self::try_new(
            weight,
            bias,
            multiplier,
            shift,
            input_zero_point,
            output_zero_point,
            act_min,
            act_max,
        ) {
            Ok(layer) => layer,
            Err(QuantError::Multiplier { .. }) => panic!("QDense: a multiplier is outside TFLite's range"),
            Err(_) => panic!("QDense: act_min is greater than act_max"),
        }
    }

    /// [`new`](Self::new), returning invalid parameters as an error.
    ///
    /// ```
    /// use constnet::quant::{QDense, QuantError};
    /// let bad = QDense::<1, 1>::try_new([[1]], [0], [5], [0], 0, 0, -128, 127);
    /// assert_eq!(bad, Err(QuantError::Multiplier { output: 0, mantissa: 5, shift: 0 }));
    /// ```
    ///
    /// # Errors
    /// [`QuantError::Multiplier`] naming the first bad output,
    /// [`QuantError::Clamp`] for `act_min > act_max`.
    #[allow(clippy::too_many_arguments)]
    pub const fn try_new(
        weight: [[i8; IN]; OUT],
        bias: [i32; OUT],
        multiplier: [i32; OUT],
        shift: [i8; OUT],
        input_zero_point: i8,
        output_zero_point: i8,
        act_min: i8,
        act_max: i8,
    ) -> Result<Self, QuantError> {
        let mut o = 0;
        while o < OUT {
            let m = QuantizedMultiplier { mantissa: multiplier[o], shift: shift[o] };
            if !m.is_valid() {
                return Err(QuantError::Multiplier { output: o, mantissa: m.mantissa, shift: m.shift });
            }
            o += 1;
        }
        if act_min > act_max {
            return Err(QuantError::Clamp { min: act_min, max: act_max });
        }
        let kernel_bias = int8::fold_bias(&weight, &bias, input_zero_point);
        Ok(Self {
            kernel_bias,
            multiplier,
            weight,
            shift,
            input_zero_point,
            output_zero_point,
            act_min,
            act_max,
        })
    }

    /// The int8 weight rows (`weight[o][i]` connects input `i` to output `o`).
    pub const fn weight(&self) -> &[[i8; IN]; OUT] {
        &self.weight
    }

    /// The int32 bias as TFLite stores it (before the input zero point is
    /// folded in).
    ///
    /// ```
    /// use constnet::quant::QDense;
    /// let l = QDense::<2, 1>::new([[3, 4]], [100], [1 << 30], [0], 5, 0, -128, 127);
    /// assert_eq!(l.bias(), [100]);
    /// assert_eq!(l.kernel_bias(), &[100 - 5 * 7]);
    /// ```
    pub fn bias(&self) -> [i32; OUT] {
        int8::unfold_bias(&self.weight, &self.kernel_bias, self.input_zero_point)
    }

    /// The bias the kernels start from: `bias − input_zero_point · Σ w`.
    pub const fn kernel_bias(&self) -> &[i32; OUT] {
        &self.kernel_bias
    }

    /// The per-output multiplier mantissas.
    pub const fn multiplier(&self) -> &[i32; OUT] {
        &self.multiplier
    }

    /// The per-output shifts.
    pub const fn shift(&self) -> &[i8; OUT] {
        &self.shift
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

    /// The kernel over this layer's arrays: the shapes are in the types, so
    /// no length is checked at run time and there is no panic path.
    #[inline(always)]
    fn forward_row(&self, x: &[i8; IN], y: &mut [i8; OUT]) {
        int8::dense_forward_exact(
            &self.weight,
            &self.kernel_bias,
            x,
            y,
            &self.multiplier,
            &self.shift,
            self.output_zero_point as i32,
            (self.act_min as i32, self.act_max as i32),
        );
    }
}

impl<const IN: usize, const OUT: usize> Layer<[i8; IN]> for QDense<IN, OUT> {
    type Output = [i8; OUT];
    #[inline]
    fn forward(&self, x: &[i8; IN]) -> [i8; OUT] {
        let mut y = [0; OUT];
        self.forward_row(x, &mut y);
        y
    }
}

impl<const IN: usize, const OUT: usize, const B: usize> Layer<[[i8; IN]; B]> for QDense<IN, OUT> {
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
