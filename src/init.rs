//! Weight initialisation over any [`rand_core::RngCore`].
//!
//! Initialisers are plain loops over a model's parameter tensors
//! ([`Params`]), so they work for any layer or network. The same seed gives
//! the same network, bit for bit, on every target (sampling runs in `f64`
//! through `libm`, see [`crate::random`]).
//!
//! ```
//! use constnet::{init::{init, Init}, Dense, LeakyRelu, Params};
//! use rand_core::SeedableRng;
//!
//! type Net = (Dense<2, 3>, LeakyRelu, Dense<3, 2>, LeakyRelu);
//! let make = |seed| {
//!     let mut net: Net = (Dense::zeros(), LeakyRelu::new(0.1), Dense::zeros(), LeakyRelu::new(0.1));
//!     init(&mut net, Init::He, &mut rand_pcg::Pcg64::seed_from_u64(seed));
//!     net
//! };
//! assert_eq!(make(42), make(42));
//! assert_ne!(make(42), make(43));
//! ```

use crate::{Params, TensorKind, TensorShape, random};
use rand_core::RngCore;

/// How to draw initial parameters. `fan_in`/`fan_out` are a weight matrix's
/// columns and rows.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Init {
    /// The mathspp tutorial: weights `N(0, σ = 1/(rows·cols))`, biases
    /// `N(0, σ = 1/len)`.
    MathsppNormal,
    /// NNFS: weights `0.01·N(0, 1)`, biases zero.
    Nnfs,
    /// Glorot/Xavier uniform: weights `U(±√(6/(fan_in + fan_out)))`, biases zero.
    GlorotUniform,
    /// He (Kaiming) normal for ReLU nets: weights `N(0, σ = √(2/fan_in))`,
    /// biases zero.
    He,
    /// PyTorch's `nn.Linear` default: weights and biases `U(±1/√fan_in)`.
    PytorchDefault,
    /// Every parameter `N(0, σ)`.
    Normal(f32),
    /// Every parameter `U(lo, hi)`.
    Uniform(f32, f32),
}

/// Overwrites every parameter of `model` with draws from `scheme`, tensor by
/// tensor in visiting order.
pub fn init<M: Params, R: RngCore + ?Sized>(model: &mut M, scheme: Init, rng: &mut R) {
    for i in 0..M::TENSORS {
        let shape = M::shape(i);
        let fan_in = fan_in_for::<M>(i, shape);
        let t = model.tensor_mut(i);
        for v in t.iter_mut() {
            *v = draw(scheme, shape, fan_in, rng);
        }
    }
}

/// The fan-in that applies to tensor `i`: a weight's columns, or for a bias
/// the fan-in of the weight just before it.
fn fan_in_for<M: Params>(i: usize, shape: TensorShape) -> usize {
    match shape.kind {
        TensorKind::Weight => shape.cols,
        TensorKind::Bias if i > 0 && M::shape(i - 1).kind == TensorKind::Weight => M::shape(i - 1).cols,
        TensorKind::Bias => shape.cols,
    }
}

fn draw<R: RngCore + ?Sized>(scheme: Init, shape: TensorShape, fan_in: usize, rng: &mut R) -> f32 {
    let weight = shape.kind == TensorKind::Weight;
    let fan_in = fan_in.max(1) as f32;
    match scheme {
        Init::MathsppNormal => random::normal(rng) / shape.len().max(1) as f32,
        Init::Nnfs if weight => 0.01 * random::normal(rng),
        Init::GlorotUniform if weight => {
            let a = crate::scalar::sqrt(6.0 / (shape.rows + shape.cols).max(1) as f32);
            random::uniform(rng, -a, a)
        }
        Init::He if weight => random::normal(rng) * crate::scalar::sqrt(2.0 / fan_in),
        Init::Nnfs | Init::GlorotUniform | Init::He => 0.0,
        Init::PytorchDefault => {
            let a = 1.0 / crate::scalar::sqrt(fan_in);
            random::uniform(rng, -a, a)
        }
        Init::Normal(sigma) => sigma * random::normal(rng),
        Init::Uniform(lo, hi) => random::uniform(rng, lo, hi),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Dense, Relu};
    use rand_core::SeedableRng;

    fn std_of(v: &[f32]) -> f32 {
        let n = v.len() as f32;
        let m = v.iter().sum::<f32>() / n;
        (v.iter().map(|x| (x - m) * (x - m)).sum::<f32>() / n).sqrt()
    }

    #[test]
    fn schemes_have_their_spread() {
        let mut rng = rand_pcg::Pcg64::seed_from_u64(0);
        let mut net = (Dense::<200, 100>::zeros(), Relu, Dense::<100, 10>::zeros());
        init(&mut net, Init::He, &mut rng);
        let s = std_of(net.0.weight().as_flattened());
        assert!((s - (2.0f32 / 200.0).sqrt()).abs() < 0.005, "{s}");
        assert!(net.0.bias().iter().all(|&b| b == 0.0));
        init(&mut net, Init::MathsppNormal, &mut rng);
        let s = std_of(net.0.weight().as_flattened());
        assert!((s - 1.0 / 20_000.0).abs() < 2e-6, "{s}");
        let s = std_of(net.0.bias());
        assert!((s - 1.0 / 100.0).abs() < 2e-3, "{s}");
        init(&mut net, Init::GlorotUniform, &mut rng);
        let a = (6.0f32 / 300.0).sqrt();
        assert!(net.0.weight().as_flattened().iter().all(|w| w.abs() <= a));
        init(&mut net, Init::Nnfs, &mut rng);
        assert!((std_of(net.2.weight().as_flattened()) - 0.01).abs() < 0.002);
        init(&mut net, Init::PytorchDefault, &mut rng);
        assert!(net.2.bias().iter().all(|b| b.abs() <= 0.1) && net.2.bias().iter().any(|&b| b != 0.0));
    }
}
