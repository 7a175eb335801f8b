//! The mathspp "quadrants" problem: points uniform in `[-2, 2]²`, class 0 where
//! `x·y > 0` (first and third quadrants), class 1 otherwise.
//!
//! ```
//! use constnet::data::quadrants;
//! use rand_core::SeedableRng;
//! let mut rng = rand_pcg::Pcg64::seed_from_u64(0);
//! let (p, label) = quadrants::sample(&mut rng);
//! assert!(p.iter().all(|v| (-2.0..2.0).contains(v)));
//! assert_eq!(label, quadrants::label(p));
//! assert_eq!(quadrants::one_hot(1), [0.0, 1.0]);
//! ```

use crate::random;
use rand_core::RngCore;

/// Half-width of the square points are drawn from.
pub const RANGE: f32 = 2.0;

/// The class of a point: 0 where `x·y > 0`, else 1.
#[inline]
pub fn label(p: [f32; 2]) -> usize {
    if p[0] * p[1] > 0.0 { 0 } else { 1 }
}

/// The one-hot target of a class (`[1, 0]` or `[0, 1]`).
#[inline]
pub fn one_hot(label: usize) -> [f32; 2] {
    let mut t = [0.0; 2];
    t[label.min(1)] = 1.0;
    t
}

/// One random point and its class.
#[inline]
pub fn sample<R: RngCore + ?Sized>(rng: &mut R) -> ([f32; 2], usize) {
    let p = [random::uniform(rng, -RANGE, RANGE), random::uniform(rng, -RANGE, RANGE)];
    (p, label(p))
}

/// Fills `points` and `labels` (same length) with random samples.
pub fn fill<R: RngCore + ?Sized>(points: &mut [[f32; 2]], labels: &mut [usize], rng: &mut R) {
    for (p, l) in points.iter_mut().zip(labels.iter_mut()) {
        (*p, *l) = sample(rng);
    }
}
