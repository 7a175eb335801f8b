//! [`Dropout`]: inverted dropout for training, the identity for inference.

use crate::{Backprop, Layer, Params, Tensor, TensorKind, TensorShape, Zeros};

/// Inverted dropout with a rate of `PERCENT`%: during training
/// ([`Backprop::forward_train`]) each value is zeroed with probability
/// `PERCENT / 100` and the others are scaled by `100 / (100 − PERCENT)`, so
/// the expected output is the input; inference ([`Layer::forward`]) passes
/// values through unchanged. The rate is part of the type, so the layer is
/// zero bytes and `Zeros`/`Default` build it as written.
///
/// No heap and no random-number generator to carry: the masks come from a
/// counter kept in the layer's training cache ([`DropoutCache`]), hashed
/// with each value's index and the layer's width (SplitMix64), so training is
/// deterministic and the same on every target. Two dropout layers of the
/// same width in one network draw the same sequence of masks.
///
/// ```
/// use constnet::{Backprop, Dropout, Layer, Zeros};
/// let drop = Dropout::<50>;
/// let x = [1.0f32; 1000];
/// assert_eq!(drop.forward(&x), x); // inference: identity
/// let mut cache = Zeros::zeros();
/// let y = drop.forward_train(&x, &mut cache);
/// let kept = y.iter().filter(|&&v| v == 2.0).count();
/// assert!(y.iter().all(|&v| v == 0.0 || v == 2.0));
/// assert!((450..550).contains(&kept));
/// // The backward pass routes the gradient through the same mask.
/// let dx = drop.backward(&cache, &[1.0; 1000], &mut Dropout);
/// assert_eq!(dx, y);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Dropout<const PERCENT: u8>;

/// What [`Dropout`] keeps between its training forward and backward passes:
/// the scale applied to each value (0 or `100 / (100 − PERCENT)`) and the
/// number of training passes so far, which seeds the next mask.
#[derive(Clone, Debug, PartialEq)]
pub struct DropoutCache<X> {
    /// Per-value scale of the last training pass.
    pub mask: X,
    /// Training passes so far.
    pub step: u64,
}

impl<X: Zeros> Zeros for DropoutCache<X> {
    fn zeros() -> Self {
        Self { mask: X::zeros(), step: 0 }
    }
}

/// SplitMix64's output function.
const fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl<const PERCENT: u8> Dropout<PERCENT> {
    const CHECK: () = assert!(PERCENT < 100, "Dropout<PERCENT>: the rate must be below 100%");

    /// The dropout probability, `PERCENT / 100`.
    pub const fn rate(&self) -> f32 {
        PERCENT as f32 / 100.0
    }
}

impl<const PERCENT: u8> Zeros for Dropout<PERCENT> {
    fn zeros() -> Self {
        Dropout
    }
}

impl<X: Tensor, const PERCENT: u8> Layer<X> for Dropout<PERCENT> {
    type Output = X;
    #[inline]
    fn forward(&self, x: &X) -> X {
        x.clone()
    }
}

impl<X: Tensor, const PERCENT: u8> Backprop<X> for Dropout<PERCENT> {
    type Cache = DropoutCache<X>;
    fn forward_train(&self, x: &X, cache: &mut DropoutCache<X>) -> X {
        let () = Self::CHECK;
        let (scale, threshold) = (100.0 / (100.0 - PERCENT as f32), (PERCENT as u64) << 32);
        cache.step = cache.step.wrapping_add(1);
        let seed = mix(cache.step ^ mix((X::ROWS * X::COLS) as u64));
        let mut y = x.clone();
        for (i, (m, v)) in cache.mask.flat_mut().iter_mut().zip(y.flat_mut()).enumerate() {
            // The top 32 bits, times 100, below PERCENT · 2³² with probability PERCENT / 100.
            let keep = (mix(seed ^ i as u64) >> 32) * 100 >= threshold;
            *m = if keep { scale } else { 0.0 };
            *v *= *m;
        }
        y
    }
    fn backward(&self, cache: &DropoutCache<X>, d_out: &X, _: &mut Self) -> X {
        let mut dx = d_out.clone();
        dx.flat_mut().iter_mut().zip(cache.mask.flat()).for_each(|(d, m)| *d *= m);
        dx
    }
}

impl<const PERCENT: u8> Params for Dropout<PERCENT> {
    const TENSORS: usize = 0;
    const PARAMS: usize = 0;
    const FINGERPRINT: u64 = crate::layers::conv::impls::fingerprint("Dropout", &[PERCENT as u64]);
    fn shape(_: usize) -> TensorShape {
        TensorShape { kind: TensorKind::Bias, rows: 0, cols: 0 }
    }
    fn tensor(&self, _: usize) -> &[f32] {
        &[]
    }
    fn tensor_mut(&mut self, _: usize) -> &mut [f32] {
        &mut []
    }
}
