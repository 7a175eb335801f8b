//! Losses: a value and its gradient with respect to the predictions, in one
//! pass.
//!
//! | loss | predictions | targets | per-sample value |
//! |---|---|---|---|
//! | [`Mse`] | any | same shape | mean (or ½·sum) of squared errors |
//! | [`CrossEntropy`] | probabilities | class index `usize` or one-hot | `−Σ t·ln(clip(y))` |
//! | [`SoftmaxCrossEntropy`] | logits | class index `usize` or one-hot | `−Σ t·ln(softmax(z))` |
//! | [`BinaryCrossEntropy`] | probabilities | same shape, in [0, 1] | mean over outputs |
//!
//! A batch `[[f32; N]; B]` takes a batch of targets (`[[f32; N]; B]` or
//! `[usize; B]`); its loss is the **mean over samples**, and the gradient is
//! divided by `B` accordingly, so learning rates do not depend on batch size.
//!
//! A class index out of range gives a NaN loss (and a zero gradient for that
//! sample), which the training loop reports as non-finite instead of training
//! on it.
//!
//! ```
//! use constnet::loss::{Loss, SoftmaxCrossEntropy};
//! let (loss, grad) = SoftmaxCrossEntropy.loss_grad(&[0.0, 0.0], &1usize);
//! assert!((loss - core::f32::consts::LN_2).abs() < 1e-6);
//! assert_eq!(grad, [0.5, -0.5]); // softmax(z) − one_hot
//! ```

mod binary_cross_entropy;
mod cross_entropy;
mod mse;
mod softmax_cross_entropy;

pub use binary_cross_entropy::BinaryCrossEntropy;
pub use cross_entropy::CrossEntropy;
pub use mse::{Mse, MseReduction};
pub use softmax_cross_entropy::SoftmaxCrossEntropy;

use crate::Tensor;

/// A loss comparing predictions `Y` with targets `T`.
///
/// # Implementing this trait
/// Only [`loss_grad`](Loss::loss_grad) is required. The provided
/// [`loss`](Loss::loss) calls it and drops the gradient; override it when the
/// value alone is cheaper.
#[diagnostic::on_unimplemented(
    message = "loss `{Self}` cannot compare predictions `{Y}` with targets `{T}`",
    label = "targets `{T}` do not fit predictions `{Y}`",
    note = "targets must have the predictions' shape (or be class indices `usize` / `[usize; B]` for the cross-entropy losses)"
)]
pub trait Loss<Y, T> {
    /// The loss value and dL/dY.
    fn loss_grad(&self, y: &Y, target: &T) -> (f32, Y);

    /// The loss value alone.
    fn loss(&self, y: &Y, target: &T) -> f32 {
        self.loss_grad(y, target).0
    }
}

/// One sample's loss: the building block each loss implements once, on slices.
///
/// `grad`, when given, receives `scale · ∂loss/∂y` (it is overwritten).
pub(crate) trait RowLoss {
    fn row_dense(&self, y: &[f32], t: &[f32], grad: Option<&mut [f32]>, scale: f32) -> f32;
}

/// A row loss that also takes a class index as target.
pub(crate) trait RowLossSparse: RowLoss {
    fn row_sparse(&self, y: &[f32], label: usize, grad: Option<&mut [f32]>, scale: f32) -> f32;
}

/// Mean over the rows of `y` of a row loss, and its gradient.
#[inline]
fn batch_mean<Y: Tensor, F>(y: &Y, mut row: F) -> (f32, Y)
where
    F: FnMut(usize, &[f32], &mut [f32], f32) -> f32,
{
    let mut grad = Y::zeros();
    let rows = Y::ROWS;
    let scale = 1.0 / rows as f32;
    let mut total = 0.0;
    if Y::COLS > 0 {
        for (k, (yr, gr)) in
            y.flat().chunks_exact(Y::COLS).zip(grad.flat_mut().chunks_exact_mut(Y::COLS)).enumerate()
        {
            total += row(k, yr, gr, scale);
        }
    }
    (total * scale, grad)
}

/// Mean over the rows of `y` of a row loss, value only.
#[inline]
fn batch_value<Y: Tensor, F>(y: &Y, mut row: F) -> f32
where
    F: FnMut(usize, &[f32]) -> f32,
{
    if Y::COLS == 0 {
        return 0.0;
    }
    let total: f32 = y.flat().chunks_exact(Y::COLS).enumerate().map(|(k, yr)| row(k, yr)).sum();
    total / Y::ROWS as f32
}

/// Implements `Loss` for one sample and for batches with dense targets.
macro_rules! dense_target_impls {
    ($name:ty) => {
        impl<const N: usize> $crate::loss::Loss<[f32; N], [f32; N]> for $name {
            #[inline]
            fn loss_grad(&self, y: &[f32; N], t: &[f32; N]) -> (f32, [f32; N]) {
                $crate::loss::batch_mean(y, |_, yr, g, s| {
                    $crate::loss::RowLoss::row_dense(self, yr, t, Some(g), s)
                })
            }
            #[inline]
            fn loss(&self, y: &[f32; N], t: &[f32; N]) -> f32 {
                $crate::loss::batch_value(y, |_, yr| $crate::loss::RowLoss::row_dense(self, yr, t, None, 1.0))
            }
        }
        impl<const N: usize, const B: usize> $crate::loss::Loss<[[f32; N]; B], [[f32; N]; B]> for $name {
            #[inline]
            fn loss_grad(&self, y: &[[f32; N]; B], t: &[[f32; N]; B]) -> (f32, [[f32; N]; B]) {
                $crate::loss::batch_mean(y, |k, yr, g, s| {
                    $crate::loss::RowLoss::row_dense(self, yr, &t[k], Some(g), s)
                })
            }
            #[inline]
            fn loss(&self, y: &[[f32; N]; B], t: &[[f32; N]; B]) -> f32 {
                $crate::loss::batch_value(y, |k, yr| {
                    $crate::loss::RowLoss::row_dense(self, yr, &t[k], None, 1.0)
                })
            }
        }
    };
}

/// Implements `Loss` with class-index targets, for one sample and batches.
macro_rules! sparse_target_impls {
    ($name:ty) => {
        impl<const N: usize> $crate::loss::Loss<[f32; N], usize> for $name {
            #[inline]
            fn loss_grad(&self, y: &[f32; N], t: &usize) -> (f32, [f32; N]) {
                $crate::loss::batch_mean(y, |_, yr, g, s| {
                    $crate::loss::RowLossSparse::row_sparse(self, yr, *t, Some(g), s)
                })
            }
            #[inline]
            fn loss(&self, y: &[f32; N], t: &usize) -> f32 {
                $crate::loss::batch_value(y, |_, yr| {
                    $crate::loss::RowLossSparse::row_sparse(self, yr, *t, None, 1.0)
                })
            }
        }
        impl<const N: usize, const B: usize> $crate::loss::Loss<[[f32; N]; B], [usize; B]> for $name {
            #[inline]
            fn loss_grad(&self, y: &[[f32; N]; B], t: &[usize; B]) -> (f32, [[f32; N]; B]) {
                $crate::loss::batch_mean(y, |k, yr, g, s| {
                    $crate::loss::RowLossSparse::row_sparse(self, yr, t[k], Some(g), s)
                })
            }
            #[inline]
            fn loss(&self, y: &[[f32; N]; B], t: &[usize; B]) -> f32 {
                $crate::loss::batch_value(y, |k, yr| {
                    $crate::loss::RowLossSparse::row_sparse(self, yr, t[k], None, 1.0)
                })
            }
        }
    };
}

pub(crate) use {dense_target_impls, sparse_target_impls};

/// NNFS's clipping range for probabilities fed to a logarithm.
pub const PROB_CLIP: (f32, f32) = (1e-7, 1.0 - 1e-7);

#[inline]
pub(crate) fn clip_prob(p: f32) -> f32 {
    p.clamp(PROB_CLIP.0, PROB_CLIP.1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same<Y, T, L: Loss<Y, T>>(l: &L, y: &Y, t: &T) {
        let a = l.loss(y, t);
        let b = l.loss_grad(y, t).0;
        assert!((a - b).abs() <= 1e-6 * a.abs().max(1.0), "{a} vs {b}");
    }

    #[test]
    fn value_only_path_matches_value_and_gradient() {
        let y = [[0.2, 0.7, 0.1], [0.5, 0.25, 0.25]];
        let t = [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]];
        same(&Mse::MEAN, &y, &t);
        same(&Mse::HALF_SUM, &y[0], &t[0]);
        same(&CrossEntropy, &y, &[1usize, 0]);
        same(&CrossEntropy, &y, &t);
        same(&SoftmaxCrossEntropy, &y, &[2usize, 1]);
        same(&SoftmaxCrossEntropy, &y[1], &t[1]);
        same(&BinaryCrossEntropy, &y, &t);
    }

    #[test]
    fn bad_labels_give_nan_and_clipping_keeps_finite() {
        assert!(CrossEntropy.loss(&[0.5, 0.5], &2usize).is_nan());
        let (l, g) = SoftmaxCrossEntropy.loss_grad(&[[0.0, 1.0]], &[7usize]);
        assert!(l.is_nan() && g == [[0.0, 0.0]]);
        let (l, g) = CrossEntropy.loss_grad(&[0.0, 1.0], &0usize);
        assert!((l - 16.118_095).abs() < 1e-4, "{l}"); // −ln(1e-7)
        assert!(g[0].is_finite());
        assert!(BinaryCrossEntropy.loss(&[0.0, 1.0], &[1.0, 0.0]).is_finite());
    }

    #[test]
    fn batch_loss_is_mean_of_samples() {
        let y = [[1.0, 2.0], [3.0, 5.0]];
        let t = [[0.0, 0.0], [0.0, 0.0]];
        let (l, g) = Mse::MEAN.loss_grad(&y, &t);
        assert_eq!(l, ((1.0 + 4.0) / 2.0 + (9.0 + 25.0) / 2.0) / 2.0);
        assert_eq!(g, [[0.5, 1.0], [1.5, 2.5]]); // 2(y−t)/n / B
    }
}
