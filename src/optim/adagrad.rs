//! AdaGrad: per-parameter learning rates from the sum of squared gradients.

use super::{BLOCK, Optimizer, decayed_lr};
use crate::{Params, scalar};

/// AdaGrad, `torch.optim.Adagrad(lr, lr_decay, weight_decay,
/// initial_accumulator_value, eps)`. The running sum of squared gradients is
/// a value of the model's type `M`.
///
/// At step `k` (from 0):
///
/// ```text
/// g ← g + λ·θ
/// s ← s + g²
/// θ ← θ − lr / (1 + decay·k) · g / (√s + eps)
/// ```
///
/// PyTorch's defaults: `eps = 1e-10`, initial accumulator 0 (NNFS uses
/// `eps = 1e-7`; set it with [`eps`](Self::eps) to follow the book).
///
/// ```
/// use constnet::{optim::{AdaGrad, Optimizer}, Dense};
/// let mut layer = Dense::<1, 1>::new([[1.0]], [0.0]);
/// let grads = Dense::<1, 1>::new([[2.0]], [0.0]);
/// let mut opt = AdaGrad::<Dense<1, 1>>::new(0.1);
/// opt.step(&mut layer, &grads); // s = 4, θ = 1 − 0.1·2/2
/// opt.step(&mut layer, &grads); // s = 8, θ = 0.9 − 0.1·2/√8
/// assert!((layer.weight()[0][0] - (0.9 - 0.2 / 8f32.sqrt())).abs() < 1e-6);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct AdaGrad<M> {
    /// Initial learning rate.
    pub lr: f32,
    /// Term added to `√s` for numerical stability.
    pub eps: f32,
    /// L2 weight decay λ.
    pub weight_decay: f32,
    /// Learning-rate decay (PyTorch's `lr_decay`, NNFS's `decay`).
    pub decay: f32,
    iterations: u32,
    sum: M,
}

impl<M: Params> AdaGrad<M> {
    /// Bytes of per-parameter state: one sum of squares of type `M`.
    pub const STATE_BYTES: usize = core::mem::size_of::<M>();

    /// AdaGrad with learning rate `lr` and PyTorch's defaults.
    pub fn new(lr: f32) -> Self {
        Self { lr, eps: 1e-10, weight_decay: 0.0, decay: 0.0, iterations: 0, sum: M::zeros() }
    }

    /// Sets `eps`.
    #[must_use]
    pub fn eps(mut self, eps: f32) -> Self {
        self.eps = eps;
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

    /// Starts every accumulator at `value` (PyTorch's
    /// `initial_accumulator_value`).
    #[must_use]
    pub fn initial_accumulator(mut self, value: f32) -> Self {
        for i in 0..M::TENSORS {
            self.sum.tensor_mut(i).fill(value);
        }
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

    /// The running sum of squared gradients (PyTorch's `sum` state).
    pub fn sum(&self) -> &M {
        &self.sum
    }
}

impl<M: Params> Optimizer<M> for AdaGrad<M> {
    fn step(&mut self, model: &mut M, grads: &M) {
        let lr = self.current_lr();
        for i in 0..M::TENSORS {
            update(
                model.tensor_mut(i),
                grads.tensor(i),
                self.sum.tensor_mut(i),
                lr,
                self.eps,
                self.weight_decay,
            );
        }
        self.iterations = self.iterations.saturating_add(1);
    }
}

/// The update, in blocks (see [`BLOCK`]): the gradient with weight decay is
/// kept in `gw` for the last pass.
fn update(p: &mut [f32], g: &[f32], s: &mut [f32], lr: f32, eps: f32, weight_decay: f32) {
    let (mut root, mut gw) = ([0.0f32; BLOCK], [0.0f32; BLOCK]);
    for ((p, g), s) in p.chunks_mut(BLOCK).zip(g.chunks(BLOCK)).zip(s.chunks_mut(BLOCK)) {
        for (((p, &g), s), gw) in p.iter().zip(g).zip(s.iter_mut()).zip(gw.iter_mut()) {
            let g = g + weight_decay * *p;
            *s += g * g;
            *gw = g;
        }
        for (r, s) in root.iter_mut().zip(s.iter()) {
            *r = scalar::sqrt(*s);
        }
        for ((p, g), r) in p.iter_mut().zip(&gw).zip(&root) {
            *p -= lr * (g / (r + eps));
        }
    }
}
