//! Classification metrics for single samples and batches: predicted class,
//! correct counts, accuracy and a confusion matrix. No heap; the confusion
//! matrix is a `[[u32; K]; K]`.
//!
//! A row of scores (logits or probabilities) predicts the index of its
//! largest value; a row of width 1 is a binary probability and predicts
//! class 1 when it is at least 0.5 (see [`class_of`]). Targets are class
//! indices (`usize`) or score-like rows (one-hot, or a width-1 probability),
//! through the [`Label`] trait.
//!
//! ```
//! use constnet::metrics::{accuracy, predict, predict_batch, Confusion};
//! assert_eq!(predict(&[0.1, 0.9]), 1);
//! let scores = [[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]];
//! assert_eq!(predict_batch(&scores), [0, 1, 0]);
//! assert_eq!(accuracy(&scores, &[0, 1, 1]), 2.0 / 3.0);
//!
//! let mut confusion = Confusion::<2>::new();
//! confusion.add_batch(&scores, &[0, 1, 1]);
//! assert_eq!(confusion.count(1, 0), 1); // one class-1 sample predicted as 0
//! assert_eq!(confusion.recall(1), 0.5);
//! ```

use crate::math::argmax;
use core::fmt;

/// The class a row of scores predicts: the index of the largest value (first
/// on ties, NaN never wins), or for a single score `p`, `1` if `p ≥ 0.5` else
/// `0` (a sigmoid output).
///
/// ```
/// use constnet::metrics::class_of;
/// assert_eq!(class_of(&[0.2, 0.5, 0.3]), 1);
/// assert_eq!((class_of(&[0.7]), class_of(&[0.2])), (1, 0));
/// ```
#[inline]
pub fn class_of(scores: &[f32]) -> usize {
    match scores {
        [p] => usize::from(*p >= 0.5),
        _ => argmax(scores),
    }
}

/// The predicted class of one sample's scores ([`class_of`]).
#[inline]
pub fn predict<const N: usize>(scores: &[f32; N]) -> usize {
    class_of(scores)
}

/// The predicted class of each row of a batch.
#[inline]
pub fn predict_batch<const N: usize, const B: usize>(scores: &[[f32; N]; B]) -> [usize; B] {
    core::array::from_fn(|k| class_of(&scores[k]))
}

/// A target that names a class: a class index, or a row of target scores
/// (one-hot, or a width-1 probability) read with [`class_of`].
///
/// ```
/// use constnet::metrics::Label;
/// assert_eq!(2usize.class(), 2);
/// assert_eq!([0.0, 0.0, 1.0].class(), 2);
/// assert_eq!([1.0].class(), 1);
/// ```
pub trait Label {
    /// The class this target names.
    fn class(&self) -> usize;
}

impl Label for usize {
    #[inline]
    fn class(&self) -> usize {
        *self
    }
}

impl<const K: usize> Label for [f32; K] {
    #[inline]
    fn class(&self) -> usize {
        class_of(self)
    }
}

/// How many rows' predicted classes equal their labels.
pub fn correct<const N: usize, T: Label>(scores: &[[f32; N]], labels: &[T]) -> usize {
    scores.iter().zip(labels).filter(|(s, l)| class_of(&s[..]) == l.class()).count()
}

/// How many rows of a flat row-major score slice (`cols` values per row)
/// predict their label. The shape-free form [`correct`] and the training loop
/// use.
///
/// ```
/// use constnet::metrics::correct_flat;
/// assert_eq!(correct_flat(&[0.9, 0.1, 0.3, 0.7], 2, &[0usize, 0]), 1);
/// ```
pub fn correct_flat<T: Label>(scores: &[f32], cols: usize, labels: &[T]) -> usize {
    if cols == 0 {
        return 0;
    }
    scores.chunks_exact(cols).zip(labels).filter(|(s, l)| class_of(s) == l.class()).count()
}

/// Fraction of rows whose predicted class equals the label (0 when empty).
pub fn accuracy<const N: usize, T: Label>(scores: &[[f32; N]], labels: &[T]) -> f32 {
    let n = scores.len().min(labels.len());
    if n == 0 { 0.0 } else { correct(scores, labels) as f32 / n as f32 }
}

/// A `K × K` confusion matrix: `count(actual, predicted)` samples.
///
/// Memory: `4·K²` bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Confusion<const K: usize> {
    counts: [[u32; K]; K],
}

impl<const K: usize> Confusion<K> {
    /// An empty matrix.
    pub const fn new() -> Self {
        Self { counts: [[0; K]; K] }
    }

    /// Counts one sample; returns `false` (and counts nothing) if either class
    /// is out of range.
    pub fn add(&mut self, actual: usize, predicted: usize) -> bool {
        match self.counts.get_mut(actual).and_then(|row| row.get_mut(predicted)) {
            Some(c) => {
                *c = c.saturating_add(1);
                true
            }
            None => false,
        }
    }

    /// Counts one sample from its scores and target.
    pub fn add_scores<T: Label>(&mut self, scores: &[f32], target: &T) -> bool {
        self.add(target.class(), class_of(scores))
    }

    /// Counts every row of a batch (or any slice of rows).
    pub fn add_batch<const N: usize, T: Label>(&mut self, scores: &[[f32; N]], targets: &[T]) {
        for (s, t) in scores.iter().zip(targets) {
            self.add_scores(s, t);
        }
    }

    /// Samples of class `actual` predicted as `predicted` (0 out of range).
    pub fn count(&self, actual: usize, predicted: usize) -> u32 {
        self.counts.get(actual).and_then(|r| r.get(predicted)).copied().unwrap_or(0)
    }

    /// The counts, one row per actual class.
    pub const fn counts(&self) -> &[[u32; K]; K] {
        &self.counts
    }

    /// All samples counted.
    pub fn total(&self) -> u32 {
        self.counts.iter().flatten().sum()
    }

    /// Samples on the diagonal.
    pub fn correct(&self) -> u32 {
        (0..K).map(|c| self.counts[c][c]).sum()
    }

    /// `correct / total` (0 when empty).
    pub fn accuracy(&self) -> f32 {
        ratio(self.correct(), self.total())
    }

    /// Of the samples of class `c`, the fraction predicted as `c` (0 when none).
    pub fn recall(&self, c: usize) -> f32 {
        let row: u32 = self.counts.get(c).map_or(0, |r| r.iter().sum());
        ratio(self.count(c, c), row)
    }

    /// Of the samples predicted as `c`, the fraction that are `c` (0 when none).
    pub fn precision(&self, c: usize) -> f32 {
        let col: u32 = self.counts.iter().map(|r| r.get(c).copied().unwrap_or(0)).sum();
        ratio(self.count(c, c), col)
    }

    /// Resets every count to zero.
    pub fn clear(&mut self) {
        self.counts = [[0; K]; K];
    }
}

impl<const K: usize> Default for Confusion<K> {
    fn default() -> Self {
        Self::new()
    }
}

/// One row per actual class, one column per predicted class.
impl<const K: usize> fmt::Display for Confusion<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "actual\\predicted")?;
        for c in 0..K {
            write!(f, " {c:>6}")?;
        }
        for (a, row) in self.counts.iter().enumerate() {
            write!(f, "\n{a:>16}")?;
            for n in row {
                write!(f, " {n:>6}")?;
            }
        }
        Ok(())
    }
}

fn ratio(a: u32, b: u32) -> f32 {
    if b == 0 { 0.0 } else { a as f32 / b as f32 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::ToString;

    #[test]
    fn confusion_counts_and_rates() {
        let mut c = Confusion::<3>::new();
        let scores = [[0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8], [0.7, 0.2, 0.1], [0.2, 0.7, 0.1]];
        c.add_batch(&scores, &[0usize, 1, 2, 2, 0]);
        assert_eq!(c.total(), 5);
        assert_eq!(c.correct(), 3);
        assert_eq!(c.accuracy(), 0.6);
        assert_eq!(c.count(2, 0), 1);
        assert_eq!(c.recall(2), 0.5);
        assert_eq!(c.precision(0), 0.5);
        assert_eq!(c.precision(1), 0.5);
        assert!(!c.add(3, 0));
        assert_eq!(c.count(7, 7), 0);
        assert!(c.to_string().contains("actual"));
        c.clear();
        assert_eq!(c.total(), 0);
        assert_eq!(c.accuracy(), 0.0);
    }

    #[test]
    fn one_hot_and_binary_targets() {
        let scores = [[0.1, 0.9], [0.6, 0.4]];
        assert_eq!(correct(&scores, &[[0.0, 1.0], [0.0, 1.0]]), 1);
        assert_eq!(correct(&[[0.9], [0.1], [0.5]], &[[1.0], [0.0], [0.0]]), 2);
        assert_eq!(correct_flat(&[1.0, 2.0, 3.0], 0, &[0usize]), 0);
        assert_eq!(accuracy::<2, usize>(&[], &[]), 0.0);
    }
}
