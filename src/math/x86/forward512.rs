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

/// `y[s][o] = b[o] + dot(w[o], x[s])` in [`S`] × [`O`] tiles; rows left
/// over go one at a time in 1 × 8 tiles (a single sample streams 8 weight
/// rows at once), outputs left over in tiles of one output. Inputs shorter
/// than 16 go to the generic code, which computes the same bits.
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
    if ins < LANES || outs == 0 {
        return blocked::forward::<M, 4, 4>(w, b, x, y, ins, outs);
    }
    let rows = (x.len() / ins).min(y.len() / outs);
    let p = Problem {
        w: &w[..outs * ins],
        b: &b[..outs],
        x: &x[..rows * ins],
        ins,
        outs,
        n16: ins / LANES * LANES,
        mask: ((1u32 << (ins % LANES)) - 1) as __mmask16,
    };
    let y = &mut y[..rows * outs];
    let mut s = 0;
    while s + S <= rows {
        let o = p.tiles::<FUSED, S, O>(y, s, 0);
        p.tiles::<FUSED, S, 1>(y, s, o);
        s += S;
    }
    while s < rows {
        let o = p.tiles::<FUSED, 1, 8>(y, s, 0);
        p.tiles::<FUSED, 1, 1>(y, s, o);
        s += 1;
    }
}

/// One forward pass's operands, cut to their exact lengths.
struct Problem<'a> {
    w: &'a [f32],
    b: &'a [f32],
    x: &'a [f32],
    ins: usize,
    outs: usize,
    /// `ins` rounded down to a multiple of 16.
    n16: usize,
    /// The `ins mod 16` tail lanes.
    mask: __mmask16,
}

impl Problem<'_> {
    /// Rows `s0..s0 + TS`, outputs from `o0` in tiles of `TO` while a whole
    /// tile fits; returns the first output not done.
    #[inline]
    #[target_feature(enable = "avx512f")]
    fn tiles<const FUSED: bool, const TS: usize, const TO: usize>(
        &self,
        y: &mut [f32],
        s0: usize,
        o0: usize,
    ) -> usize {
        let ins = self.ins;
        let xs: [&[f32]; TS] = core::array::from_fn(|j| &self.x[(s0 + j) * ins..][..ins]);
        let mut o = o0;
        while o + TO <= self.outs {
            let ws: [&[f32]; TO] = core::array::from_fn(|k| &self.w[(o + k) * ins..][..ins]);
            let d = tile::<FUSED, TS, TO>(&xs, &ws, self.n16, self.mask);
            for j in 0..TS {
                for k in 0..TO {
                    y[(s0 + j) * self.outs + o + k] = self.b[o + k] + d[j][k];
                }
            }
            o += TO;
        }
        o
    }
}

/// One tile: `TS × TO` dot products of rows of length `n16 + popcount(mask)`.
#[inline]
#[target_feature(enable = "avx512f")]
fn tile<const FUSED: bool, const TS: usize, const TO: usize>(
    xs: &[&[f32]; TS],
    ws: &[&[f32]; TO],
    n16: usize,
    mask: __mmask16,
) -> [[f32; TO]; TS] {
    // SAFETY (every `load` below): each row has length `ins = n16 + r`
    // (checked by the slicing in `Problem::tiles`) and `i + 16 <= n16`.
    let mut acc = [[_mm512_setzero_ps(); TO]; TS];
    unsafe {
        let wv: [__m512; TO] = core::array::from_fn(|k| load(ws[k], 0));
        for j in 0..TS {
            let xv = load(xs[j], 0);
            for k in 0..TO {
                acc[j][k] = _mm512_mul_ps(wv[k], xv);
            }
        }
        let mut i = LANES;
        while i < n16 {
            let wv: [__m512; TO] = core::array::from_fn(|k| load(ws[k], i));
            for j in 0..TS {
                let xv = load(xs[j], i);
                for k in 0..TO {
                    acc[j][k] = mac::<FUSED>(wv[k], xv, acc[j][k]);
                }
            }
            i += LANES;
        }
        if mask != 0 {
            // SAFETY: the tail's `r` lanes end at the row's end.
            let wv: [__m512; TO] = core::array::from_fn(|k| load_tail(ws[k], n16, mask));
            for j in 0..TS {
                let xv = load_tail(xs[j], n16, mask);
                for k in 0..TO {
                    acc[j][k] = mac_masked::<FUSED>(wv[k], xv, acc[j][k], mask);
                }
            }
        }
    }
    let mut out = [[0.0f32; TO]; TS];
    for j in 0..TS {
        for k in 0..TO {
            out[j][k] = fold16(acc[j][k]);
        }
    }
    out
}
