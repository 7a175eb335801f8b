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
        }
        impl<const N: usize, const B: usize> $crate::loss::Loss<[[f32; N]; B], [[f32; N]; B]> for $name {
            #[inline]
            fn loss_grad(&self, y: &[[f32; N]; B], t: &[[f32; N]; B]) -> (f32, [[f32; N]; B]) {
                $crate::loss::batch_mean(y, |k, yr, g, s| {
                    $crate::loss::RowLoss::row_dense(self, yr, &t[k], Some(g), s)
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
        }
        impl<const N: usize, const B: usize> $crate::loss::Loss<[[f32; N]; B], [usize; B]> for $name {
            #[inline]
            fn loss_grad(&self, y: &[[f32; N]; B], t: &[usize; B]) -> (f32, [[f32; N]; B]) {
                $crate::loss::batch_mean(y, |k, yr, g, s| {
                    $crate::loss::RowLossSparse::row_sparse(self, yr, t[k], Some(g), s)
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
