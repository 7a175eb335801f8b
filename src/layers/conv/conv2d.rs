//! [`Conv2d`]: a 2-D convolution over channels-last images.

use super::impls::{shaped_layer, weighted};
use super::shape::fits;
use crate::math::conv::{Geometry, MAX_PATCH, conv_backward, conv_forward};

/// A 2-D convolution with `CI` input and `CO` output channels, a `K`×`K`
/// kernel, stride `S` and `P` zeros of padding on every side, over
/// `H`×`W`×`CI` images giving `OH`×`OW`×`CO` ones:
///
/// `y[oy][ox][o] = b[o] + Σ_{ky,kx,c} W[o][ky][kx][c] · x[oy·S + ky − P][ox·S + kx − P][c]`
///
/// Images are `[[[f32; C]; W]; H]` (channels last, TFLite's NHWC); a batch is
/// `[[[[f32; C]; W]; H]; B]`. Weights are `[[[[f32; CI]; K]; K]; CO]`,
/// TFLite's OHWI (PyTorch's OIHW transposed), so a trained TFLite filter maps
/// over as it is.
///
/// The output size is part of the type. Do not compute it: write the network
/// with [`layers!`](crate::layers!), which derives every size. A type whose
/// `OH`/`OW` is not `(H + 2P − K)/S + 1` is a compile error when the layer is
/// used (a post-monomorphization `const` assertion, reported by `cargo
/// build`, not by `cargo check`); so is a patch `K·K·CI` above
/// [`MAX_PATCH`](crate::math::MAX_PATCH) = 4096.
///
/// Kernel: im2col into a stack buffer (16 KB; 256 KB with `std`) and the dense kernels
/// (`math/conv.rs`); with [`math::set_fast`](crate::math) the desktop fast
/// path applies. Memory: `4·(CO·K·K·CI + CO)` bytes, so a trained layer can
/// live in a `static`.
///
/// ```
/// use constnet::{layers, Layer};
/// // 4×4 grey image, one 3×3 filter, "same" padding.
/// type Edge = layers![input [4, 4, 1] => Conv2d(1, 3, padding = 1)];
/// let mut conv = Edge::zeros();
/// conv.weight_mut()[0][1][1] = [1.0]; // the identity filter
/// conv.bias_mut()[0] = 0.5;
/// let x = [[[1.0]; 4], [[2.0]; 4], [[3.0]; 4], [[4.0]; 4]];
/// let y = conv.forward(&x);
/// assert_eq!(y[2][0], [3.5]);
/// assert_eq!(core::mem::size_of::<Edge>(), 4 * (9 + 1));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Conv2d<
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
    weight: [[[[f32; CI]; K]; K]; CO],
    bias: [f32; CO],
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
> Conv2d<H, W, CI, CO, K, S, P, OH, OW>
{
    const GEOMETRY: Geometry = {
        assert!(
            fits(H, K, S, P, OH) && fits(W, K, S, P, OW),
            "Conv2d<H, W, CI, CO, K, S, P, OH, OW>: OH and OW must be (H + 2P - K) / S + 1 and (W + 2P - K) / S + 1 \
             (the kernel must fit the padded input); write the type with constnet::layers!"
        );
        assert!(CI > 0 && CO > 0, "Conv2d: the channel counts CI and CO must be at least 1");
        assert!(
            K * K * CI <= MAX_PATCH,
            "Conv2d: the patch K * K * CI is larger than math::MAX_PATCH (4096)"
        );
        Geometry { h: H, w: W, c_in: CI, kh: K, kw: K, stride: S, pad_h: P, pad_w: P, oh: OH, ow: OW }
    };

    /// Builds a layer from its filters (`weight[o][ky][kx][c]`) and biases.
    /// Usable in `const` and `static` items.
    pub const fn new(weight: [[[[f32; CI]; K]; K]; CO], bias: [f32; CO]) -> Self {
        Self { weight, bias }
    }

    /// A layer with all weights and biases zero (also a fresh gradient).
    pub const fn zeros() -> Self {
        Self { weight: [[[[0.0; CI]; K]; K]; CO], bias: [0.0; CO] }
    }

    /// The filters, `[o][ky][kx][c]`.
    pub const fn weight(&self) -> &[[[[f32; CI]; K]; K]; CO] {
        &self.weight
    }

    /// The filters, mutable.
    pub fn weight_mut(&mut self) -> &mut [[[[f32; CI]; K]; K]; CO] {
        &mut self.weight
    }

    /// The biases, one per output channel.
    pub const fn bias(&self) -> &[f32; CO] {
        &self.bias
    }

    /// The biases, mutable.
    pub fn bias_mut(&mut self) -> &mut [f32; CO] {
        &mut self.bias
    }

    fn flat_weight(&self) -> &[f32] {
        self.weight.as_flattened().as_flattened().as_flattened()
    }

    fn flat_weight_mut(&mut self) -> &mut [f32] {
        self.weight.as_flattened_mut().as_flattened_mut().as_flattened_mut()
    }

    #[inline]
    fn run(&self, x: &[f32], y: &mut [f32]) {
        conv_forward(&Self::GEOMETRY, self.flat_weight(), &self.bias, x, y);
    }

    #[inline]
    fn grad(&self, x: &[f32], dy: &[f32], grads: &mut Self, dx: Option<&mut [f32]>) {
        let (w, g) = (self.flat_weight(), Self::GEOMETRY);
        let Self { weight, bias } = grads;
        let dw = weight.as_flattened_mut().as_flattened_mut().as_flattened_mut();
        conv_backward(&g, w, x, dy, dw, bias, dx);
    }
}

shaped_layer!(
    Conv2d<const H, const W, const CI, const CO, const K, const S, const P, const OH, const OW>,
    input = [[[f32; CI]; W]; H],
    output = [[[f32; CO]; OW]; OH],
    cache = input,
);

weighted!(
    Conv2d<const H, const W, const CI, const CO, const K, const S, const P, const OH, const OW>,
    rows = CO,
    cols = K * K * CI,
    sizes = [H, W, CI, CO, K, S, P],
);
