//! Slice kernels: the hot loops every layer shares.
//!
//! Shapes are passed as lengths, not const generics, so firmware does not get
//! one copy of each loop per layer shape; the functions are `#[inline]` so a
//! desktop build with small constant shapes still unrolls them fully.
//!
//! Rust never reassociates float additions, so a plain `.sum()` runs one add
//! at a time. [`dot`] keeps [`LANES`] independent partial sums, which LLVM maps
//! onto SIMD registers; the summation order is fixed, so results are the same
//! on every target (no fused multiply-add is ever introduced).
//!
//! ```
//! use constnet::math;
//! let a = [1.0; 20];
//! let b: [f32; 20] = core::array::from_fn(|i| i as f32);
//! assert_eq!(math::dot(&a, &b), 190.0);
//! ```

/// Independent partial sums kept by [`dot`].
pub const LANES: usize = 8;

/// Dot product `Σ a[i]·b[i]` over the common length of `a` and `b`, with
/// [`LANES`] partial sums combined pairwise at the end.
#[inline]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let ca = a.chunks_exact(LANES);
    let cb = b.chunks_exact(LANES);
    let (ra, rb) = (ca.remainder(), cb.remainder());
    let mut acc = [0.0f32; LANES];
    for (x, y) in ca.zip(cb) {
        for k in 0..LANES {
            acc[k] += x[k] * y[k];
        }
    }
    for (k, (x, y)) in ra.iter().zip(rb).enumerate() {
        acc[k] += x * y;
    }
    let s4 = [acc[0] + acc[4], acc[1] + acc[5], acc[2] + acc[6], acc[3] + acc[7]];
    (s4[0] + s4[2]) + (s4[1] + s4[3])
}

/// `y[i] += alpha · x[i]` over the common length.
#[inline]
pub fn axpy(alpha: f32, x: &[f32], y: &mut [f32]) {
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += alpha * xi;
    }
}

/// Layers with at most this many weights use the `_inline` kernels, so
/// their loops unroll completely for the constant shape; larger ones share one
/// out-of-line copy of each kernel.
pub const INLINE_WEIGHTS: usize = 64;

/// Dense forward pass for `rows` samples: `y[s][o] = b[o] + Σ_i w[o][i]·x[s][i]`.
///
/// `w` is `outs × ins` row-major, `x` is `rows × ins`, `y` is `rows × outs`.
pub fn dense_forward(w: &[f32], b: &[f32], x: &[f32], y: &mut [f32], ins: usize, outs: usize) {
    dense_forward_inline(w, b, x, y, ins, outs)
}

/// [`dense_forward`], always inlined (for small constant shapes).
#[inline(always)]
pub fn dense_forward_inline(w: &[f32], b: &[f32], x: &[f32], y: &mut [f32], ins: usize, outs: usize) {
    if ins == 0 || outs == 0 {
        y.iter_mut().zip(b.iter().cycle()).for_each(|(yi, bi)| *yi = *bi);
        return;
    }
    for (xs, ys) in x.chunks_exact(ins).zip(y.chunks_exact_mut(outs)) {
        for ((yo, wo), bo) in ys.iter_mut().zip(w.chunks_exact(ins)).zip(b) {
            *yo = bo + dot(wo, xs);
        }
    }
}

/// Dense backward pass for `rows` samples.
///
/// Adds `Σ_s dy[s] ⊗ x[s]` into `dw` (`outs × ins`) and `Σ_s dy[s]` into `db`;
/// if `dx` is given, overwrites it with `dy · W` (`rows × ins`), the gradient
/// with respect to the input.
#[allow(clippy::too_many_arguments)]
pub fn dense_backward(
    w: &[f32],
    x: &[f32],
    dy: &[f32],
    dw: &mut [f32],
    db: &mut [f32],
    dx: Option<&mut [f32]>,
    ins: usize,
    outs: usize,
) {
    dense_backward_inline(w, x, dy, dw, db, dx, ins, outs)
}

/// [`dense_backward`], always inlined (for small constant shapes).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub fn dense_backward_inline(
    w: &[f32],
    x: &[f32],
    dy: &[f32],
    dw: &mut [f32],
    db: &mut [f32],
    dx: Option<&mut [f32]>,
    ins: usize,
    outs: usize,
) {
    if ins == 0 || outs == 0 {
        for dys in dy.chunks_exact(outs.max(1)) {
            axpy(1.0, dys, db);
        }
        return;
    }
    for (xs, dys) in x.chunks_exact(ins).zip(dy.chunks_exact(outs)) {
        for ((dwo, dbo), &g) in dw.chunks_exact_mut(ins).zip(db.iter_mut()).zip(dys) {
            *dbo += g;
            axpy(g, xs, dwo);
        }
    }
    if let Some(dx) = dx {
        dx.fill(0.0);
        for (dxs, dys) in dx.chunks_exact_mut(ins).zip(dy.chunks_exact(outs)) {
            for (wo, &g) in w.chunks_exact(ins).zip(dys) {
                axpy(g, wo, dxs);
            }
        }
    }
}

/// Index of the largest value (the first one on ties; 0 for an empty slice).
/// NaN never wins.
///
/// ```
/// assert_eq!(constnet::math::argmax(&[0.1, 0.7, 0.2]), 1);
/// ```
#[inline]
pub fn argmax(v: &[f32]) -> usize {
    let mut best = 0;
    for (i, &x) in v.iter().enumerate() {
        if x > v[best] || v[best].is_nan() && !x.is_nan() {
            best = i;
        }
    }
    best
}

/// Overwrites `v` with `softmax(v)`, subtracting the maximum first so that
/// large logits never overflow.
#[inline]
pub fn softmax_in_place(v: &mut [f32]) {
    let max = v.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for x in v.iter_mut() {
        *x = crate::scalar::exp(*x - max);
        sum += *x;
    }
    let inv = 1.0 / sum;
    v.iter_mut().for_each(|x| *x *= inv);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive_dot(a: &[f32], b: &[f32]) -> f64 {
        a.iter().zip(b).map(|(x, y)| *x as f64 * *y as f64).sum()
    }

    #[test]
    fn dot_matches_naive_for_every_length() {
        for n in 0..70 {
            let a: [f32; 70] = core::array::from_fn(|i| (i as f32 * 0.37).sin());
            let b: [f32; 70] = core::array::from_fn(|i| (i as f32 * 0.11).cos());
            let d = dot(&a[..n], &b[..n]) as f64;
            assert!((d - naive_dot(&a[..n], &b[..n])).abs() < 1e-4, "n={n}");
        }
    }

    #[test]
    fn dense_kernels_match_naive_loops() {
        const I: usize = 11;
        const O: usize = 5;
        const R: usize = 3;
        let w: [f32; I * O] = core::array::from_fn(|i| ((i * 7 % 13) as f32 - 6.0) / 7.0);
        let b: [f32; O] = core::array::from_fn(|i| i as f32 * 0.1);
        let x: [f32; I * R] = core::array::from_fn(|i| ((i * 5 % 11) as f32 - 5.0) / 3.0);
        let dy: [f32; O * R] = core::array::from_fn(|i| ((i * 3 % 7) as f32 - 3.0) / 2.0);
        let mut y = [0.0; O * R];
        dense_forward(&w, &b, &x, &mut y, I, O);
        let (mut dw, mut db, mut dx) = ([0.0; I * O], [0.0; O], [9.0; I * R]);
        dense_backward(&w, &x, &dy, &mut dw, &mut db, Some(&mut dx), I, O);
        for s in 0..R {
            for o in 0..O {
                let mut e = b[o] as f64;
                for i in 0..I {
                    e += w[o * I + i] as f64 * x[s * I + i] as f64;
                }
                assert!((y[s * O + o] as f64 - e).abs() < 1e-5);
            }
            for i in 0..I {
                let e: f64 = (0..O).map(|o| w[o * I + i] as f64 * dy[s * O + o] as f64).sum();
                assert!((dx[s * I + i] as f64 - e).abs() < 1e-5);
            }
        }
        for o in 0..O {
            let e: f64 = (0..R).map(|s| dy[s * O + o] as f64).sum();
            assert!((db[o] as f64 - e).abs() < 1e-5);
            for i in 0..I {
                let e: f64 = (0..R).map(|s| dy[s * O + o] as f64 * x[s * I + i] as f64).sum();
                assert!((dw[o * I + i] as f64 - e).abs() < 1e-5);
            }
        }
    }

    #[test]
    fn argmax_and_softmax() {
        assert_eq!(argmax(&[1.0, 3.0, 3.0, 2.0]), 1);
        assert_eq!(argmax(&[f32::NAN, 1.0]), 1);
        let mut v = [1000.0, 1000.0];
        softmax_in_place(&mut v);
        assert_eq!(v, [0.5, 0.5]);
    }
}
