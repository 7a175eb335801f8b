//! The edges of an int8 network: [`Quantize`] (f32 in) and [`Dequantize`]
//! (f32 out), TFLite's QUANTIZE and DEQUANTIZE.

use super::QuantParams;
use crate::Layer;

/// f32 → int8: `clamp(round(x / scale) + zero_point)` for every value, any
/// width, samples and batches. The only f32 arithmetic of an f32-in int8
/// network, one division per input value.
///
/// ```
/// use constnet::quant::{Quantize, QuantParams};
/// use constnet::Layer;
/// let q = Quantize::new(QuantParams::new(0.1, 3));
/// assert_eq!(q.forward(&[0.0, 1.0, -0.25]), [3, 13, 0]); // −2.5 rounds away from zero
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Quantize {
    params: QuantParams,
}

impl Quantize {
    /// A quantizer with these parameters.
    pub const fn new(params: QuantParams) -> Self {
        Self { params }
    }

    /// Its scale and zero point.
    pub const fn params(&self) -> QuantParams {
        self.params
    }
}

impl<const N: usize> Layer<[f32; N]> for Quantize {
    type Output = [i8; N];
    #[inline]
    fn forward(&self, x: &[f32; N]) -> [i8; N] {
        core::array::from_fn(|i| self.params.quantize(x[i]))
    }
}

impl<const N: usize, const B: usize> Layer<[[f32; N]; B]> for Quantize {
    type Output = [[i8; N]; B];
    #[inline]
    fn forward(&self, x: &[[f32; N]; B]) -> [[i8; N]; B] {
        core::array::from_fn(|b| self.forward(&x[b]))
    }
}

/// int8 → f32: `(q − zero_point) · scale` for every value.
///
/// ```
/// use constnet::quant::{Dequantize, QuantParams};
/// use constnet::Layer;
/// let d = Dequantize::new(QuantParams::new(0.5, -1));
/// assert_eq!(d.forward(&[-1, 3]), [0.0, 2.0]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Dequantize {
    params: QuantParams,
}

impl Dequantize {
    /// A dequantizer with these parameters.
    pub const fn new(params: QuantParams) -> Self {
        Self { params }
    }

    /// Its scale and zero point.
    pub const fn params(&self) -> QuantParams {
        self.params
    }
}

impl<const N: usize> Layer<[i8; N]> for Dequantize {
    type Output = [f32; N];
    #[inline]
    fn forward(&self, x: &[i8; N]) -> [f32; N] {
        core::array::from_fn(|i| self.params.dequantize(x[i]))
    }
}

impl<const N: usize, const B: usize> Layer<[[i8; N]; B]> for Dequantize {
    type Output = [[f32; N]; B];
    #[inline]
    fn forward(&self, x: &[[i8; N]; B]) -> [[f32; N]; B] {
        core::array::from_fn(|b| self.forward(&x[b]))
    }
}
