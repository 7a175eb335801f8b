//! f32 kernels of the convolution and pooling layers, on flat channels-last
//! slices (`[sample][y][x][channel]`), shapes passed as values.
//!
//! * A convolution is **im2col + the dense kernels**: the patches of a few
//!   output pixels are copied into a stack buffer (16 KB on bare metal, 256 KB
//!   with `std`), one row of `kh·kw·c_in` values per pixel in `(ky, kx, c)`
//!   order with zeros for padding, and multiplied by the weights
//!   (`[c_out][ky][kx][c_in]`, TFLite's OHWI, which is exactly a `Dense`
//!   weight matrix of `c_out` rows) with [`dense_forward`](super::dense_forward)
//!   and [`dense_backward`](super::dense_backward). Each output is therefore
//!   `b[o] + dot(W[o], patch)` in the dense order of [`super`], on every
//!   target, and a 1×1 convolution with stride 1 needs no copy at all.
//!   Chunking is by pixels; the dense kernels compute each output row on its
//!   own and add weight gradients sample after sample, so the chunk size never
//!   changes a bit.
//! * Depthwise convolution and pooling are direct loops; the order of every
//!   sum is written next to each loop.

use super::{dense_backward, dense_forward};

/// The largest patch of a convolution, `kh·kw·c_in ≤ MAX_PATCH` (3×3×455,
/// 5×5×163); the layers check it at compile time, the same on every target.
pub const MAX_PATCH: usize = 4096;

/// Floats in the patch buffer: [`MAX_PATCH`] (16 KB of stack, twice during a
/// backward pass) on bare metal; 256 KB with `std`, so the desktop's matrix
/// kernels see hundreds of rows per call. The chunk size never changes a
/// result (see the module docs).
#[cfg(not(feature = "std"))]
const CHUNK: usize = MAX_PATCH;
#[cfg(feature = "std")]
const CHUNK: usize = 16 * MAX_PATCH;

/// The geometry of one 2-D convolution or pooling window (1-D: `h = kh = 1`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Geometry {
    pub h: usize,
    pub w: usize,
    pub c_in: usize,
    pub kh: usize,
    pub kw: usize,
    pub stride: usize,
    pub pad_h: usize,
    pub pad_w: usize,
    pub oh: usize,
    pub ow: usize,
}

impl Geometry {
    pub(crate) const fn in_len(&self) -> usize {
        self.h * self.w * self.c_in
    }
    pub(crate) const fn pixels(&self) -> usize {
        self.oh * self.ow
    }
    pub(crate) const fn patch(&self) -> usize {
        self.kh * self.kw * self.c_in
    }
    /// A 1×1 window with stride 1 and no padding: the input is the patch matrix.
    const fn is_pointwise(&self) -> bool {
        self.kh == 1 && self.kw == 1 && self.stride == 1 && self.pad_h == 0 && self.pad_w == 0
    }
    /// The input row and column of tap `(ky, kx)` of output pixel `(oy, ox)`,
    /// or `None` in the padding.
    #[inline(always)]
    pub(crate) fn tap(&self, oy: usize, ox: usize, ky: usize, kx: usize) -> Option<(usize, usize)> {
        let iy = (oy * self.stride + ky).checked_sub(self.pad_h)?;
        let ix = (ox * self.stride + kx).checked_sub(self.pad_w)?;
        (iy < self.h && ix < self.w).then_some((iy, ix))
    }
    /// Offset of pixel `(iy, ix)` of the sample starting at `base`.
    #[inline(always)]
    pub(crate) fn at(&self, base: usize, iy: usize, ix: usize) -> usize {
        base + (iy * self.w + ix) * self.c_in
    }
}

/// Writes the patches of output pixels `p0..p0 + rows.len() / patch` (counted
/// over the whole batch) into `rows`. A kernel row's `kw` taps are adjacent
/// in the input, so away from the padding each is one copy of `kw·c_in`
/// values.
fn im2col(g: &Geometry, x: &[f32], p0: usize, rows: &mut [f32]) {
    let (c, run) = (g.c_in, g.kw * g.c_in);
    for (r, row) in rows.chunks_exact_mut(g.patch()).enumerate() {
        let p = p0 + r;
        let (base, oy, ox) = ((p / g.pixels()) * g.in_len(), (p % g.pixels()) / g.ow, p % g.ow);
        let inside = (ox * g.stride).checked_sub(g.pad_w).filter(|&ix| ix + g.kw <= g.w);
        for (ky, dst) in row.chunks_exact_mut(run).enumerate() {
            let iy = (oy * g.stride + ky).checked_sub(g.pad_h).filter(|&iy| iy < g.h);
            match (iy, inside) {
                (None, _) => dst.fill(0.0),
                (Some(iy), Some(ix)) => dst.copy_from_slice(&x[g.at(base, iy, ix)..][..run]),
                (Some(_), None) => {
                    for (kx, d) in dst.chunks_exact_mut(c).enumerate() {
                        match g.tap(oy, ox, ky, kx) {
                            Some((iy, ix)) => d.copy_from_slice(&x[g.at(base, iy, ix)..][..c]),
                            None => d.fill(0.0),
                        }
                    }
                }
            }
        }
    }
}

/// Adds the patch gradients `rows` of pixels `p0..` back onto `dx`, in pixel
/// then `(ky, kx, c)` order.
fn col2im_add(g: &Geometry, rows: &[f32], p0: usize, dx: &mut [f32]) {
    let (c, run) = (g.c_in, g.kw * g.c_in);
    for (r, row) in rows.chunks_exact(g.patch()).enumerate() {
        let p = p0 + r;
        let (base, oy, ox) = ((p / g.pixels()) * g.in_len(), (p % g.pixels()) / g.ow, p % g.ow);
        let inside = (ox * g.stride).checked_sub(g.pad_w).filter(|&ix| ix + g.kw <= g.w);
        for (ky, src) in row.chunks_exact(run).enumerate() {
            let Some(iy) = (oy * g.stride + ky).checked_sub(g.pad_h).filter(|&iy| iy < g.h) else { continue };
            match inside {
                Some(ix) => add(&mut dx[g.at(base, iy, ix)..][..run], src),
                None => {
                    for (kx, s) in src.chunks_exact(c).enumerate() {
                        if let Some((iy, ix)) = g.tap(oy, ox, ky, kx) {
                            add(&mut dx[g.at(base, iy, ix)..][..c], s);
                        }
                    }
                }
            }
        }
    }
}

/// `d[i] += s[i]`.
#[inline(always)]
fn add(d: &mut [f32], s: &[f32]) {
    for (d, s) in d.iter_mut().zip(s) {
        *d += s;
    }
}

/// Pixels per chunk: as many patches as fit in [`CHUNK`] floats.
const fn chunk_pixels(g: &Geometry) -> usize {
    match CHUNK.checked_div(g.patch()) {
        Some(n) => n,
        None => 1,
    }
}

/// Convolution forward pass over a batch: `y` (`pixels × c_out`) =
/// patches · `w`ᵀ + `b`.
pub(crate) fn conv_forward(g: &Geometry, w: &[f32], b: &[f32], x: &[f32], y: &mut [f32]) {
    let (patch, c_out) = (g.patch(), b.len());
    if g.is_pointwise() {
        return dense_forward(w, b, x, y, patch, c_out);
    }
    let mut buf = [0.0f32; CHUNK];
    let (total, step) = (y.len() / c_out.max(1), chunk_pixels(g));
    let mut p0 = 0;
    while p0 < total {
        let n = step.min(total - p0);
        im2col(g, x, p0, &mut buf[..n * patch]);
        dense_forward(w, b, &buf[..n * patch], &mut y[p0 * c_out..(p0 + n) * c_out], patch, c_out);
        p0 += n;
    }
}

/// Convolution backward pass over a batch: adds dL/dW and dL/db into `dw`,
/// `db` (pixel after pixel) and, if given, overwrites `dx` with dL/dx.
pub(crate) fn conv_backward(
    g: &Geometry,
    w: &[f32],
    x: &[f32],
    dy: &[f32],
    dw: &mut [f32],
    db: &mut [f32],
    mut dx: Option<&mut [f32]>,
) {
    let (patch, c_out) = (g.patch(), db.len());
    if g.is_pointwise() {
        return dense_backward(w, x, dy, dw, db, dx, patch, c_out);
    }
    if let Some(dx) = dx.as_deref_mut() {
        dx.fill(0.0);
    }
    let (mut buf, mut dbuf) = ([0.0f32; CHUNK], [0.0f32; CHUNK]);
    let (total, step) = (dy.len() / c_out.max(1), chunk_pixels(g));
    let mut p0 = 0;
    while p0 < total {
        let n = step.min(total - p0);
        let dyc = &dy[p0 * c_out..(p0 + n) * c_out];
        im2col(g, x, p0, &mut buf[..n * patch]);
        match dx.as_deref_mut() {
            Some(dx) => {
                dense_backward(w, &buf[..n * patch], dyc, dw, db, Some(&mut dbuf[..n * patch]), patch, c_out);
                col2im_add(g, &dbuf[..n * patch], p0, dx);
            }
            None => dense_backward(w, &buf[..n * patch], dyc, dw, db, None, patch, c_out),
        }
        p0 += n;
    }
}

/// Depthwise convolution forward (channel multiplier 1): `y[c] = b[c] +
/// x[tap₀][c]·w[tap₀][c] + …`, taps in `(ky, kx)` order, padding skipped.
pub(crate) fn depthwise_forward(g: &Geometry, w: &[f32], b: &[f32], x: &[f32], y: &mut [f32]) {
    let c = g.c_in;
    for (xs, ys) in x.chunks_exact(g.in_len().max(1)).zip(y.chunks_exact_mut((g.pixels() * c).max(1))) {
        for (p, yp) in ys.chunks_exact_mut(c).enumerate() {
            let (oy, ox) = (p / g.ow, p % g.ow);
            yp.copy_from_slice(b);
            for ky in 0..g.kh {
                for kx in 0..g.kw {
                    let Some((iy, ix)) = g.tap(oy, ox, ky, kx) else { continue };
                    let (xv, wv) = (&xs[g.at(0, iy, ix)..][..c], &w[(ky * g.kw + kx) * c..][..c]);
                    for ((o, a), b) in yp.iter_mut().zip(xv).zip(wv) {
                        *o += a * b;
                    }
                }
            }
        }
    }
}

/// Depthwise convolution backward: adds into `dw`/`db` pixel after pixel and,
/// if given, overwrites `dx`.
pub(crate) fn depthwise_backward(
    g: &Geometry,
    w: &[f32],
    x: &[f32],
    dy: &[f32],
    dw: &mut [f32],
    db: &mut [f32],
    mut dx: Option<&mut [f32]>,
) {
    let c = g.c_in;
    if let Some(dx) = dx.as_deref_mut() {
        dx.fill(0.0);
    }
    let (in_len, out_len) = (g.in_len(), g.pixels() * c);
    for (s, (xs, dys)) in x.chunks_exact(in_len.max(1)).zip(dy.chunks_exact(out_len.max(1))).enumerate() {
        for (p, dyp) in dys.chunks_exact(c).enumerate() {
            let (oy, ox) = (p / g.ow, p % g.ow);
            for (d, g) in db.iter_mut().zip(dyp) {
                *d += g;
            }
            for ky in 0..g.kh {
                for kx in 0..g.kw {
                    let Some((iy, ix)) = g.tap(oy, ox, ky, kx) else { continue };
                    let (t, at) = ((ky * g.kw + kx) * c, g.at(0, iy, ix));
                    for ((d, a), gy) in dw[t..][..c].iter_mut().zip(&xs[at..][..c]).zip(dyp) {
                        *d += gy * a;
                    }
                    if let Some(dx) = dx.as_deref_mut() {
                        let dxs = &mut dx[s * in_len + at..][..c];
                        for ((d, wv), gy) in dxs.iter_mut().zip(&w[t..][..c]).zip(dyp) {
                            *d += gy * wv;
                        }
                    }
                }
            }
        }
    }
}

/// How a pooling window combines its taps.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Pool {
    /// The largest tap (the first of equal ones).
    Max,
    /// The mean: taps added in `(ky, kx)` order, divided by `kh·kw`.
    Average,
}

/// Pooling forward over a batch (no padding): per output pixel, the first
/// tap's channels, then each further tap in `(ky, kx)` order (max: replaced
/// where larger; average: added), the average divided by `kh·kw` at the end.
pub(crate) fn pool_forward(g: &Geometry, pool: Pool, x: &[f32], y: &mut [f32]) {
    let c = g.c_in;
    let taps = (g.kh * g.kw) as f32;
    for (xs, ys) in x.chunks_exact(g.in_len().max(1)).zip(y.chunks_exact_mut((g.pixels() * c).max(1))) {
        for (p, yp) in ys.chunks_exact_mut(c).enumerate() {
            let (oy, ox) = (p / g.ow, p % g.ow);
            let mut first = true;
            for ky in 0..g.kh {
                for kx in 0..g.kw {
                    let Some((iy, ix)) = g.tap(oy, ox, ky, kx) else { continue };
                    let v = &xs[g.at(0, iy, ix)..][..c];
                    if first {
                        yp.copy_from_slice(v);
                        first = false;
                        continue;
                    }
                    match pool {
                        Pool::Max => {
                            yp.iter_mut().zip(v).for_each(|(o, &v)| *o = if v > *o { v } else { *o })
                        }
                        Pool::Average => add(yp, v),
                    }
                }
            }
            if let Pool::Average = pool {
                yp.iter_mut().for_each(|o| *o /= taps);
            }
        }
    }
}

/// Channels whose largest tap one pass of [`pool_backward`] tracks.
const POOL_BLOCK: usize = 32;

/// Pooling backward over a batch: overwrites `dx`. Max pooling sends each
/// output's gradient to the first largest tap of `x` (the one
/// [`pool_forward`] kept); average pooling spreads it as `dy / (kh·kw)` and
/// does not read `x` (which may be empty).
pub(crate) fn pool_backward(g: &Geometry, pool: Pool, x: &[f32], dy: &[f32], dx: &mut [f32]) {
    let c = g.c_in;
    dx.fill(0.0);
    let taps = (g.kh * g.kw) as f32;
    let (in_len, out_len) = (g.in_len().max(1), (g.pixels() * c).max(1));
    for (s, (dys, dxs)) in dy.chunks_exact(out_len).zip(dx.chunks_exact_mut(in_len)).enumerate() {
        for (p, dyp) in dys.chunks_exact(c).enumerate() {
            let (oy, ox) = (p / g.ow, p % g.ow);
            match pool {
                Pool::Average => {
                    for ky in 0..g.kh {
                        for kx in 0..g.kw {
                            let Some((iy, ix)) = g.tap(oy, ox, ky, kx) else { continue };
                            let d = &mut dxs[g.at(0, iy, ix)..][..c];
                            d.iter_mut().zip(dyp).for_each(|(d, &g)| *d += g / taps);
                        }
                    }
                }
                Pool::Max => {
                    let xs = &x[s * in_len..][..in_len];
                    for c0 in (0..c).step_by(POOL_BLOCK) {
                        let n = POOL_BLOCK.min(c - c0);
                        let (mut best, mut at) = ([0.0f32; POOL_BLOCK], [0usize; POOL_BLOCK]);
                        let mut first = true;
                        for ky in 0..g.kh {
                            for kx in 0..g.kw {
                                let Some((iy, ix)) = g.tap(oy, ox, ky, kx) else { continue };
                                let a = g.at(0, iy, ix) + c0;
                                for (j, &v) in xs[a..a + n].iter().enumerate() {
                                    if first || v > best[j] {
                                        (best[j], at[j]) = (v, a + j);
                                    }
                                }
                                first = false;
                            }
                        }
                        if !first {
                            for (j, &d) in dyp[c0..c0 + n].iter().enumerate() {
                                dxs[at[j]] += d;
                            }
                        }
                    }
                }
            }
        }
    }
}
