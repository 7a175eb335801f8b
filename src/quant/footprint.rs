//! Compile-time memory figures of int8 networks: flash for the parameters,
//! RAM for the activations.

use super::{Dequantize, QDense, QDenseLiteRt, QLut, QRelu, Quantize};
use crate::Layer;
use core::mem::size_of;

/// The RAM an int8 layer or network needs for activations when it runs on
/// input `X`, known at compile time.
///
/// A network runs one layer at a time, each reading its input and writing
/// its output, so the activations it needs at once are the largest
/// input-plus-output pair of any of its layers. Flash is simply
/// `size_of` of the network (every parameter is in the value, nothing on a
/// heap).
///
/// ```
/// use constnet::quant::{Footprint, QDense, QRelu};
/// type Net = (QDense<640, 128>, QRelu, QDense<128, 8>);
/// // The first layer's [i8; 640] input and [i8; 128] output.
/// assert_eq!(<Net as Footprint<[i8; 640]>>::ACTIVATION_BYTES, 640 + 128);
/// const { assert!(core::mem::size_of::<Net>() < 100 * 1024) }; // flash
/// ```
///
/// Not counted: the kernels' own stack (a few dozen bytes for the portable
/// kernel; the Cortex-M4 kernel also widens the input into a small i16
/// buffer) and the caller's copies. `EMBEDDED.md` gives measured stack
/// high-water marks.
pub trait Footprint<X>: Layer<X> {
    /// Bytes of the largest input-plus-output pair of any layer.
    const ACTIVATION_BYTES: usize;
}

macro_rules! leaf_footprint {
    ($($t:ty),*) => {$(
        impl<X> Footprint<X> for $t
        where
            $t: Layer<X>,
        {
            const ACTIVATION_BYTES: usize = size_of::<X>() + size_of::<<$t as Layer<X>>::Output>();
        }
    )*};
}
leaf_footprint!(QRelu, QLut, Quantize, Dequantize);

impl<X, const IN: usize, const OUT: usize> Footprint<X> for QDense<IN, OUT>
where
    QDense<IN, OUT>: Layer<X>,
{
    const ACTIVATION_BYTES: usize = size_of::<X>() + size_of::<<Self as Layer<X>>::Output>();
}

/// Also counts the `i32` accumulators of one row, which this layer keeps on
/// the stack between the sums and the `f64` requantization.
impl<X, const IN: usize, const OUT: usize> Footprint<X> for QDenseLiteRt<IN, OUT>
where
    QDenseLiteRt<IN, OUT>: Layer<X>,
{
    const ACTIVATION_BYTES: usize = size_of::<X>() + size_of::<<Self as Layer<X>>::Output>() + 4 * OUT;
}

const fn max(a: usize, b: usize) -> usize {
    if a > b { a } else { b }
}

macro_rules! tuple_footprint {
    (first $F:ident; rest $($T:ident $P:ident),+) => {
        impl<X, $F, $($T),+> Footprint<X> for ($F, $($T),+)
        where
            $F: Footprint<X>,
            $($T: Footprint<$P::Output>),+
        {
            const ACTIVATION_BYTES: usize = {
                let m = $F::ACTIVATION_BYTES;
                $(let m = max(m, $T::ACTIVATION_BYTES);)+
                m
            };
        }
    };
}

tuple_footprint!(first A; rest B A);
tuple_footprint!(first A; rest B A, C B);
tuple_footprint!(first A; rest B A, C B, D C);
tuple_footprint!(first A; rest B A, C B, D C, E D);
tuple_footprint!(first A; rest B A, C B, D C, E D, F E);
tuple_footprint!(first A; rest B A, C B, D C, E D, F E, G F);
tuple_footprint!(first A; rest B A, C B, D C, E D, F E, G F, H G);
