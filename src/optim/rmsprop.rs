//! RMSProp: per-parameter learning rates from a running mean of squared
//! gradients.

use super::{BLOCK, Optimizer, decayed_lr};
use crate::{Params, scalar};

/// RMSProp, `torch.optim.RMSprop(lr, alpha, eps, weight_decay)` (without
/// momentum and not centered, so its state is one value of the model's type
/// `M`), plus NNFS's learning-rate decay.
///
/// At step `k` (from 0):
///
/// ```text
/// g ← g + λ·θ
/// v ← α·v + (1 − α)·g²
/// θ ← θ − lr / (1 + decay·k) · g / (√v + eps)
/// ```
///
/// PyTorch's defaults: `α = 0.99`, `eps = 1e-8` (NNFS: `rho = 0.9`,
/// `eps = 1e-7`, lr 0.001; set them with [`alpha`](Self::alpha) and
/// [`eps`](Self::eps) to follow the book). For momentum use [`Adam`](super::Adam).
///
/// ```
/// use constnet::{optim::{Optimizer, RmsProp}, Dense};
/// let mut layer = Dense::<1, 1>::new([[1.0]], [0.0]);
/// let grads = Dense::<1, 1>::new([[1.0]], [0.0]);
/// let mut opt = RmsProp::<Dense<1, 1>>::new(0.01).alpha(0.75);
/// opt.step(&mut layer, &grads); // v = 0.25, θ = 1 − 0.01·1/0.5
/// assert!((layer.weight()[0][0] - 0.98).abs() < 1e-6);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct RmsProp<M> {
    /// Initial learning rate.
    pub lr: f32,
    /// Smoothing constant α of the mean square (NNFS's `rho`).
    pub alpha: f32,
    /// Term added to `√v` for numerical stability.
    pub eps: f32,
    /// L2 weight decay λ.
    pub weight_decay: f32,
    /// NNFS learning-rate decay.
    pub decay: f32,
    iterations: u32,
    square_avg: M,
}

impl<M: Params> RmsProp<M> {
    /// Bytes of per-parameter state: one mean square of type `M`.
    pub const STATE_BYTES: usize = core::mem::size_of::<M>();

    /// RMSProp with learning rate `lr` and PyTorch's defaults.
    pub fn new(lr: f32) -> Self {
        Self {
            lr,
            alpha: 0.99,
            eps: 1e-8,
            weight_decay: 0.0,
            decay: 0.0,
            iterations: 0,
            square_avg: M::zeros(),
        }
    }

    /// Sets the smoothing constant α.
    #[must_use]
    pub fn alpha(mut self, alpha: f32) -> Self {
        self.alpha = alpha;
        self
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

    /// Steps taken so far.
    pub fn iterations(&self) -> u32 {
        self.iterations
    }

    /// The learning rate the next step will use.
    pub fn current_lr(&self) -> f32 {
        decayed_lr(self.lr, self.decay, self.iterations)
    }

    /// The running mean of squared gradients (PyTorch's `square_avg`).
    pub fn square_avg(&self) -> &M {
        &self.square_avg
    }
}

impl<M: Params> Optimizer<M> for RmsProp<M> {
    fn step(&mut self, model: &mut M, grads: &M) {
        let lr = self.current_lr();
        let (a, wd, eps) = (self.alpha, self.weight_decay, self.eps);
        for i in 0..M::TENSORS {
            update(model.tensor_mut(i), grads.tensor(i), self.square_avg.tensor_mut(i), lr, a, eps, wd);
        }
        self.iterations = self.iterations.saturating_add(1);
    }
}

/// The update, in blocks (see [`BLOCK`]): the gradient with weight decay is
/// kept in `gw` for the last pass.
fn update(p: &mut [f32], g: &[f32], v: &mut [f32], lr: f32, alpha: f32, eps: f32, weight_decay: f32) {
    let (mut root, mut gw) = ([0.0f32; BLOCK], [0.0f32; BLOCK]);
    for ((p, g), v) in p.chunks_mut(BLOCK).zip(g.chunks(BLOCK)).zip(v.chunks_mut(BLOCK)) {
        for (((p, &g), v), gw) in p.iter().zip(g).zip(v.iter_mut()).zip(gw.iter_mut()) {
            let g = g + weight_decay * *p;
            *v = alpha * *v + (1.0 - alpha) * (g * g);
            *gw = g;
        }
        for (r, v) in root.iter_mut().zip(v.iter()) {
            *r = scalar::sqrt(*v);
        }
        for ((p, g), r) in p.iter_mut().zip(&gw).zip(&root) {
            *p -= lr * (g / (r + eps));
        }
    }
}
