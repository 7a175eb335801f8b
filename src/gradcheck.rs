//! Gradient checking: analytic gradients (from [`Backprop::backward`]) against
//! central differences, for any layer, loss or network.
//!
//! [`check`] differentiates a loss; [`check_layer`] differentiates
//! `⟨r, layer(x)⟩` for a fixed upstream gradient `r`, which tests a layer's
//! `backward` on its own. Both check every parameter and every input value
//! and count how many agree within tolerance, per parameter tensor — the
//! Cretan tutorial's "N out of N weight gradients are numerically equal".
//!
//! ```
//! use constnet::{gradcheck::{check, GradCheck}, init::{init, Init}, loss::Mse, Dense, Tanh};
//! use rand_core::SeedableRng;
//! let mut net = (Dense::<3, 4>::zeros(), Tanh, Dense::<4, 2>::zeros());
//! init(&mut net, Init::GlorotUniform, &mut rand_pcg::Pcg64::seed_from_u64(1));
//! let report = check(&mut net, &[0.5, -0.2, 0.1], &Mse::MEAN, &[1.0, 0.0], &GradCheck::default());
//! assert!(report.all_agree(), "{report}");
//! assert_eq!(report.params_total, 3 * 4 + 4 + 4 * 2 + 2);
//! ```
//!
//! Numerical precision: the network runs in `f32`, so a central difference
//! with step `ε` carries a rounding error of about `1e-7·|L| / ε`. The
//! defaults (`ε = 1e-3`, agreement when `|a − n| ≤ 1e-3 + 1e-2·max(|a|, |n|)`)
//! suit losses of order 1; piecewise-linear activations can disagree where a
//! perturbation crosses a kink, which is rare for random inputs.

use crate::loss::Loss;
use crate::{Backprop, Params, Tensor, TensorKind, Zeros};
use core::fmt;

/// Step and tolerances of a gradient check.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GradCheck {
    /// Central-difference step ε.
    pub epsilon: f32,
    /// Relative tolerance.
    pub rel_tol: f32,
    /// Absolute tolerance.
    pub abs_tol: f32,
}

impl Default for GradCheck {
    fn default() -> Self {
        Self { epsilon: 1e-3, rel_tol: 1e-2, abs_tol: 1e-3 }
    }
}

impl GradCheck {
    /// True when analytic `a` and numeric `n` agree within tolerance.
    pub fn agrees(&self, a: f32, n: f32) -> bool {
        (a - n).abs() <= self.abs_tol + self.rel_tol * a.abs().max(n.abs())
    }
}

/// Agreement for one parameter tensor.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TensorReport {
    /// Tensor index in visiting order.
    pub tensor: usize,
    /// Weight or bias.
    pub kind: TensorKind,
    /// Values whose gradients agree.
    pub agreed: usize,
    /// Values checked.
    pub total: usize,
    /// Largest |analytic − numeric| seen.
    pub max_abs_error: f32,
}

/// Most tensors listed one by one in a [`GradCheckReport`] (16 dense layers);
/// totals always cover every tensor.
pub const MAX_TENSOR_REPORTS: usize = 32;

/// Result of a gradient check.
#[derive(Clone, Debug, PartialEq)]
pub struct GradCheckReport {
    /// Per-tensor results (the first [`MAX_TENSOR_REPORTS`] tensors).
    pub tensors: heapless::Vec<TensorReport, MAX_TENSOR_REPORTS>,
    /// Parameters whose gradients agree.
    pub params_agreed: usize,
    /// Parameters checked.
    pub params_total: usize,
    /// Input values whose gradients agree.
    pub inputs_agreed: usize,
    /// Input values checked.
    pub inputs_total: usize,
    /// Largest |analytic − numeric| over parameters and inputs.
    pub max_abs_error: f32,
    /// The loss at the unperturbed point.
    pub loss: f32,
}

impl GradCheckReport {
    /// True when every parameter and input gradient agrees.
    pub fn all_agree(&self) -> bool {
        self.params_agreed == self.params_total && self.inputs_agreed == self.inputs_total
    }
}

impl fmt::Display for GradCheckReport {
    /// One Cretan-style line per tensor, then the input line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for t in &self.tensors {
            let what = match t.kind {
                TensorKind::Weight => "weight",
                TensorKind::Bias => "bias",
            };
            writeln!(
                f,
                "tensor {} ({what}): {} out of {} {what} gradients are numerically equal (max |error| {:.2e})",
                t.tensor, t.agreed, t.total, t.max_abs_error
            )?;
        }
        write!(
            f,
            "input: {} out of {} input gradients are numerically equal; max |error| {:.2e}",
            self.inputs_agreed, self.inputs_total, self.max_abs_error
        )
    }
}

/// Checks the gradients of `loss(model(x), target)` with respect to every
/// parameter of `model` and every value of `x`.
///
/// `model` is perturbed one parameter at a time and restored exactly.
pub fn check<M, X, L, T>(model: &mut M, x: &X, loss: &L, target: &T, cfg: &GradCheck) -> GradCheckReport
where
    M: Backprop<X> + Params,
    X: Tensor,
    L: Loss<M::Output, T>,
{
    // Analytic gradients.
    let mut cache = M::Cache::zeros();
    let y = model.forward_train(x, &mut cache);
    let (loss0, d_out) = loss.loss_grad(&y, target);
    let mut grads = M::zeros();
    let dx = model.backward(&cache, &d_out, &mut grads);

    let mut report = GradCheckReport {
        tensors: heapless::Vec::new(),
        params_agreed: 0,
        params_total: 0,
        inputs_agreed: 0,
        inputs_total: 0,
        max_abs_error: 0.0,
        loss: loss0,
    };
    let value = |m: &M, x: &X| loss.loss(&m.forward(x), target);

    for i in 0..M::TENSORS {
        let mut t =
            TensorReport { tensor: i, kind: M::shape(i).kind, agreed: 0, total: 0, max_abs_error: 0.0 };
        for k in 0..grads.tensor(i).len() {
            let orig = model.tensor(i)[k];
            let (plus, minus) = (orig + cfg.epsilon, orig - cfg.epsilon);
            model.tensor_mut(i)[k] = plus;
            let lp = value(model, x);
            model.tensor_mut(i)[k] = minus;
            let lm = value(model, x);
            model.tensor_mut(i)[k] = orig;
            let numeric = (lp - lm) / (plus - minus);
            let analytic = grads.tensor(i)[k];
            let err = (analytic - numeric).abs();
            t.max_abs_error = t.max_abs_error.max(err);
            t.total += 1;
            t.agreed += cfg.agrees(analytic, numeric) as usize;
        }
        report.params_agreed += t.agreed;
        report.params_total += t.total;
        report.max_abs_error = report.max_abs_error.max(t.max_abs_error);
        let _ = report.tensors.push(t);
    }

    let mut xp = x.clone();
    for k in 0..X::ROWS * X::COLS {
        let orig = x.flat()[k];
        let (plus, minus) = (orig + cfg.epsilon, orig - cfg.epsilon);
        xp.flat_mut()[k] = plus;
        let lp = value(model, &xp);
        xp.flat_mut()[k] = minus;
        let lm = value(model, &xp);
        xp.flat_mut()[k] = orig;
        let numeric = (lp - lm) / (plus - minus);
        let analytic = dx.flat()[k];
        report.max_abs_error = report.max_abs_error.max((analytic - numeric).abs());
        report.inputs_total += 1;
        report.inputs_agreed += cfg.agrees(analytic, numeric) as usize;
    }
    report
}

/// The objective `⟨r, y⟩` for a fixed `r`: its gradient with respect to `y`
/// is `r`, so checking it tests a layer's `backward` for upstream gradient `r`.
#[derive(Clone, Copy, Debug)]
pub struct Projection;

impl<Y: Tensor> Loss<Y, Y> for Projection {
    fn loss_grad(&self, y: &Y, r: &Y) -> (f32, Y) {
        (crate::math::dot(y.flat(), r.flat()), r.clone())
    }
}

/// Checks a layer (or network) on its own: differentiates `⟨d_out, layer(x)⟩`,
/// so the analytic side is exactly `backward(…, d_out, …)`.
///
/// ```
/// use constnet::{gradcheck::{check_layer, GradCheck}, Softmax};
/// let r = check_layer(&mut Softmax, &[0.3, -1.0, 2.0], &[1.0, -2.0, 0.5], &GradCheck::default());
/// assert!(r.all_agree());
/// ```
pub fn check_layer<M, X>(model: &mut M, x: &X, d_out: &M::Output, cfg: &GradCheck) -> GradCheckReport
where
    M: Backprop<X> + Params,
    X: Tensor,
    M::Output: Tensor,
{
    check(model, x, &Projection, d_out, cfg)
}
