//! Training without a heap: single steps, epochs over a data set in caller
//! memory, and online learning from a stream.
//!
//! * [`Trainer`] owns the fixed-size buffers one step needs — the training
//!   cache and a gradient of the model's own type — so a step allocates
//!   nothing and its memory is `size_of::<Trainer<M, X>>()`, known at compile
//!   time (see [`crate::memory`]).
//! * For a batch input `X = [S; B]`, the same `Trainer` runs whole epochs
//!   ([`Trainer::fit`], [`Trainer::epoch`]) over a [`Dataset`] of single
//!   samples `S` and targets `T` held in caller memory: mini-batches of the
//!   const size `B` (per-sample training is `B = 1`), shuffled each epoch
//!   through a caller-provided index buffer, with per-epoch loss and accuracy
//!   on the training data and on a held-out set.
//! * [`Trainer::online_step`] trains on one new sample mixed with samples
//!   replayed from a fixed-capacity [`Replay`] buffer.
//!
//! A step whose loss is NaN or infinite never updates the model: a single
//! step returns [`NonFiniteLoss`], an epoch returns [`Diverged`] naming the
//! epoch and batch.
//!
//! ```
//! use constnet::{prelude::*, train::Trainer};
//! use rand_core::SeedableRng;
//!
//! let mut net = (Dense::<2, 8>::zeros(), Tanh, Dense::<8, 1>::zeros());
//! init(&mut net, Init::GlorotUniform, &mut rand_pcg::Pcg64::seed_from_u64(0));
//! let mut trainer = Trainer::new();
//! let mut sgd = Sgd::new(0.1);
//! let xs = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]];
//! let ts = [[0.0], [1.0], [1.0], [0.0]]; // XOR
//! for _ in 0..2000 {
//!     trainer.step(&mut net, &mut sgd, &Mse::MEAN, &xs, &ts).unwrap();
//! }
//! for (x, t) in xs.iter().zip(&ts) {
//!     assert!((net.forward(x)[0] - t[0]).abs() < 0.2);
//! }
//! ```

use crate::loss::Loss;
use crate::metrics::{Label, correct_flat};
use crate::optim::Optimizer;
use crate::replay::Replay;
use crate::{Backprop, Layer, Params, Tensor, Zeros, random};
use core::fmt;
use core::ops::ControlFlow;
use rand_core::RngCore;

/// The loss of a step was NaN or infinite — or its gradient was, and then
/// `loss` is NaN; the model was left unchanged.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NonFiniteLoss {
    /// The offending loss value.
    pub loss: f32,
}

impl fmt::Display for NonFiniteLoss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "non-finite loss {} (learning rate too high, or bad data?)", self.loss)
    }
}

impl core::error::Error for NonFiniteLoss {}

/// Training stopped: the loss (or the gradient, then `loss` is NaN) of a
/// batch was NaN or infinite. The model is as it was after the previous batch
/// (the bad batch was not applied).
///
/// Epochs and batches are counted from 0.
///
/// ```
/// use constnet::train::Diverged;
/// let e = Diverged { epoch: 3, batch: 7, loss: f32::INFINITY };
/// assert_eq!(e.to_string(), "non-finite loss inf at epoch 3, batch 7; the model was not updated with it");
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Diverged {
    /// The epoch of the bad batch (from 0).
    pub epoch: usize,
    /// The batch within that epoch (from 0).
    pub batch: usize,
    /// The offending loss value.
    pub loss: f32,
}

impl fmt::Display for Diverged {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "non-finite loss {} at epoch {}, batch {}; the model was not updated with it",
            self.loss, self.epoch, self.batch
        )
    }
}

impl core::error::Error for Diverged {}

impl From<Diverged> for NonFiniteLoss {
    fn from(e: Diverged) -> Self {
        NonFiniteLoss { loss: e.loss }
    }
}

/// Buffers for training an `M` on inputs of type `X` (one sample or a batch).
pub struct Trainer<M: Backprop<X>, X> {
    /// What the last training forward pass kept.
    pub cache: M::Cache,
    /// The last step's gradient.
    pub grads: M,
}

impl<M: Backprop<X> + Params, X> Trainer<M, X> {
    /// Zeroed buffers.
    pub fn new() -> Self {
        Self { cache: Zeros::zeros(), grads: M::zeros() }
    }

    /// Computes the loss of `model` on `x` against `target` and its gradient
    /// (left in [`grads`](Self::grads)), without updating the model.
    #[inline]
    pub fn gradient<L, T>(&mut self, model: &M, loss: &L, x: &X, target: &T) -> f32
    where
        L: Loss<M::Output, T>,
    {
        self.gradient_with_output(model, loss, x, target).0
    }

    /// [`gradient`](Self::gradient), also returning the model's output (the
    /// predictions the loss was computed on).
    #[inline]
    pub fn gradient_with_output<L, T>(&mut self, model: &M, loss: &L, x: &X, target: &T) -> (f32, M::Output)
    where
        L: Loss<M::Output, T>,
    {
        let y = model.forward_train(x, &mut self.cache);
        let (value, d_out) = loss.loss_grad(&y, target);
        self.grads.set_zero();
        model.backward_params(&self.cache, &d_out, &mut self.grads);
        (value, y)
    }

    /// One training step: gradient, then `opt.step` — unless the loss or the
    /// gradient is not finite, in which case the model is untouched and the
    /// error returned (with `loss` NaN when only the gradient was bad).
    #[inline]
    pub fn step<O, L, T>(
        &mut self,
        model: &mut M,
        opt: &mut O,
        loss: &L,
        x: &X,
        target: &T,
    ) -> Result<f32, NonFiniteLoss>
    where
        O: Optimizer<M>,
        L: Loss<M::Output, T>,
    {
        self.step_with_output(model, opt, loss, x, target).map(|(value, _)| value)
    }

    /// [`step`](Self::step), also returning the model's output before the
    /// update (what NNFS measures accuracy on).
    #[inline]
    pub fn step_with_output<O, L, T>(
        &mut self,
        model: &mut M,
        opt: &mut O,
        loss: &L,
        x: &X,
        target: &T,
    ) -> Result<(f32, M::Output), NonFiniteLoss>
    where
        O: Optimizer<M>,
        L: Loss<M::Output, T>,
    {
        let (value, y) = self.gradient_with_output(model, loss, x, target);
        if !value.is_finite() {
            return Err(NonFiniteLoss { loss: value });
        }
        // A finite loss can hide a poisoned gradient: a NaN input that a ReLU
        // turns into 0 still reaches dL/dW of the layer below it.
        if !self.grads.all_finite() {
            return Err(NonFiniteLoss { loss: f32::NAN });
        }
        opt.step(model, &self.grads);
        Ok((value, y))
    }
}

impl<M: Backprop<X> + Params, X> Default for Trainer<M, X> {
    fn default() -> Self {
        Self::new()
    }
}

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
    inputs: &'a [X],
    targets: &'a [T],
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

/// What an epoch does with the samples left over when the data set's size is
/// not a multiple of the batch size `B`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Remainder {
    /// Fill the last batch with samples from the start of this epoch's
    /// order, so every sample is trained on in every epoch and every batch is
    /// full (the refill samples are seen twice that epoch; with shuffling they
    /// differ from epoch to epoch). `⌈n / B⌉` batches per epoch. A data set
    /// smaller than `B` is cycled through to fill one batch.
    #[default]
    Wrap,
    /// Skip them this epoch, like PyTorch's `drop_last=True`; with shuffling a
    /// different few are skipped each epoch. `⌊n / B⌋` batches per epoch.
    Drop,
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
    fn from_sums(loss_sum: f64, correct: usize, samples: usize) -> Self {
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

/// Metrics of one epoch.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct EpochStats {
    /// Which epoch (from 0).
    pub epoch: usize,
    /// Mean loss and accuracy on the training batches, measured during the
    /// epoch, each batch before its update (as NNFS reports them; for a
    /// single full batch this is the loss of the model the epoch started
    /// with). Samples repeated by [`Remainder::Wrap`] count twice.
    pub train: Metrics,
    /// Loss and accuracy on the held-out set after the epoch, if one was
    /// given.
    pub held_out: Option<Metrics>,
}

/// What [`Trainer::fit`] reports to its callback.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Event<'a> {
    /// A batch was trained on.
    Batch {
        /// The epoch (from 0).
        epoch: usize,
        /// The batch within the epoch (from 0).
        batch: usize,
        /// Batches in each epoch.
        batches: usize,
        /// The batch's mean loss, before its update.
        loss: f32,
    },
    /// An epoch ended.
    Epoch(&'a EpochStats),
}

/// How [`Trainer::fit`] ended without error.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct FitReport {
    /// Epochs completed.
    pub epochs: usize,
    /// Metrics of the last completed epoch (`None` if none completed).
    pub last: Option<EpochStats>,
    /// True when the callback stopped training early.
    pub stopped: bool,
}

/// A training plan: the data, how many epochs, shuffling, a held-out set and
/// what to do with a last partial batch.
///
/// ```
/// use constnet::train::{Dataset, Epochs, Remainder};
/// use rand_core::SeedableRng;
/// let (xs, ys) = ([[0.0f32; 2]; 10], [0usize; 10]);
/// let mut order = [0usize; 10]; // the shuffle's index buffer: no allocation
/// let mut rng = rand_pcg::Pcg32::seed_from_u64(0);
/// let plan = Epochs::new(Dataset::new(&xs, &ys), 5)
///     .shuffle(&mut order, &mut rng)
///     .held_out(Dataset::new(&xs[..2], &ys[..2]))
///     .remainder(Remainder::Drop);
/// assert_eq!(plan.batches(4), 2);
/// ```
pub struct Epochs<'a, X, T> {
    train: Dataset<'a, X, T>,
    held_out: Option<Dataset<'a, X, T>>,
    epochs: usize,
    remainder: Remainder,
    order: Option<&'a mut [usize]>,
    rng: Option<&'a mut dyn RngCore>,
}

impl<X, T> fmt::Debug for Epochs<'_, X, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Epochs")
            .field("train_len", &self.train.len())
            .field("held_out_len", &self.held_out.map(|d| d.len()))
            .field("epochs", &self.epochs)
            .field("remainder", &self.remainder)
            .field("shuffle", &self.order.is_some())
            .finish()
    }
}

impl<'a, X, T> Epochs<'a, X, T> {
    /// `epochs` passes over `train`, in order, no held-out set,
    /// [`Remainder::Wrap`].
    pub fn new(train: Dataset<'a, X, T>, epochs: usize) -> Self {
        Self { train, held_out: None, epochs, remainder: Remainder::Wrap, order: None, rng: None }
    }

    /// Shuffles the samples before each epoch with `rng`, through `order`
    /// (filled here with `0..n`, then permuted in place each epoch).
    ///
    /// # Panics
    /// If `order` is shorter than the training set.
    #[must_use]
    pub fn shuffle<R: RngCore>(mut self, order: &'a mut [usize], rng: &'a mut R) -> Self {
        let n = self.train.len();
        assert!(order.len() >= n, "the shuffle's index buffer must hold one index per training sample");
        let order = &mut order[..n];
        order.iter_mut().enumerate().for_each(|(i, o)| *o = i);
        self.order = Some(order);
        self.rng = Some(rng);
        self
    }

    /// Measures loss and accuracy on `data` after each epoch.
    #[must_use]
    pub fn held_out(mut self, data: Dataset<'a, X, T>) -> Self {
        self.held_out = Some(data);
        self
    }

    /// Sets what to do with a last partial batch.
    #[must_use]
    pub fn remainder(mut self, remainder: Remainder) -> Self {
        self.remainder = remainder;
        self
    }

    /// Sets the number of epochs [`Trainer::fit`] runs.
    #[must_use]
    pub fn epochs(mut self, epochs: usize) -> Self {
        self.epochs = epochs;
        self
    }

    /// Number of epochs [`Trainer::fit`] runs.
    pub fn epoch_count(&self) -> usize {
        self.epochs
    }

    /// The training set.
    pub fn train_data(&self) -> Dataset<'a, X, T> {
        self.train
    }

    /// Batches per epoch for a batch size `b`.
    pub fn batches(&self, b: usize) -> usize {
        let n = self.train.len();
        match self.remainder {
            _ if n == 0 || b == 0 => 0,
            Remainder::Wrap => n.div_ceil(b),
            Remainder::Drop => n / b,
        }
    }

    /// Index of the training sample at position `p` of this epoch.
    fn index(&self, p: usize) -> usize {
        let p = p % self.train.len();
        self.order.as_deref().map_or(p, |o| o[p])
    }

    fn shuffle_now(&mut self) {
        if let (Some(order), Some(rng)) = (self.order.as_deref_mut(), self.rng.as_deref_mut()) {
            random::shuffle(order, rng);
        }
    }
}

/// What model `M` outputs for a batch `[S; B]` (e.g. `[[f32; 10]; B]`).
pub type BatchOutput<M, S, const B: usize> = <M as Layer<[S; B]>>::Output;
/// What model `M` outputs for one sample `S` (e.g. `[f32; 10]`).
pub type SampleOutput<M, S> = <M as Layer<S>>::Output;

/// Epochs and online learning, for a trainer whose input is a batch `[S; B]`
/// of samples `S` (e.g. `[[f32; N]; B]`).
///
/// The loop gathers each batch from the data set into a stack buffer of
/// `size_of::<[S; B]>()` bytes plus `B` targets (see
/// [`memory::batch_bytes`](crate::memory::batch_bytes)); nothing is
/// allocated.
impl<M, S, const B: usize> Trainer<M, [S; B]>
where
    M: Backprop<[S; B]> + Layer<S> + Params,
    S: Copy,
    BatchOutput<M, S, B>: Tensor,
    SampleOutput<M, S>: Tensor,
{
    /// Trains for the plan's epochs, calling `on_event` after every batch and
    /// every epoch; returning [`ControlFlow::Break`] from it stops training
    /// there. Returns how far training got, or [`Diverged`] at the first
    /// batch with a non-finite loss (that batch is not applied).
    ///
    /// Targets `T` are class indices or target rows; the loss must accept
    /// `[T; B]` for the batch output and `T` for one sample's output (used
    /// on the held-out set).
    ///
    /// ```
    /// use constnet::{data::quadrants, prelude::*, train::{Dataset, Epochs, Event, Trainer}};
    /// use core::ops::ControlFlow;
    /// use rand_core::SeedableRng;
    ///
    /// let mut rng = rand_pcg::Pcg64::seed_from_u64(1);
    /// let (mut xs, mut ys) = ([[0.0; 2]; 512], [0usize; 512]);
    /// quadrants::fill(&mut xs, &mut ys, &mut rng);
    /// let mut net = (Dense::<2, 16>::zeros(), Tanh, Dense::<16, 2>::zeros());
    /// init(&mut net, Init::GlorotUniform, &mut rng);
    ///
    /// let mut trainer = Trainer::<_, [[f32; 2]; 16]>::new(); // batches of 16
    /// let mut adam = Adam::new(0.01);
    /// let mut order = [0usize; 448];
    /// let plan = Epochs::new(Dataset::new(&xs[64..], &ys[64..]), 30)
    ///     .shuffle(&mut order, &mut rng)
    ///     .held_out(Dataset::new(&xs[..64], &ys[..64]));
    /// let report = trainer
    ///     .fit(&mut net, &mut adam, &SoftmaxCrossEntropy, plan, |event| {
    ///         if let Event::Epoch(stats) = event {
    ///             if stats.train.accuracy > 0.97 {
    ///                 return ControlFlow::Break(()); // good enough
    ///             }
    ///         }
    ///         ControlFlow::Continue(())
    ///     })
    ///     .unwrap();
    /// assert!(report.last.unwrap().held_out.unwrap().accuracy > 0.9);
    /// ```
    pub fn fit<O, L, T, F>(
        &mut self,
        model: &mut M,
        opt: &mut O,
        loss: &L,
        mut plan: Epochs<'_, S, T>,
        mut on_event: F,
    ) -> Result<FitReport, Diverged>
    where
        O: Optimizer<M>,
        L: Loss<BatchOutput<M, S, B>, [T; B]> + Loss<SampleOutput<M, S>, T>,
        T: Copy + Label,
        F: FnMut(Event<'_>) -> ControlFlow<()>,
    {
        let mut report = FitReport::default();
        let batches = plan.batches(B);
        for epoch in 0..plan.epochs {
            let done = self.run_epoch(model, opt, loss, &mut plan, epoch, |batch, value| {
                on_event(Event::Batch { epoch, batch, batches, loss: value })
            })?;
            let Some(stats) = done else {
                report.stopped = true;
                return Ok(report);
            };
            report.epochs = epoch + 1;
            report.last = Some(stats);
            if on_event(Event::Epoch(&stats)).is_break() {
                report.stopped = true;
                return Ok(report);
            }
        }
        Ok(report)
    }

    /// Runs one epoch of `plan` (shuffling first if it shuffles), calling
    /// `on_batch(batch, loss)` after each batch, and measures the held-out
    /// set. `epoch` is only used to name the epoch in the result and in a
    /// [`Diverged`] error. Drive epochs yourself with this to change the
    /// learning rate, save weights or stop on your own criterion:
    ///
    /// ```
    /// use constnet::{prelude::*, train::{Dataset, Epochs, Trainer}};
    /// let xs = [[0.0], [1.0], [2.0], [3.0], [4.0]];
    /// let ts = [[1.0], [3.0], [5.0], [7.0], [9.0]]; // y = 2x + 1
    /// let mut net = Dense::<1, 1>::zeros();
    /// let mut trainer = Trainer::<_, [[f32; 1]; 2]>::new();
    /// let mut sgd = Sgd::new(0.05);
    /// let mut plan = Epochs::new(Dataset::new(&xs, &ts), 0);
    /// for epoch in 0..500 {
    ///     sgd.lr = if epoch < 250 { 0.05 } else { 0.01 };
    ///     let stats = trainer.epoch(&mut net, &mut sgd, &Mse::MEAN, &mut plan, epoch, |_, _| {}).unwrap();
    ///     assert_eq!(stats.train.samples, 6); // 3 batches of 2, the last one wrapped
    /// }
    /// assert!((net.weight()[0][0] - 2.0).abs() < 0.05 && (net.bias()[0] - 1.0).abs() < 0.1);
    /// ```
    pub fn epoch<O, L, T, F>(
        &mut self,
        model: &mut M,
        opt: &mut O,
        loss: &L,
        plan: &mut Epochs<'_, S, T>,
        epoch: usize,
        mut on_batch: F,
    ) -> Result<EpochStats, Diverged>
    where
        O: Optimizer<M>,
        L: Loss<BatchOutput<M, S, B>, [T; B]> + Loss<SampleOutput<M, S>, T>,
        T: Copy + Label,
        F: FnMut(usize, f32),
    {
        let stats = self.run_epoch(model, opt, loss, plan, epoch, |batch, value| {
            on_batch(batch, value);
            ControlFlow::Continue(())
        })?;
        Ok(stats.unwrap_or_default())
    }

    /// One epoch; `Ok(None)` when `on_batch` stopped it.
    fn run_epoch<O, L, T, F>(
        &mut self,
        model: &mut M,
        opt: &mut O,
        loss: &L,
        plan: &mut Epochs<'_, S, T>,
        epoch: usize,
        mut on_batch: F,
    ) -> Result<Option<EpochStats>, Diverged>
    where
        O: Optimizer<M>,
        L: Loss<BatchOutput<M, S, B>, [T; B]> + Loss<SampleOutput<M, S>, T>,
        T: Copy + Label,
        F: FnMut(usize, f32) -> ControlFlow<()>,
    {
        plan.shuffle_now();
        let data = plan.train;
        let (mut loss_sum, mut correct, mut samples) = (0.0f64, 0usize, 0usize);
        for batch in 0..plan.batches(B) {
            let xb: [S; B] = core::array::from_fn(|k| data.inputs[plan.index(batch * B + k)]);
            let tb: [T; B] = core::array::from_fn(|k| data.targets[plan.index(batch * B + k)]);
            let (value, y) = self.step_with_output(model, opt, loss, &xb, &tb).map_err(|e| Diverged {
                epoch,
                batch,
                loss: e.loss,
            })?;
            loss_sum += value as f64 * B as f64;
            correct += correct_flat(y.flat(), BatchOutput::<M, S, B>::COLS, &tb);
            samples += B;
            if on_batch(batch, value).is_break() {
                return Ok(None);
            }
        }
        let held_out = plan.held_out.map(|d| evaluate(model, loss, d));
        Ok(Some(EpochStats { epoch, train: Metrics::from_sums(loss_sum, correct, samples), held_out }))
    }

    /// Online learning: one step on a batch made of the new `sample` plus
    /// `B − 1` samples drawn uniformly (with replacement) from `replay`
    /// (copies of the new sample while the buffer is empty); then, if the
    /// loss was finite, `sample` joins the buffer, dropping the oldest when
    /// full. Returns the batch's loss.
    ///
    /// Training on the newest sample alone makes a model chase the stream;
    /// mixing in replayed samples keeps what it learned from recent history.
    ///
    /// ```
    /// use constnet::{data::quadrants, prelude::*, replay::Replay, train::Trainer};
    /// use rand_core::SeedableRng;
    ///
    /// let mut rng = rand_pcg::Pcg64::seed_from_u64(0);
    /// let mut net = (Dense::<2, 16>::zeros(), Tanh, Dense::<16, 2>::zeros());
    /// init(&mut net, Init::GlorotUniform, &mut rng);
    /// let mut trainer = Trainer::<_, [[f32; 2]; 8]>::new();
    /// let mut replay = Replay::<[f32; 2], usize, 128>::new();
    /// let mut adam = Adam::new(0.01);
    /// for _ in 0..3000 {
    ///     let sample = quadrants::sample(&mut rng); // one point from the stream
    ///     trainer.online_step(&mut net, &mut adam, &SoftmaxCrossEntropy, &mut replay, sample, &mut rng).unwrap();
    /// }
    /// let hits = (0..200)
    ///     .filter(|_| {
    ///         let (p, label) = quadrants::sample(&mut rng);
    ///         constnet::metrics::predict(&net.forward(&p)) == label
    ///     })
    ///     .count();
    /// assert!(hits > 180, "{hits}");
    /// ```
    pub fn online_step<O, L, T, R, const CAP: usize>(
        &mut self,
        model: &mut M,
        opt: &mut O,
        loss: &L,
        replay: &mut Replay<S, T, CAP>,
        sample: (S, T),
        rng: &mut R,
    ) -> Result<f32, NonFiniteLoss>
    where
        O: Optimizer<M>,
        L: Loss<BatchOutput<M, S, B>, [T; B]>,
        T: Copy,
        R: RngCore + ?Sized,
    {
        let mut xb = [sample.0; B];
        let mut tb = [sample.1; B];
        for k in 1..B {
            if let Some(&(x, t)) = replay.sample(rng) {
                xb[k] = x;
                tb[k] = t;
            }
        }
        let value = self.step(model, opt, loss, &xb, &tb)?;
        replay.push(sample.0, sample.1);
        Ok(value)
    }
}
