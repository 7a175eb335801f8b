//! The fast path's matrix kernels: broadcast-and-FMA register tiles over
//! packed or row-major panels (x86-64, AVX-512 and AVX2 with FMA).
//!
//! One micro-kernel computes a tile `C[MR × NR]` of `C = init + A·P`:
//! every step `k` loads one row of the panel `P[k][0..NR]` into `NR / L`
//! vectors, broadcasts `A[m][k]` for each of the `MR` rows and adds the
//! product into the tile's accumulators with one fused multiply-add. The
//! tile stays in registers for the whole `k` loop: AVX-512 keeps 6 × 4 zmm
//! accumulators (6 × 64 floats), AVX2 6 × 2 ymm (6 × 16). Tails in `m` are
//! copies with fewer rows, tails in `n` a masked last vector, so any shape
//! runs without padding or reading past a slice.
//!
//! **One chain per output.** Every `C[m][n]` is `init` followed by one fused
//! multiply-add per `k`, in `k` order (blocks of `k` store and reload the
//! tile, which changes nothing), so the result does not depend on the tile
//! shape, on where the output falls in a tile, or on the instruction set:
//! the AVX2 and AVX-512 fast paths give the same bits, and
//! `tests/fast_kernels.rs` checks both against a scalar `f32::mul_add`
//! chain bit for bit and against f64 within the chain's error bound.
//!
//! The three dense products map onto it without copies, except the
//! forward pass, whose weights are stored output-major and are transposed
//! into a stack panel of [`KC`] × [`PANEL`] floats by `pack.rs`:
//!
//! | product | C (m × n) | A(m, k) | P(k, n) | init |
//! |---|---|---|---|---|
//! | forward `y = b + x·Wᵀ` | y (rows × outs) | x (row-major) | Wᵀ, packed | bias |
//! | `dW += dyᵀ·x` | dW (outs × ins) | dyᵀ (column-major) | x | dW |
//! | `dx = dy·W` | dx (rows × ins) | dy (row-major) | W | +0 |
//!
//! Safety: every function here needs AVX (and AVX-512F for `__m512`) and
//! FMA; it is reached only from the `#[target_feature]` copies in `x86.rs`
//! after `is_x86_feature_detected!` confirmed them. The slice-level drivers
//! check every extent before the raw-pointer tiles run.

use core::arch::x86_64::*;

use super::pack;

/// One SIMD register of `f32` lanes, as the micro-kernel uses it.
pub(super) trait Vector: Copy {
    /// Lanes per register.
    const L: usize;
    /// Registers per tile row (`NR = NV·L`).
    const NV: usize;
    /// A lane mask.
    type Mask: Copy;
    /// Lanes `0..n` (`1 <= n <= L`).
    fn mask(n: usize) -> Self::Mask;
    /// # Safety
    /// The CPU has this type's features.
    unsafe fn zero() -> Self;
    /// # Safety
    /// `p` is readable, and the CPU has this type's features.
    unsafe fn splat(p: *const f32) -> Self;
    /// # Safety
    /// `p..p + L` is readable, and the CPU has this type's features.
    unsafe fn load(p: *const f32) -> Self;
    /// Lanes of `mask` from `p`, zeros elsewhere; lanes outside the mask are
    /// not read.
    ///
    /// # Safety
    /// The masked lanes of `p` are readable, and the CPU has the features.
    unsafe fn load_masked(p: *const f32, mask: Self::Mask) -> Self;
    /// # Safety
    /// `p..p + L` is writable, and the CPU has this type's features.
    unsafe fn store(p: *mut f32, v: Self);
    /// # Safety
    /// The masked lanes of `p` are writable, and the CPU has the features.
    unsafe fn store_masked(p: *mut f32, v: Self, mask: Self::Mask);
    /// `a·b + c` with one rounding.
    ///
    /// # Safety
    /// The CPU has this type's features and FMA.
    unsafe fn fma(a: Self, b: Self, c: Self) -> Self;
}

impl Vector for __m512 {
    const L: usize = 16;
    const NV: usize = 4;
    type Mask = __mmask16;
    #[inline(always)]
    fn mask(n: usize) -> __mmask16 {
        ((1u32 << n) - 1) as __mmask16
    }
    #[inline(always)]
    unsafe fn zero() -> Self {
        // SAFETY: AVX-512F, guaranteed by the caller.
        unsafe { _mm512_setzero_ps() }
    }
    #[inline(always)]
    unsafe fn splat(p: *const f32) -> Self {
        // SAFETY: the caller guarantees `p` is readable and AVX-512F.
        unsafe { _mm512_set1_ps(*p) }
    }
    #[inline(always)]
    unsafe fn load(p: *const f32) -> Self {
        // SAFETY: as documented on the trait.
        unsafe { _mm512_loadu_ps(p) }
    }
    #[inline(always)]
    unsafe fn load_masked(p: *const f32, mask: __mmask16) -> Self {
        // SAFETY: masked-off lanes are neither read nor faulted on.
        unsafe { _mm512_maskz_loadu_ps(mask, p) }
    }
    #[inline(always)]
    unsafe fn store(p: *mut f32, v: Self) {
        // SAFETY: as documented on the trait.
        unsafe { _mm512_storeu_ps(p, v) }
    }
    #[inline(always)]
    unsafe fn store_masked(p: *mut f32, v: Self, mask: __mmask16) {
        // SAFETY: masked-off lanes are neither written nor faulted on.
        unsafe { _mm512_mask_storeu_ps(p, mask, v) }
    }
    #[inline(always)]
    unsafe fn fma(a: Self, b: Self, c: Self) -> Self {
        // SAFETY: AVX-512F (which includes the 512-bit FMA), from the caller.
        unsafe { _mm512_fmadd_ps(a, b, c) }
    }
}

impl Vector for __m256 {
    const L: usize = 8;
    const NV: usize = 2;
    type Mask = __m256i;
    #[inline(always)]
    fn mask(n: usize) -> __m256i {
        // SAFETY: AVX is implied by every caller's target features.
        unsafe { _mm256_cmpgt_epi32(_mm256_set1_epi32(n as i32), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)) }
    }
    #[inline(always)]
    unsafe fn zero() -> Self {
        // SAFETY: AVX, guaranteed by the caller.
        unsafe { _mm256_setzero_ps() }
    }
    #[inline(always)]
    unsafe fn splat(p: *const f32) -> Self {
        // SAFETY: the caller guarantees `p` is readable and AVX.
        unsafe { _mm256_broadcast_ss(&*p) }
    }
    #[inline(always)]
    unsafe fn load(p: *const f32) -> Self {
        // SAFETY: as documented on the trait.
        unsafe { _mm256_loadu_ps(p) }
    }
    #[inline(always)]
    unsafe fn load_masked(p: *const f32, mask: __m256i) -> Self {
        // SAFETY: `vmaskmovps` neither reads nor faults on masked-off lanes.
        unsafe { _mm256_maskload_ps(p, mask) }
    }
    #[inline(always)]
    unsafe fn store(p: *mut f32, v: Self) {
        // SAFETY: as documented on the trait.
        unsafe { _mm256_storeu_ps(p, v) }
    }
    #[inline(always)]
    unsafe fn store_masked(p: *mut f32, v: Self, mask: __m256i) {
        // SAFETY: `vmaskmovps` neither writes nor faults on masked-off lanes.
        unsafe { _mm256_maskstore_ps(p, mask, v) }
    }
    #[inline(always)]
    unsafe fn fma(a: Self, b: Self, c: Self) -> Self {
        // SAFETY: FMA, guaranteed by the caller.
        unsafe { _mm256_fmadd_ps(a, b, c) }
    }
}

/// Rows per tile.
pub(super) const MR: usize = 6;
/// Steps of `k` per packed forward panel.
pub(super) const KC: usize = 256;
/// Outputs per packed forward panel (a multiple of every `NR`).
pub(super) const PANEL: usize = 64;

/// What a tile starts from.
#[derive(Clone, Copy)]
pub(super) enum Init {
    /// `+0`.
    Zero,
    /// What `C` holds (accumulate).
    Load,
    /// A row vector, the same for every `m` (the bias); points at `n = 0`.
    Row(*const f32),
}

/// Where `A(m, k)` is: `a[m·lda + k]` (row-major, `COLS = false`) or
/// `a[k·lda + m]` (column-major, `COLS = true`).
#[derive(Clone, Copy)]
pub(super) struct Operand {
    pub(super) a: *const f32,
    pub(super) lda: usize,
}

/// `C[0..R][0..n] = init + Σ_k A(·, k)·P[k][0..n]` for `n <= NV·L`, with
/// `C(m, j) = c[m·ldc + j]` and `P[k][j] = p[k·ldp + j]`.
///
/// # Safety
/// Every address named above is valid (reads of `A`, `P`, the bias; reads
/// and writes of `C`) for `m < R`, `k < kn`, `j < n`; `1 <= n <= NV·L`; the
/// CPU has `V`'s features and FMA.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn tile<V: Vector, const R: usize, const NV: usize, const FULL: bool, const COLS: bool>(
    kn: usize,
    a: Operand,
    p: *const f32,
    ldp: usize,
    c: *mut f32,
    ldc: usize,
    n: usize,
    init: Init,
) {
    // SAFETY (the whole body): the caller's contract covers every pointer
    // formed here; full vectors are used only for lanes below `n`.
    unsafe {
        let last = n - (NV - 1) * V::L; // lanes of the last vector, 1..=L
        let mask = V::mask(last);
        // Full tiles load and store the last vector whole too.
        let whole = |j: usize| FULL || j + 1 < NV;
        let mut acc = [[V::zero(); NV]; R];
        match init {
            Init::Zero => {}
            Init::Load => {
                for (m, row) in acc.iter_mut().enumerate() {
                    let cm = c.add(m * ldc);
                    for (j, v) in row.iter_mut().enumerate() {
                        *v = if whole(j) {
                            V::load(cm.add(j * V::L))
                        } else {
                            V::load_masked(cm.add(j * V::L), mask)
                        };
                    }
                }
            }
            Init::Row(b) => {
                let mut bv = [V::zero(); NV];
                for (j, v) in bv.iter_mut().enumerate() {
                    *v = if whole(j) {
                        V::load(b.add(j * V::L))
                    } else {
                        V::load_masked(b.add(j * V::L), mask)
                    };
                }
                acc = [bv; R];
            }
        }
        let mut pk = p;
        for k in 0..kn {
            let mut pv = [V::zero(); NV];
            for (j, v) in pv.iter_mut().enumerate() {
                *v =
                    if whole(j) { V::load(pk.add(j * V::L)) } else { V::load_masked(pk.add(j * V::L), mask) };
            }
            for (m, row) in acc.iter_mut().enumerate() {
                let am = if COLS { a.a.add(k * a.lda + m) } else { a.a.add(m * a.lda + k) };
                let s = V::splat(am);
                for (v, pj) in row.iter_mut().zip(pv) {
                    *v = V::fma(s, pj, *v);
                }
            }
            pk = pk.add(ldp);
        }
        for (m, row) in acc.iter().enumerate() {
            let cm = c.add(m * ldc);
            for (j, v) in row.iter().enumerate() {
                if whole(j) {
                    V::store(cm.add(j * V::L), *v)
                } else {
                    V::store_masked(cm.add(j * V::L), *v, mask)
                }
            }
        }
    }
}

/// [`tile`] with `r` rows (`1..=MR`) chosen at run time.
///
/// # Safety
/// As for [`tile`] with `R = r`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn tile_rows<V: Vector, const NV: usize, const FULL: bool, const COLS: bool>(
    r: usize,
    kn: usize,
    a: Operand,
    p: *const f32,
    ldp: usize,
    c: *mut f32,
    ldc: usize,
    n: usize,
    init: Init,
) {
    // SAFETY: forwarded contract.
    unsafe {
        match r {
            6 => tile::<V, 6, NV, FULL, COLS>(kn, a, p, ldp, c, ldc, n, init),
            5 => tile::<V, 5, NV, FULL, COLS>(kn, a, p, ldp, c, ldc, n, init),
            4 => tile::<V, 4, NV, FULL, COLS>(kn, a, p, ldp, c, ldc, n, init),
            3 => tile::<V, 3, NV, FULL, COLS>(kn, a, p, ldp, c, ldc, n, init),
            2 => tile::<V, 2, NV, FULL, COLS>(kn, a, p, ldp, c, ldc, n, init),
            _ => tile::<V, 1, NV, FULL, COLS>(kn, a, p, ldp, c, ldc, n, init),
        }
    }
}

/// `C[0..m][0..n] = init + A·P` over `kn` steps, in tiles of `MR × V::NV·L`
/// (`n` any width, `m` any height).
///
/// # Safety
/// As for [`tile`], for every `m < rows`, `j < n`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn product<V: Vector, const COLS: bool>(
    rows: usize,
    n: usize,
    kn: usize,
    a: Operand,
    p: *const f32,
    ldp: usize,
    c: *mut f32,
    ldc: usize,
    init: Init,
) {
    let nr = V::NV * V::L;
    let mut j0 = 0;
    while j0 < n {
        let w = nr.min(n - j0);
        let nv = w.div_ceil(V::L);
        let init_j = match init {
            // SAFETY: `j0 < n`, inside the bias row.
            Init::Row(b) => Init::Row(unsafe { b.add(j0) }),
            other => other,
        };
        let mut m0 = 0;
        while m0 < rows {
            let r = MR.min(rows - m0);
            let am = if COLS { a.a.wrapping_add(m0) } else { a.a.wrapping_add(m0 * a.lda) };
            let am = Operand { a: am, lda: a.lda };
            // SAFETY: the tile covers rows `m0..m0 + r < rows` and columns
            // `j0..j0 + w <= n`, inside the caller's extents.
            unsafe {
                let (pj, cm) = (p.add(j0), c.add(m0 * ldc + j0));
                match (nv, w % V::L == 0) {
                    (4, true) => tile_rows::<V, 4, true, COLS>(r, kn, am, pj, ldp, cm, ldc, w, init_j),
                    (4, false) => tile_rows::<V, 4, false, COLS>(r, kn, am, pj, ldp, cm, ldc, w, init_j),
                    (3, true) => tile_rows::<V, 3, true, COLS>(r, kn, am, pj, ldp, cm, ldc, w, init_j),
                    (3, false) => tile_rows::<V, 3, false, COLS>(r, kn, am, pj, ldp, cm, ldc, w, init_j),
                    (2, true) => tile_rows::<V, 2, true, COLS>(r, kn, am, pj, ldp, cm, ldc, w, init_j),
                    (2, false) => tile_rows::<V, 2, false, COLS>(r, kn, am, pj, ldp, cm, ldc, w, init_j),
                    (_, true) => tile_rows::<V, 1, true, COLS>(r, kn, am, pj, ldp, cm, ldc, w, init_j),
                    (_, false) => tile_rows::<V, 1, false, COLS>(r, kn, am, pj, ldp, cm, ldc, w, init_j),
                }
            }
            m0 += r;
        }
        j0 += w;
    }
}

/// Fast forward pass: `y[s][o] = b[o]` then `+= x[s][i]·W[o][i]` for `i` in
/// order, one fused multiply-add each, for `rows` samples.
///
/// # Safety
/// The CPU has `V`'s features and FMA.
#[inline(always)]
pub(super) unsafe fn forward<V: Vector>(
    w: &[f32],
    b: &[f32],
    x: &[f32],
    y: &mut [f32],
    ins: usize,
    outs: usize,
    rows: usize,
) {
    assert!(ins > 0 && outs > 0);
    assert!(w.len() >= ins * outs && b.len() >= outs && x.len() >= rows * ins && y.len() >= rows * outs);
    let mut panel = core::mem::MaybeUninit::<[f32; KC * PANEL]>::uninit();
    let panel = panel.as_mut_ptr().cast::<f32>();
    // Blocks of `k` of equal length (784 inputs: 4 × 196, not 3 × 256 +
    // 16, whose last block would store and reload the tile for 16 steps).
    let kc = ins.div_ceil(ins.div_ceil(KC));
    let mut o0 = 0;
    while o0 < outs {
        let ow = PANEL.min(outs - o0);
        let mut k0 = 0;
        while k0 < ins {
            let kw = kc.min(ins - k0);
            // SAFETY: rows `o0..o0 + ow` and columns `k0..k0 + kw` of `W` are
            // in bounds (checked above); the panel holds `KC × PANEL`.
            unsafe { pack::transpose(w.as_ptr().add(o0 * ins + k0), ins, ow, kw, panel, PANEL) };
            let init = if k0 == 0 { Init::Row(b[o0..].as_ptr()) } else { Init::Load };
            // SAFETY: the panel's first `kw` rows hold `ow` written columns;
            // `x` and `y` extents were checked above.
            unsafe {
                let a = Operand { a: x.as_ptr().add(k0), lda: ins };
                product::<V, false>(rows, ow, kw, a, panel, PANEL, y.as_mut_ptr().add(o0), outs, init);
            }
            k0 += kw;
        }
        o0 += ow;
    }
}

/// Fast weight gradient: `dW[o][i] += dy[s][o]·x[s][i]` for `s` in order,
/// one fused multiply-add each.
///
/// # Safety
/// The CPU has `V`'s features and FMA.
#[inline(always)]
pub(super) unsafe fn weight_gradient<V: Vector>(
    x: &[f32],
    dy: &[f32],
    dw: &mut [f32],
    ins: usize,
    outs: usize,
    rows: usize,
) {
    assert!(ins > 0 && outs > 0);
    assert!(x.len() >= rows * ins && dy.len() >= rows * outs && dw.len() >= ins * outs);
    if rows == 0 {
        return;
    }
    // SAFETY: A(o, s) = dy[s·outs + o], P[s][i] = x[s·ins + i], C = dW: all
    // in bounds for o < outs, s < rows, i < ins (checked above).
    unsafe {
        let a = Operand { a: dy.as_ptr(), lda: outs };
        product::<V, true>(outs, ins, rows, a, x.as_ptr(), ins, dw.as_mut_ptr(), ins, Init::Load);
    }
}

/// Fast input gradient: `dx[s][i] = +0` then `+= dy[s][o]·W[o][i]` for `o`
/// in order, one fused multiply-add each.
///
/// # Safety
/// The CPU has `V`'s features and FMA.
#[inline(always)]
pub(super) unsafe fn input_gradient<V: Vector>(
    w: &[f32],
    dy: &[f32],
    dx: &mut [f32],
    ins: usize,
    outs: usize,
    rows: usize,
) {
    assert!(ins > 0 && outs > 0);
    assert!(w.len() >= ins * outs && dy.len() >= rows * outs && dx.len() >= rows * ins);
    // SAFETY: A(s, o) = dy[s·outs + o], P[o][i] = W[o·ins + i], C = dx: all
    // in bounds for s < rows, o < outs, i < ins (checked above).
    unsafe {
        let a = Operand { a: dy.as_ptr(), lda: outs };
        product::<V, false>(rows, ins, outs, a, w.as_ptr(), ins, dx.as_mut_ptr(), ins, Init::Zero);
    }
}
