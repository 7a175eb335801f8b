//! [`Trainer`]: the buffers of one training step, and the step itself.

use crate::loss::Loss;
use crate::optim::Optimizer;
use crate::{Backprop, Params, Zeros};
use core::fmt;

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
