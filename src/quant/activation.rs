//! Int8 activations: [`QRelu`] (a clamp, as ReLU and ReLU6 are in TFLite's
//! int8 scheme) and [`QLut`] (any element-wise function as a 256-entry
//! table: tanh, sigmoid, leaky ReLU). Both take any width, single samples
//! and batches, like the f32 activations.

use crate::Layer;

/// Int8 values flowing between layers: `[i8; N]` or a batch `[[i8; N]; B]`,
/// seen as one flat slice (the int8 twin of [`Tensor`](crate::Tensor)).
pub trait Int8Tensor: Clone {
    /// All values, sample after sample.
    fn flat_mut(&mut self) -> &mut [i8];
}

impl<const N: usize> Int8Tensor for [i8; N] {
    #[inline]
    fn flat_mut(&mut self) -> &mut [i8] {
        self
    }
}

impl<const N: usize, const B: usize> Int8Tensor for [[i8; N]; B] {
    #[inline]
    fn flat_mut(&mut self) -> &mut [i8] {
        self.as_flattened_mut()
    }
}

/// An int8 image, channels last.
impl<const C: usize, const W: usize, const H: usize> Int8Tensor for [[[i8; C]; W]; H] {
    #[inline]
    fn flat_mut(&mut self) -> &mut [i8] {
        self.as_flattened_mut().as_flattened_mut()
    }
}

/// A batch of int8 images.
impl<const C: usize, const W: usize, const H: usize, const B: usize> Int8Tensor for [[[[i8; C]; W]; H]; B] {
    #[inline]
    fn flat_mut(&mut self) -> &mut [i8] {
        self.as_flattened_mut().as_flattened_mut().as_flattened_mut()
    }
}

/// An int8 ReLU: `clamp(q, min, max)`. With `min` the zero point it is
/// ReLU (`max(x, 0)` in real terms), with `max = quantize(6.0)` ReLU6.
/// Input and output share one scale and zero point.
///
/// ```
/// use constnet::quant::QRelu;
/// use constnet::Layer;
/// let relu = QRelu::new(-20, 127); // zero point −20
/// assert_eq!(relu.forward(&[-128, -20, 5]), [-20, -20, 5]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QRelu {
    min: i8,
    max: i8,
}

impl QRelu {
    /// A clamp to `[min, max]`; `max < min` is raised to `min`.
    pub const fn new(min: i8, max: i8) -> Self {
        Self { min, max: if max < min { min } else { max } }
    }

    /// ReLU for activations with zero point `zero_point`: `[zero_point, 127]`.
    pub const fn relu(zero_point: i8) -> Self {
        Self::new(zero_point, 127)
    }

    /// The lower clamp.
    pub const fn min(&self) -> i8 {
        self.min
    }

    /// The upper clamp.
    pub const fn max(&self) -> i8 {
        self.max
    }
}

impl<X: Int8Tensor> Layer<X> for QRelu {
    type Output = X;
    #[inline]
    fn forward(&self, x: &X) -> X {
        let mut y = x.clone();
        // Not `i8::clamp`, which asserts `min <= max` (a panic path, since
        // the compiler cannot see that `new` guarantees it); the same value.
        for v in y.flat_mut() {
            *v = (*v).max(self.min).min(self.max);
        }
        y
    }
}

/// Any element-wise int8 function as a lookup table: `y = table[q as u8]`
/// (entries 0..=127 for `q` = 0..=127, 128..=255 for `q` = −128..=−1, as
/// TFLite's `LUTIndex`). 256 bytes, built once from the input and output
/// quantization by [`QLut::from_fn`].
///
/// ```
/// use constnet::quant::{QLut, QuantParams};
/// use constnet::Layer;
/// // tanh with TFLite's fixed int8 output quantization (scale 1/128, zero point 0).
/// let tanh = QLut::from_fn(QuantParams::new(0.05, 0), QuantParams::new(1.0 / 128.0, 0), libm::tanhf);
/// assert_eq!(tanh.forward(&[0, 127, -128]), [0, 127, -128]);
/// assert_eq!(tanh.forward(&[10]), [59]); // round(tanh(0.5) · 128)
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QLut {
    table: [i8; 256],
}

impl QLut {
    /// A table from its 256 entries, indexed by `q as u8`.
    pub const fn new(table: [i8; 256]) -> Self {
        Self { table }
    }

    /// The table of `f` the way TFLite's `LUTPopulate` builds it: for every
    /// `q`, `x = s_in · (q − zp_in)` (f32), then
    /// `clamp(round(f(x) · (1 / s_out)) + zp_out)`.
    pub fn from_fn(input: super::QuantParams, output: super::QuantParams, f: impl Fn(f32) -> f32) -> Self {
        let inverse = 1.0 / output.scale;
        let mut table = [0i8; 256];
        for q in -128i32..=127 {
            let x = input.scale * (q - input.zero_point as i32) as f32;
            let r = libm::roundf(f(x) * inverse);
            // `as` saturates, NaN → 0.
            let v = (r as i32).saturating_add(output.zero_point as i32);
            table[q as u8 as usize] = v.clamp(-128, 127) as i8;
        }
        Self { table }
    }

    /// TFLite's int8 LEAKY_RELU as a table: `x = q − zp_in`, then
    /// `zp_out + MultiplyByQuantizedMultiplier(x, m)` with
    /// `m = s_in / s_out` for `x ≥ 0` and `m = s_in · alpha / s_out` below
    /// (both ratios in f32, as TFLite computes them), clamped to int8. Every
    /// entry equals what TFLite's integer kernel computes for that input.
    ///
    /// ```
    /// use constnet::quant::{QLut, QuantParams};
    /// use constnet::Layer;
    /// let lut = QLut::leaky_relu(QuantParams::new(0.05, 10), QuantParams::new(0.04, -100), 0.1);
    /// assert_eq!(lut.forward(&[10, 50, -121]), [-100, -50, -117]);
    /// ```
    pub fn leaky_relu(input: super::QuantParams, output: super::QuantParams, alpha: f32) -> Self {
        use super::requant::{multiply_by_quantized_multiplier, quantize_multiplier};
        let identity = quantize_multiplier((input.scale / output.scale) as f64);
        let negative = quantize_multiplier((input.scale * alpha / output.scale) as f64);
        let mut table = [0i8; 256];
        for q in -128i32..=127 {
            let x = q - input.zero_point as i32;
            let m = if x >= 0 { identity } else { negative };
            let v = (output.zero_point as i32).saturating_add(multiply_by_quantized_multiplier(
                x,
                m.mantissa,
                m.shift as i32,
            ));
            table[q as u8 as usize] = v.clamp(-128, 127) as i8;
        }
        Self { table }
    }

    /// The 256 entries, indexed by `q as u8`.
    pub const fn table(&self) -> &[i8; 256] {
        &self.table
    }
}

impl<X: Int8Tensor> Layer<X> for QLut {
    type Output = X;
    #[inline]
    fn forward(&self, x: &X) -> X {
        let mut y = x.clone();
        for v in y.flat_mut() {
            *v = self.table[*v as u8 as usize];
        }
        y
    }
}
