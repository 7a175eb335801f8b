//! The NNFS spiral data set (`nnfs.datasets.spiral_data`): `classes` arms of
//! `samples` points each; point `j` of class `c` has radius `j/(samples−1)` and
//! angle `(4c + 4·j/(samples−1) + 0.2·N(0,1))·2.5`.
//!
//! ```
//! use constnet::data::spiral;
//! use rand_core::SeedableRng;
//! let (mut x, mut y) = ([[0.0; 2]; 300], [0usize; 300]);
//! spiral::fill(&mut x, &mut y, 3, &mut rand_pcg::Pcg64::seed_from_u64(0));
//! assert_eq!((y[0], y[100], y[299]), (0, 1, 2));
//! assert_eq!(x[0], [0.0, 0.0]); // every arm starts at the centre
//! ```

use crate::random;
use rand_core::RngCore;

/// Fills `points`/`labels` with `classes` spiral arms of
/// `points.len() / classes` samples each, class by class. Points past the last
/// full arm are left untouched.
pub fn fill<R: RngCore + ?Sized>(points: &mut [[f32; 2]], labels: &mut [usize], classes: usize, rng: &mut R) {
    let n = points.len().min(labels.len());
    let samples = n.checked_div(classes).unwrap_or(0);
    let denom = samples.saturating_sub(1).max(1) as f64;
    for c in 0..classes {
        for j in 0..samples {
            let k = c * samples + j;
            let r = j as f64 / denom;
            let t = (c as f64 * 4.0 + 4.0 * j as f64 / denom + random::normal(rng) as f64 * 0.2) * 2.5;
            points[k] = [(r * libm::sin(t)) as f32, (r * libm::cos(t)) as f32];
            labels[k] = c;
        }
    }
}
