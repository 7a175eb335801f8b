//! The direct-loop candidate for a 2-D convolution's forward pass, kept for
//! measuring against constnet's im2col + dense kernel (`Conv2d`), on the
//! desktop (`cargo run --release --features std --example bench -- conv`)
//! and on the Cortex-M4F (firmware bin `bench_conv`). Not used by the
//! library: it sums each output in another order, so its bits differ.
//!
//! Channels last, filters `[o][ky][kx][c]`, square `k`, stride `s`, padding
//! `p`: `y[oy][ox][o] = b[o] + Σ_{ky,kx inside} Σ_c w·x`, the channel sums
//! innermost (contiguous in both `x` and `w`).

/// The shape of one convolution.
#[derive(Clone, Copy, Debug)]
pub struct Shape {
    /// Input height, width, channels.
    pub h: usize,
    /// Input width.
    pub w: usize,
    /// Input channels.
    pub ci: usize,
    /// Output channels.
    pub co: usize,
    /// Kernel size.
    pub k: usize,
    /// Stride.
    pub s: usize,
    /// Padding.
    pub p: usize,
}

/// Forward pass over the samples laid end to end in `x`.
pub fn conv2d_direct(g: Shape, weight: &[f32], bias: &[f32], x: &[f32], y: &mut [f32]) {
    let (oh, ow) = ((g.h + 2 * g.p - g.k) / g.s + 1, (g.w + 2 * g.p - g.k) / g.s + 1);
    for (xs, ys) in x.chunks_exact(g.h * g.w * g.ci).zip(y.chunks_exact_mut(oh * ow * g.co)) {
        for (pix, yp) in ys.chunks_exact_mut(g.co).enumerate() {
            let (oy, ox) = (pix / ow, pix % ow);
            for (o, out) in yp.iter_mut().enumerate() {
                let mut acc = bias[o];
                for ky in 0..g.k {
                    let Some(iy) = (oy * g.s + ky).checked_sub(g.p).filter(|&iy| iy < g.h) else { continue };
                    for kx in 0..g.k {
                        let Some(ix) = (ox * g.s + kx).checked_sub(g.p).filter(|&ix| ix < g.w) else {
                            continue;
                        };
                        let xv = &xs[(iy * g.w + ix) * g.ci..][..g.ci];
                        let wv = &weight[((o * g.k + ky) * g.k + kx) * g.ci..][..g.ci];
                        for (a, b) in xv.iter().zip(wv) {
                            acc += a * b;
                        }
                    }
                }
                *out = acc;
            }
        }
    }
}
