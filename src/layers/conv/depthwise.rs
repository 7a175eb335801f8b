//! [`DepthwiseConv2d`]: one `K`×`K` filter per channel.

use super::impls::{shaped_layer, weighted};
use super::shape::fits;
use crate::math::conv::{Geometry, depthwise_backward, depthwise_forward};

/// A depthwise 2-D convolution (channel multiplier 1): channel `c` of the
/// `H`×`W`×`C` input is convolved with its own `K`×`K` filter, stride `S`,
/// `P` zeros of padding, giving `OH`×`OW`×`C`:
///
/// `y[oy][ox][c] = b[c] + Σ_{ky,kx} W[ky][kx][c] · x[oy·S + ky − P][ox·S + kx − P][c]`
///
/// The taps are added in `(ky, kx)` order, padding taps skipped. Weights are
/// `[[[f32; C]; K]; K]`, TFLite's `[1, K, K, C]` depthwise filter. Sizes,
/// checks and layout as [`Conv2d`](crate::layers::Conv2d); write the type with
/// [`layers!`](crate::layers!). Memory: `4·(K·K·C + C)` bytes.
///
/// ```
/// use constnet::{layers, Layer};
/// type Blur = layers![input [3, 3, 2] => DepthwiseConv2d(3)];
/// let mut dw = Blur::zeros();
/// *dw.weight_mut() = [[[1.0, 2.0]; 3]; 3];
/// let y = dw.forward(&[[[1.0, 1.0]; 3]; 3]);
/// assert_eq!(y, [[[9.0, 18.0]]]); // one output pixel, two channels
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct DepthwiseConv2d<
    const H: usize,
    const W: usize,
    const C: usize,
    const K: usize,
    const S: usize,
    const P: usize,
    const OH: usize,
    const OW: usize,
> {
    weight: [[[f32; C]; K]; K],
    bias: [f32; C],
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
> DepthwiseConv2d<H, W, C, K, S, P, OH, OW>
{
    const GEOMETRY: Geometry = {
        assert!(
            fits(H, K, S, P, OH) && fits(W, K, S, P, OW),
            "DepthwiseConv2d<H, W, C, K, S, P, OH, OW>: OH and OW must be (H + 2P - K) / S + 1 and \
             (W + 2P - K) / S + 1 (the kernel must fit the padded input); write the type with constnet::layers!"
        );
        assert!(C > 0, "DepthwiseConv2d: the channel count C must be at least 1");
        Geometry { h: H, w: W, c_in: C, kh: K, kw: K, stride: S, pad_h: P, pad_w: P, oh: OH, ow: OW }
    };

    /// Builds a layer from its filters (`weight[ky][kx][c]`) and biases.
    pub const fn new(weight: [[[f32; C]; K]; K], bias: [f32; C]) -> Self {
        Self { weight, bias }
    }

    /// A layer with all weights and biases zero (also a fresh gradient).
    pub const fn zeros() -> Self {
        Self { weight: [[[0.0; C]; K]; K], bias: [0.0; C] }
    }

    /// The filters, `[ky][kx][c]`.
    pub const fn weight(&self) -> &[[[f32; C]; K]; K] {
        &self.weight
    }

    /// The filters, mutable.
    pub fn weight_mut(&mut self) -> &mut [[[f32; C]; K]; K] {
        &mut self.weight
    }

    /// The biases, one per channel.
    pub const fn bias(&self) -> &[f32; C] {
        &self.bias
    }

    /// The biases, mutable.
    pub fn bias_mut(&mut self) -> &mut [f32; C] {
        &mut self.bias
    }

    fn flat_weight(&self) -> &[f32] {
        self.weight.as_flattened().as_flattened()
    }

    fn flat_weight_mut(&mut self) -> &mut [f32] {
        self.weight.as_flattened_mut().as_flattened_mut()
    }

    #[inline]
    fn run(&self, x: &[f32], y: &mut [f32]) {
        depthwise_forward(&Self::GEOMETRY, self.flat_weight(), &self.bias, x, y);
    }

    #[inline]
    fn grad(&self, x: &[f32], dy: &[f32], grads: &mut Self, dx: Option<&mut [f32]>) {
        let (w, g) = (self.flat_weight(), Self::GEOMETRY);
        let Self { weight, bias } = grads;
        depthwise_backward(&g, w, x, dy, weight.as_flattened_mut().as_flattened_mut(), bias, dx);
    }
}

shaped_layer!(
    DepthwiseConv2d<const H, const W, const C, const K, const S, const P, const OH, const OW>,
    input = [[[f32; C]; W]; H],
    output = [[[f32; C]; OW]; OH],
    cache = input,
);

// Fan-in K·K per channel; C "rows" of K·K for the initialisers.
weighted!(
    DepthwiseConv2d<const H, const W, const C, const K, const S, const P, const OH, const OW>,
    rows = C,
    cols = K * K,
    sizes = [H, W, C, K, S, P],
);
