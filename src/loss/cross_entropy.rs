//! Categorical cross-entropy on probabilities.

use super::{RowLoss, RowLossSparse, clip_prob, dense_target_impls, sparse_target_impls};
use crate::scalar;

/// Categorical cross-entropy on probabilities (e.g. after [`Softmax`](crate::Softmax)):
/// `−Σ tᵢ·ln(clip(yᵢ))`, probabilities clipped to [`PROB_CLIP`](super::PROB_CLIP)
/// `= [1e-7, 1 − 1e-7]` as NNFS does; gradient `−tᵢ / clip(yᵢ)`.
///
/// Targets: a class index (`usize`, or `[usize; B]` for a batch) or one-hot
/// vectors.
///
/// ```
/// use constnet::loss::{CrossEntropy, Loss};
/// let l = CrossEntropy.loss(&[0.7, 0.1, 0.2], &0usize);
/// assert!((l + 0.7f32.ln()).abs() < 1e-6);
/// assert_eq!(l, CrossEntropy.loss(&[0.7, 0.1, 0.2], &[1.0, 0.0, 0.0]));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CrossEntropy;

impl RowLoss for CrossEntropy {
    #[inline]
    fn row_dense(&self, y: &[f32], t: &[f32], grad: Option<&mut [f32]>, scale: f32) -> f32 {
        let mut loss = 0.0;
        for (yi, ti) in y.iter().zip(t) {
            if *ti != 0.0 {
                loss -= ti * scalar::ln(clip_prob(*yi));
            }
        }
        if let Some(g) = grad {
            for ((gi, yi), ti) in g.iter_mut().zip(y).zip(t) {
                *gi = -scale * ti / clip_prob(*yi);
            }
        }
        loss
    }
}

impl RowLossSparse for CrossEntropy {
    #[inline]
    fn row_sparse(&self, y: &[f32], label: usize, grad: Option<&mut [f32]>, scale: f32) -> f32 {
        let Some(&p) = y.get(label) else {
            return f32::NAN;
        };
        let p = clip_prob(p);
        if let Some(g) = grad {
            g.fill(0.0);
            g[label] = -scale / p;
        }
        -scalar::ln(p)
    }
}

dense_target_impls!(CrossEntropy);
sparse_target_impls!(CrossEntropy);
