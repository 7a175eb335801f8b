//! The fast paths (`math::set_fast`: `KernelPath::Avx2Fma`,
//! `KernelPath::Avx512Fma`) on random shapes up to several panels and tiles
//! wide, every tail included:
//!
//! * within the error bound of a chain of `n` fused multiply-adds of an f64
//!   reference, `|ŷ − y| ≤ γₙ·(|c₀| + Σ|aᵢ·bᵢ|)` with `γₙ = n·u/(1 − n·u)`,
//!   `u = 2⁻²⁴` (plus `n` times the smallest subnormal for underflow);
//! * bit for bit equal to the documented order (a scalar `f32::mul_add`
//!   chain), so the AVX2 and AVX-512 fast paths agree with each other;
//! * never writing outside the output slices (guard values around them);
//! * NaN and infinity propagating.
//!
//! The exact paths are checked bit for bit in `tests/kernels.rs`.

use constnet::math::{self, KernelPath};
use proptest::prelude::*;

/// The fast paths this CPU and build can run (none on other CPUs: then the
/// tests check nothing, and say so).
fn fast_paths() -> Vec<KernelPath> {
    let paths: Vec<_> = KernelPath::ALL.into_iter().filter(|p| p.is_fused() && p.is_available()).collect();
    if paths.is_empty() {
        eprintln!("no fast path on this CPU/build: nothing to check");
    }
    paths
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        let u = (self.0 >> 40) as u32;
        // Mixed magnitudes and signs, some exact zeros of both signs.
        match u % 32 {
            0 => 0.0,
            1 => -0.0,
            2 => 1e3 * ((u >> 5) as f32 / (1u32 << 19) as f32 - 1.0),
            _ => (u as f32 / (1u32 << 24) as f32) * 4.0 - 2.0,
        }
    }
    fn vec(&mut self, n: usize) -> Vec<f32> {
        (0..n).map(|_| self.next()).collect()
    }
}

const U: f64 = 1.0 / 16_777_216.0; // 2^-24
const GUARD: usize = 37;
const SENTINEL: f32 = -12345.678;

/// `γₙ·scale` plus `n` subnormal steps.
fn bound(n: usize, scale: f64) -> f64 {
    let nu = n as f64 * U;
    nu / (1.0 - nu) * scale + n as f64 * f64::from(f32::from_bits(1))
}

/// A buffer of `n` values starting at `fill`, with guard values on both sides.
fn guarded(n: usize, fill: &[f32]) -> Vec<f32> {
    let mut v = vec![SENTINEL; GUARD];
    v.extend_from_slice(&fill[..n]);
    v.extend(std::iter::repeat_n(SENTINEL, GUARD));
    v
}

fn guards_intact(v: &[f32], what: &str) {
    let n = v.len() - 2 * GUARD;
    assert!(
        v[..GUARD].iter().chain(&v[GUARD + n..]).all(|g| g.to_bits() == SENTINEL.to_bits()),
        "{what} wrote outside its slice"
    );
}

/// Checks one output against f64 and the bit-exact chain.
#[allow(clippy::too_many_arguments)]
fn check(got: f32, chain: f32, exact: f64, scale: f64, n: usize, what: &str, path: KernelPath) {
    assert_eq!(got.to_bits(), chain.to_bits(), "{path:?} {what}: {got} vs the documented chain {chain}");
    let err = (got as f64 - exact).abs();
    assert!(err <= bound(n, scale), "{path:?} {what}: error {err:e} above the bound {:e}", bound(n, scale));
}

fn check_shape(ins: usize, outs: usize, rows: usize, seed: u64) {
    let mut g = Rng(seed | 1);
    let (w, b, x, dy) = (g.vec(ins * outs), g.vec(outs), g.vec(rows * ins), g.vec(rows * outs));
    let (dw0, db0) = (g.vec(ins * outs), g.vec(outs));
    let gemm = rows >= math::FAST_GEMM_ROWS && outs > math::FAST_GEMM_MIN_OUTS;
    let mut first: Option<(Vec<f32>, Vec<f32>, Vec<f32>)> = None;
    for path in fast_paths() {
        // Forward.
        let mut y = guarded(rows * outs, &vec![f32::NAN; rows * outs]);
        math::dense_forward_on(path, &w, &b, &x, &mut y[GUARD..GUARD + rows * outs], ins, outs);
        guards_intact(&y, "forward");
        for s in 0..rows {
            for o in 0..outs {
                let (wo, xs) = (&w[o * ins..][..ins], &x[s * ins..][..ins]);
                let exact = b[o] as f64 + wo.iter().zip(xs).map(|(a, c)| *a as f64 * *c as f64).sum::<f64>();
                let scale = b[o].abs() as f64
                    + wo.iter().zip(xs).map(|(a, c)| (*a as f64 * *c as f64).abs()).sum::<f64>();
                let got = y[GUARD + s * outs + o];
                if gemm {
                    let chain = (0..ins).fold(b[o], |acc, i| xs[i].mul_add(wo[i], acc));
                    check(
                        got,
                        chain,
                        exact,
                        scale,
                        ins + 1,
                        &format!("y[{s}][{o}] of {ins}x{outs}x{rows}"),
                        path,
                    );
                } else {
                    // The dot-product form: 16 lane sums, then the fold.
                    let err = (got as f64 - exact).abs();
                    assert!(err <= bound(ins + 1, scale), "{path:?} y[{s}][{o}]: error {err:e}");
                }
            }
        }
        // Backward, with and without dx.
        let mut dw = guarded(ins * outs, &dw0);
        let mut db = db0.clone();
        let mut dx = guarded(rows * ins, &vec![f32::NAN; rows * ins]);
        math::dense_backward_on(
            path,
            &w,
            &x,
            &dy,
            &mut dw[GUARD..GUARD + ins * outs],
            &mut db,
            Some(&mut dx[GUARD..GUARD + rows * ins]),
            ins,
            outs,
        );
        guards_intact(&dw, "dW");
        guards_intact(&dx, "dx");
        for o in 0..outs {
            let db_exact = db0[o] as f64 + (0..rows).map(|s| dy[s * outs + o] as f64).sum::<f64>();
            let db_scale =
                db0[o].abs() as f64 + (0..rows).map(|s| dy[s * outs + o].abs() as f64).sum::<f64>();
            assert!((db[o] as f64 - db_exact).abs() <= bound(rows + 1, db_scale), "{path:?} db[{o}]");
            for i in 0..ins {
                let c0 = dw0[o * ins + i];
                let chain = (0..rows).fold(c0, |acc, s| dy[s * outs + o].mul_add(x[s * ins + i], acc));
                let terms = (0..rows).map(|s| dy[s * outs + o] as f64 * x[s * ins + i] as f64);
                let exact = c0 as f64 + terms.clone().sum::<f64>();
                let scale = c0.abs() as f64 + terms.map(f64::abs).sum::<f64>();
                check(
                    dw[GUARD + o * ins + i],
                    chain,
                    exact,
                    scale,
                    rows + 1,
                    &format!("dW[{o}][{i}] of {ins}x{outs}x{rows}"),
                    path,
                );
            }
        }
        for s in 0..rows {
            for i in 0..ins {
                let chain = (0..outs).fold(0.0f32, |acc, o| dy[s * outs + o].mul_add(w[o * ins + i], acc));
                let terms = (0..outs).map(|o| dy[s * outs + o] as f64 * w[o * ins + i] as f64);
                let (exact, scale) = (terms.clone().sum::<f64>(), terms.map(f64::abs).sum::<f64>());
                check(
                    dx[GUARD + s * ins + i],
                    chain,
                    exact,
                    scale,
                    outs,
                    &format!("dx[{s}][{i}] of {ins}x{outs}x{rows}"),
                    path,
                );
            }
        }
        let (mut dw2, mut db2) = (dw0.clone(), db0.clone());
        math::dense_backward_on(path, &w, &x, &dy, &mut dw2, &mut db2, None, ins, outs);
        assert_eq!(bits(&dw2), bits(&dw[GUARD..GUARD + ins * outs]), "{path:?}: dW without dx");
        assert_eq!(bits(&db2), bits(&db), "{path:?}: db without dx");

        // Both fast paths give the same bits.
        let got = (y, dw, dx);
        if let Some(f) = &first {
            assert_eq!(
                (bits(&f.0), bits(&f.1), bits(&f.2)),
                (bits(&got.0), bits(&got.1), bits(&got.2)),
                "{path:?} differs from the other fast path"
            );
        } else {
            first = Some(got);
        }
    }
}

fn bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|f| f.to_bits()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Shapes across tile (6 rows; 16 and 64 columns), panel (64 outputs,
    /// 256 inputs) and mask boundaries.
    #[test]
    fn fast_kernels_are_within_the_bound_and_follow_their_order(
        ins in 1usize..300, outs in 1usize..140, rows in 0usize..40, seed: u64,
    ) {
        check_shape(ins, outs, rows, seed);
    }
}

#[test]
fn fast_kernels_on_model_shapes() {
    for (ins, outs, rows) in [
        (784, 128, 32),
        (784, 50, 13),
        (2 * 256 + 17, 65, 7),
        (128, 10, 9),
        (50, 10, 5),
        (784, 128, 1),
        (3, 17, 4),
    ] {
        check_shape(ins, outs, rows, 11);
    }
}

#[test]
fn non_finite_values_propagate() {
    let (ins, outs, rows) = (300, 70, 8);
    let mut g = Rng(5);
    let (w, b, mut x) = (g.vec(ins * outs), g.vec(outs), g.vec(rows * ins));
    x[3 * ins + 299] = f32::NAN; // sample 3: every output NaN
    x[5 * ins] = f32::INFINITY; // sample 5: ±inf or NaN
    for path in fast_paths() {
        let mut y = vec![0.0; rows * outs];
        math::dense_forward_on(path, &w, &b, &x, &mut y, ins, outs);
        assert!(y[3 * outs..4 * outs].iter().all(|v| v.is_nan()), "{path:?}");
        assert!(y[5 * outs..6 * outs].iter().all(|v| !v.is_finite()), "{path:?}");
        assert!(y[..3 * outs].iter().all(|v| v.is_finite()), "{path:?}: other samples stay finite");
    }
}

#[test]
fn empty_shapes_run_on_the_fast_paths() {
    for path in fast_paths() {
        let mut y = [7.0; 3];
        math::dense_forward_on(path, &[], &[0.5, 1.5, 2.5], &[], &mut y, 0, 3);
        assert_eq!(y, [0.5, 1.5, 2.5]);
        let (mut dw, mut db, mut dx) = ([0.0; 0], [1.0; 2], [9.0; 4]);
        math::dense_backward_on(path, &[], &[], &[1.0, 2.0], &mut dw, &mut db, Some(&mut dx), 0, 2);
        assert_eq!(db, [2.0, 3.0]);
    }
}
