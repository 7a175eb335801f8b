//! Random numbers from any [`rand_core::RngCore`]: uniform and normal
//! samples, computed in `f64` with `libm` so the same seed gives the same
//! values, bit for bit, on every target.
//!
//! ```
//! use rand_core::SeedableRng;
//! let mut a = rand_pcg::Pcg32::seed_from_u64(7);
//! let mut b = rand_pcg::Pcg32::seed_from_u64(7);
//! assert_eq!(constnet::random::normal(&mut a).to_bits(), constnet::random::normal(&mut b).to_bits());
//! ```

use rand_core::RngCore;

/// Uniform in `[0, 1)`, 53 random bits.
#[inline]
pub fn uniform01<R: RngCore + ?Sized>(rng: &mut R) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// Uniform in `[lo, hi)`.
#[inline]
pub fn uniform<R: RngCore + ?Sized>(rng: &mut R, lo: f32, hi: f32) -> f32 {
    (lo as f64 + (hi as f64 - lo as f64) * uniform01(rng)) as f32
}

/// Standard normal (mean 0, standard deviation 1), by the Box–Muller
/// transform; consumes two `u64`s per call.
#[inline]
pub fn normal<R: RngCore + ?Sized>(rng: &mut R) -> f32 {
    let u1 = 1.0 - uniform01(rng); // (0, 1]: ln never sees 0
    let u2 = uniform01(rng);
    (libm::sqrt(-2.0 * libm::log(u1)) * libm::cos(core::f64::consts::TAU * u2)) as f32
}

/// Uniform index in `0..n` (`n > 0`), by Lemire's multiply-shift (bias below
/// 2⁻³² for the sizes used here).
#[inline]
pub fn index<R: RngCore + ?Sized>(rng: &mut R, n: usize) -> usize {
    ((rng.next_u64() as u128 * n as u128) >> 64) as usize
}

/// Shuffles `v` in place (Fisher–Yates), no allocation.
///
/// ```
/// use rand_core::SeedableRng;
/// let mut v = [0, 1, 2, 3, 4, 5, 6, 7];
/// constnet::random::shuffle(&mut v, &mut rand_pcg::Pcg32::seed_from_u64(1));
/// v.sort();
/// assert_eq!(v, [0, 1, 2, 3, 4, 5, 6, 7]);
/// ```
pub fn shuffle<T, R: RngCore + ?Sized>(v: &mut [T], rng: &mut R) {
    for i in (1..v.len()).rev() {
        v.swap(i, index(rng, i + 1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_core::SeedableRng;

    #[test]
    fn moments_are_right() {
        let mut rng = rand_pcg::Pcg64::seed_from_u64(3);
        let n = 200_000;
        let (mut s, mut s2, mut u) = (0.0f64, 0.0f64, 0.0f64);
        for _ in 0..n {
            let z = normal(&mut rng) as f64;
            s += z;
            s2 += z * z;
            u += uniform(&mut rng, -2.0, 2.0) as f64;
        }
        let mean = s / n as f64;
        assert!(mean.abs() < 0.01, "{mean}");
        assert!((s2 / n as f64 - 1.0).abs() < 0.02);
        assert!((u / n as f64).abs() < 0.02);
        assert!(index(&mut rng, 5) < 5);
    }
}
