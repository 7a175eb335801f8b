//! Softmax and cross-entropy fused, on logits.

use super::{RowLoss, RowLossSparse, dense_target_impls, sparse_target_impls};
use crate::{math, scalar};

/// Softmax followed by cross-entropy, computed from the logits `z` in one
/// stable pass: `Σ tᵢ·(logsumexp(z) − zᵢ)`, gradient `softmax(z)·Σt − t`,
/// which is NNFS's fast combined gradient `ŷ − y` for one-hot targets.
///
/// Use it with a linear output layer (no [`Softmax`](crate::Softmax) in the
/// network). No clipping is needed: the log-sum-exp form never takes the log
/// of zero.
///
/// ```
/// use constnet::loss::{Loss, SoftmaxCrossEntropy};
/// let (l, g) = SoftmaxCrossEntropy.loss_grad(&[[2.0, 0.0], [0.0, 0.0]], &[0, 1]);
/// assert!(l > 0.0 && g[1] == [0.25, -0.25]); // ŷ − y, divided by B = 2
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SoftmaxCrossEntropy;

/// `max(z)` and `ln Σ e^{z − max}`.
fn log_sum_exp(z: &[f32]) -> f32 {
    let max = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let sum: f32 = z.iter().map(|&v| scalar::exp(v - max)).sum();
    max + scalar::ln(sum)
}

impl RowLoss for SoftmaxCrossEntropy {
    #[inline]
    fn row_dense(&self, z: &[f32], t: &[f32], grad: Option<&mut [f32]>, scale: f32) -> f32 {
        let lse = log_sum_exp(z);
        let mut loss = 0.0;
        let mut t_sum = 0.0;
        for (zi, ti) in z.iter().zip(t) {
            loss += ti * (lse - zi);
            t_sum += ti;
        }
        if let Some(g) = grad {
            g.copy_from_slice(z);
            math::softmax_in_place(g);
            for (gi, ti) in g.iter_mut().zip(t) {
                *gi = scale * (*gi * t_sum - ti);
            }
        }
        loss
    }
}

impl RowLossSparse for SoftmaxCrossEntropy {
    #[inline]
    fn row_sparse(&self, z: &[f32], label: usize, grad: Option<&mut [f32]>, scale: f32) -> f32 {
        let Some(&z_label) = z.get(label) else {
            return f32::NAN;
        };
        if let Some(g) = grad {
            g.copy_from_slice(z);
            math::softmax_in_place(g);
            g[label] -= 1.0;
            g.iter_mut().for_each(|v| *v *= scale);
        }
        log_sum_exp(z) - z_label
    }
}

dense_target_impls!(SoftmaxCrossEntropy);
sparse_target_impls!(SoftmaxCrossEntropy);
