//! The AVX-512 and AVX2 dense forward kernels, written with `core::arch`
//! intrinsics.
//!
//! The generic blocked code (`blocked::forward`) vectorises well only for a
//! 4 × 4 tile of samples × outputs with AVX-512 (LLVM scalarises other tile
//! shapes), and only 1 × 1 with AVX2's 16 registers; a small tile re-reads
//! every weight row from L2 for each few samples. Here the tiles are written
//! out with intrinsics over a 16-lane accumulator ([`Lanes16`]: one zmm
//! register, or a pair of ymm registers): 8 × 2 with AVX-512 (16
//! accumulators of 16 lanes, 2 weight vectors and 1 input vector live), 2 × 2
//! with AVX2, and 1 × 4 tiles of ymm pairs for single samples. Every output is computed
//! with the same operations in the same order as `blocked::forward` (16
//! lane sums, the tail products into lanes `0..r`, the fold in halves, then
//! the bias), so the bits are the same; `tests/kernels.rs` checks them
//! against the reference loops.
//!
//! Safety: the intrinsics need the CPU features of the copy that calls
//! them. Every function here is only reached from the `#[target_feature]`
//! copies in `x86.rs`, which run only after `is_x86_feature_detected!`
//! confirmed those features; the `Lanes16` methods are `#[inline(always)]`
//! so they compile inside those copies.

use core::arch::x86_64::*;

use super::super::{LANES, blocked};

/// 16 lanes of partial sums in registers.
pub(super) trait Lanes16: Copy {
    /// Which of the lanes a tail of `r < 16` products fills.
    type Mask: Copy;
    /// Lanes `0..r`.
    fn mask(r: usize) -> Self::Mask;
    /// All lanes `+0`.
    ///
    /// # Safety
    /// The CPU has this type's features.
    unsafe fn zero() -> Self;
    /// 16 floats from `v[i..i + 16]`.
    ///
    /// # Safety
    /// `i + 16 <= v.len()`, and the CPU has this type's features.
    unsafe fn load(v: &[f32], i: usize) -> Self;
    /// The tail's floats of `v[i..]` in its lanes, zeros above.
    ///
    /// # Safety
    /// `i + r <= v.len()` for the `r` of `mask`, and the CPU has this type's features.
    unsafe fn load_tail(v: &[f32], i: usize, mask: Self::Mask) -> Self;
    /// `a·b`, lane by lane.
    ///
    /// # Safety
    /// The CPU has this type's features.
    unsafe fn mul(a: Self, b: Self) -> Self;
    /// `acc + a·b`, rounded twice (`FUSED = false`) or once (the CPU then
    /// needs FMA too).
    ///
    /// # Safety
    /// The CPU has this type's features.
    unsafe fn mac<const FUSED: bool>(a: Self, b: Self, acc: Self) -> Self;
    /// [`mac`](Self::mac) in the lanes of `mask` only; the others keep `acc`.
    ///
    /// # Safety
    /// As for [`mac`](Self::mac).
    unsafe fn mac_tail<const FUSED: bool>(a: Self, b: Self, acc: Self, mask: Self::Mask) -> Self;
    /// `math::fold16`: `l[k] + l[k+8]`, then `+4`, `+2`, `+1`.
    ///
    /// # Safety
    /// The CPU has this type's features.
    unsafe fn fold(self) -> f32;
}

/// The last steps of `math::fold16` on `s8[k] = l[k] + l[k+8]`.
///
/// # Safety
/// The CPU has AVX.
#[inline(always)]
unsafe fn fold8(s8: __m256) -> f32 {
    // SAFETY: AVX/SSE intrinsics; the caller guarantees AVX.
    unsafe {
        let s4 = _mm_add_ps(_mm256_castps256_ps128(s8), _mm256_extractf128_ps::<1>(s8));
        let s2 = _mm_add_ps(s4, _mm_movehl_ps(s4, s4));
        _mm_cvtss_f32(_mm_add_ss(s2, _mm_movehdup_ps(s2)))
    }
}

// SAFETY (every intrinsic call in the two impls): the caller guarantees
// AVX-512F (resp. AVX2, and FMA for `FUSED`), per the trait's contract;
// pointer arguments are in bounds by the same contract, and masked-off
// lanes are neither read nor able to fault.
impl Lanes16 for __m512 {
    type Mask = __mmask16;

    #[inline(always)]
    fn mask(r: usize) -> __mmask16 {
        ((1u32 << r) - 1) as __mmask16
    }

    #[inline(always)]
    unsafe fn zero() -> Self {
        unsafe { _mm512_setzero_ps() }
    }

    #[inline(always)]
    unsafe fn load(v: &[f32], i: usize) -> Self {
        debug_assert!(i + LANES <= v.len());
        unsafe { _mm512_loadu_ps(v.as_ptr().add(i)) }
    }

    #[inline(always)]
    unsafe fn load_tail(v: &[f32], i: usize, mask: __mmask16) -> Self {
        unsafe { _mm512_maskz_loadu_ps(mask, v.as_ptr().add(i)) }
    }

    #[inline(always)]
    unsafe fn mul(a: Self, b: Self) -> Self {
        unsafe { _mm512_mul_ps(a, b) }
    }

    #[inline(always)]
    unsafe fn mac<const FUSED: bool>(a: Self, b: Self, acc: Self) -> Self {
        unsafe { if FUSED { _mm512_fmadd_ps(a, b, acc) } else { _mm512_add_ps(acc, _mm512_mul_ps(a, b)) } }
    }

    #[inline(always)]
    unsafe fn mac_tail<const FUSED: bool>(a: Self, b: Self, acc: Self, mask: __mmask16) -> Self {
        unsafe {
            if FUSED {
                _mm512_mask3_fmadd_ps(a, b, acc, mask)
            } else {
                _mm512_mask_add_ps(acc, mask, acc, _mm512_mul_ps(a, b))
            }
        }
    }

    #[inline(always)]
    unsafe fn fold(self) -> f32 {
        unsafe {
            let lo = _mm512_castps512_ps256(self);
            let hi = _mm256_castpd_ps(_mm512_extractf64x4_pd::<1>(_mm512_castps_pd(self)));
            fold8(_mm256_add_ps(lo, hi))
        }
    }
}

/// 16 lanes as two ymm registers: lanes `0..8` and `8..16`.
#[derive(Clone, Copy)]
pub(super) struct Ymm2(__m256, __m256);

impl Lanes16 for Ymm2 {
    /// All-ones in the lanes of the tail, for `maskload` and `blendv`.
    type Mask = (__m256i, __m256i);

    #[inline(always)]
    fn mask(r: usize) -> Self::Mask {
        let lane = |k: i32| if (k as usize) < r { -1 } else { 0 };
        // SAFETY: `_mm256_setr_epi32` only needs AVX, which every caller has.
        unsafe {
            (
                _mm256_setr_epi32(lane(0), lane(1), lane(2), lane(3), lane(4), lane(5), lane(6), lane(7)),
                _mm256_setr_epi32(
                    lane(8),
                    lane(9),
                    lane(10),
                    lane(11),
                    lane(12),
                    lane(13),
                    lane(14),
                    lane(15),
                ),
            )
        }
    }

    #[inline(always)]
    unsafe fn zero() -> Self {
        unsafe { Ymm2(_mm256_setzero_ps(), _mm256_setzero_ps()) }
    }

    #[inline(always)]
    unsafe fn load(v: &[f32], i: usize) -> Self {
        debug_assert!(i + LANES <= v.len());
        unsafe { Ymm2(_mm256_loadu_ps(v.as_ptr().add(i)), _mm256_loadu_ps(v.as_ptr().add(i + 8))) }
    }

    #[inline(always)]
    unsafe fn load_tail(v: &[f32], i: usize, mask: Self::Mask) -> Self {
        // `maskload` reads only the masked lanes (no fault past the end);
        // the `+ 8` pointer is only formed in bounds or one past the end
        // when the tail has 8 lanes or fewer, and then `mask.1` is empty.
        unsafe {
            let p = v.as_ptr().add(i);
            Ymm2(_mm256_maskload_ps(p, mask.0), _mm256_maskload_ps(p.wrapping_add(8), mask.1))
        }
    }

    #[inline(always)]
    unsafe fn mul(a: Self, b: Self) -> Self {
        unsafe { Ymm2(_mm256_mul_ps(a.0, b.0), _mm256_mul_ps(a.1, b.1)) }
    }

    #[inline(always)]
    unsafe fn mac<const FUSED: bool>(a: Self, b: Self, acc: Self) -> Self {
        unsafe {
            if FUSED {
                Ymm2(_mm256_fmadd_ps(a.0, b.0, acc.0), _mm256_fmadd_ps(a.1, b.1, acc.1))
            } else {
                Ymm2(
                    _mm256_add_ps(acc.0, _mm256_mul_ps(a.0, b.0)),
                    _mm256_add_ps(acc.1, _mm256_mul_ps(a.1, b.1)),
                )
            }
        }
    }

    #[inline(always)]
    unsafe fn mac_tail<const FUSED: bool>(a: Self, b: Self, acc: Self, mask: Self::Mask) -> Self {
        unsafe {
            let new = Self::mac::<FUSED>(a, b, acc);
            Ymm2(
                _mm256_blendv_ps(acc.0, new.0, _mm256_castsi256_ps(mask.0)),
                _mm256_blendv_ps(acc.1, new.1, _mm256_castsi256_ps(mask.1)),
            )
        }
    }

    #[inline(always)]
    unsafe fn fold(self) -> f32 {
        unsafe { fold8(_mm256_add_ps(self.0, self.1)) }
    }
}

/// `y[s][o] = b[o] + dot(w[o], x[s])` in `S × O` tiles of `V`; rows left
/// over go one at a time in `1 × S1` tiles of `V1` (a single sample streams
/// `S1` weight rows at once), outputs left over in tiles of one output. Inputs shorter than
/// 16 go to the generic code, which computes the same bits.
///
/// # Safety
/// The CPU has `V`'s features (and FMA if `FUSED`).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(super) unsafe fn forward<M, V, V1, const FUSED: bool, const S: usize, const O: usize, const S1: usize>(
    w: &[f32],
    b: &[f32],
    x: &[f32],
    y: &mut [f32],
    ins: usize,
    outs: usize,
) where
    M: blocked::MulAdd,
    V: Lanes16,
    V1: Lanes16,
{
    if ins < LANES || outs == 0 {
        return blocked::forward::<M, 4, 4>(w, b, x, y, ins, outs);
    }
    let rows = (x.len() / ins).min(y.len() / outs);
    let p = Problem::<V> {
        w: &w[..outs * ins],
        b: &b[..outs],
        x: &x[..rows * ins],
        ins,
        outs,
        n16: ins / LANES * LANES,
        mask: V::mask(ins % LANES),
        tail: !ins.is_multiple_of(LANES),
    };
    let p1 = Problem::<V1> {
        w: p.w,
        b: p.b,
        x: p.x,
        ins,
        outs,
        n16: p.n16,
        mask: V1::mask(ins % LANES),
        tail: p.tail,
    };
    let y = &mut y[..rows * outs];
    let mut s = 0;
    // SAFETY: the caller guarantees the features.
    unsafe {
        while s + S <= rows {
            let o = p.tiles::<FUSED, S, O>(y, s, 0);
            p.tiles::<FUSED, S, 1>(y, s, o);
            s += S;
        }
        while s < rows {
            let o = p1.tiles::<FUSED, 1, S1>(y, s, 0);
            p1.tiles::<FUSED, 1, 1>(y, s, o);
            s += 1;
        }
    }
}

/// One forward pass's operands, cut to their exact lengths.
struct Problem<'a, V: Lanes16> {
    w: &'a [f32],
    b: &'a [f32],
    x: &'a [f32],
    ins: usize,
    outs: usize,
    /// `ins` rounded down to a multiple of 16.
    n16: usize,
    /// The `ins mod 16` tail lanes.
    mask: V::Mask,
    /// Whether there is a tail.
    tail: bool,
}

impl<V: Lanes16> Problem<'_, V> {
    /// Rows `s0..s0 + TS`, outputs from `o0` in tiles of `TO` while a whole
    /// tile fits; returns the first output not done.
    ///
    /// # Safety
    /// The CPU has `V`'s features (and FMA if `FUSED`).
    #[inline(always)]
    unsafe fn tiles<const FUSED: bool, const TS: usize, const TO: usize>(
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
            // SAFETY: every row has length `ins = n16 + r`; features as ours.
            let d = unsafe { tile::<V, FUSED, TS, TO>(&xs, &ws, self.n16, self.tail.then_some(self.mask)) };
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

/// One tile: `TS × TO` dot products of rows of length `n16 + r` (`r` the
/// tail lanes of `tail`, if any).
///
/// # Safety
/// Every row has length `n16 + r`, and the CPU has `V`'s features (and FMA
/// if `FUSED`).
#[inline(always)]
unsafe fn tile<V: Lanes16, const FUSED: bool, const TS: usize, const TO: usize>(
    xs: &[&[f32]; TS],
    ws: &[&[f32]; TO],
    n16: usize,
    tail: Option<V::Mask>,
) -> [[f32; TO]; TS] {
    // SAFETY: every `load` reads `i..i + 16` with `i + 16 <= n16`, every
    // `load_tail` the `r` lanes from `n16`, inside rows of length `n16 + r`;
    // the features are the caller's.
    unsafe {
        let mut acc = [[V::zero(); TO]; TS];
        let wv: [V; TO] = core::array::from_fn(|k| V::load(ws[k], 0));
        for j in 0..TS {
            let xv = V::load(xs[j], 0);
            for k in 0..TO {
                acc[j][k] = V::mul(wv[k], xv);
            }
        }
        let mut i = LANES;
        while i < n16 {
            let wv: [V; TO] = core::array::from_fn(|k| V::load(ws[k], i));
            for j in 0..TS {
                let xv = V::load(xs[j], i);
                for k in 0..TO {
                    acc[j][k] = V::mac::<FUSED>(wv[k], xv, acc[j][k]);
                }
            }
            i += LANES;
        }
        if let Some(mask) = tail {
            let wv: [V; TO] = core::array::from_fn(|k| V::load_tail(ws[k], n16, mask));
            for j in 0..TS {
                let xv = V::load_tail(xs[j], n16, mask);
                for k in 0..TO {
                    acc[j][k] = V::mac_tail::<FUSED>(wv[k], xv, acc[j][k], mask);
                }
            }
        }
        let mut out = [[0.0f32; TO]; TS];
        for j in 0..TS {
            for k in 0..TO {
                out[j][k] = acc[j][k].fold();
            }
        }
        out
    }
}
