//! The AVX-512 dense forward kernel, written with `core::arch` intrinsics.
//!
//! The generic blocked code (`blocked::forward`) vectorises well only for a
//! 4 × 4 tile of samples × outputs; LLVM scalarises other tile shapes. A
//! 4 × 4 tile re-reads every weight row from L2 for each 4 samples. Here an
//! 8 × 2 tile (16 accumulators of 16 lanes, 2 weight vectors and 1 input
//! vector live) halves that traffic. Every output is computed with the same
//! operations in the same order as `blocked::forward` (16 lane sums, the
//! tail products into lanes `0..r`, the fold in halves, then the bias), so
//! the bits are the same; `tests/kernels.rs` checks them against the
//! reference loops.

use core::arch::x86_64::*;

use super::super::{LANES, blocked};

/// Samples per tile.
const S: usize = 8;
/// Outputs per tile.
const O: usize = 2;

/// 16 floats from `v[i..i + 16]`.
///
/// # Safety
/// `i + 16 <= v.len()`.
#[inline]
#[target_feature(enable = "avx512f")]
unsafe fn load(v: &[f32], i: usize) -> __m512 {
    debug_assert!(i + LANES <= v.len());
    // SAFETY: the caller guarantees 16 floats from `i`; `loadu` needs no alignment.
    unsafe { _mm512_loadu_ps(v.as_ptr().add(i)) }
}

/// The first `r < 16` floats of `v[i..]` in lanes `0..r`, zeros above.
///
/// # Safety
/// `i + r <= v.len()`.
#[inline]
#[target_feature(enable = "avx512f")]
unsafe fn load_tail(v: &[f32], i: usize, mask: __mmask16) -> __m512 {
    // SAFETY: masked-off lanes are not read (and cannot fault); the caller
    // guarantees the `r` lanes of `mask` are in bounds.
    unsafe { _mm512_maskz_loadu_ps(mask, v.as_ptr().add(i)) }
}

/// `acc + a·b`, rounded twice (`FUSED = false`) or once.
#[inline]
#[target_feature(enable = "avx512f")]
fn mac<const FUSED: bool>(a: __m512, b: __m512, acc: __m512) -> __m512 {
    if FUSED { _mm512_fmadd_ps(a, b, acc) } else { _mm512_add_ps(acc, _mm512_mul_ps(a, b)) }
}

/// [`mac`] in the lanes of `mask` only; the others keep `acc`.
#[inline]
#[target_feature(enable = "avx512f")]
fn mac_masked<const FUSED: bool>(a: __m512, b: __m512, acc: __m512, mask: __mmask16) -> __m512 {
    if FUSED {
        _mm512_mask3_fmadd_ps(a, b, acc, mask)
    } else {
        _mm512_mask_add_ps(acc, mask, acc, _mm512_mul_ps(a, b))
    }
}

/// `math::fold16`: `l[k] + l[k+8]`, then `+4`, `+2`, `+1`.
#[inline]
#[target_feature(enable = "avx512f")]
fn fold16(v: __m512) -> f32 {
    let lo = _mm512_castps512_ps256(v);
    let hi = _mm256_castpd_ps(_mm512_extractf64x4_pd::<1>(_mm512_castps_pd(v)));
    let s8 = _mm256_add_ps(lo, hi);
    let s4 = _mm_add_ps(_mm256_castps256_ps128(s8), _mm256_extractf128_ps::<1>(s8));
    let s2 = _mm_add_ps(s4, _mm_movehl_ps(s4, s4));
    _mm_cvtss_f32(_mm_add_ss(s2, _mm_movehdup_ps(s2)))
}

/// `y[s][o] = b[o] + dot(w[o], x[s])` in [`S`] × [`O`] tiles; what the
/// tiles leave over (rows, outputs, or inputs shorter than 16) goes to the
/// generic 4 × 4 code, which computes the same bits.
#[inline]
#[target_feature(enable = "avx512f")]
pub(super) fn forward<M: blocked::MulAdd, const FUSED: bool>(
    w: &[f32],
    b: &[f32],
    x: &[f32],
    y: &mut [f32],
    ins: usize,
    outs: usize,
) {
    if ins < LANES || outs < O {
        return blocked::forward::<M, 4, 4>(w, b, x, y, ins, outs);
    }
    let rows = (x.len() / ins).min(y.len() / outs);
    let (w, b, x, y) = (&w[..outs * ins], &b[..outs], &x[..rows * ins], &mut y[..rows * outs]);
    let n16 = ins / LANES * LANES;
    let mask: __mmask16 = ((1u32 << (ins - n16)) - 1) as __mmask16;
    let tiled_rows = rows / S * S;
    let tiled_outs = outs / O * O;
    for s0 in (0..tiled_rows).step_by(S) {
        let xs: [&[f32]; S] = core::array::from_fn(|j| &x[(s0 + j) * ins..][..ins]);
        for o0 in (0..tiled_outs).step_by(O) {
            let ws: [&[f32]; O] = core::array::from_fn(|k| &w[(o0 + k) * ins..][..ins]);
            let d = tile::<FUSED>(&xs, &ws, n16, mask);
            for j in 0..S {
                for k in 0..O {
                    y[(s0 + j) * outs + o0 + k] = b[o0 + k] + d[j][k];
                }
            }
        }
    }
    // Leftover outputs of the tiled rows, then the leftover rows: the
    // generic code on sub-problems (same order, same bits).
    if tiled_outs < outs {
        let rest = outs - tiled_outs;
        for s in 0..tiled_rows {
            let mut ys = [0.0f32; O];
            blocked::forward::<M, 1, 1>(
                &w[tiled_outs * ins..],
                &b[tiled_outs..],
                &x[s * ins..][..ins],
                &mut ys[..rest],
                ins,
                rest,
            );
            y[s * outs + tiled_outs..][..rest].copy_from_slice(&ys[..rest]);
        }
    }
    if tiled_rows < rows {
        blocked::forward::<M, 4, 4>(w, b, &x[tiled_rows * ins..], &mut y[tiled_rows * outs..], ins, outs);
    }
}

/// One tile: `S × O` dot products of rows of length `n16 + popcount(mask)`.
#[inline]
#[target_feature(enable = "avx512f")]
fn tile<const FUSED: bool>(xs: &[&[f32]; S], ws: &[&[f32]; O], n16: usize, mask: __mmask16) -> [[f32; O]; S] {
    // SAFETY (every `load` below): each row has length `ins = n16 + r`
    // (checked by the slicing in `forward`) and `i + 16 <= n16`.
    let mut acc = [[_mm512_setzero_ps(); O]; S];
    unsafe {
        let wv: [__m512; O] = core::array::from_fn(|k| load(ws[k], 0));
        for j in 0..S {
            let xv = load(xs[j], 0);
            for k in 0..O {
                acc[j][k] = _mm512_mul_ps(wv[k], xv);
            }
        }
        let mut i = LANES;
        while i < n16 {
            let wv: [__m512; O] = core::array::from_fn(|k| load(ws[k], i));
            for j in 0..S {
                let xv = load(xs[j], i);
                for k in 0..O {
                    acc[j][k] = mac::<FUSED>(wv[k], xv, acc[j][k]);
                }
            }
            i += LANES;
        }
        if mask != 0 {
            // SAFETY: the tail's `r` lanes end at the row's end.
            let wv: [__m512; O] = core::array::from_fn(|k| load_tail(ws[k], n16, mask));
            for j in 0..S {
                let xv = load_tail(xs[j], n16, mask);
                for k in 0..O {
                    acc[j][k] = mac_masked::<FUSED>(wv[k], xv, acc[j][k], mask);
                }
            }
        }
    }
    let mut out = [[0.0f32; O]; S];
    for j in 0..S {
        for k in 0..O {
            out[j][k] = fold16(acc[j][k]);
        }
    }
    out
}
