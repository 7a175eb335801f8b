//! The int8 dense kernel with AVX2 on x86-64 desktops (`std`, selected at
//! run time): sixteen int8 weights are widened to i16 (`vpmovsxbw`) and
//! multiplied with the input, widened once per call, by `vpmaddwd`, which
//! adds neighbouring products into i32 lanes. Four output rows share each
//! input load. Integer sums are exact (modulo 2³², like every other path),
//! so the results are bit-identical to the portable kernel.
//!
//! Unsafe code: the `#[target_feature]` function runs only after
//! `is_x86_feature_detected!("avx2")`, and every unaligned load reads 16
//! weights or 16 widened inputs at offsets checked against the slice lengths
//! before the loops.
#![allow(unsafe_code)]

use super::Requant;
use core::arch::x86_64::*;

/// Inputs longer than this use the portable kernel (the widened input lives
/// on the stack: 8 KiB).
const MAX_INPUTS: usize = 4096;

/// Runs the AVX2 kernel if the CPU has AVX2 and the shape fits; returns
/// `false` (doing nothing) otherwise.
#[inline]
pub(super) fn dense_forward(
    w: &[i8],
    bias: &[i32],
    x: &[i8],
    y: &mut [i8],
    ins: usize,
    outs: usize,
    rq: &Requant,
) -> bool {
    if !(16..=MAX_INPUTS).contains(&ins) || !std::is_x86_feature_detected!("avx2") {
        return false;
    }
    let (w, bias, x, y) = (&w[..ins * outs], &bias[..outs], &x[..ins], &mut y[..outs]);
    // The requantization slices are indexed per output below.
    let _ = (&rq.multiplier[..outs], &rq.shift[..outs]);
    // SAFETY: AVX2 was detected; the slices have the lengths the kernel reads.
    unsafe { dense_forward_avx2(w, bias, x, y, ins, outs, rq) };
    true
}

/// Sum of the eight i32 lanes, wrapping.
#[target_feature(enable = "avx2")]
fn hsum(v: __m256i) -> i32 {
    let s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256::<1>(v));
    let s = _mm_add_epi32(s, _mm_shuffle_epi32::<0b01_00_11_10>(s));
    let s = _mm_add_epi32(s, _mm_shuffle_epi32::<0b10_11_00_01>(s));
    _mm_cvtsi128_si32(s)
}

/// `Σ w[i]·x[i]` over the first `n16` inputs (a multiple of 16) of one row,
/// as eight lane sums.
///
/// # Safety
/// AVX2; `row` and `xw` hold at least `n16` values.
#[target_feature(enable = "avx2")]
unsafe fn row_lanes(row: &[i8], xw: &[i16], n16: usize, acc: __m256i) -> __m256i {
    let mut acc = acc;
    let mut i = 0;
    while i < n16 {
        // SAFETY: i + 16 <= n16 <= both lengths.
        let (wv, xv) = unsafe {
            (
                _mm256_cvtepi8_epi16(_mm_loadu_si128(row.as_ptr().add(i).cast())),
                _mm256_loadu_si256(xw.as_ptr().add(i).cast()),
            )
        };
        acc = _mm256_add_epi32(acc, _mm256_madd_epi16(wv, xv));
        i += 16;
    }
    acc
}

/// # Safety
/// AVX2; `w.len() == ins·outs`, `bias`, `y`, `rq`'s slices `outs` long,
/// `x.len() == ins`, `16 <= ins <= MAX_INPUTS`.
#[target_feature(enable = "avx2")]
unsafe fn dense_forward_avx2(
    w: &[i8],
    bias: &[i32],
    x: &[i8],
    y: &mut [i8],
    ins: usize,
    outs: usize,
    rq: &Requant,
) {
    let mut xw = [0i16; MAX_INPUTS];
    for (d, &s) in xw.iter_mut().zip(x) {
        *d = s as i16;
    }
    let n16 = ins / 16 * 16;
    let tail = |row: &[i8], acc: i32| {
        row[n16..].iter().zip(&x[n16..]).fold(acc, |a, (&wv, &xv)| a.wrapping_add(wv as i32 * xv as i32))
    };
    let mut o = 0;
    while o + 4 <= outs {
        let rows: [&[i8]; 4] = core::array::from_fn(|r| &w[(o + r) * ins..(o + r + 1) * ins]);
        let mut a = [_mm256_setzero_si256(); 4];
        let mut i = 0;
        while i < n16 {
            // SAFETY: i + 16 <= n16 <= ins = each row's and xw's length.
            let xv = unsafe { _mm256_loadu_si256(xw.as_ptr().add(i).cast()) };
            for r in 0..4 {
                // SAFETY: as above.
                let wv = unsafe { _mm256_cvtepi8_epi16(_mm_loadu_si128(rows[r].as_ptr().add(i).cast())) };
                a[r] = _mm256_add_epi32(a[r], _mm256_madd_epi16(wv, xv));
            }
            i += 16;
        }
        for r in 0..4 {
            let acc = tail(rows[r], bias[o + r].wrapping_add(hsum(a[r])));
            y[o + r] = rq.apply(o + r, acc);
        }
        o += 4;
    }
    while o < outs {
        let row = &w[o * ins..(o + 1) * ins];
        // SAFETY: the row and xw hold ins >= n16 values.
        let lanes = unsafe { row_lanes(row, &xw, n16, _mm256_setzero_si256()) };
        y[o] = rq.apply(o, tail(row, bias[o].wrapping_add(hsum(lanes))));
        o += 1;
    }
}
