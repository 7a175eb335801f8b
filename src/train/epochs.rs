//! Epochs over a [`Dataset`](super::Dataset) in mini-batches ([`Trainer::fit`], [`Trainer::epoch`]) and online
//! learning with replay ([`Trainer::online_step`]).

use super::{DataError, Dataset, Diverged, Metrics, NonFiniteLoss, Trainer, evaluate};
use crate::loss::Loss;
use crate::metrics::{Label, correct_flat};
use crate::optim::Optimizer;
use crate::replay::Replay;
use crate::{Backprop, Layer, Params, Tensor, random};
use core::fmt;
use core::ops::ControlFlow;
use rand_core::RngCore;

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
    /// If `order` is shorter than the training set (a programmer error when
    /// both sizes are fixed; when the data set's size comes from data, use
    /// [`try_shuffle`](Self::try_shuffle)).
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

    /// [`shuffle`](Self::shuffle), returning a short index buffer as an
    /// error instead of panicking.
    ///
    /// ```
    /// use constnet::train::{DataError, Dataset, Epochs};
    /// use rand_core::SeedableRng;
    /// let (xs, ys) = ([[0.0f32; 2]; 10], [0usize; 10]);
    /// let (mut order, mut rng) = ([0usize; 8], rand_pcg::Pcg32::seed_from_u64(0));
    /// let plan = Epochs::new(Dataset::new(&xs, &ys), 5).try_shuffle(&mut order, &mut rng);
    /// assert_eq!(plan.unwrap_err(), DataError::ShuffleBuffer { needed: 10, got: 8 });
    /// ```
    ///
    /// # Errors
    /// [`DataError::ShuffleBuffer`] if `order` is shorter than the training set.
    pub fn try_shuffle<R: RngCore>(self, order: &'a mut [usize], rng: &'a mut R) -> Result<Self, DataError> {
        let n = self.train.len();
        if order.len() < n {
            return Err(DataError::ShuffleBuffer { needed: n, got: order.len() });
        }
        Ok(self.shuffle(order, rng))
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

    /// The held-out set, if one was given.
    pub fn held_out_data(&self) -> Option<Dataset<'a, X, T>> {
        self.held_out
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
    /// Bad data is not checked up front: a NaN or infinite input or target,
    /// or a label out of range, surfaces as [`Diverged`] at its batch (the
    /// batches before it were applied), and an empty training set trains on
    /// nothing (zero batches per epoch). [`fit_checked`](Self::fit_checked)
    /// checks every sample first and names the problem.
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
