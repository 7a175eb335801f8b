//! SGD with momentum (heavy-ball or Nesterov).

use super::{Optimizer, decayed_lr};
use crate::Params;

/// SGD with momentum, `torch.optim.SGD(lr, momentum, dampening, weight_decay,
/// nesterov)` plus NNFS's learning-rate decay. The velocity is a value of the
/// model's type `M`.
///
/// At step `k` (from 0), for each parameter θ with gradient `g`:
///
/// ```text
/// g ← g + λ·θ                                    (weight decay)
/// b ← g                       if k = 0
/// b ← μ·b + (1 − dampening)·g otherwise
/// d ← g + μ·b  (Nesterov)  or  d ← b
/// θ ← θ − lr / (1 + decay·k) · d
/// ```
///
/// ```
/// use constnet::{optim::{Optimizer, SgdMomentum}, Dense};
/// let mut layer = Dense::<1, 1>::new([[1.0]], [0.0]);
/// let grads = Dense::<1, 1>::new([[1.0]], [0.0]);
/// let mut opt = SgdMomentum::<Dense<1, 1>>::new(0.1, 0.9);
/// opt.step(&mut layer, &grads); // b = 1,   θ = 1 − 0.1
/// opt.step(&mut layer, &grads); // b = 1.9, θ = 0.9 − 0.19
/// assert!((layer.weight()[0][0] - 0.71).abs() < 1e-6);
/// assert_eq!(opt.velocity().weight()[0][0], 1.9);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct SgdMomentum<M> {
    /// Initial learning rate.
    pub lr: f32,
    /// Momentum factor μ.
    pub momentum: f32,
    /// Dampening of the gradient added to the velocity (PyTorch's default 0).
    pub dampening: f32,
    /// Nesterov momentum (requires `dampening == 0` in PyTorch; not enforced).
    pub nesterov: bool,
    /// L2 weight decay λ.
    pub weight_decay: f32,
    /// NNFS learning-rate decay.
    pub decay: f32,
    iterations: u32,
    velocity: M,
}

impl<M: Params> SgdMomentum<M> {
    /// Bytes of per-parameter state: one velocity of type `M`.
    pub const STATE_BYTES: usize = core::mem::size_of::<M>();

    /// Momentum SGD with learning rate `lr` and momentum `momentum`; no
    /// dampening, no Nesterov, no weight decay, no learning-rate decay.
    pub fn new(lr: f32, momentum: f32) -> Self {
        Self {
            lr,
            momentum,
            dampening: 0.0,
            nesterov: false,
            weight_decay: 0.0,
            decay: 0.0,
            iterations: 0,
            velocity: M::zeros(),
        }
    }

    /// Turns Nesterov momentum on or off.
    #[must_use]
    pub fn nesterov(mut self, nesterov: bool) -> Self {
        self.nesterov = nesterov;
        self
    }

    /// Sets the dampening.
    #[must_use]
    pub fn dampening(mut self, dampening: f32) -> Self {
        self.dampening = dampening;
        self
    }

    /// Sets the L2 weight decay λ.
    #[must_use]
    pub fn weight_decay(mut self, weight_decay: f32) -> Self {
        self.weight_decay = weight_decay;
        self
    }

    /// Sets the learning-rate decay: step `k` uses `lr / (1 + decay · k)`.
    #[must_use]
    pub fn decay(mut self, decay: f32) -> Self {
        self.decay = decay;
        self
    }

    /// Steps taken so far.
    pub fn iterations(&self) -> u32 {
        self.iterations
    }

    /// The learning rate the next step will use.
    pub fn current_lr(&self) -> f32 {
        decayed_lr(self.lr, self.decay, self.iterations)
    }

    /// The velocity buffer (PyTorch's `momentum_buffer`).
    pub fn velocity(&self) -> &M {
        &self.velocity
    }

    /// Forgets the velocity and the step count (hyperparameters are kept).
    pub fn reset(&mut self) {
        self.velocity.set_zero();
        self.iterations = 0;
    }
}

impl<M: Params> Optimizer<M> for SgdMomentum<M> {
    fn step(&mut self, model: &mut M, grads: &M) {
        let k = Coeffs {
            lr: self.current_lr(),
            momentum: self.momentum,
            damp: 1.0 - self.dampening,
            nesterov: self.nesterov,
            weight_decay: self.weight_decay,
            first: self.iterations == 0,
        };
        for i in 0..M::TENSORS {
            update(model.tensor_mut(i), grads.tensor(i), self.velocity.tensor_mut(i), &k);
        }
        self.iterations = self.iterations.saturating_add(1);
    }
}

struct Coeffs {
    lr: f32,
    momentum: f32,
    damp: f32,
    nesterov: bool,
    weight_decay: f32,
    first: bool,
}

fn update(p: &mut [f32], g: &[f32], b: &mut [f32], k: &Coeffs) {
    for ((p, &g), b) in p.iter_mut().zip(g).zip(b) {
        let g = g + k.weight_decay * *p;
        *b = if k.first { g } else { k.momentum * *b + k.damp * g };
        let d = if k.nesterov { g + k.momentum * *b } else { *b };
        *p -= k.lr * d;
    }
}
