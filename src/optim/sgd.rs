//! Plain stochastic gradient descent.

use super::Optimizer;
use crate::{Params, math};

/// Stochastic gradient descent: `θ ← θ − lr · g`.
///
/// Stateless, so one `Sgd` can update any model.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sgd {
    /// Learning rate.
    pub lr: f32,
}

impl Sgd {
    /// SGD with learning rate `lr`.
    pub const fn new(lr: f32) -> Self {
        Self { lr }
    }
}

impl<M: Params> Optimizer<M> for Sgd {
    #[inline]
    fn step(&mut self, model: &mut M, grads: &M) {
        for i in 0..M::TENSORS {
            math::axpy(-self.lr, grads.tensor(i), model.tensor_mut(i));
        }
    }
}
