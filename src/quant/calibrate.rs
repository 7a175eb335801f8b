//! Post-training quantization: the [`Quantizable`] mapping from f32 layers
//! to int8 ones, with calibration of activation ranges.
//!
//! Each f32 layer says which int8 layer it becomes ([`Quantizable::Quantized`]):
//!
//! | f32 | int8 | output quantization |
//! |---|---|---|
//! | [`Dense<IN, OUT>`] | [`QDense<IN, OUT>`] | calibrated; a following [`Relu`] is fused as TFLite does (its range, its clamp) |
//! | [`Relu`] | [`QRelu`] | the input's |
//! | [`Tanh`] | [`QLut`] | TFLite's fixed 1/128, zero point 0 |
//! | [`Sigmoid`] | [`QLut`] | TFLite's fixed 1/256, zero point −128 |
//! | [`LeakyRelu`] | [`QLut`] (TFLite's integer LEAKY_RELU, tabulated) | calibrated |
//! | [`Conv2d`] | [`QConv2d`] | calibrated; a following [`Relu`] is fused |
//! | [`DepthwiseConv2d`] | [`QDepthwiseConv2d`] | calibrated; a following [`Relu`] is fused |
//! | [`GlobalAvgPool2d`] | [`QGlobalAvgPool2d`] | the input's |
//! | [`Unflatten`], [`Flatten`] | [`QUnflatten`], [`QFlatten`] | the input's |
//! | [`MaxPool2d`] | [`QMaxPool2d`] | the input's |
//! | [`Dropout`] (the identity at inference) | [`QRelu`] clamping to `[−128, 127]`, the identity | the input's |
//! | [`Relu`] on images | [`QRelu`] | the input's |
//!
//! and tuples and [`network!`](crate::network!) types map element by element,
//! so `(Dense<1, 16>, Relu, Dense<16, 1>)` becomes
//! `(QDense<1, 16>, QRelu, QDense<16, 1>)` with no type written by hand.

use super::{
    QConv2d, QDense, QDepthwiseConv2d, QFlatten, QGlobalAvgPool2d, QLut, QMaxPool2d, QRelu, QUnflatten,
    QuantError, QuantParams, Range, requant::quantize_multiplier,
};
use crate::{
    Conv2d, Dense, DepthwiseConv2d, Dropout, Flatten, GlobalAvgPool2d, Layer, LeakyRelu, MaxPool2d, Relu,
    Sigmoid, Tanh, Unflatten, scalar,
};

/// An f32 layer or network (taking `X`) with an int8 counterpart.
///
/// Calibration runs [`observe`](Self::observe) on sample inputs, which
/// records the range of every layer's output in [`Ranges`](Self::Ranges);
/// [`quantize_layer`](Self::quantize_layer) then builds the int8 layer from
/// the input's quantization and those ranges. [`quantize`](super::quantize)
/// does both for a whole network.
///
/// # Implementing this trait
/// A layer with no int8 form simply does not implement it: quantizing a
/// network that contains it is a compile error naming the layer.
#[diagnostic::on_unimplemented(
    message = "layer `{Self}` has no int8 form for input `{X}`",
    note = "int8 networks are built from Dense, Conv2d, DepthwiseConv2d, GlobalAvgPool2d, Unflatten, Relu, Tanh, Sigmoid and LeakyRelu layers"
)]
pub trait Quantizable<X>: Layer<X> {
    /// The int8 layer (or network) this becomes.
    type Quantized;
    /// The calibration ranges: one [`Range`] per layer output (a tuple for a network).
    type Ranges: Copy;
    /// Ranges before any sample was observed.
    const NO_RANGES: Self::Ranges;
    /// True for a ReLU, which TFLite fuses into the layer before it.
    const FUSES_AS_RELU: bool = false;

    /// `forward`, widening `ranges` to cover every output.
    fn observe(&self, x: &X, ranges: &mut Self::Ranges) -> Self::Output;

    /// The range of the last output.
    fn output_range(ranges: &Self::Ranges) -> Range;

    /// The range after this layer's first element when that element is a
    /// ReLU (so the layer before can fuse it), else `None`. A tuple asks its
    /// first element, so `(Dense, (Relu, Dense))` fuses like
    /// `(Dense, Relu, Dense)`.
    fn leading_relu_range(ranges: &Self::Ranges) -> Option<Range> {
        if Self::FUSES_AS_RELU { Some(Self::output_range(ranges)) } else { None }
    }

    /// The int8 layer for inputs quantized with `input`, and the
    /// quantization of its output. `fused_relu` is the range after a ReLU
    /// that follows this layer (only a [`Dense`] uses it: it takes that
    /// range for its output and clamps at its zero point).
    ///
    /// # Errors
    /// [`QuantError::EmptyRange`] when calibration saw no finite output.
    fn quantize_layer(
        &self,
        input: QuantParams,
        ranges: &Self::Ranges,
        fused_relu: Option<Range>,
    ) -> Result<(Self::Quantized, QuantParams), QuantError>;
}

/// The ranges a layer saw, or an error if it saw nothing usable.
fn checked(range: Range) -> Result<Range, QuantError> {
    if range.is_empty() || !range.min.is_finite() || !range.max.is_finite() {
        return Err(QuantError::EmptyRange);
    }
    Ok(range)
}

impl<const IN: usize, const OUT: usize> Quantizable<[f32; IN]> for Dense<IN, OUT> {
    type Quantized = QDense<IN, OUT>;
    type Ranges = Range;
    const NO_RANGES: Range = Range::EMPTY;

    #[inline]
    fn observe(&self, x: &[f32; IN], ranges: &mut Range) -> [f32; OUT] {
        let y = self.forward(x);
        ranges.observe(&y);
        y
    }

    fn output_range(ranges: &Range) -> Range {
        *ranges
    }

    /// Per-output-channel symmetric weights (`max|w[o]| / 127`), int32 bias
    /// at scale `s_in · s_w[o]`, multipliers `s_in · s_w[o] / s_out` (f64,
    /// as TFLite computes them), output asymmetric over the calibrated range.
    fn quantize_layer(
        &self,
        input: QuantParams,
        ranges: &Range,
        fused_relu: Option<Range>,
    ) -> Result<(QDense<IN, OUT>, QuantParams), QuantError> {
        let out = QuantParams::from_range(checked(fused_relu.unwrap_or(*ranges))?);
        let mut weight = [[0i8; IN]; OUT];
        let (mut bias, mut multiplier, mut shift) = ([0i32; OUT], [0i32; OUT], [0i8; OUT]);
        per_channel(
            OUT,
            input,
            out,
            |o, f| self.weight()[o].iter().for_each(|&v| f(v)),
            |o| self.bias()[o],
            |o, k, q| weight[o][k] = q,
            |o, b, m, s| (bias[o], multiplier[o], shift[o]) = (b, m, s),
        );
        let act_min = if fused_relu.is_some() { out.zero_point } else { -128 };
        let layer =
            QDense::try_new(weight, bias, multiplier, shift, input.zero_point, out.zero_point, act_min, 127)?;
        Ok((layer, out))
    }
}

/// Element-wise activations, whatever the width.
macro_rules! elementwise_quantizable {
    ($name:ty, $q:ty, relu = $relu:expr, |$s:ident, $input:ident, $range:ident| $body:expr) => {
        impl<const N: usize> Quantizable<[f32; N]> for $name {
            type Quantized = $q;
            type Ranges = Range;
            const NO_RANGES: Range = Range::EMPTY;
            const FUSES_AS_RELU: bool = $relu;

            #[inline]
            fn observe(&self, x: &[f32; N], ranges: &mut Range) -> [f32; N] {
                let y = self.forward(x);
                ranges.observe(&y);
                y
            }

            fn output_range(ranges: &Range) -> Range {
                *ranges
            }

            fn quantize_layer(
                &self,
                input: QuantParams,
                ranges: &Range,
                _fused_relu: Option<Range>,
            ) -> Result<($q, QuantParams), QuantError> {
                let ($s, $input, $range) = (self, input, ranges);
                $body
            }
        }
    };
}

/// Symmetric per-channel weights, int32 biases at `s_in · s_w[o]`, and the
/// multipliers `s_in · s_w[o] / s_out` (f64, as TFLite computes them): what
/// [`Dense`], [`Conv2d`] and [`DepthwiseConv2d`] share. `weights(o)` calls its argument on
/// channel `o`'s weights in order; `put(o, k, q)` stores its `k`-th quantized
/// weight, `store(o, bias, mantissa, shift)` the rest.
fn per_channel(
    channels: usize,
    input: QuantParams,
    out: QuantParams,
    weights: impl Fn(usize, &mut dyn FnMut(f32)),
    bias: impl Fn(usize) -> f32,
    mut put: impl FnMut(usize, usize, i8),
    mut store: impl FnMut(usize, i32, i32, i8),
) {
    for o in 0..channels {
        let mut max = 0.0f32;
        weights(o, &mut |v| max = max.max(libm::fabsf(v)));
        let w = QuantParams::symmetric(&[max]);
        let mut k = 0;
        weights(o, &mut |v| {
            put(o, k, libm::roundf(v / w.scale).clamp(-127.0, 127.0) as i8);
            k += 1;
        });
        let bias_scale = input.scale as f64 * w.scale as f64;
        let m = quantize_multiplier(bias_scale / out.scale as f64);
        store(o, libm::round(bias(o) as f64 / bias_scale) as i32, m.mantissa, m.shift);
    }
}

/// `Quantizable` for a shaped f32 layer on images whose output is observed
/// for calibration.
macro_rules! observed {
    ($name:ident < $(const $p:ident),* >, input = $x:ty) => {
        type Ranges = Range;
        const NO_RANGES: Range = Range::EMPTY;

        #[inline]
        fn observe(&self, x: &$x, ranges: &mut Range) -> Self::Output {
            let y = self.forward(x);
            ranges.observe(crate::Tensor::flat(&y));
            y
        }

        fn output_range(ranges: &Range) -> Range {
            *ranges
        }
    };
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
> Quantizable<[[[f32; CI]; W]; H]> for Conv2d<H, W, CI, CO, K, S, P, OH, OW>
{
    type Quantized = QConv2d<H, W, CI, CO, K, S, P, OH, OW>;
    observed!(Conv2d<const H, const W, const CI, const CO, const K, const S, const P, const OH, const OW>, input = [[[f32; CI]; W]; H]);

    /// As [`Dense`]'s: per-output-channel symmetric filters.
    fn quantize_layer(
        &self,
        input: QuantParams,
        ranges: &Range,
        fused_relu: Option<Range>,
    ) -> Result<(Self::Quantized, QuantParams), QuantError> {
        let out = QuantParams::from_range(checked(fused_relu.unwrap_or(*ranges))?);
        let mut weight = [[[[0i8; CI]; K]; K]; CO];
        let (mut bias, mut multiplier, mut shift) = ([0i32; CO], [0i32; CO], [0i8; CO]);
        let w = self.weight();
        per_channel(
            CO,
            input,
            out,
            |o, f| w[o].iter().flatten().flatten().for_each(|&v| f(v)),
            |o| self.bias()[o],
            |o, k, q| weight[o][k / (K * CI)][(k / CI) % K][k % CI] = q,
            |o, b, m, s| (bias[o], multiplier[o], shift[o]) = (b, m, s),
        );
        let act_min = if fused_relu.is_some() { out.zero_point } else { -128 };
        let layer = QConv2d::try_new(
            weight,
            bias,
            multiplier,
            shift,
            input.zero_point,
            out.zero_point,
            act_min,
            127,
        )?;
        Ok((layer, out))
    }
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
> Quantizable<[[[f32; C]; W]; H]> for DepthwiseConv2d<H, W, C, K, S, P, OH, OW>
{
    type Quantized = QDepthwiseConv2d<H, W, C, K, S, P, OH, OW>;
    observed!(DepthwiseConv2d<const H, const W, const C, const K, const S, const P, const OH, const OW>, input = [[[f32; C]; W]; H]);

    /// Per-channel symmetric filters (each channel's `K·K` taps).
    fn quantize_layer(
        &self,
        input: QuantParams,
        ranges: &Range,
        fused_relu: Option<Range>,
    ) -> Result<(Self::Quantized, QuantParams), QuantError> {
        let out = QuantParams::from_range(checked(fused_relu.unwrap_or(*ranges))?);
        let mut weight = [[[0i8; C]; K]; K];
        let (mut bias, mut multiplier, mut shift) = ([0i32; C], [0i32; C], [0i8; C]);
        let w = self.weight();
        per_channel(
            C,
            input,
            out,
            |c, f| w.iter().flatten().for_each(|tap| f(tap[c])),
            |c| self.bias()[c],
            |c, k, q| weight[k / K][k % K][c] = q,
            |c, b, m, s| (bias[c], multiplier[c], shift[c]) = (b, m, s),
        );
        let act_min = if fused_relu.is_some() { out.zero_point } else { -128 };
        let layer = QDepthwiseConv2d::try_new(
            weight,
            bias,
            multiplier,
            shift,
            input.zero_point,
            out.zero_point,
            act_min,
            127,
        )?;
        Ok((layer, out))
    }
}

impl<const H: usize, const W: usize, const C: usize> Quantizable<[[[f32; C]; W]; H]>
    for GlobalAvgPool2d<H, W, C>
{
    type Quantized = QGlobalAvgPool2d<H, W, C>;
    observed!(GlobalAvgPool2d<const H, const W, const C>, input = [[[f32; C]; W]; H]);

    /// The input's scale and zero point (TFLite's AVERAGE_POOL_2D keeps them).
    fn quantize_layer(
        &self,
        input: QuantParams,
        _: &Range,
        _: Option<Range>,
    ) -> Result<(Self::Quantized, QuantParams), QuantError> {
        Ok((QGlobalAvgPool2d::new(-128, 127), input))
    }
}

impl<const H: usize, const W: usize, const C: usize, const N: usize> Quantizable<[f32; N]>
    for Unflatten<H, W, C, N>
{
    type Quantized = QUnflatten<H, W, C, N>;
    observed!(Unflatten<const H, const W, const C, const N>, input = [f32; N]);

    fn quantize_layer(
        &self,
        input: QuantParams,
        _: &Range,
        _: Option<Range>,
    ) -> Result<(Self::Quantized, QuantParams), QuantError> {
        Ok((QUnflatten, input))
    }
}

/// A reshaping or pooling layer whose int8 form keeps the input's
/// quantization: `$q` is built by `$make`.
macro_rules! passthrough_quantizable {
    ($name:ident < $(const $p:ident),* >, input = $x:ty, $q:ty, $make:expr) => {
        impl<$(const $p: usize),*> Quantizable<$x> for $name<$($p),*> {
            type Quantized = $q;
            observed!($name<$(const $p),*>, input = $x);

            fn quantize_layer(
                &self,
                input: QuantParams,
                _: &Range,
                _: Option<Range>,
            ) -> Result<(Self::Quantized, QuantParams), QuantError> {
                Ok(($make, input))
            }
        }
    };
}

passthrough_quantizable!(
    MaxPool2d<const H, const W, const C, const K, const S, const OH, const OW>,
    input = [[[f32; C]; W]; H],
    QMaxPool2d<H, W, C, K, S, OH, OW>,
    QMaxPool2d
);
passthrough_quantizable!(
    Flatten<const H, const W, const C, const N>,
    input = [[[f32; C]; W]; H],
    QFlatten<H, W, C, N>,
    QFlatten
);

/// Dropout is the identity at inference; its int8 form is a clamp over the
/// whole int8 range, also the identity.
impl<X: crate::Tensor, const PERCENT: u8> Quantizable<X> for Dropout<PERCENT> {
    type Quantized = QRelu;
    type Ranges = ();
    const NO_RANGES: () = ();

    #[inline]
    fn observe(&self, x: &X, _: &mut ()) -> X {
        self.forward(x)
    }

    fn output_range(_: &()) -> Range {
        Range::EMPTY
    }

    fn quantize_layer(
        &self,
        input: QuantParams,
        _: &(),
        _: Option<Range>,
    ) -> Result<(QRelu, QuantParams), QuantError> {
        Ok((QRelu::new(-128, 127), input))
    }
}

/// A ReLU on images (after a convolution, which fuses it).
impl<const C: usize, const W: usize, const H: usize> Quantizable<[[[f32; C]; W]; H]> for Relu {
    type Quantized = QRelu;
    type Ranges = Range;
    const NO_RANGES: Range = Range::EMPTY;
    const FUSES_AS_RELU: bool = true;

    #[inline]
    fn observe(&self, x: &[[[f32; C]; W]; H], ranges: &mut Range) -> [[[f32; C]; W]; H] {
        let y = self.forward(x);
        ranges.observe(crate::Tensor::flat(&y));
        y
    }

    fn output_range(ranges: &Range) -> Range {
        *ranges
    }

    fn quantize_layer(
        &self,
        input: QuantParams,
        _: &Range,
        _: Option<Range>,
    ) -> Result<(QRelu, QuantParams), QuantError> {
        Ok((QRelu::relu(input.zero_point), input))
    }
}

// The Dense before a ReLU already clamps at its zero point: the QRelu
// repeats the clamp (a no-op then) so that the layer is right on its own.
elementwise_quantizable!(Relu, QRelu, relu = true, |_s, input, _r| Ok((
    QRelu::relu(input.zero_point),
    input
)));

elementwise_quantizable!(Tanh, QLut, relu = false, |_s, input, _r| {
    let out = QuantParams::new(1.0 / 128.0, 0);
    Ok((QLut::from_fn(input, out, scalar::tanh), out))
});

elementwise_quantizable!(Sigmoid, QLut, relu = false, |_s, input, _r| {
    let out = QuantParams::new(1.0 / 256.0, -128);
    Ok((QLut::from_fn(input, out, |x| 1.0 / (1.0 + scalar::exp(-x))), out))
});

elementwise_quantizable!(LeakyRelu, QLut, relu = false, |s, input, r| {
    let out = QuantParams::from_range(checked(*r)?);
    Ok((QLut::leaky_relu(input, out, s.slope()), out))
});

/// Tuples map element by element; element `k` is told the range after
/// element `k + 1` when that one is a ReLU (the last element is told what
/// the tuple was told). For three layers the impl reads:
///
/// ```text
/// let (a, p) = self.0.quantize_layer(input, &r.0, B::leading_relu_range(&r.1))?;
/// let (b, p) = self.1.quantize_layer(p, &r.1, C::leading_relu_range(&r.2))?;
/// let (c, p) = self.2.quantize_layer(p, &r.2, fused_relu)?;
/// Ok(((a, b, c), p))
/// ```
macro_rules! tuple_quantizable {
    (first $F:ident $fi:tt $fv:ident; rest $($T:ident $i:tt $v:ident $P:ident),+; last $L:ident $li:tt) => {
        impl<X, $F, $($T),+> Quantizable<X> for ($F, $($T),+)
        where
            $F: Quantizable<X>,
            $($T: Quantizable<$P::Output>),+
        {
            type Quantized = ($F::Quantized, $($T::Quantized),+);
            type Ranges = ($F::Ranges, $($T::Ranges),+);
            const NO_RANGES: Self::Ranges = ($F::NO_RANGES, $($T::NO_RANGES),+);
            const FUSES_AS_RELU: bool = $F::FUSES_AS_RELU;

            #[inline]
            fn observe(&self, x: &X, ranges: &mut Self::Ranges) -> Self::Output {
                let h = self.$fi.observe(x, &mut ranges.$fi);
                $(let h = self.$i.observe(&h, &mut ranges.$i);)+
                h
            }

            fn output_range(ranges: &Self::Ranges) -> Range {
                $L::output_range(&ranges.$li)
            }

            fn leading_relu_range(ranges: &Self::Ranges) -> Option<Range> {
                $F::leading_relu_range(&ranges.$fi)
            }

            fn quantize_layer(
                &self,
                input: QuantParams,
                ranges: &Self::Ranges,
                fused_relu: Option<Range>,
            ) -> Result<(Self::Quantized, QuantParams), QuantError> {
                let p = input;
                tuple_quantizable!(@go self, ranges, fused_relu, p; $F $fi $fv $(, $T $i $v)+);
                Ok((($fv, $($v),+), p))
            }
        }
    };
    (@go $s:ident, $r:ident, $fused:ident, $p:ident; $E:ident $ei:tt $ev:ident, $N:ident $ni:tt $nv:ident $(, $R:ident $ri:tt $rv:ident)*) => {
        let next = $N::leading_relu_range(&$r.$ni);
        let ($ev, $p) = $s.$ei.quantize_layer($p, &$r.$ei, next)?;
        tuple_quantizable!(@go $s, $r, $fused, $p; $N $ni $nv $(, $R $ri $rv)*);
    };
    (@go $s:ident, $r:ident, $fused:ident, $p:ident; $E:ident $ei:tt $ev:ident) => {
        let ($ev, $p) = $s.$ei.quantize_layer($p, &$r.$ei, $fused)?;
    };
}

tuple_quantizable!(first A 0 a; rest B 1 b A; last B 1);
tuple_quantizable!(first A 0 a; rest B 1 b A, C 2 c B; last C 2);
tuple_quantizable!(first A 0 a; rest B 1 b A, C 2 c B, D 3 d C; last D 3);
tuple_quantizable!(first A 0 a; rest B 1 b A, C 2 c B, D 3 d C, E 4 e D; last E 4);
tuple_quantizable!(first A 0 a; rest B 1 b A, C 2 c B, D 3 d C, E 4 e D, F 5 f E; last F 5);
tuple_quantizable!(first A 0 a; rest B 1 b A, C 2 c B, D 3 d C, E 4 e D, F 5 f E, G 6 g F; last G 6);
tuple_quantizable!(
    first A 0 a; rest B 1 b A, C 2 c B, D 3 d C, E 4 e D, F 5 f E, G 6 g F, H 7 h G; last H 7
);
