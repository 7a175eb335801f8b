//! Optimizers: plain loops over parameter tensors.
//!
//! An optimizer updates a model from a gradient **of the model's own type**;
//! any state it keeps (momenta, moments) is more values of that type, so its
//! size is known at compile time and a gradient or state built for another
//! network is a type error.
//!
//! ```
//! use constnet::{optim::{Optimizer, Sgd}, Dense, Params};
//! let mut layer = Dense::<1, 1>::new([[1.0]], [0.0]);
//! let grads = Dense::<1, 1>::new([[2.0]], [1.0]);
//! Sgd::new(0.5).step(&mut layer, &grads);
//! assert_eq!((layer.weight()[0][0], layer.bias()[0]), (0.0, -0.5));
//! ```

mod sgd;

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
