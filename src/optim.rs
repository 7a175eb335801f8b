//! Optimizers: plain loops over parameter tensors, with the update formulas of
//! PyTorch's `torch.optim`.
//!
//! An optimizer updates a model from a gradient **of the model's own type**;
//! any state it keeps (momenta, moments) is more values of that type, so its
//! size is known at compile time and a gradient or state built for another
//! network is a type error.
//!
//! | optimizer | state | memory beyond the model | PyTorch equivalent |
//! |---|---|---|---|
//! | [`Sgd`] | step counter | 16 bytes | `SGD(lr, weight_decay)` |
//! | [`SgdMomentum<M>`] | velocity `M` | `size_of::<M>()` | `SGD(lr, momentum, dampening, weight_decay, nesterov)` |
//! | [`AdaGrad<M>`] | sum of squares `M` | `size_of::<M>()` | `Adagrad(lr, lr_decay, weight_decay, initial_accumulator_value, eps)` |
//! | [`RmsProp<M>`] | mean square `M` | `size_of::<M>()` | `RMSprop(lr, alpha, eps, weight_decay)` (no momentum, not centered) |
//! | [`Adam<M>`] | moments `m: M`, `v: M` | `2 · size_of::<M>()` | `Adam(lr, betas, eps, weight_decay)` |
//!
//! Every optimizer also takes the NNFS learning-rate decay: step `k` (from 0)
//! uses `lr / (1 + decay · k)`; for [`AdaGrad`] this is exactly PyTorch's
//! `lr_decay`. Weight decay is the L2 kind, added to the gradient
//! (`g ← g + λ·θ`) before the update, as `torch.optim` does.
//!
//! Hyperparameters are public fields with builder-style setters of the same
//! name; a constructor takes the learning rate and sets PyTorch's defaults:
//!
//! ```
//! use constnet::{optim::{Adam, Optimizer}, Dense, Params};
//! type Net = (Dense<2, 4>, constnet::Relu, Dense<4, 3>);
//! let mut net = Net::zeros_params();
//! let mut adam = Adam::<Net>::new(0.05).decay(5e-7).weight_decay(1e-4);
//! assert_eq!((adam.beta1, adam.beta2, adam.eps), (0.9, 0.999, 1e-8));
//! let mut grads = Net::zeros_params();
//! grads.tensor_mut(1).fill(1.0); // first layer's bias
//! adam.step(&mut net, &grads);
//! // Adam's first step moves each parameter by ≈ lr against its gradient's sign.
//! assert!((net.0.bias()[0] + 0.05).abs() < 1e-6);
//! assert_eq!(adam.iterations(), 1);
//! // Optimizer state is sized at compile time: two more copies of the model.
//! assert_eq!(Adam::<Net>::STATE_BYTES, 2 * core::mem::size_of::<Net>());
//! ```
//!
//! The kernels run on flat slices (one copy per optimizer, not per network
//! shape) and in `f32`; the per-step scalars (decayed learning rate, bias
//! corrections) are computed in `f64`, as PyTorch does in Python floats.

mod adagrad;
mod adam;
mod momentum;
mod rmsprop;
mod sgd;

pub use adagrad::AdaGrad;
pub use adam::Adam;
pub use momentum::SgdMomentum;
pub use rmsprop::RmsProp;
pub use sgd::Sgd;

use crate::Params;

/// Updates the parameters of an `M` from a gradient of the same type.
///
/// # Implementing this trait
/// Keep per-parameter state as values of type `M` (e.g. `m: M, v: M`) and
/// walk `0..M::TENSORS`, zipping `model.tensor_mut(i)`, `grads.tensor(i)` and
/// the state's tensors.
#[diagnostic::on_unimplemented(
    message = "optimizer `{Self}` cannot update a `{M}`",
    note = "optimizer state is built for one network type; create it for this network"
)]
pub trait Optimizer<M: Params> {
    /// Applies one update: `model ← update(model, grads)`.
    fn step(&mut self, model: &mut M, grads: &M);
}

/// Elements per block in the square-root optimizers' kernels. `libm`'s
/// `sqrtf` is opaque to the vectoriser (inline assembly on x86), so those
/// kernels run three passes over each block — moments (vectorised), square
/// roots (scalar), update (vectorised) — which measured 1.4–1.7× faster than
/// one fused scalar loop for Adam on 100k parameters, with bit-identical
/// results.
const BLOCK: usize = 64;

/// NNFS learning-rate decay: `lr / (1 + decay · k)` for step `k` (from 0),
/// in `f64` as NNFS and PyTorch compute it.
#[inline]
fn decayed_lr(lr: f32, decay: f32, k: u32) -> f32 {
    if decay == 0.0 {
        // Same value as the general formula, without soft-float f64 maths on
        // an FPU-less (or f32-only) core.
        return lr;
    }
    (lr as f64 / (1.0 + decay as f64 * k as f64)) as f32
}
