//! Packing for the fast forward pass: a block of the output-major weight
//! matrix transposed into an input-major panel, so the micro-kernel
//! (`gemm.rs`) can load 16 consecutive outputs' weights for one input as a
//! vector. 8 × 8 blocks go through AVX registers (8 loads, 24 shuffles, 8
//! stores for 64 floats); the edges are copied one float at a time.
//!
//! Safety: needs AVX; reached only from the `#[target_feature]` copies in
//! `x86.rs` (through `gemm::forward`), after the CPU was checked.

use core::arch::x86_64::*;

/// `dst[k·ldd + j] = src[j·lds + k]` for `j < rows`, `k < cols`.
///
/// # Safety
/// Those addresses are valid for reading (`src`) and writing (`dst`), the
/// two regions do not overlap, and the CPU has AVX.
#[inline(always)]
pub(super) unsafe fn transpose(
    src: *const f32,
    lds: usize,
    rows: usize,
    cols: usize,
    dst: *mut f32,
    ldd: usize,
) {
    // SAFETY (the whole body): every address formed is `src + j·lds + k` or
    // `dst + k·ldd + j` with `j < rows`, `k < cols`, as the caller allows.
    unsafe {
        let (rows8, cols8) = (rows / 8 * 8, cols / 8 * 8);
        let mut j = 0;
        while j < rows8 {
            let mut k = 0;
            while k < cols8 {
                block8(src.add(j * lds + k), lds, dst.add(k * ldd + j), ldd);
                k += 8;
            }
            for jj in j..j + 8 {
                for kk in cols8..cols {
                    *dst.add(kk * ldd + jj) = *src.add(jj * lds + kk);
                }
            }
            j += 8;
        }
        for jj in rows8..rows {
            for kk in 0..cols {
                *dst.add(kk * ldd + jj) = *src.add(jj * lds + kk);
            }
        }
    }
}

/// One 8 × 8 block: `dst[k·ldd + j] = src[j·lds + k]` for `j, k < 8`.
///
/// # Safety
/// As for [`transpose`] with 8 rows and 8 columns.
#[inline(always)]
unsafe fn block8(src: *const f32, lds: usize, dst: *mut f32, ldd: usize) {
    // SAFETY: eight 8-float rows of `src` and of `dst`, as the caller allows.
    unsafe {
        let r: [__m256; 8] = core::array::from_fn(|j| _mm256_loadu_ps(src.add(j * lds)));
        let t0 = _mm256_unpacklo_ps(r[0], r[1]);
        let t1 = _mm256_unpackhi_ps(r[0], r[1]);
        let t2 = _mm256_unpacklo_ps(r[2], r[3]);
        let t3 = _mm256_unpackhi_ps(r[2], r[3]);
        let t4 = _mm256_unpacklo_ps(r[4], r[5]);
        let t5 = _mm256_unpackhi_ps(r[4], r[5]);
        let t6 = _mm256_unpacklo_ps(r[6], r[7]);
        let t7 = _mm256_unpackhi_ps(r[6], r[7]);
        let u0 = _mm256_shuffle_ps::<0x44>(t0, t2);
        let u1 = _mm256_shuffle_ps::<0xEE>(t0, t2);
        let u2 = _mm256_shuffle_ps::<0x44>(t1, t3);
        let u3 = _mm256_shuffle_ps::<0xEE>(t1, t3);
        let u4 = _mm256_shuffle_ps::<0x44>(t4, t6);
        let u5 = _mm256_shuffle_ps::<0xEE>(t4, t6);
        let u6 = _mm256_shuffle_ps::<0x44>(t5, t7);
        let u7 = _mm256_shuffle_ps::<0xEE>(t5, t7);
        let c = [
            _mm256_permute2f128_ps::<0x20>(u0, u4),
            _mm256_permute2f128_ps::<0x20>(u1, u5),
            _mm256_permute2f128_ps::<0x20>(u2, u6),
            _mm256_permute2f128_ps::<0x20>(u3, u7),
            _mm256_permute2f128_ps::<0x31>(u0, u4),
            _mm256_permute2f128_ps::<0x31>(u1, u5),
            _mm256_permute2f128_ps::<0x31>(u2, u6),
            _mm256_permute2f128_ps::<0x31>(u3, u7),
        ];
        for (k, v) in c.into_iter().enumerate() {
            _mm256_storeu_ps(dst.add(k * ldd), v);
        }
    }
}
