//! [`Softmax`]: turns each sample's scores into probabilities.

use crate::{Backprop, Layer, Tensor, Zeros, math};

/// Softmax over each sample (each row of a batch): `y_i = e^{x_i} / Σ_j e^{x_j}`.
///
/// The maximum is subtracted first, so large logits do not overflow. For
/// training a classifier prefer an [`Identity`](crate::Identity) output with
/// [`SoftmaxCrossEntropy`](crate::loss::SoftmaxCrossEntropy): same result,
/// cheaper and better conditioned gradient (`ŷ - y`).
///
/// ```
/// use constnet::{Layer, Softmax};
/// let p = Softmax.forward(&[[0.0, 0.0], [1.0, 1.0]]);
/// assert_eq!(p, [[0.5, 0.5], [0.5, 0.5]]);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Softmax;

impl Zeros for Softmax {
    fn zeros() -> Self {
        Softmax
    }
}

impl<X: Tensor> Layer<X> for Softmax {
    type Output = X;
    #[inline]
    fn forward(&self, x: &X) -> X {
        let mut y = x.clone();
        if X::COLS > 0 {
            y.flat_mut().chunks_exact_mut(X::COLS).for_each(math::softmax_in_place);
        }
        y
    }
}

impl<X: Tensor> Backprop<X> for Softmax {
    /// The output probabilities.
    type Cache = X;
    #[inline]
    fn forward_train(&self, x: &X, cache: &mut X) -> X {
        let y = self.forward(x);
        cache.clone_from(&y);
        y
    }
    /// `dx = y ⊙ (dy − ⟨dy, y⟩)` per sample.
    #[inline]
    fn backward(&self, cache: &X, d_out: &X, _: &mut Self) -> X {
        let mut dx = d_out.clone();
        if X::COLS > 0 {
            for (d, y) in dx.flat_mut().chunks_exact_mut(X::COLS).zip(cache.flat().chunks_exact(X::COLS)) {
                let s = math::dot(d, y);
                d.iter_mut().zip(y).for_each(|(di, yi)| *di = yi * (*di - s));
            }
        }
        dx
    }
}

crate::layers::no_params!(Softmax);
