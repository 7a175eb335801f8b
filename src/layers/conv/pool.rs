//! Pooling: [`MaxPool2d`], [`AvgPool2d`], [`GlobalAvgPool2d`], and the 1-D
//! [`MaxPool1d`], [`GlobalAvgPool1d`].

use super::impls::{no_weights, shaped_layer};
use super::shape::fits;
use crate::math::conv::{Geometry, Pool, pool_backward, pool_forward};

macro_rules! pool_geometry {
    ($name:literal, $pool:expr, h = $h:expr, w = $w:expr, c = $c:expr, kh = $kh:expr, kw = $kw:expr, s = $s:expr, oh = $oh:expr, ow = $ow:expr) => {
        const GEOMETRY: Geometry = {
            assert!(
                fits($h, $kh, $s, 0, $oh) && fits($w, $kw, $s, 0, $ow),
                concat!(
                    $name,
                    ": the output size must be (input - K) / S + 1 and the window must fit the input; \
                     write the type with constnet::layers!"
                )
            );
            assert!($c > 0, concat!($name, ": the channel count must be at least 1"));
            Geometry {
                h: $h,
                w: $w,
                c_in: $c,
                kh: $kh,
                kw: $kw,
                stride: $s,
                pad_h: 0,
                pad_w: 0,
                oh: $oh,
                ow: $ow,
            }
        };

        #[inline]
        fn run(&self, x: &[f32], y: &mut [f32]) {
            pool_forward(&Self::GEOMETRY, $pool, x, y);
        }

        #[inline]
        fn grad(&self, x: &[f32], dy: &[f32], _: &mut Self, dx: Option<&mut [f32]>) {
            if let Some(dx) = dx {
                pool_backward(&Self::GEOMETRY, $pool, x, dy, dx);
            }
        }
    };
}

/// Max pooling over `K`×`K` windows with stride `S` (no padding), `H`×`W`×`C`
/// to `OH`×`OW`×`C`. The gradient goes to the first largest value of each
/// window. Write the type with [`layers!`](crate::layers!); `MaxPool2d(2)` is
/// a 2×2 window with stride 2. No parameters; zero bytes.
///
/// ```
/// use constnet::{layers, Layer};
/// type Pool = layers![input [2, 4, 1] => MaxPool2d(2)];
/// let y = Pool::default().forward(&[[[1.0], [2.0], [5.0], [0.0]], [[4.0], [3.0], [-1.0], [-2.0]]]);
/// assert_eq!(y, [[[4.0], [5.0]]]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MaxPool2d<
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
> MaxPool2d<H, W, C, K, S, OH, OW>
{
    pool_geometry!("MaxPool2d", Pool::Max, h = H, w = W, c = C, kh = K, kw = K, s = S, oh = OH, ow = OW);
}

shaped_layer!(
    MaxPool2d<const H, const W, const C, const K, const S, const OH, const OW>,
    input = [[[f32; C]; W]; H],
    output = [[[f32; C]; OW]; OH],
    cache = input,
);
no_weights!(MaxPool2d<const H, const W, const C, const K, const S, const OH, const OW>, H, W, C, K, S);

/// Average pooling over `K`×`K` windows with stride `S` (no padding): the
/// window's values added in row order, divided by `K·K`. Write the type with
/// [`layers!`](crate::layers!). No parameters; zero bytes.
///
/// ```
/// use constnet::{layers, Layer};
/// type Pool = layers![input [2, 2, 1] => AvgPool2d(2)];
/// assert_eq!(Pool::default().forward(&[[[1.0], [2.0]], [[3.0], [6.0]]]), [[[3.0]]]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AvgPool2d<
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
> AvgPool2d<H, W, C, K, S, OH, OW>
{
    pool_geometry!("AvgPool2d", Pool::Average, h = H, w = W, c = C, kh = K, kw = K, s = S, oh = OH, ow = OW);
}

shaped_layer!(
    AvgPool2d<const H, const W, const C, const K, const S, const OH, const OW>,
    input = [[[f32; C]; W]; H],
    output = [[[f32; C]; OW]; OH],
    cache = none,
);
no_weights!(AvgPool2d<const H, const W, const C, const K, const S, const OH, const OW>, H, W, C, K, S);

/// Global average pooling: the mean of each channel over the whole
/// `H`×`W` image, `[[[f32; C]; W]; H]` → `[f32; C]` (pixels added in row
/// order, divided by `H·W`). No parameters; zero bytes.
///
/// ```
/// use constnet::{layers::GlobalAvgPool2d, Layer};
/// let gap = GlobalAvgPool2d::<1, 2, 2>;
/// assert_eq!(gap.forward(&[[[1.0, 10.0], [3.0, 20.0]]]), [2.0, 15.0]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GlobalAvgPool2d<const H: usize, const W: usize, const C: usize>;

impl<const H: usize, const W: usize, const C: usize> GlobalAvgPool2d<H, W, C> {
    pool_geometry!(
        "GlobalAvgPool2d",
        Pool::Average,
        h = H,
        w = W,
        c = C,
        kh = H,
        kw = W,
        s = 1,
        oh = 1,
        ow = 1
    );
}

shaped_layer!(GlobalAvgPool2d<const H, const W, const C>, input = [[[f32; C]; W]; H], output = [f32; C], cache = none);
no_weights!(GlobalAvgPool2d<const H, const W, const C>, H, W, C);

/// Max pooling over windows of `K` steps with stride `S` (no padding), `L`×`C`
/// to `OL`×`C`. Write the type with [`layers!`](crate::layers!). No
/// parameters; zero bytes.
///
/// ```
/// use constnet::{layers, Layer};
/// type Pool = layers![input [4, 1] => MaxPool1d(2)];
/// assert_eq!(Pool::default().forward(&[[1.0], [3.0], [2.0], [0.0]]), [[3.0], [2.0]]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MaxPool1d<const L: usize, const C: usize, const K: usize, const S: usize, const OL: usize>;

impl<const L: usize, const C: usize, const K: usize, const S: usize, const OL: usize>
    MaxPool1d<L, C, K, S, OL>
{
    pool_geometry!("MaxPool1d", Pool::Max, h = 1, w = L, c = C, kh = 1, kw = K, s = S, oh = 1, ow = OL);
}

shaped_layer!(
    MaxPool1d<const L, const C, const K, const S, const OL>,
    input = [[f32; C]; L],
    output = [[f32; C]; OL],
    cache = input,
);
no_weights!(MaxPool1d<const L, const C, const K, const S, const OL>, L, C, K, S);

/// Global average pooling over time: `[[f32; C]; L]` → `[f32; C]`, the mean
/// of each channel. No parameters; zero bytes.
///
/// ```
/// use constnet::{layers::GlobalAvgPool1d, Layer};
/// assert_eq!(GlobalAvgPool1d::<2, 1>.forward(&[[1.0], [3.0]]), [2.0]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GlobalAvgPool1d<const L: usize, const C: usize>;

impl<const L: usize, const C: usize> GlobalAvgPool1d<L, C> {
    pool_geometry!(
        "GlobalAvgPool1d",
        Pool::Average,
        h = 1,
        w = L,
        c = C,
        kh = 1,
        kw = L,
        s = 1,
        oh = 1,
        ow = 1
    );
}

shaped_layer!(GlobalAvgPool1d<const L, const C>, input = [[f32; C]; L], output = [f32; C], cache = none);
no_weights!(GlobalAvgPool1d<const L, const C>, L, C);
