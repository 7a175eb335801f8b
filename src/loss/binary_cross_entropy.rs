//! Binary cross-entropy on probabilities.

use super::{RowLoss, clip_prob, dense_target_impls};
use crate::scalar;

/// Binary cross-entropy for independent sigmoid outputs, averaged over the
/// outputs: `−mean(t·ln y + (1 − t)·ln(1 − y))`, with `y` clipped to
/// [`PROB_CLIP`](super::PROB_CLIP) as NNFS does. Gradient
/// `−(t/y − (1 − t)/(1 − y)) / n`.
///
/// ```
/// use constnet::loss::{BinaryCrossEntropy, Loss};
/// let l = BinaryCrossEntropy.loss(&[0.5, 0.5], &[1.0, 0.0]);
/// assert!((l - core::f32::consts::LN_2).abs() < 1e-6);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BinaryCrossEntropy;

impl RowLoss for BinaryCrossEntropy {
    #[inline]
    fn row_dense(&self, y: &[f32], t: &[f32], grad: Option<&mut [f32]>, scale: f32) -> f32 {
        let inv_n = 1.0 / y.len().max(1) as f32;
        let mut loss = 0.0;
        for (yi, ti) in y.iter().zip(t) {
            let p = clip_prob(*yi);
            loss -= ti * scalar::ln(p) + (1.0 - ti) * scalar::ln(1.0 - p);
        }
        if let Some(g) = grad {
            for ((gi, yi), ti) in g.iter_mut().zip(y).zip(t) {
                let p = clip_prob(*yi);
                *gi = -scale * inv_n * (ti / p - (1.0 - ti) / (1.0 - p));
            }
        }
        loss * inv_n
    }
}

dense_target_impls!(BinaryCrossEntropy);
