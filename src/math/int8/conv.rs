//! int8 convolution kernels, TFLite's reference int8 per-channel arithmetic
//! on channels-last slices (`[sample][y][x][channel]`).
//!
//! * A convolution copies one output pixel's patch (`kh·kw·c_in` values in
//!   `(ky, kx, c)` order) into a stack buffer of
//!   [`MAX_PATCH`](crate::math::MAX_PATCH) bytes, **padding with the input
//!   zero point**, so that with the zero point folded into the bias
//!   (`bias − zp·Σw`) the dense kernel's `Σ w·x` is TFLite's
//!   `Σ_{taps inside} w·(x − zp) + bias` exactly; then it runs the dense
//!   int8 kernel of this target (SMLAD on the Cortex-M4/M7, Thumb-1 on the
//!   M0, AVX2 on desktops) on it. A 1×1 convolution with stride 1 needs no
//!   copy.
//! * A depthwise convolution is a direct loop: `acc[c] = bias[c] +
//!   Σ_{taps inside} w[ky][kx][c]·(x − zp)`, then the per-channel
//!   requantization.
//! * Average pooling is TFLite's: the sum of the window, divided by the tap
//!   count rounding half away from zero, clamped.

use super::{Requant, kernel};
use crate::math::MAX_PATCH;
use crate::math::conv::Geometry;

/// Convolution over `x.len() / (h·w·c_in)` samples: `y` is `pixels × c_out`.
pub(crate) fn conv_forward(
    g: &Geometry,
    w: &[i8],
    kernel_bias: &[i32],
    x: &[i8],
    y: &mut [i8],
    zp: i8,
    rq: &Requant,
) {
    let (patch, c_out) = (g.patch(), kernel_bias.len());
    let pointwise = g.kh == 1 && g.kw == 1 && g.stride == 1 && g.pad_h == 0 && g.pad_w == 0;
    let mut buf = [0i8; MAX_PATCH];
    let in_len = g.in_len().max(1);
    for (xs, ys) in x.chunks_exact(in_len).zip(y.chunks_exact_mut((g.pixels() * c_out).max(1))) {
        for (p, yp) in ys.chunks_exact_mut(c_out.max(1)).enumerate() {
            if pointwise {
                kernel(w, kernel_bias, &xs[p * patch..][..patch], yp, rq);
                continue;
            }
            let (oy, ox) = (p / g.ow, p % g.ow);
            let c = g.c_in;
            for ky in 0..g.kh {
                for kx in 0..g.kw {
                    let dst = &mut buf[(ky * g.kw + kx) * c..][..c];
                    match g.tap(oy, ox, ky, kx) {
                        Some((iy, ix)) => dst.copy_from_slice(&xs[g.at(0, iy, ix)..][..c]),
                        None => dst.fill(zp),
                    }
                }
            }
            kernel(w, kernel_bias, &buf[..patch], yp, rq);
        }
    }
}

/// Depthwise convolution (multiplier 1) with TFLite's unfolded `bias`.
pub(crate) fn depthwise_forward(
    g: &Geometry,
    w: &[i8],
    bias: &[i32],
    x: &[i8],
    y: &mut [i8],
    zp: i8,
    rq: &Requant,
) {
    let c = g.c_in;
    /// Channels accumulated at once.
    const BLOCK: usize = 64;
    for (xs, ys) in x.chunks_exact(g.in_len().max(1)).zip(y.chunks_exact_mut((g.pixels() * c).max(1))) {
        for (p, yp) in ys.chunks_exact_mut(c.max(1)).enumerate() {
            let (oy, ox) = (p / g.ow, p % g.ow);
            for c0 in (0..c).step_by(BLOCK) {
                let n = BLOCK.min(c - c0);
                let mut acc = [0i32; BLOCK];
                acc[..n].copy_from_slice(&bias[c0..c0 + n]);
                for ky in 0..g.kh {
                    for kx in 0..g.kw {
                        let Some((iy, ix)) = g.tap(oy, ox, ky, kx) else { continue };
                        let xv = &xs[g.at(0, iy, ix) + c0..][..n];
                        let wv = &w[(ky * g.kw + kx) * c + c0..][..n];
                        for ((a, &xi), &wi) in acc[..n].iter_mut().zip(xv).zip(wv) {
                            *a = a.wrapping_add((wi as i32).wrapping_mul(xi as i32 - zp as i32));
                        }
                    }
                }
                for (j, (o, &a)) in yp[c0..c0 + n].iter_mut().zip(&acc[..n]).enumerate() {
                    *o = rq.apply(c0 + j, a);
                }
            }
        }
    }
}

/// TFLite's int8 AVERAGE_POOL_2D (no padding): per channel the window's sum
/// `s` over `n` taps becomes `(s ± n/2) / n` (rounded half away from zero),
/// clamped to `[min, max]`.
pub(crate) fn avg_pool_forward(g: &Geometry, x: &[i8], y: &mut [i8], min: i8, max: i8) {
    let c = g.c_in;
    for (xs, ys) in x.chunks_exact(g.in_len().max(1)).zip(y.chunks_exact_mut((g.pixels() * c).max(1))) {
        for (p, yp) in ys.chunks_exact_mut(c.max(1)).enumerate() {
            let (oy, ox) = (p / g.ow, p % g.ow);
            for (ch, out) in yp.iter_mut().enumerate() {
                let (mut sum, mut n) = (0i32, 0i32);
                for ky in 0..g.kh {
                    for kx in 0..g.kw {
                        if let Some((iy, ix)) = g.tap(oy, ox, ky, kx) {
                            sum += xs[g.at(0, iy, ix) + ch] as i32;
                            n += 1;
                        }
                    }
                }
                let avg = if n == 0 {
                    0
                } else if sum > 0 {
                    (sum + n / 2) / n
                } else {
                    (sum - n / 2) / n
                };
                *out = avg.clamp(min as i32, max as i32) as i8;
            }
        }
    }
}

/// Max pooling (no padding): the largest value of each window, per channel.
pub(crate) fn max_pool_forward(g: &Geometry, x: &[i8], y: &mut [i8]) {
    let c = g.c_in;
    for (xs, ys) in x.chunks_exact(g.in_len().max(1)).zip(y.chunks_exact_mut((g.pixels() * c).max(1))) {
        for (p, yp) in ys.chunks_exact_mut(c.max(1)).enumerate() {
            let (oy, ox) = (p / g.ow, p % g.ow);
            yp.fill(i8::MIN);
            for ky in 0..g.kh {
                for kx in 0..g.kw {
                    let Some((iy, ix)) = g.tap(oy, ox, ky, kx) else { continue };
                    for (o, &v) in yp.iter_mut().zip(&xs[g.at(0, iy, ix)..][..c]) {
                        *o = (*o).max(v);
                    }
                }
            }
        }
    }
}
