//! int8 convolutional layers with TFLite's per-channel scheme:
//! [`QConv2d`], [`QDepthwiseConv2d`] and [`QGlobalAvgPool2d`].

use super::QuantError;
use super::requant::QuantizedMultiplier;
use crate::Layer;
use crate::layers::shape::fits;
use crate::math::MAX_PATCH;
use crate::math::conv::Geometry;
use crate::math::int8::{Requant, conv};

/// Checks TFLite's multiplier ranges and the clamp.
const fn check(multiplier: &[i32], shift: &[i8], act_min: i8, act_max: i8) -> Result<(), QuantError> {
    let mut o = 0;
    while o < multiplier.len() {
        let m = QuantizedMultiplier { mantissa: multiplier[o], shift: shift[o] };
        if !m.is_valid() {
            return Err(QuantError::Multiplier { output: o, mantissa: m.mantissa, shift: m.shift });
        }
        o += 1;
    }
    if act_min > act_max {
        return Err(QuantError::Clamp { min: act_min, max: act_max });
    }
    Ok(())
}

/// Nested int8 arrays — vectors, images and batches of them — seen flat.
pub(crate) trait Int8Array: Sized {
    fn zeros() -> Self;
    fn flat(&self) -> &[i8];
    fn flat_mut(&mut self) -> &mut [i8];
}

impl<const N: usize> Int8Array for [i8; N] {
    fn zeros() -> Self {
        [0; N]
    }
    fn flat(&self) -> &[i8] {
        self
    }
    fn flat_mut(&mut self) -> &mut [i8] {
        self
    }
}

impl<const N: usize, const B: usize> Int8Array for [[i8; N]; B] {
    fn zeros() -> Self {
        [[0; N]; B]
    }
    fn flat(&self) -> &[i8] {
        self.as_flattened()
    }
    fn flat_mut(&mut self) -> &mut [i8] {
        self.as_flattened_mut()
    }
}

impl<const C: usize, const W: usize, const H: usize> Int8Array for [[[i8; C]; W]; H] {
    fn zeros() -> Self {
        [[[0; C]; W]; H]
    }
    fn flat(&self) -> &[i8] {
        self.as_flattened().as_flattened()
    }
    fn flat_mut(&mut self) -> &mut [i8] {
        self.as_flattened_mut().as_flattened_mut()
    }
}

impl<const C: usize, const W: usize, const H: usize, const B: usize> Int8Array for [[[[i8; C]; W]; H]; B] {
    fn zeros() -> Self {
        [[[[0; C]; W]; H]; B]
    }
    fn flat(&self) -> &[i8] {
        self.as_flattened().as_flattened().as_flattened()
    }
    fn flat_mut(&mut self) -> &mut [i8] {
        self.as_flattened_mut().as_flattened_mut().as_flattened_mut()
    }
}

/// `Layer` for an int8 shaped layer, one image and a batch, from its
/// `run(&self, x: &[i8], y: &mut [i8])`.
macro_rules! int8_layer {
    ($name:ident < $(const $p:ident),* >, input = $x:ty, output = $y:ty) => {
        impl<$(const $p: usize),*> Layer<$x> for $name<$($p),*> {
            type Output = $y;
            #[inline]
            fn forward(&self, x: &$x) -> $y {
                let mut y = <$y as Int8Array>::zeros();
                self.run(Int8Array::flat(x), Int8Array::flat_mut(&mut y));
                y
            }
        }
        impl<$(const $p: usize,)* const B: usize> Layer<[$x; B]> for $name<$($p),*> {
            type Output = [$y; B];
            #[inline]
            fn forward(&self, x: &[$x; B]) -> [$y; B] {
                let mut y = <[$y; B] as Int8Array>::zeros();
                self.run(Int8Array::flat(x), Int8Array::flat_mut(&mut y));
                y
            }
        }
    };
}

/// An int8 2-D convolution computing exactly what TensorFlow Lite's
/// reference int8 per-channel CONV_2D computes (NHWC, OHWI filters,
/// symmetric int8 weights, per-output-channel multipliers):
///
/// ```text
/// acc[o] = bias[o] + Σ_{ky,kx,c inside the image} w[o][ky][kx][c] · (x − input_zero_point)
/// y[o]   = clamp(MultiplyByQuantizedMultiplier(acc[o], multiplier[o], shift[o]) + output_zero_point,
///                act_min, act_max)
/// ```
///
/// Sizes as the f32 [`Conv2d`](crate::Conv2d) (same const parameters, same
/// compile-time checks), square `K`×`K` kernels, stride `S`, padding `P`.
/// The zero point is folded into the bias; the patch of each output pixel is
/// copied with the zero point as padding and run through this target's int8
/// dense kernel. Memory: `CO·K·K·CI` weight bytes, 9 bytes per output
/// channel, 4 more.
///
/// ```
/// use constnet::quant::QConv2d;
/// use constnet::Layer;
/// // A 3×3 box sum of a 3×3 image, "same" padding, scaled by 0.5.
/// let conv = QConv2d::<3, 3, 1, 1, 3, 1, 1, 3, 3>::new([[[[1]; 3]; 3]], [0], [1 << 30], [0], 0, 0, -128, 127);
/// let y = conv.forward(&[[[2]; 3]; 3]);
/// assert_eq!(y[1][1], [9]);  // 9 taps of 2, halved
/// assert_eq!(y[0][0], [4]);  // 4 taps inside the image
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QConv2d<
    const H: usize,
    const W: usize,
    const CI: usize,
    const CO: usize,
    const K: usize,
    const S: usize,
    const P: usize,
    const OH: usize,
    const OW: usize,
> {
    kernel_bias: [i32; CO],
    multiplier: [i32; CO],
    weight: [[[[i8; CI]; K]; K]; CO],
    shift: [i8; CO],
    input_zero_point: i8,
    output_zero_point: i8,
    act_min: i8,
    act_max: i8,
}

impl<
    const H: usize,
    const W: usize,
    const CI: usize,
    const CO: usize,
    const K: usize,
    const S: usize,
    const P: usize,
    const OH: usize,
    const OW: usize,
> QConv2d<H, W, CI, CO, K, S, P, OH, OW>
{
    const GEOMETRY: Geometry = {
        assert!(
            fits(H, K, S, P, OH) && fits(W, K, S, P, OW),
            "QConv2d<H, W, CI, CO, K, S, P, OH, OW>: OH and OW must be (H + 2P - K) / S + 1 and (W + 2P - K) / S + 1"
        );
        assert!(CI > 0 && CO > 0, "QConv2d: the channel counts must be at least 1");
        assert!(
            K * K * CI <= MAX_PATCH,
            "QConv2d: the patch K * K * CI is larger than math::MAX_PATCH (4096)"
        );
        Geometry { h: H, w: W, c_in: CI, kh: K, kw: K, stride: S, pad_h: P, pad_w: P, oh: OH, ow: OW }
    };

    /// Builds a layer from TFLite's parameters: the filters, the int32 bias
    /// (scale `s_in · s_w[o]`), per-channel multiplier mantissas and shifts,
    /// the zero points and the activation clamp (a fused ReLU is
    /// `[output_zero_point, 127]`).
    ///
    /// # Panics
    /// On a multiplier outside TFLite's range or `act_min > act_max` (at
    /// compile time in a `static`); [`try_new`](Self::try_new) returns them.
    #[allow(clippy::too_many_arguments)]
    #[track_caller]
    pub const fn new(
        weight: [[[[i8; CI]; K]; K]; CO],
        bias: [i32; CO],
        multiplier: [i32; CO],
        shift: [i8; CO],
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
            Err(QuantError::Multiplier { .. }) => panic!("QConv2d: a multiplier is outside TFLite's range"),
            Err(_) => panic!("QConv2d: act_min is greater than act_max"),
        }
    }

    /// [`new`](Self::new), returning invalid parameters as an error.
    ///
    /// ```
    /// use constnet::quant::{QConv2d, QuantError};
    /// let bad = QConv2d::<1, 1, 1, 1, 1, 1, 0, 1, 1>::try_new([[[[1]]]], [0], [5], [0], 0, 0, -128, 127);
    /// assert!(matches!(bad, Err(QuantError::Multiplier { output: 0, .. })));
    /// ```
    ///
    /// # Errors
    /// [`QuantError::Multiplier`] naming the first bad channel,
    /// [`QuantError::Clamp`] for `act_min > act_max`.
    #[allow(clippy::too_many_arguments)]
    pub const fn try_new(
        weight: [[[[i8; CI]; K]; K]; CO],
        bias: [i32; CO],
        multiplier: [i32; CO],
        shift: [i8; CO],
        input_zero_point: i8,
        output_zero_point: i8,
        act_min: i8,
        act_max: i8,
    ) -> Result<Self, QuantError> {
        if let Err(e) = check(&multiplier, &shift, act_min, act_max) {
            return Err(e);
        }
        let mut kernel_bias = bias;
        let mut o = 0;
        while o < CO {
            let mut sum = 0i32;
            let (mut ky, mut kx, mut c) = (0, 0, 0);
            while ky < K {
                while kx < K {
                    while c < CI {
                        sum = sum.wrapping_add(weight[o][ky][kx][c] as i32);
                        c += 1;
                    }
                    (c, kx) = (0, kx + 1);
                }
                (kx, ky) = (0, ky + 1);
            }
            kernel_bias[o] = bias[o].wrapping_sub(sum.wrapping_mul(input_zero_point as i32));
            o += 1;
        }
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

    /// The filters, `[o][ky][kx][c]`.
    pub const fn weight(&self) -> &[[[[i8; CI]; K]; K]; CO] {
        &self.weight
    }

    /// The bias the kernel starts from: `bias − input_zero_point · Σ w[o]`.
    pub const fn kernel_bias(&self) -> &[i32; CO] {
        &self.kernel_bias
    }

    /// The input and output zero points.
    pub const fn zero_points(&self) -> (i8, i8) {
        (self.input_zero_point, self.output_zero_point)
    }

    /// The activation clamp `(min, max)`.
    pub const fn clamp(&self) -> (i8, i8) {
        (self.act_min, self.act_max)
    }

    /// The int32 bias as TFLite stores it (before the zero point is folded in).
    pub fn bias(&self) -> [i32; CO] {
        core::array::from_fn(|o| {
            let sum = self.weight[o].iter().flatten().flatten().fold(0i32, |s, &w| s.wrapping_add(w as i32));
            self.kernel_bias[o].wrapping_add(sum.wrapping_mul(self.input_zero_point as i32))
        })
    }

    /// The per-channel multiplier mantissas.
    pub const fn multiplier(&self) -> &[i32; CO] {
        &self.multiplier
    }

    /// The per-channel shifts.
    pub const fn shift(&self) -> &[i8; CO] {
        &self.shift
    }

    fn run(&self, x: &[i8], y: &mut [i8]) {
        let rq = Requant {
            multiplier: &self.multiplier,
            shift: &self.shift,
            output_zero_point: self.output_zero_point as i32,
            min: self.act_min as i32,
            max: self.act_max as i32,
        };
        let w = self.weight.as_flattened().as_flattened().as_flattened();
        conv::conv_forward(&Self::GEOMETRY, w, &self.kernel_bias, x, y, self.input_zero_point, &rq);
    }
}

/// An int8 depthwise 2-D convolution (channel multiplier 1) computing
/// exactly TensorFlow Lite's reference int8 per-channel DEPTHWISE_CONV_2D:
///
/// ```text
/// acc[c] = bias[c] + Σ_{ky,kx inside the image} w[ky][kx][c] · (x[c] − input_zero_point)
/// y[c]   = clamp(MultiplyByQuantizedMultiplier(acc[c], multiplier[c], shift[c]) + output_zero_point,
///                act_min, act_max)
/// ```
///
/// Filters `[[[i8; C]; K]; K]` (TFLite's `[1, K, K, C]`); sizes as the f32
/// [`DepthwiseConv2d`](crate::DepthwiseConv2d).
///
/// ```
/// use constnet::quant::QDepthwiseConv2d;
/// use constnet::Layer;
/// let dw = QDepthwiseConv2d::<2, 2, 2, 2, 1, 0, 1, 1>::new([[[1, -1]; 2]; 2], [0, 0], [1 << 30; 2], [1; 2], 0, 0, -128, 127);
/// assert_eq!(dw.forward(&[[[1, 2]; 2]; 2]), [[[4, -8]]]); // Σ of 4 taps, ×0.5×2
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QDepthwiseConv2d<
    const H: usize,
    const W: usize,
    const C: usize,
    const K: usize,
    const S: usize,
    const P: usize,
    const OH: usize,
    const OW: usize,
> {
    bias: [i32; C],
    multiplier: [i32; C],
    weight: [[[i8; C]; K]; K],
    shift: [i8; C],
    input_zero_point: i8,
    output_zero_point: i8,
    act_min: i8,
    act_max: i8,
}

impl<
    const H: usize,
    const W: usize,
    const C: usize,
    const K: usize,
    const S: usize,
    const P: usize,
    const OH: usize,
    const OW: usize,
> QDepthwiseConv2d<H, W, C, K, S, P, OH, OW>
{
    const GEOMETRY: Geometry = {
        assert!(
            fits(H, K, S, P, OH) && fits(W, K, S, P, OW),
            "QDepthwiseConv2d<H, W, C, K, S, P, OH, OW>: OH and OW must be (H + 2P - K) / S + 1 and (W + 2P - K) / S + 1"
        );
        assert!(C > 0, "QDepthwiseConv2d: the channel count must be at least 1");
        Geometry { h: H, w: W, c_in: C, kh: K, kw: K, stride: S, pad_h: P, pad_w: P, oh: OH, ow: OW }
    };

    /// Builds a layer from TFLite's parameters (see [`QConv2d::new`]).
    ///
    /// # Panics
    /// As [`QConv2d::new`]; [`try_new`](Self::try_new) returns the errors.
    #[allow(clippy::too_many_arguments)]
    #[track_caller]
    pub const fn new(
        weight: [[[i8; C]; K]; K],
        bias: [i32; C],
        multiplier: [i32; C],
        shift: [i8; C],
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
            Err(QuantError::Multiplier { .. }) => {
                panic!("QDepthwiseConv2d: a multiplier is outside TFLite's range")
            }
            Err(_) => panic!("QDepthwiseConv2d: act_min is greater than act_max"),
        }
    }

    /// [`new`](Self::new), returning invalid parameters as an error.
    ///
    /// ```
    /// use constnet::quant::{QDepthwiseConv2d, QuantError};
    /// let bad = QDepthwiseConv2d::<1, 1, 1, 1, 1, 0, 1, 1>::try_new([[[1]]], [0], [1 << 30], [0], 0, 0, 5, 4);
    /// assert_eq!(bad, Err(QuantError::Clamp { min: 5, max: 4 }));
    /// ```
    ///
    /// # Errors
    /// [`QuantError::Multiplier`] naming the first bad channel,
    /// [`QuantError::Clamp`] for `act_min > act_max`.
    #[allow(clippy::too_many_arguments)]
    pub const fn try_new(
        weight: [[[i8; C]; K]; K],
        bias: [i32; C],
        multiplier: [i32; C],
        shift: [i8; C],
        input_zero_point: i8,
        output_zero_point: i8,
        act_min: i8,
        act_max: i8,
    ) -> Result<Self, QuantError> {
        match check(&multiplier, &shift, act_min, act_max) {
            Ok(()) => Ok(Self {
                bias,
                multiplier,
                weight,
                shift,
                input_zero_point,
                output_zero_point,
                act_min,
                act_max,
            }),
            Err(e) => Err(e),
        }
    }

    /// The filters, `[ky][kx][c]`.
    pub const fn weight(&self) -> &[[[i8; C]; K]; K] {
        &self.weight
    }

    /// The int32 bias, one per channel.
    pub const fn bias(&self) -> &[i32; C] {
        &self.bias
    }

    /// The input and output zero points.
    pub const fn zero_points(&self) -> (i8, i8) {
        (self.input_zero_point, self.output_zero_point)
    }

    /// The activation clamp `(min, max)`.
    pub const fn clamp(&self) -> (i8, i8) {
        (self.act_min, self.act_max)
    }

    /// The per-channel multiplier mantissas.
    pub const fn multiplier(&self) -> &[i32; C] {
        &self.multiplier
    }

    /// The per-channel shifts.
    pub const fn shift(&self) -> &[i8; C] {
        &self.shift
    }

    fn run(&self, x: &[i8], y: &mut [i8]) {
        let rq = Requant {
            multiplier: &self.multiplier,
            shift: &self.shift,
            output_zero_point: self.output_zero_point as i32,
            min: self.act_min as i32,
            max: self.act_max as i32,
        };
        let w = self.weight.as_flattened().as_flattened();
        conv::depthwise_forward(&Self::GEOMETRY, w, &self.bias, x, y, self.input_zero_point, &rq);
    }
}

/// int8 global average pooling, TFLite's AVERAGE_POOL_2D over the whole
/// `H`×`W` image: per channel the sum of the `H·W` values divided by `H·W`,
/// rounded half away from zero, clamped to `[act_min, act_max]`; input and
/// output share one scale and zero point. `[[[i8; C]; W]; H]` → `[i8; C]`.
///
/// ```
/// use constnet::quant::QGlobalAvgPool2d;
/// use constnet::Layer;
/// let gap = QGlobalAvgPool2d::<1, 2, 2>::new(-128, 127);
/// assert_eq!(gap.forward(&[[[1, -1], [2, -2]]]), [2, -2]); // 1.5 → 2, −1.5 → −2
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QGlobalAvgPool2d<const H: usize, const W: usize, const C: usize> {
    act_min: i8,
    act_max: i8,
}

impl<const H: usize, const W: usize, const C: usize> QGlobalAvgPool2d<H, W, C> {
    const GEOMETRY: Geometry = {
        assert!(H > 0 && W > 0 && C > 0, "QGlobalAvgPool2d: every size must be at least 1");
        Geometry { h: H, w: W, c_in: C, kh: H, kw: W, stride: 1, pad_h: 0, pad_w: 0, oh: 1, ow: 1 }
    };

    /// A pooling layer whose outputs are clamped to `[act_min, act_max]`
    /// (`[−128, 127]` for none).
    ///
    /// # Panics
    /// If `act_min > act_max` (at compile time in a `static`).
    pub const fn new(act_min: i8, act_max: i8) -> Self {
        assert!(act_min <= act_max, "QGlobalAvgPool2d: act_min is greater than act_max");
        Self { act_min, act_max }
    }

    /// The output clamp `(min, max)`.
    pub const fn clamp(&self) -> (i8, i8) {
        (self.act_min, self.act_max)
    }

    fn run(&self, x: &[i8], y: &mut [i8]) {
        conv::avg_pool_forward(&Self::GEOMETRY, x, y, self.act_min, self.act_max);
    }
}

int8_layer!(
    QConv2d<const H, const W, const CI, const CO, const K, const S, const P, const OH, const OW>,
    input = [[[i8; CI]; W]; H],
    output = [[[i8; CO]; OW]; OH]
);
int8_layer!(
    QDepthwiseConv2d<const H, const W, const C, const K, const S, const P, const OH, const OW>,
    input = [[[i8; C]; W]; H],
    output = [[[i8; C]; OW]; OH]
);
int8_layer!(QGlobalAvgPool2d<const H, const W, const C>, input = [[[i8; C]; W]; H], output = [i8; C]);

/// int8 [`Unflatten`](crate::Unflatten): a flat `[i8; N]` as an `H`×`W`×`C`
/// image (a copy; same scale and zero point). `N ≠ H·W·C` fails `cargo build`.
///
/// ```
/// use constnet::quant::QUnflatten;
/// use constnet::Layer;
/// assert_eq!(QUnflatten::<1, 2, 1, 2>.forward(&[3, -4]), [[[3], [-4]]]);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QUnflatten<const H: usize, const W: usize, const C: usize, const N: usize>;

impl<const H: usize, const W: usize, const C: usize, const N: usize> QUnflatten<H, W, C, N> {
    const CHECK: () = assert!(N == H * W * C, "QUnflatten<H, W, C, N>: N must be H * W * C");

    fn run(&self, x: &[i8], y: &mut [i8]) {
        let () = Self::CHECK;
        y.copy_from_slice(x);
    }
}

int8_layer!(QUnflatten<const H, const W, const C, const N>, input = [i8; N], output = [[[i8; C]; W]; H]);

/// int8 max pooling, TFLite's MAX_POOL_2D without padding: the largest
/// value of each `K`×`K` window (stride `S`), per channel; input and output
/// share one scale and zero point (max commutes with the affine map).
///
/// ```
/// use constnet::quant::QMaxPool2d;
/// use constnet::Layer;
/// let pool = QMaxPool2d::<2, 2, 1, 2, 2, 1, 1>;
/// assert_eq!(pool.forward(&[[[-5], [7]], [[3], [-128]]]), [[[7]]]);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QMaxPool2d<
    const H: usize,
    const W: usize,
    const C: usize,
    const K: usize,
    const S: usize,
    const OH: usize,
    const OW: usize,
>;

impl<
    const H: usize,
    const W: usize,
    const C: usize,
    const K: usize,
    const S: usize,
    const OH: usize,
    const OW: usize,
> QMaxPool2d<H, W, C, K, S, OH, OW>
{
    const GEOMETRY: Geometry = {
        assert!(
            fits(H, K, S, 0, OH) && fits(W, K, S, 0, OW) && C > 0,
            "QMaxPool2d<H, W, C, K, S, OH, OW>: OH and OW must be (H - K) / S + 1 and (W - K) / S + 1"
        );
        Geometry { h: H, w: W, c_in: C, kh: K, kw: K, stride: S, pad_h: 0, pad_w: 0, oh: OH, ow: OW }
    };

    fn run(&self, x: &[i8], y: &mut [i8]) {
        conv::max_pool_forward(&Self::GEOMETRY, x, y);
    }
}

int8_layer!(
    QMaxPool2d<const H, const W, const C, const K, const S, const OH, const OW>,
    input = [[[i8; C]; W]; H],
    output = [[[i8; C]; OW]; OH]
);

/// int8 [`Flatten`](crate::Flatten): an `H`×`W`×`C` image as `[i8; N]` (a
/// copy; same scale and zero point). `N ≠ H·W·C` fails `cargo build`.
///
/// ```
/// use constnet::quant::QFlatten;
/// use constnet::Layer;
/// assert_eq!(QFlatten::<1, 2, 1, 2>.forward(&[[[3], [-4]]]), [3, -4]);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QFlatten<const H: usize, const W: usize, const C: usize, const N: usize>;

impl<const H: usize, const W: usize, const C: usize, const N: usize> QFlatten<H, W, C, N> {
    const CHECK: () = assert!(N == H * W * C, "QFlatten<H, W, C, N>: N must be H * W * C");

    fn run(&self, x: &[i8], y: &mut [i8]) {
        let () = Self::CHECK;
        y.copy_from_slice(x);
    }
}

int8_layer!(QFlatten<const H, const W, const C, const N>, input = [[[i8; C]; W]; H], output = [i8; N]);
