//! [`Conv1d`]: a 1-D convolution over channels-last sequences.

use super::impls::{shaped_layer, weighted};
use super::shape::fits;
use crate::math::conv::{Geometry, MAX_PATCH, conv_backward, conv_forward};

/// A 1-D convolution with `CI` input and `CO` output channels, kernel `K`,
/// stride `S` and `P` zeros of padding at both ends, over sequences of `L`
/// steps giving `OL` steps:
///
/// `y[t][o] = b[o] + Σ_{k,c} W[o][k][c] · x[t·S + k − P][c]`
///
/// A sequence is `[[f32; C]; L]` (channels last: one row per time step, e.g.
/// the three axes of an accelerometer); a batch is `[[[f32; C]; L]; B]`.
/// Weights are `[[[f32; CI]; K]; CO]`. It runs the same im2col + dense
/// kernels as [`Conv2d`](crate::layers::Conv2d) (a 1×`K` kernel); sizes and
/// checks likewise, so write the type with [`layers!`](crate::layers!).
/// Memory: `4·(CO·K·CI + CO)` bytes.
///
/// ```
/// use constnet::{layers, Layer};
/// type Diff = layers![input [5, 1] => Conv1d(1, 2)];
/// let mut conv = Diff::zeros();
/// conv.weight_mut()[0] = [[-1.0], [1.0]]; // x[t + 1] − x[t]
/// assert_eq!(conv.forward(&[[1.0], [3.0], [6.0], [10.0], [15.0]]), [[2.0], [3.0], [4.0], [5.0]]);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Conv1d<
    const L: usize,
    const CI: usize,
    const CO: usize,
    const K: usize,
    const S: usize,
    const P: usize,
    const OL: usize,
> {
    weight: [[[f32; CI]; K]; CO],
    bias: [f32; CO],
}

impl<
    const L: usize,
    const CI: usize,
    const CO: usize,
    const K: usize,
    const S: usize,
    const P: usize,
    const OL: usize,
> Conv1d<L, CI, CO, K, S, P, OL>
{
    const GEOMETRY: Geometry = {
        assert!(
            fits(L, K, S, P, OL),
            "Conv1d<L, CI, CO, K, S, P, OL>: OL must be (L + 2P - K) / S + 1 (the kernel must fit the padded \
             input); write the type with constnet::layers!"
        );
        assert!(CI > 0 && CO > 0, "Conv1d: the channel counts CI and CO must be at least 1");
        assert!(K * CI <= MAX_PATCH, "Conv1d: the patch K * CI is larger than math::MAX_PATCH (4096)");
        Geometry { h: 1, w: L, c_in: CI, kh: 1, kw: K, stride: S, pad_h: 0, pad_w: P, oh: 1, ow: OL }
    };

    /// Builds a layer from its filters (`weight[o][k][c]`) and biases.
    pub const fn new(weight: [[[f32; CI]; K]; CO], bias: [f32; CO]) -> Self {
        Self { weight, bias }
    }

    /// A layer with all weights and biases zero (also a fresh gradient).
    pub const fn zeros() -> Self {
        Self { weight: [[[0.0; CI]; K]; CO], bias: [0.0; CO] }
    }

    /// The filters, `[o][k][c]`.
    pub const fn weight(&self) -> &[[[f32; CI]; K]; CO] {
        &self.weight
    }

    /// The filters, mutable.
    pub fn weight_mut(&mut self) -> &mut [[[f32; CI]; K]; CO] {
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
        self.weight.as_flattened().as_flattened()
    }

    fn flat_weight_mut(&mut self) -> &mut [f32] {
        self.weight.as_flattened_mut().as_flattened_mut()
    }

    #[inline]
    fn run(&self, x: &[f32], y: &mut [f32]) {
        conv_forward(&Self::GEOMETRY, self.flat_weight(), &self.bias, x, y);
    }

    #[inline]
    fn grad(&self, x: &[f32], dy: &[f32], grads: &mut Self, dx: Option<&mut [f32]>) {
        let (w, g) = (self.flat_weight(), Self::GEOMETRY);
        let Self { weight, bias } = grads;
        conv_backward(&g, w, x, dy, weight.as_flattened_mut().as_flattened_mut(), bias, dx);
    }
}

shaped_layer!(
    Conv1d<const L, const CI, const CO, const K, const S, const P, const OL>,
    input = [[f32; CI]; L],
    output = [[f32; CO]; OL],
    cache = input,
);

weighted!(
    Conv1d<const L, const CI, const CO, const K, const S, const P, const OL>,
    rows = CO,
    cols = K * CI,
    sizes = [L, CI, CO, K, S, P],
);
