//! Slice kernels: the hot loops every layer shares.
//!
//! Shapes are passed as lengths, not const generics, so firmware does not get
//! one copy of each loop per layer shape; the small `_inline` variants are
//! `#[inline(always)]` so a layer with a handful of weights still unrolls
//! completely for its constant shape.
//!
//! # One summation order everywhere
//!
//! Rust never reassociates float additions and never contracts `a * b + c`
//! into a fused multiply-add, so every result below is a fixed function of
//! its inputs, defined by the order the reference loops in this file add in.
//! Faster code paths — register-blocked loops, under the `std` feature on
//! x86-64 the AVX2 and AVX-512 copies selected at run time, and on bare-metal
//! Arm with a single-precision FPU (`thumbv7em-none-eabihf`, Cortex-M4F/M7F;
//! `thumbv8m.main-none-eabihf`) a `vldmia`/`vmla.f32` assembly loop for the
//! dense forward pass (`math/arm_f32.rs`; `vmla.f32` rounds the product
//! before the add, unlike `vfma.f32`) — change only
//! *which independent sums are computed together*, never the order inside one
//! sum, so a desktop with AVX-512 and a Cortex-M0 run the same IEEE
//! operations in the same order and give bit-identical predictions and
//! training steps, NaN payloads aside (`tests/kernels.rs` checks every
//! desktop path against the reference loops bit for bit). The orders are:
//!
//! * [`dot`] of `n` products `p_i = a_i·b_i`: for `n < 16`, `p_0 + p_1 + …` left
//!   to right; otherwise [`LANES`] = 16 partial sums, lane `k` starting at
//!   `p_k` and adding `p_{k+16}, p_{k+32}, …` (the last `n mod 16` products
//!   go to lanes `0, 1, …`), then folded in halves: `s_k = l_k + l_{k+8}`,
//!   then `+4`, `+2`, `+1`.
//! * Dense forward: `y[o] = b[o] + dot(W[o], x)`.
//! * Dense backward: `dW[o][i] += dy[s][o]·x[s][i]` and `db[o] += dy[s][o]`,
//!   sample after sample; `dx[s][i] = ((0 + dy[s][0]·W[0][i]) + dy[s][1]·W[1][i]) + …`.
//!
//! # The opt-in fast path on desktops
//!
//! [`set_fast`]`(true)` switches [`dense_forward`] and [`dense_backward`] to
//! the fast paths ([`KernelPath::Avx512Fma`], [`KernelPath::Avx2Fma`]):
//! matrix-multiply micro-kernels with fused multiply-adds that are free of
//! the order above. Every output is one chain of fused multiply-adds:
//!
//! * forward, from [`FAST_GEMM_ROWS`] samples and more than
//!   [`FAST_GEMM_MIN_OUTS`] outputs: `y = b[o]`, then `y = fma(x[s][i],
//!   W[o][i], y)` for `i` in order (otherwise the dot-product order above
//!   with fused multiply-adds);
//! * `dW[o][i] = fma(dy[s][o], x[s][i], dW[o][i])` sample after sample, and
//!   `dx[s][i]` from `+0`, `fma(dy[s][o], W[o][i], ·)` for `o` in order.
//!
//! A chain of `n` fused multiply-adds from `c₀` has the classic error bound
//! `|ŷ − y| ≤ γₙ·(|c₀| + Σ|aᵢ·bᵢ|)` with `γₙ = n·u/(1 − n·u)` and `u = 2⁻²⁴`
//! (`tests/fast_kernels.rs` checks it against f64 on random shapes). That
//! worst case is about 16 times looser than the exact path's 16 lane sums
//! (`γ_{n/16+4}`); typical errors grow like `√n·u` on both and stay far
//! below what training notices (`tests/fused.rs`). The fast path is faster
//! everywhere, and by most where the exact path's separate multiply and add
//! compete for the FMA ports (Intel cores). The AVX2 and AVX-512 fast paths
//! give the same bits as each other; they are not the bits a firmware build
//! computes, which is why the exact path stays the default. [`dot`] and the
//! `_inline` kernels for small layers always stay exact.
//!
//! ```
//! use constnet::math;
//! let a = [1.0; 20];
//! let b: [f32; 20] = core::array::from_fn(|i| i as f32);
//! assert_eq!(math::dot(&a, &b), 190.0);
//! ```

#[cfg(all(target_arch = "arm", target_abi = "eabihf", target_os = "none"))]
mod arm_f32;
mod blocked;
pub(crate) mod conv;
pub use conv::MAX_PATCH;
pub mod int8;
#[cfg(all(feature = "std", target_arch = "x86_64"))]
mod x86;

/// Independent partial sums kept by [`dot`] (and by every dense kernel).
pub const LANES: usize = 16;

/// Folds 16 partial sums in halves (`+8`, `+4`, `+2`, `+1`).
#[inline(always)]
pub(crate) fn fold16(l: &[f32; LANES]) -> f32 {
    let mut s8 = [0.0f32; 8];
    for k in 0..8 {
        s8[k] = l[k] + l[k + 8];
    }
    let mut s4 = [0.0f32; 4];
    for k in 0..4 {
        s4[k] = s8[k] + s8[k + 4];
    }
    let s2 = [s4[0] + s4[2], s4[1] + s4[3]];
    s2[0] + s2[1]
}

/// Dot product `Σ a[i]·b[i]` over the common length of `a` and `b`, in the
/// order described in the [module docs](self): left to right below 16
/// elements, [`LANES`] partial sums folded in halves from 16 on.
///
/// ```
/// use constnet::math::dot;
/// assert_eq!(dot(&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0]), 32.0);
/// assert_eq!(dot(&[], &[]), 0.0);
/// ```
#[inline]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    dot_inline(a, b)
}

/// [`dot`], always inlined: with a constant short length only the
/// left-to-right sum is left.
#[inline(always)]
pub(crate) fn dot_inline(a: &[f32], b: &[f32]) -> f32 {
    blocked::dot::<blocked::Separate>(a, b)
}

/// `y[i] += alpha · x[i]` over the common length.
///
/// ```
/// let mut y = [1.0, 1.0];
/// constnet::math::axpy(2.0, &[1.0, 3.0], &mut y);
/// assert_eq!(y, [3.0, 7.0]);
/// ```
#[inline]
pub fn axpy(alpha: f32, x: &[f32], y: &mut [f32]) {
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += alpha * xi;
    }
}

/// A code path of the dense kernels.
///
/// The exact paths ([`Portable`](Self::Portable), [`Avx2`](Self::Avx2),
/// [`Avx512`](Self::Avx512)) give bit-identical results — the same bits as a
/// `no_std` build on a microcontroller. The fast paths
/// ([`Avx2Fma`](Self::Avx2Fma), [`Avx512Fma`](Self::Avx512Fma)) are
/// matrix-multiply kernels with fused multiply-adds in the order the
/// [module docs](self#the-opt-in-fast-path-on-desktops) give; they agree
/// with each other bit for bit, differ from the exact paths in the last
/// bits, and run only after [`set_fast`] asks for them.
///
/// ```
/// use constnet::math::KernelPath;
/// assert!(KernelPath::Portable.is_available());
/// assert!(KernelPath::detected().is_available());
/// assert!(!KernelPath::detected().is_fused());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KernelPath {
    /// Plain Rust for the build target (SSE2 on x86-64); what `no_std` runs.
    /// On bare-metal Arm with a single-precision FPU, the forward pass of
    /// this path (layers with at least 16 inputs) is an assembly loop with
    /// the same bits (see the [module docs](self)).
    Portable,
    /// x86-64 AVX2 copy (`std` feature, selected at run time).
    Avx2,
    /// x86-64 AVX-512F copy (`std` feature, selected at run time).
    Avx512,
    /// x86-64 AVX2 + FMA fast path: 6 × 16 register tiles (`std` feature,
    /// opt-in with [`set_fast`]).
    Avx2Fma,
    /// x86-64 AVX-512F fast path: 6 × 64 register tiles (`std` feature,
    /// opt-in with [`set_fast`]).
    Avx512Fma,
}

impl KernelPath {
    /// Every path, portable first, the fast (fused) ones last.
    pub const ALL: [KernelPath; 5] = [
        KernelPath::Portable,
        KernelPath::Avx2,
        KernelPath::Avx512,
        KernelPath::Avx2Fma,
        KernelPath::Avx512Fma,
    ];

    /// The fastest *exact* path this build can run on this CPU: what
    /// [`dense_forward`] and [`dense_backward`] use unless [`set_fast`]
    /// switched to a fast one.
    #[inline]
    pub fn detected() -> KernelPath {
        #[cfg(all(feature = "std", target_arch = "x86_64"))]
        return x86::detect();
        #[cfg(not(all(feature = "std", target_arch = "x86_64")))]
        KernelPath::Portable
    }

    /// The fastest fast (fused multiply-add) path this build can run on this
    /// CPU, if any: what [`set_fast`]`(true)` selects.
    #[inline]
    pub fn detected_fused() -> Option<KernelPath> {
        #[cfg(all(feature = "std", target_arch = "x86_64"))]
        return x86::detect_fused();
        #[cfg(not(all(feature = "std", target_arch = "x86_64")))]
        None
    }

    /// The path [`dense_forward`] and [`dense_backward`] run now:
    /// [`detected_fused`](Self::detected_fused) after [`set_fast`]`(true)`,
    /// otherwise [`detected`](Self::detected).
    #[inline]
    pub fn selected() -> KernelPath {
        #[cfg(all(feature = "std", target_arch = "x86_64"))]
        if x86::FAST.load(core::sync::atomic::Ordering::Relaxed)
            && let Some(path) = x86::detect_fused()
        {
            return path;
        }
        KernelPath::detected()
    }

    /// True for the fast paths, which use fused multiply-adds.
    #[inline]
    pub fn is_fused(self) -> bool {
        matches!(self, KernelPath::Avx2Fma | KernelPath::Avx512Fma)
    }

    /// True if this build can run the path on this CPU.
    #[inline]
    pub fn is_available(self) -> bool {
        let fused = KernelPath::detected_fused();
        matches!(
            (self, KernelPath::detected(), fused),
            (KernelPath::Portable, _, _)
                | (KernelPath::Avx2 | KernelPath::Avx512, KernelPath::Avx512, _)
                | (KernelPath::Avx2, KernelPath::Avx2, _)
                | (KernelPath::Avx2Fma | KernelPath::Avx512Fma, _, Some(KernelPath::Avx512Fma))
                | (KernelPath::Avx2Fma, _, Some(KernelPath::Avx2Fma))
        )
    }
}

/// Opts this process in to (or out of) the fast path, and returns whether
/// [`dense_forward`] and [`dense_backward`] now run it.
///
/// Off by default. When on, and the CPU has FMA (x86-64, `std` feature),
/// every dense layer above [`INLINE_WEIGHTS`] runs matrix-multiply
/// micro-kernels with fused multiply-adds (AVX-512 where the CPU has it,
/// else AVX2): faster on every desktop, and within the error bound the
/// [module docs](self#the-opt-in-fast-path-on-desktops) state, but the
/// results are no longer the bits a firmware build computes: leave it off
/// when you compare desktop and device outputs exactly. Fast results do not
/// depend on which fast path runs (AVX2 or AVX-512). The switch is
/// process-wide and may be flipped at any time; a kernel call already
/// running finishes on the path it started with. Returns `false` (and
/// changes nothing) where no fast path exists: other architectures, or CPUs
/// without FMA.
///
/// ```
/// use constnet::math::{self, KernelPath};
/// let fast = math::set_fast(true);
/// assert_eq!(KernelPath::selected().is_fused(), fast);
/// math::set_fast(false);
/// assert!(!KernelPath::selected().is_fused());
/// ```
#[cfg(feature = "std")]
pub fn set_fast(on: bool) -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        let available = x86::detect_fused().is_some();
        x86::FAST.store(on && available, core::sync::atomic::Ordering::Relaxed);
        on && available
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = on;
        false
    }
}

/// The old name of [`set_fast`], from when the opt-in path only swapped
/// multiply-then-add for fused multiply-adds in the exact order.
///
/// ```
/// # #![allow(deprecated)]
/// assert_eq!(constnet::math::set_fused(false), false);
/// ```
#[cfg(feature = "std")]
#[deprecated(
    since = "0.1.0",
    note = "renamed `set_fast`: the opt-in path is now matrix kernels in their own order"
)]
pub fn set_fused(on: bool) -> bool {
    set_fast(on)
}

/// From this many samples on (and above [`FAST_GEMM_MIN_OUTS`] outputs),
/// the fast paths' forward pass ([`KernelPath::Avx2Fma`],
/// [`KernelPath::Avx512Fma`]) runs matrix tiles: `y[s][o]` is `b[o]`
/// followed by one fused multiply-add per input, in input order. Below it,
/// a single sample or two or three keep the dot-product form of the exact
/// paths (16 lane sums, fused), which streams the weights once instead of
/// packing them. So fast results depend on the batch size; exact ones never
/// do.
///
/// ```
/// assert_eq!(constnet::math::FAST_GEMM_ROWS, 4);
/// ```
pub const FAST_GEMM_ROWS: usize = 4;

/// Layers with at most this many outputs keep the dot-product form in the
/// fast forward pass at every batch size: a tile of 16 or fewer outputs
/// fills too few lanes of the matrix kernel's vectors (measured on Zen 4:
/// 128 → 10 at 32 samples, 63–66 GFLOP/s as dot products, 23–43 as tiles).
///
/// ```
/// assert_eq!(constnet::math::FAST_GEMM_MIN_OUTS, 16);
/// ```
pub const FAST_GEMM_MIN_OUTS: usize = 16;

/// Layers with at most this many weights use the `_inline` kernels, so
/// their loops unroll completely for the constant shape; larger ones share one
/// out-of-line copy of each kernel.
pub const INLINE_WEIGHTS: usize = 64;

/// Dense forward pass for `rows` samples: `y[s][o] = b[o] + dot(w[o], x[s])`.
///
/// `w` is `outs × ins` row-major, `x` is `rows × ins`, `y` is `rows × outs`
/// (`rows` is the smaller of the two row counts). Register-blocked over
/// samples and outputs; under `std` on x86-64 it runs an AVX-512 or AVX2 copy
/// when the CPU has one, with results bit-identical to the portable one (or,
/// after [`set_fast`], the fast path: see [`KernelPath`]).
///
/// ```
/// use constnet::math::dense_forward;
/// let w = [1.0, 2.0, 3.0, 4.0]; // 2 outputs × 2 inputs
/// let mut y = [0.0; 4];
/// dense_forward(&w, &[0.5, -0.5], &[1.0, 1.0, 0.0, 1.0], &mut y, 2, 2);
/// assert_eq!(y, [3.5, 6.5, 2.5, 3.5]);
/// ```
pub fn dense_forward(w: &[f32], b: &[f32], x: &[f32], y: &mut [f32], ins: usize, outs: usize) {
    dense_forward_on(KernelPath::selected(), w, b, x, y, ins, outs);
}

/// [`dense_forward`] on a chosen [`KernelPath`] (the portable one if `path`
/// is not available here); returns the path that ran. Every exact path gives
/// the same bits, and so does every fast one; `tests/kernels.rs` checks both
/// with this function.
///
/// ```
/// use constnet::math::{dense_forward_on, KernelPath};
/// let (w, b, x) = ([1.0; 32], [0.5], [2.0; 32]);
/// let mut y = [[0.0]; 3];
/// for (path, y) in KernelPath::ALL.into_iter().zip(&mut y) {
///     dense_forward_on(path, &w, &b, &x, y, 32, 1);
/// }
/// assert!(y.iter().all(|y| y[0] == 64.5));
/// ```
pub fn dense_forward_on(
    path: KernelPath,
    w: &[f32],
    b: &[f32],
    x: &[f32],
    y: &mut [f32],
    ins: usize,
    outs: usize,
) -> KernelPath {
    #[cfg(all(feature = "std", target_arch = "x86_64"))]
    if path.is_available() && x86::dense_forward_on(path, w, b, x, y, ins, outs) {
        return path;
    }
    let _ = path;
    // Bare-metal Arm with a single-precision FPU (Cortex-M4F/M7F/M33/M55):
    // the same order with `vldmia`/`vmla.f32` in inline assembly (see
    // `arm_f32.rs`), same bits.
    #[cfg(all(target_arch = "arm", target_abi = "eabihf", target_os = "none"))]
    if ins >= LANES && outs > 0 {
        arm_f32::forward(w, b, x, y, ins, outs);
        return KernelPath::Portable;
    }
    const F: [usize; 2] = blocked::PORTABLE_FORWARD;
    blocked::forward::<blocked::Separate, { F[0] }, { F[1] }>(w, b, x, y, ins, outs);
    KernelPath::Portable
}

/// [`dense_forward`], always inlined and not blocked (for small constant shapes).
#[inline(always)]
pub fn dense_forward_inline(w: &[f32], b: &[f32], x: &[f32], y: &mut [f32], ins: usize, outs: usize) {
    if ins == 0 || outs == 0 {
        y.chunks_exact_mut(outs.max(1)).for_each(|ys| ys.iter_mut().zip(b).for_each(|(yi, bi)| *yi = *bi));
        return;
    }
    for (xs, ys) in x.chunks_exact(ins).zip(y.chunks_exact_mut(outs)) {
        for ((yo, wo), bo) in ys.iter_mut().zip(w.chunks_exact(ins)).zip(b) {
            *yo = bo + dot_inline(wo, xs);
        }
    }
}

/// Dense backward pass for `rows` samples.
///
/// Adds `Σ_s dy[s] ⊗ x[s]` into `dw` (`outs × ins`) and `Σ_s dy[s]` into `db`,
/// sample after sample; if `dx` is given, overwrites it with `dy · W`
/// (`rows × ins`), the gradient with respect to the input (pass `None` for a
/// network's first layer, whose input gradient nobody uses). Blocked and
/// dispatched like [`dense_forward`], with bit-identical results on every
/// exact path (and on every fast one).
///
/// ```
/// use constnet::math::dense_backward;
/// let (w, x, dy) = ([1.0, 2.0], [3.0, 4.0], [0.5]); // 1 output × 2 inputs, one sample
/// let (mut dw, mut db, mut dx) = ([0.0; 2], [0.0], [0.0; 2]);
/// dense_backward(&w, &x, &dy, &mut dw, &mut db, Some(&mut dx), 2, 1);
/// assert_eq!((dw, db, dx), ([1.5, 2.0], [0.5], [0.5, 1.0]));
/// ```
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
    dense_backward_on(KernelPath::selected(), w, x, dy, dw, db, dx, ins, outs);
}

/// [`dense_backward`] on a chosen [`KernelPath`] (the portable one if `path`
/// is not available here); returns the path that ran.
#[allow(clippy::too_many_arguments)]
pub fn dense_backward_on(
    path: KernelPath,
    w: &[f32],
    x: &[f32],
    dy: &[f32],
    dw: &mut [f32],
    db: &mut [f32],
    dx: Option<&mut [f32]>,
    ins: usize,
    outs: usize,
) -> KernelPath {
    #[cfg(all(feature = "std", target_arch = "x86_64"))]
    let mut dx = dx;
    #[cfg(all(feature = "std", target_arch = "x86_64"))]
    if path.is_available() && x86::dense_backward_on(path, w, x, dy, dw, db, dx.as_deref_mut(), ins, outs) {
        return path;
    }
    let _ = path;
    const P: blocked::Blocks = blocked::PORTABLE;
    blocked::backward::<blocked::Separate, { P.dw_o }, { P.dw_l }, { P.dx_s }, { P.dx_l }>(
        w, x, dy, dw, db, dx, ins, outs,
    );
    KernelPath::Portable
}

/// [`dense_backward`], always inlined and not blocked (for small constant shapes).
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
    if outs == 0 {
        if let Some(dx) = dx {
            dx.fill(0.0);
        }
        return;
    }
    if ins == 0 {
        for dys in dy.chunks_exact(outs) {
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

/// True when no value is NaN or infinite. Checks [`LANES`] values at a time
/// without branching inside a group, so it vectorises (a value-by-value
/// early exit runs one compare per cycle; a trainer checks every gradient).
///
/// ```
/// assert!(constnet::math::all_finite(&[1.0; 40]));
/// assert!(!constnet::math::all_finite(&[0.0, f32::NAN]));
/// ```
#[inline(always)]
pub fn all_finite(v: &[f32]) -> bool {
    let mut chunks = v.chunks_exact(LANES);
    let ok = chunks.by_ref().all(|c| c.iter().fold(true, |ok, x| ok & x.is_finite()));
    ok && chunks.remainder().iter().fold(true, |ok, x| ok & x.is_finite())
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
///
/// ```
/// let mut v = [0.0, 0.0];
/// constnet::math::softmax_in_place(&mut v);
/// assert_eq!(v, [0.5, 0.5]);
/// ```
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
    fn dot_follows_the_documented_order() {
        // Values whose sum depends on the order: 1e8 + 1 - 1e8.
        let a: [f32; 17] = core::array::from_fn(|i| match i {
            0 => 1e8,
            8 => 1.0,
            16 => -1e8,
            _ => 0.0,
        });
        let ones = [1.0; 17];
        // lane 0 = 1e8 + (-1e8) = 0, lane 8 = 1, folded: 0 + 1 = 1.
        assert_eq!(dot(&a, &ones), 1.0);
        // Below 16 elements: left to right, (1e8 + 1) - 1e8 = 0 in f32.
        assert_eq!(dot(&[1e8, 1.0, -1e8], &[1.0; 3]), 0.0);
    }

    #[test]
    fn dense_kernels_match_naive_loops() {
        const I: usize = 21;
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
