//! [`Dataset`]: samples and targets in caller memory, and [`evaluate`] over one.

use crate::loss::Loss;
use crate::metrics::{Label, correct_flat};
use crate::{Layer, Tensor};

/// Inputs and their targets, one sample each, in caller memory.
///
/// ```
/// use constnet::train::Dataset;
/// let xs = [[0.0, 1.0], [1.0, 0.0]];
/// let labels = [1usize, 0];
/// let data = Dataset::new(&xs, &labels);
/// assert_eq!(data.len(), 2);
/// assert_eq!(data.get(1), Some((&[1.0, 0.0], &0)));
/// ```
#[derive(Debug)]
pub struct Dataset<'a, X, T> {
    pub(super) inputs: &'a [X],
    pub(super) targets: &'a [T],
}

impl<X, T> Clone for Dataset<'_, X, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<X, T> Copy for Dataset<'_, X, T> {}

impl<'a, X, T> Dataset<'a, X, T> {
    /// Pairs `inputs[i]` with `targets[i]`.
    ///
    /// # Panics
    /// If the slices have different lengths.
    pub const fn new(inputs: &'a [X], targets: &'a [T]) -> Self {
        assert!(inputs.len() == targets.len(), "a data set needs one target per input");
        Self { inputs, targets }
    }

    /// Number of samples.
    pub const fn len(&self) -> usize {
        self.inputs.len()
    }

    /// True when there are no samples.
    pub const fn is_empty(&self) -> bool {
        self.inputs.is_empty()
    }

    /// The inputs.
    pub const fn inputs(&self) -> &'a [X] {
        self.inputs
    }

    /// The targets.
    pub const fn targets(&self) -> &'a [T] {
        self.targets
    }

    /// Sample `i` and its target.
    pub fn get(&self, i: usize) -> Option<(&'a X, &'a T)> {
        Some((self.inputs.get(i)?, self.targets.get(i)?))
    }
}

/// Mean loss and accuracy over some samples.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Metrics {
    /// Mean loss per sample (0 when `samples` is 0).
    pub loss: f32,
    /// Fraction of samples whose predicted class equals the target's class
    /// (see [`crate::metrics::class_of`]; 0 when `samples` is 0).
    pub accuracy: f32,
    /// Number of samples measured.
    pub samples: usize,
}

impl Metrics {
    pub(super) fn from_sums(loss_sum: f64, correct: usize, samples: usize) -> Self {
        if samples == 0 {
            return Self::default();
        }
        Self {
            loss: (loss_sum / samples as f64) as f32,
            accuracy: (correct as f64 / samples as f64) as f32,
            samples,
        }
    }
}

/// Loss and accuracy of `model` on every sample of `data`, one sample at a
/// time (no training cache, no gradient).
///
/// ```
/// use constnet::{loss::SoftmaxCrossEntropy, train::{evaluate, Dataset}, Dense};
/// let net = Dense::<1, 2>::new([[1.0], [-1.0]], [0.0; 2]); // class 0 for x > 0
/// let m = evaluate(&net, &SoftmaxCrossEntropy, Dataset::new(&[[1.0], [-1.0], [2.0]], &[0usize, 1, 1]));
/// assert_eq!((m.samples, m.accuracy), (3, 2.0 / 3.0));
/// ```
pub fn evaluate<M, X, T, L>(model: &M, loss: &L, data: Dataset<'_, X, T>) -> Metrics
where
    M: Layer<X>,
    M::Output: Tensor,
    L: Loss<M::Output, T>,
    T: Label,
{
    let (mut loss_sum, mut correct) = (0.0f64, 0usize);
    for (x, t) in data.inputs.iter().zip(data.targets) {
        let y = model.forward(x);
        loss_sum += loss.loss(&y, t) as f64;
        correct += correct_flat(y.flat(), M::Output::COLS, core::slice::from_ref(t));
    }
    Metrics::from_sums(loss_sum, correct, data.len())
}
