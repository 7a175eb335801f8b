//! Checking training data before it trains: [`DataError`], the [`Target`]
//! trait, and the checked entry points [`Trainer::fit_checked`] and
//! [`Trainer::online_step_checked`].
//!
//! The unchecked loop already refuses to apply a step whose loss or
//! gradient is not finite (a NaN input, an out-of-range label), but it
//! reports that as a [`Diverged`] loss, after the batches before it were
//! applied, and an empty data set or held-out set simply trains on nothing.
//! The checked forms look at every sample first and name the problem; on a
//! [`DataError`] the model and the optimizer state are untouched.

use super::epochs::{BatchOutput, Event, SampleOutput};
use super::{Dataset, Diverged, Epochs, FitReport, NonFiniteLoss, Trainer};
use crate::loss::Loss;
use crate::metrics::Label;
use crate::optim::Optimizer;
use crate::replay::Replay;
use crate::{Backprop, Layer, Params, Tensor};
use core::fmt;
use core::ops::ControlFlow;
use rand_core::RngCore;

/// Which samples a [`DataError`] is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Split {
    /// The training set.
    Train,
    /// The held-out set.
    HeldOut,
    /// A sample given to [`Trainer::online_step_checked`] (index 0).
    Stream,
}

impl fmt::Display for Split {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Split::Train => "training set",
            Split::HeldOut => "held-out set",
            Split::Stream => "streamed sample",
        })
    }
}

/// What is wrong with a target ([`DataError::Target`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TargetProblem {
    /// A class index not below the number of classes (the model's outputs).
    Label {
        /// The label found.
        label: usize,
        /// The number of classes.
        classes: usize,
    },
    /// A target row holds a NaN or an infinity.
    NonFinite,
}

/// Training data that cannot be trained on; nothing was trained.
///
/// Non-exhaustive: later versions may check more.
///
/// ```
/// use constnet::train::{DataError, Split};
/// let e = DataError::Input { set: Split::Train, index: 3 };
/// assert_eq!(e.to_string(), "training set, sample 3: the input holds a NaN or an infinity");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DataError {
    /// The training set has no samples.
    EmptyTrainingSet,
    /// A held-out set was given but has no samples.
    EmptyHeldOut,
    /// A sample's input holds a NaN or an infinity.
    Input {
        /// Which set.
        set: Split,
        /// The sample's index in it.
        index: usize,
    },
    /// A sample's target is out of range or not finite.
    Target {
        /// Which set.
        set: Split,
        /// The sample's index in it.
        index: usize,
        /// What is wrong with it.
        problem: TargetProblem,
    },
    /// [`Dataset::try_new`]: not one target per input.
    Lengths {
        /// Inputs given.
        inputs: usize,
        /// Targets given.
        targets: usize,
    },
    /// [`Epochs::try_shuffle`]: the index buffer is shorter than the
    /// training set.
    ShuffleBuffer {
        /// Indices needed (training samples).
        needed: usize,
        /// Length of the buffer.
        got: usize,
    },
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            DataError::EmptyTrainingSet => write!(f, "the training set is empty"),
            DataError::EmptyHeldOut => write!(f, "the held-out set is empty"),
            DataError::Input { set, index } => {
                write!(f, "{set}, sample {index}: the input holds a NaN or an infinity")
            }
            DataError::Target { set, index, problem: TargetProblem::Label { label, classes } } => {
                write!(f, "{set}, sample {index}: label {label} is not below the {classes} classes")
            }
            DataError::Target { set, index, problem: TargetProblem::NonFinite } => {
                write!(f, "{set}, sample {index}: the target holds a NaN or an infinity")
            }
            DataError::Lengths { inputs, targets } => {
                write!(f, "a data set needs one target per input: {inputs} inputs, {targets} targets")
            }
            DataError::ShuffleBuffer { needed, got } => write!(
                f,
                "the shuffle's index buffer holds {got} indices, the training set has {needed} samples"
            ),
        }
    }
}

impl core::error::Error for DataError {}

/// Why checked training stopped: bad data (nothing was trained), or a
/// non-finite loss during training (see [`Diverged`], [`NonFiniteLoss`]).
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum TrainError {
    /// The data was refused before training; model and optimizer untouched.
    Data(DataError),
    /// [`Trainer::fit_checked`]: a batch's loss or gradient was not finite
    /// (the data was finite: e.g. a learning rate too high).
    Diverged(Diverged),
    /// [`Trainer::online_step_checked`]: the step's loss or gradient was not
    /// finite; model untouched.
    NonFiniteLoss(NonFiniteLoss),
}

impl fmt::Display for TrainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrainError::Data(e) => write!(f, "bad training data: {e}"),
            TrainError::Diverged(e) => e.fmt(f),
            TrainError::NonFiniteLoss(e) => e.fmt(f),
        }
    }
}

impl core::error::Error for TrainError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            TrainError::Data(e) => Some(e),
            TrainError::Diverged(e) => Some(e),
            TrainError::NonFiniteLoss(e) => Some(e),
        }
    }
}

impl From<DataError> for TrainError {
    fn from(e: DataError) -> Self {
        TrainError::Data(e)
    }
}

impl From<Diverged> for TrainError {
    fn from(e: Diverged) -> Self {
        TrainError::Diverged(e)
    }
}

impl From<NonFiniteLoss> for TrainError {
    fn from(e: NonFiniteLoss) -> Self {
        TrainError::NonFiniteLoss(e)
    }
}

/// A target the checked training entry points can validate: a class index
/// (`usize`) must be below the number of classes, a target row must be
/// finite.
pub trait Target {
    /// `Ok` when this target fits a model with `outputs` outputs per sample.
    ///
    /// # Errors
    /// What is wrong with it.
    fn validate(&self, outputs: usize) -> Result<(), TargetProblem>;
}

impl Target for usize {
    #[inline]
    fn validate(&self, outputs: usize) -> Result<(), TargetProblem> {
        if *self < outputs { Ok(()) } else { Err(TargetProblem::Label { label: *self, classes: outputs }) }
    }
}

impl<const K: usize> Target for [f32; K] {
    #[inline]
    fn validate(&self, _outputs: usize) -> Result<(), TargetProblem> {
        if crate::math::all_finite(self) { Ok(()) } else { Err(TargetProblem::NonFinite) }
    }
}

/// Checks one sample for a model with `outputs` outputs.
///
/// # Errors
/// [`DataError::Input`] for a non-finite input, [`DataError::Target`] for a
/// bad target, with `set` and `index` as given.
pub fn check_sample<S: Tensor, T: Target>(
    x: &S,
    t: &T,
    outputs: usize,
    set: Split,
    index: usize,
) -> Result<(), DataError> {
    if !crate::math::all_finite(x.flat()) {
        return Err(DataError::Input { set, index });
    }
    t.validate(outputs).map_err(|problem| DataError::Target { set, index, problem })
}

impl<'a, X, T> Dataset<'a, X, T> {
    /// [`Dataset::new`] without the panic: pairs `inputs[i]` with
    /// `targets[i]`.
    ///
    /// # Errors
    /// [`DataError::Lengths`] if the slices have different lengths.
    pub const fn try_new(inputs: &'a [X], targets: &'a [T]) -> Result<Self, DataError> {
        if inputs.len() != targets.len() {
            return Err(DataError::Lengths { inputs: inputs.len(), targets: targets.len() });
        }
        Ok(Self { inputs, targets })
    }

    /// Checks every sample for a model with `outputs` outputs per sample
    /// (finite inputs, labels below `outputs`, finite target rows); errors
    /// name `set` and the first bad sample. An empty set passes.
    ///
    /// ```
    /// use constnet::train::{DataError, Dataset, Split, TargetProblem};
    /// let data = Dataset::new(&[[0.5], [f32::NAN]], &[1usize, 0]);
    /// assert_eq!(data.check(Split::Train, 2), Err(DataError::Input { set: Split::Train, index: 1 }));
    /// let data = Dataset::new(&[[0.5], [0.0]], &[1usize, 2]);
    /// let problem = TargetProblem::Label { label: 2, classes: 2 };
    /// assert_eq!(data.check(Split::Train, 2), Err(DataError::Target { set: Split::Train, index: 1, problem }));
    /// ```
    ///
    /// # Errors
    /// [`DataError::Input`] or [`DataError::Target`] for the first bad sample.
    pub fn check(&self, set: Split, outputs: usize) -> Result<(), DataError>
    where
        X: Tensor,
        T: Target,
    {
        for (index, (x, t)) in self.inputs.iter().zip(self.targets).enumerate() {
            check_sample(x, t, outputs, set, index)?;
        }
        Ok(())
    }
}

impl<X: Tensor, T: Target> Epochs<'_, X, T> {
    /// Checks the plan for a model with `outputs` outputs per sample: a
    /// non-empty training set, a non-empty held-out set if one was given,
    /// and every sample of both ([`Dataset::check`]).
    ///
    /// # Errors
    /// The first problem found, training set first.
    pub fn check(&self, outputs: usize) -> Result<(), DataError> {
        let train = self.train_data();
        if train.is_empty() {
            return Err(DataError::EmptyTrainingSet);
        }
        if self.held_out_data().is_some_and(|d| d.is_empty()) {
            return Err(DataError::EmptyHeldOut);
        }
        train.check(Split::Train, outputs)?;
        if let Some(d) = self.held_out_data() {
            d.check(Split::HeldOut, outputs)?;
        }
        Ok(())
    }
}

impl<M, S, const B: usize> Trainer<M, [S; B]>
where
    M: Backprop<[S; B]> + Layer<S> + Params,
    S: Copy + Tensor,
    BatchOutput<M, S, B>: Tensor,
    SampleOutput<M, S>: Tensor,
{
    /// [`fit`](Self::fit) after checking the whole plan
    /// ([`Epochs::check`] against the model's outputs): an empty training
    /// or held-out set, a NaN or infinite input or target, or a label out of
    /// range is a [`TrainError::Data`] naming the set and sample, and then
    /// the model and the optimizer are untouched. A non-finite loss during
    /// training is [`TrainError::Diverged`], as [`fit`](Self::fit) reports it.
    ///
    /// The check reads every sample once before training (no allocation).
    ///
    /// ```
    /// use constnet::{prelude::*, train::{DataError, Dataset, Epochs, Split, TrainError, TargetProblem}};
    /// use core::ops::ControlFlow;
    /// let mut net = Dense::<2, 3>::zeros();
    /// let mut trainer = Trainer::<_, [[f32; 2]; 2]>::new();
    /// let (xs, labels) = ([[0.0, 1.0], [1.0, 0.0]], [0usize, 3]); // 3 is not a class of 3 outputs
    /// let plan = Epochs::new(Dataset::new(&xs, &labels), 10);
    /// let err = trainer
    ///     .fit_checked(&mut net, &mut Sgd::new(0.1), &SoftmaxCrossEntropy, plan, |_| ControlFlow::Continue(()))
    ///     .unwrap_err();
    /// let problem = TargetProblem::Label { label: 3, classes: 3 };
    /// assert_eq!(err, TrainError::Data(DataError::Target { set: Split::Train, index: 1, problem }));
    /// assert_eq!(net, Dense::zeros()); // untouched
    /// ```
    ///
    /// # Errors
    /// [`TrainError::Data`] before training, [`TrainError::Diverged`] during it.
    pub fn fit_checked<O, L, T, F>(
        &mut self,
        model: &mut M,
        opt: &mut O,
        loss: &L,
        plan: Epochs<'_, S, T>,
        on_event: F,
    ) -> Result<FitReport, TrainError>
    where
        O: Optimizer<M>,
        L: Loss<BatchOutput<M, S, B>, [T; B]> + Loss<SampleOutput<M, S>, T>,
        T: Copy + Label + Target,
        F: FnMut(Event<'_>) -> ControlFlow<()>,
    {
        plan.check(SampleOutput::<M, S>::COLS)?;
        Ok(self.fit(model, opt, loss, plan, on_event)?)
    }

    /// [`online_step`](Self::online_step) after checking the new sample
    /// ([`check_sample`], [`Split::Stream`], index 0): a bad sample is a
    /// [`TrainError::Data`] and neither the model, the optimizer nor the
    /// replay buffer changes. (Samples already in the buffer were checked
    /// when they joined it.)
    ///
    /// # Errors
    /// [`TrainError::Data`] for a bad sample, [`TrainError::NonFiniteLoss`]
    /// if the step's loss or gradient was not finite.
    pub fn online_step_checked<O, L, T, R, const CAP: usize>(
        &mut self,
        model: &mut M,
        opt: &mut O,
        loss: &L,
        replay: &mut Replay<S, T, CAP>,
        sample: (S, T),
        rng: &mut R,
    ) -> Result<f32, TrainError>
    where
        O: Optimizer<M>,
        L: Loss<BatchOutput<M, S, B>, [T; B]>,
        T: Copy + Target,
        R: RngCore + ?Sized,
    {
        check_sample(&sample.0, &sample.1, SampleOutput::<M, S>::COLS, Split::Stream, 0)?;
        Ok(self.online_step(model, opt, loss, replay, sample, rng)?)
    }
}
