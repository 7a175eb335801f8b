//! Scalar maths for `no_std`: `exp`, `ln`, `tanh`, `sqrt` on `f32`.
//!
//! `f32::exp` and friends live in `std`, so the core goes through this module.
//! By default every function is a correctly rounded-or-nearly software routine
//! from [`libm`] (|relative error| ≤ 1 ulp for `expf`/`logf`/`sqrtf`, ≤ 2 ulp
//! for `tanhf`), and the results are **bit-identical on every target**: a
//! network trained on x86_64 gives the same outputs on a Cortex-M.
//!
//! With the `fast-math` feature, `exp`, `ln` and `tanh` use the
//! [`micromath`](https://docs.rs/micromath) approximations instead: several
//! times fewer instructions on an FPU-less core, at a relative error of about
//! 1e-3 to 5e-3 (micromath documents ≤ 0.15% for `exp`/`ln`). Training still
//! converges, but results then differ from a `libm` build in the last digits
//! and gradient checks need a looser tolerance. `sqrt` stays on `libm`.
//!
//! ```
//! let y = constnet::scalar::exp(1.0);
//! assert!((y - core::f32::consts::E).abs() < 1e-2);
//! ```

/// `e^x`.
#[inline]
pub fn exp(x: f32) -> f32 {
    #[cfg(feature = "fast-math")]
    {
        micromath::F32Ext::exp(x)
    }
    #[cfg(not(feature = "fast-math"))]
    {
        libm::expf(x)
    }
}

/// Natural logarithm `ln x`.
#[inline]
pub fn ln(x: f32) -> f32 {
    #[cfg(feature = "fast-math")]
    {
        micromath::F32Ext::ln(x)
    }
    #[cfg(not(feature = "fast-math"))]
    {
        libm::logf(x)
    }
}

/// Hyperbolic tangent.
#[inline]
pub fn tanh(x: f32) -> f32 {
    #[cfg(feature = "fast-math")]
    {
        // micromath has no tanh; build it from its exp: tanh x = 1 - 2 / (e^{2x} + 1).
        1.0 - 2.0 / (micromath::F32Ext::exp(2.0 * x) + 1.0)
    }
    #[cfg(not(feature = "fast-math"))]
    {
        libm::tanhf(x)
    }
}

/// Square root (always `libm`: it is exact, and cheap with an FPU).
#[inline]
pub fn sqrt(x: f32) -> f32 {
    libm::sqrtf(x)
}

/// Logistic sigmoid `1 / (1 + e^-x)`, written so that it never overflows.
#[inline]
pub fn sigmoid(x: f32) -> f32 {
    if x >= 0.0 {
        1.0 / (1.0 + exp(-x))
    } else {
        let e = exp(x);
        e / (1.0 + e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_values() {
        let tol = if cfg!(feature = "fast-math") { 5e-3 } else { 1e-6 };
        let rel = |a: f32, b: f64| ((a as f64 - b) / b).abs();
        assert!(rel(exp(1.0), core::f64::consts::E) < tol);
        assert!(rel(exp(-3.5), (-3.5f64).exp()) < tol);
        assert!(rel(ln(10.0), 10f64.ln()) < tol);
        assert!(rel(tanh(0.5), 0.5f64.tanh()) < tol);
        assert!(rel(sqrt(2.0), 2f64.sqrt()) < 1e-7);
        assert!(rel(sigmoid(2.0), 1.0 / (1.0 + (-2f64).exp())) < tol);
        assert_eq!(sigmoid(-200.0), 0.0);
        assert_eq!(sigmoid(200.0), 1.0);
    }
}
