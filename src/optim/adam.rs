//! Adam: bias-corrected first and second moment estimates.

use super::{BLOCK, Optimizer, decayed_lr};
use crate::{Params, scalar};

/// Adam, `torch.optim.Adam(lr, betas, eps, weight_decay)` (L2 weight decay,
/// not AdamW), plus NNFS's learning-rate decay. The two moments are values of
/// the model's type `M`, so Adam's state is `2 · size_of::<M>()` bytes.
///
/// At step `t = k + 1` (`k` steps taken before):
///
/// ```text
/// g ← g + λ·θ
/// m ← β₁·m + (1 − β₁)·g
/// v ← β₂·v + (1 − β₂)·g²
/// θ ← θ − lr / (1 + decay·k) · (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + eps)
/// ```
///
/// Defaults as PyTorch: `β₁ = 0.9`, `β₂ = 0.999`, `eps = 1e-8` (NNFS uses
/// `eps = 1e-7`). The NNFS chapter-10 spiral run is
/// `Adam::new(0.05).decay(5e-7)`.
///
/// ```
/// use constnet::{optim::{Adam, Optimizer}, Dense};
/// let mut layer = Dense::<1, 1>::new([[1.0]], [0.0]);
/// let grads = Dense::<1, 1>::new([[0.5]], [-2.0]);
/// let mut adam = Adam::<Dense<1, 1>>::new(0.1);
/// adam.step(&mut layer, &grads);
/// // Step 1: m̂ = g and v̂ = g², so each parameter moves lr·g/(|g| + eps).
/// assert!((layer.weight()[0][0] - 0.9).abs() < 1e-6);
/// assert!((layer.bias()[0] - 0.1).abs() < 1e-6);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Adam<M> {
    /// Initial learning rate.
    pub lr: f32,
    /// Decay rate β₁ of the first moment.
    pub beta1: f32,
    /// Decay rate β₂ of the second moment.
    pub beta2: f32,
    /// Term added to the root of the second moment for numerical stability.
    pub eps: f32,
    /// L2 weight decay λ (added to the gradient).
    pub weight_decay: f32,
    /// NNFS learning-rate decay.
    pub decay: f32,
    iterations: u32,
    m: M,
    v: M,
}

impl<M: Params> Adam<M> {
    /// Bytes of per-parameter state: two moments of type `M`.
    pub const STATE_BYTES: usize = 2 * core::mem::size_of::<M>();

    /// Adam with learning rate `lr` and PyTorch's defaults.
    pub fn new(lr: f32) -> Self {
        Self {
            lr,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay: 0.0,
            decay: 0.0,
            iterations: 0,
            m: M::zeros(),
            v: M::zeros(),
        }
    }

    /// Sets β₁ and β₂.
    #[must_use]
    pub fn betas(mut self, beta1: f32, beta2: f32) -> Self {
        self.beta1 = beta1;
        self.beta2 = beta2;
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

    /// The learning rate the next step will use (before bias correction).
    pub fn current_lr(&self) -> f32 {
        decayed_lr(self.lr, self.decay, self.iterations)
    }

    /// The first-moment estimate `m` (PyTorch's `exp_avg`).
    pub fn first_moment(&self) -> &M {
        &self.m
    }

    /// The second-moment estimate `v` (PyTorch's `exp_avg_sq`).
    pub fn second_moment(&self) -> &M {
        &self.v
    }

    /// Forgets the moments and the step count (hyperparameters are kept).
    pub fn reset(&mut self) {
        self.m.set_zero();
        self.v.set_zero();
        self.iterations = 0;
    }
}

impl<M: Params> Optimizer<M> for Adam<M> {
    fn step(&mut self, model: &mut M, grads: &M) {
        let t = self.iterations as f64 + 1.0;
        let bias1 = 1.0 - libm::pow(self.beta1 as f64, t);
        let bias2 = 1.0 - libm::pow(self.beta2 as f64, t);
        let k = Coeffs {
            beta1: self.beta1,
            beta2: self.beta2,
            step_size: (self.current_lr() as f64 / bias1) as f32,
            bias2_sqrt: libm::sqrt(bias2) as f32,
            eps: self.eps,
            weight_decay: self.weight_decay,
        };
        for i in 0..M::TENSORS {
            update(model.tensor_mut(i), grads.tensor(i), self.m.tensor_mut(i), self.v.tensor_mut(i), &k);
        }
        self.iterations = self.iterations.saturating_add(1);
    }
}

struct Coeffs {
    beta1: f32,
    beta2: f32,
    step_size: f32,
    bias2_sqrt: f32,
    eps: f32,
    weight_decay: f32,
}

/// PyTorch's single-tensor Adam, element by element (in blocks, see
/// [`BLOCK`]).
fn update(p: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32], k: &Coeffs) {
    let mut root = [0.0f32; BLOCK];
    let blocks = p.chunks_mut(BLOCK).zip(g.chunks(BLOCK)).zip(m.chunks_mut(BLOCK)).zip(v.chunks_mut(BLOCK));
    for (((p, g), m), v) in blocks {
        for (((p, &g), m), v) in p.iter().zip(g).zip(m.iter_mut()).zip(v.iter_mut()) {
            let g = g + k.weight_decay * *p;
            *m = k.beta1 * *m + (1.0 - k.beta1) * g;
            *v = k.beta2 * *v + (1.0 - k.beta2) * (g * g);
        }
        for (r, v) in root.iter_mut().zip(v.iter()) {
            *r = scalar::sqrt(*v);
        }
        for ((p, m), r) in p.iter_mut().zip(m.iter()).zip(&root) {
            let denom = r / k.bias2_sqrt + k.eps;
            *p -= k.step_size * (m / denom);
        }
    }
}
