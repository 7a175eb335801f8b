//! Plain stochastic gradient descent, with learning-rate decay and L2 weight
//! decay.

use super::{Optimizer, decayed_lr};
use crate::{Params, math};

/// Stochastic gradient descent: `θ ← θ − lr_k · (g + λ·θ)`, with
/// `lr_k = lr / (1 + decay · k)` at step `k` (from 0).
///
/// This is `torch.optim.SGD(lr, weight_decay=λ)` plus NNFS's decay. Its only
/// state is a step counter, so one `Sgd` can update any model, and it can be
/// built in a `const`:
///
/// ```
/// use constnet::{optim::{Optimizer, Sgd}, Dense};
/// const SGD: Sgd = Sgd::new(0.5).decay(1.0);
/// let mut sgd = SGD;
/// let mut layer = Dense::<1, 1>::new([[1.0]], [0.0]);
/// let grads = Dense::<1, 1>::new([[1.0]], [1.0]);
/// sgd.step(&mut layer, &grads); // lr 0.5
/// sgd.step(&mut layer, &grads); // lr 0.5 / (1 + 1) = 0.25
/// assert_eq!((layer.weight()[0][0], layer.bias()[0]), (0.25, -0.75));
/// assert_eq!(sgd.current_lr(), 0.5 / 3.0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sgd {
    /// Initial learning rate.
    pub lr: f32,
    /// NNFS learning-rate decay (0: constant learning rate).
    pub decay: f32,
    /// L2 weight decay λ (0: none).
    pub weight_decay: f32,
    iterations: u32,
}

impl Sgd {
    /// SGD with learning rate `lr`, no decay and no weight decay.
    pub const fn new(lr: f32) -> Self {
        Self { lr, decay: 0.0, weight_decay: 0.0, iterations: 0 }
    }

    /// Sets the learning-rate decay: step `k` uses `lr / (1 + decay · k)`.
    #[must_use]
    pub const fn decay(mut self, decay: f32) -> Self {
        self.decay = decay;
        self
    }

    /// Sets the L2 weight decay λ: the gradient becomes `g + λ·θ`.
    #[must_use]
    pub const fn weight_decay(mut self, weight_decay: f32) -> Self {
        self.weight_decay = weight_decay;
        self
    }

    /// Steps taken so far.
    pub const fn iterations(&self) -> u32 {
        self.iterations
    }

    /// The learning rate the next step will use.
    pub fn current_lr(&self) -> f32 {
        decayed_lr(self.lr, self.decay, self.iterations)
    }
}

impl<M: Params> Optimizer<M> for Sgd {
    #[inline]
    fn step(&mut self, model: &mut M, grads: &M) {
        let lr = self.current_lr();
        for i in 0..M::TENSORS {
            update(model.tensor_mut(i), grads.tensor(i), lr, self.weight_decay);
        }
        self.iterations = self.iterations.saturating_add(1);
    }
}

#[inline] // called once per tensor per step: a call costs more than a 2-3-2 net's update
fn update(p: &mut [f32], g: &[f32], lr: f32, weight_decay: f32) {
    if weight_decay == 0.0 {
        math::axpy(-lr, g, p);
    } else {
        for (p, &g) in p.iter_mut().zip(g) {
            *p -= lr * (g + weight_decay * *p);
        }
    }
}
