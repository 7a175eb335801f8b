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
//!   replayed from a fixed-capacity [`Replay`](crate::replay::Replay) buffer.
//! * Under `std`, `ParallelTrainer` splits a mini-batch into shards and
//!   computes their gradients on several cores.
//!
//! A step whose loss is NaN or infinite never updates the model: a single
//! step returns [`NonFiniteLoss`], an epoch returns [`Diverged`] naming the
//! epoch and batch. [`Trainer::fit_checked`] and
//! [`Trainer::online_step_checked`] check the data first — an empty training
//! or held-out set, a NaN or infinite input or target, a label out of range —
//! and refuse it with a [`DataError`] naming the set and sample, before
//! anything is trained.
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

mod check;
mod dataset;
mod epochs;
#[cfg(feature = "std")]
mod parallel;
mod trainer;

pub use check::{DataError, Split, Target, TargetProblem, TrainError, check_sample};
pub use dataset::{Dataset, Metrics, evaluate};
pub use epochs::{BatchOutput, EpochStats, Epochs, Event, FitReport, Remainder, SampleOutput};
#[cfg(feature = "std")]
pub use parallel::ParallelTrainer;
pub use trainer::{Diverged, NonFiniteLoss, Trainer};
