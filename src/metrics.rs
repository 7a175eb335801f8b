//! Classification metrics for single samples and batches.
//!
//! ```
//! use constnet::metrics::{accuracy, predict};
//! assert_eq!(predict(&[0.1, 0.9]), 1);
//! assert_eq!(accuracy(&[[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]], &[0, 1, 1]), 2.0 / 3.0);
//! ```

use crate::math::argmax;

/// The predicted class of one sample's scores (the index of the largest).
#[inline]
pub fn predict<const N: usize>(scores: &[f32; N]) -> usize {
    argmax(scores)
}

/// How many rows' predicted classes equal their labels.
pub fn correct<const N: usize>(scores: &[[f32; N]], labels: &[usize]) -> usize {
    scores.iter().zip(labels).filter(|(s, l)| argmax(&s[..]) == **l).count()
}

/// Fraction of rows whose predicted class equals the label (0 when empty).
pub fn accuracy<const N: usize>(scores: &[[f32; N]], labels: &[usize]) -> f32 {
    let n = scores.len().min(labels.len());
    if n == 0 { 0.0 } else { correct(scores, labels) as f32 / n as f32 }
}
