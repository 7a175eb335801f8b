//! Training steps: forward, loss, backward and update without a heap.
//!
//! [`Trainer`] owns the fixed-size buffers one step needs — the training
//! cache and a gradient of the model's own type — so a step allocates
//! nothing and its memory is `size_of::<Trainer<M, X>>()`, known at compile
//! time.
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
use crate::optim::Optimizer;
use crate::{Backprop, Params, Zeros};
use core::fmt;

/// The loss of a step was NaN or infinite; the model was left unchanged.
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
    pub fn gradient<L, T>(&mut self, model: &M, loss: &L, x: &X, target: &T) -> f32
    where
        L: Loss<M::Output, T>,
    {
        let y = model.forward_train(x, &mut self.cache);
        let (value, d_out) = loss.loss_grad(&y, target);
        self.grads.set_zero();
        model.backward(&self.cache, &d_out, &mut self.grads);
        value
    }

    /// One training step: gradient, then `opt.step` — unless the loss is not
    /// finite, in which case the model is untouched and the error returned.
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
        let value = self.gradient(model, loss, x, target);
        if !value.is_finite() {
            return Err(NonFiniteLoss { loss: value });
        }
        opt.step(model, &self.grads);
        Ok(value)
    }
}

impl<M: Backprop<X> + Params, X> Default for Trainer<M, X> {
    fn default() -> Self {
        Self::new()
    }
}
