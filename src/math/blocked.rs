//! Register-blocked bodies of the dense kernels, generic over the block
//! shape so each instruction set gets the blocking that fits its registers.
//!
//! Every function here computes each output with exactly the operations, in
//! exactly the order, of the reference loops in [`super`] (see its module
//! docs); the blocking only decides which independent outputs are computed
//! side by side. They are `#[inline(always)]` so that a `#[target_feature]`
//! wrapper (see `x86.rs`) compiles its own copy for its instruction set.

use super::{LANES, fold16};

/// How a kernel adds a product into an accumulator: `acc + a·b` rounded
/// twice ([`Separate`], every build's default) or once ([`Fused`], a fused
/// multiply-add, only in the opt-in FMA copies). Everything else — which
/// products go to which partial sum, and the order of every sum — is the
/// same for both.
pub(crate) trait MulAdd {
    /// `acc + a·b`.
    fn mul_add(a: f32, b: f32, acc: f32) -> f32;
}

/// `acc + a·b` with the product rounded first (no FMA).
pub(crate) struct Separate;

impl MulAdd for Separate {
    #[inline(always)]
    fn mul_add(a: f32, b: f32, acc: f32) -> f32 {
        acc + a * b
    }
}

/// `acc + a·b` rounded once (`f32::mul_add`); only compiled into copies
/// whose target features include FMA, where it is one instruction.
#[cfg(all(feature = "std", target_arch = "x86_64"))]
pub(crate) struct Fused;

#[cfg(all(feature = "std", target_arch = "x86_64"))]
impl MulAdd for Fused {
    #[inline(always)]
    fn mul_add(a: f32, b: f32, acc: f32) -> f32 {
        a.mul_add(b, acc)
    }
}

/// [`super::dot`] with `M`'s multiply-add: left to right below [`LANES`]
/// products, otherwise [`LANES`] partial sums folded in halves.
#[inline(always)]
pub(crate) fn dot<M: MulAdd>(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    if n < LANES {
        let Some((&a0, a)) = a.split_first() else { return 0.0 };
        return a.iter().zip(&b[1..]).fold(a0 * b[0], |s, (x, y)| M::mul_add(*x, *y, s));
    }
    let (ca, cb) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    let mut acc = [0.0f32; LANES];
    for (c, (x, y)) in ca.zip(cb).enumerate() {
        if c == 0 {
            for k in 0..LANES {
                acc[k] = x[k] * y[k];
            }
        } else {
            for k in 0..LANES {
                acc[k] = M::mul_add(x[k], y[k], acc[k]);
            }
        }
    }
    for k in 0..LANES {
        if k < ra.len() {
            acc[k] = M::mul_add(ra[k], rb[k], acc[k]);
        }
    }
    fold16(&acc)
}

/// The portable forward pass's block, samples × outputs: one output at a
/// time (its 16 partial sums fill the SSE2 / NEON registers, and bigger
/// blocks spill; on a microcontroller, the smallest code). The x86 copies
/// run `x86/forward_tiles.rs` instead.
pub(crate) const PORTABLE_FORWARD: [usize; 2] = [1, 1];

/// Block shape of one code path's backward pass.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Blocks {
    /// Weight gradient: rows of `dW` per block.
    pub dw_o: usize,
    /// Weight gradient: columns of `dW` per block.
    pub dw_l: usize,
    /// Input gradient: samples per block.
    pub dx_s: usize,
    /// Input gradient: columns of `dx` per block.
    pub dx_l: usize,
}

/// The portable build on 64-bit desktops: 2 × 16 tiles for the gradients.
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
pub(crate) const PORTABLE: Blocks = Blocks { dw_o: 2, dw_l: 16, dx_s: 2, dx_l: 16 };
/// The portable build on microcontrollers and other targets: one gradient
/// row at a time (few registers, smallest code).
#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
pub(crate) const PORTABLE: Blocks = Blocks { dw_o: 1, dw_l: 16, dx_s: 1, dx_l: 16 };

/// `y[s][o] = b[o] + dot(w[o], x[s])`, `S` samples × `O` outputs at a time.
#[inline(always)]
pub(crate) fn forward<M: MulAdd, const S: usize, const O: usize>(
    w: &[f32],
    b: &[f32],
    x: &[f32],
    y: &mut [f32],
    ins: usize,
    outs: usize,
) {
    if outs == 0 {
        return;
    }
    let b = &b[..outs];
    if ins == 0 {
        y.chunks_exact_mut(outs).for_each(|ys| ys.copy_from_slice(b));
        return;
    }
    let w = &w[..outs * ins];
    if ins < LANES {
        for (xs, ys) in x.chunks_exact(ins).zip(y.chunks_exact_mut(outs)) {
            for ((yo, wo), bo) in ys.iter_mut().zip(w.chunks_exact(ins)).zip(b) {
                *yo = bo + dot::<M>(wo, xs);
            }
        }
        return;
    }
    let rows = (x.len() / ins).min(y.len() / outs);
    let mut s = 0;
    while s + S <= rows {
        forward_rows::<M, S, O>(w, b, x, y, ins, outs, s);
        s += S;
    }
    while s < rows {
        forward_rows::<M, 1, O>(w, b, x, y, ins, outs, s);
        s += 1;
    }
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn forward_rows<M: MulAdd, const S: usize, const O: usize>(
    w: &[f32],
    b: &[f32],
    x: &[f32],
    y: &mut [f32],
    ins: usize,
    outs: usize,
    s0: usize,
) {
    let mut xs: [&[f32]; S] = [&[]; S];
    for (j, r) in xs.iter_mut().enumerate() {
        *r = &x[(s0 + j) * ins..][..ins];
    }
    let y = &mut y[s0 * outs..][..S * outs];
    let mut o = 0;
    while o + O <= outs {
        let mut ws: [&[f32]; O] = [&[]; O];
        for (k, r) in ws.iter_mut().enumerate() {
            *r = &w[(o + k) * ins..][..ins];
        }
        let d = dots::<M, S, O>(&xs, &ws, ins);
        for (j, dj) in d.iter().enumerate() {
            for (k, djk) in dj.iter().enumerate() {
                y[j * outs + o + k] = b[o + k] + djk;
            }
        }
        o += O;
    }
    while o < outs {
        let d = dots::<M, S, 1>(&xs, &[&w[o * ins..][..ins]], ins);
        for (j, dj) in d.iter().enumerate() {
            y[j * outs + o] = b[o] + dj[0];
        }
        o += 1;
    }
}

/// `S × O` dot products of length `n ≥ LANES` (every slice has length `n`),
/// each with [`LANES`] partial sums, in [`dot`]'s order.
///
/// Plain loops over fixed-size arrays with constant indices only, so LLVM
/// keeps every accumulator in a register (a variable index, or an
/// un-inlined `array::from_fn` closure, would send them to the stack).
#[inline(always)]
fn dots<M: MulAdd, const S: usize, const O: usize>(
    xs: &[&[f32]; S],
    ws: &[&[f32]; O],
    n: usize,
) -> [[f32; O]; S] {
    // Cut every row to `n16` so the loop's index checks fold away (a
    // panicking exit inside the loop would keep the accumulators in memory).
    let n16 = n / LANES * LANES;
    let mut xa: [&[f32]; S] = [&[]; S];
    let mut wa: [&[f32]; O] = [&[]; O];
    for j in 0..S {
        xa[j] = &xs[j][..n16];
    }
    for k in 0..O {
        wa[k] = &ws[k][..n16];
    }
    let mut acc = [[[0.0f32; LANES]; O]; S];
    {
        let (xc, wc) = (chunks(&xa, 0), chunks(&wa, 0));
        for j in 0..S {
            for k in 0..O {
                for l in 0..LANES {
                    acc[j][k][l] = wc[k][l] * xc[j][l];
                }
            }
        }
    }
    let mut i = LANES;
    while i < n16 {
        let (xc, wc) = (chunks(&xa, i), chunks(&wa, i));
        for j in 0..S {
            for k in 0..O {
                for l in 0..LANES {
                    acc[j][k][l] = M::mul_add(wc[k][l], xc[j][l], acc[j][k][l]);
                }
            }
        }
        i += LANES;
    }
    // The last `n mod 16` products go to lanes 0, 1, …; constant lane
    // indices (a select per lane) keep the accumulators in registers.
    let r = n - i;
    if r > 0 {
        for j in 0..S {
            let xr = &xs[j][i..];
            for k in 0..O {
                let wr = &ws[k][i..];
                for l in 0..LANES {
                    if l < r {
                        acc[j][k][l] = M::mul_add(wr[l], xr[l], acc[j][k][l]);
                    }
                }
            }
        }
    }
    let mut out = [[0.0f32; O]; S];
    for j in 0..S {
        for k in 0..O {
            out[j][k] = fold16(&acc[j][k]);
        }
    }
    out
}

/// Elements `i..i + LANES` of each row.
#[inline(always)]
fn chunks<const R: usize>(rows: &[&[f32]; R], i: usize) -> [[f32; LANES]; R] {
    let mut c = [[0.0f32; LANES]; R];
    for j in 0..R {
        c[j].copy_from_slice(&rows[j][i..i + LANES]);
    }
    c
}

/// The samples a backward pass covers (those both `x` and `dy` hold; all of
/// `dy`'s when `ins == 0`), after adding their `dy` rows into `db`, sample
/// after sample. `outs > 0`. Every path, exact or fast, adds `db` this way.
#[inline(always)]
pub(crate) fn bias_gradient(x: &[f32], dy: &[f32], db: &mut [f32], ins: usize, outs: usize) -> usize {
    let rows = match x.len().checked_div(ins) {
        Some(r) => r.min(dy.len() / outs),
        None => dy.len() / outs,
    };
    for dys in dy.chunks_exact(outs).take(rows) {
        for (d, g) in db.iter_mut().zip(dys) {
            *d += g;
        }
    }
    rows
}

/// The backward pass: `dW += Σ_s dy[s] ⊗ x[s]`, `db += Σ_s dy[s]` and, if
/// asked, `dx = dy · W`. `DO × DL` tiles of `dW` and `XS × XL` tiles of `dx`
/// stay in registers while the loop runs over samples (resp. outputs).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(crate) fn backward<M: MulAdd, const DO: usize, const DL: usize, const XS: usize, const XL: usize>(
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
    let rows = bias_gradient(x, dy, db, ins, outs);
    if ins == 0 {
        return;
    }
    {
        let (x, dy, dw) = (&x[..rows * ins], &dy[..rows * outs], &mut dw[..outs * ins]);
        let mut i = 0;
        while i + DL <= ins {
            dw_cols::<M, DO, DL>(x, dy, dw, ins, outs, i);
            i += DL;
        }
        while i + LANES <= ins {
            dw_cols::<M, DO, LANES>(x, dy, dw, ins, outs, i);
            i += LANES;
        }
        while i < ins {
            dw_cols::<M, DO, 1>(x, dy, dw, ins, outs, i);
            i += 1;
        }
    }
    if let Some(dx) = dx {
        let rows = (dx.len() / ins).min(dy.len() / outs);
        let (w, dy, dx) = (&w[..outs * ins], &dy[..rows * outs], &mut dx[..rows * ins]);
        let mut s = 0;
        while s + XS <= rows {
            dx_rows::<M, XS, XL>(w, dy, dx, ins, outs, s);
            s += XS;
        }
        while s < rows {
            dx_rows::<M, 1, XL>(w, dy, dx, ins, outs, s);
            s += 1;
        }
    }
}

#[inline(always)]
fn dw_cols<M: MulAdd, const O: usize, const L: usize>(
    x: &[f32],
    dy: &[f32],
    dw: &mut [f32],
    ins: usize,
    outs: usize,
    i0: usize,
) {
    let mut o = 0;
    while o + O <= outs {
        dw_tile::<M, O, L>(x, dy, dw, ins, outs, o, i0);
        o += O;
    }
    while o < outs {
        dw_tile::<M, 1, L>(x, dy, dw, ins, outs, o, i0);
        o += 1;
    }
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn dw_tile<M: MulAdd, const O: usize, const L: usize>(
    x: &[f32],
    dy: &[f32],
    dw: &mut [f32],
    ins: usize,
    outs: usize,
    o0: usize,
    i0: usize,
) {
    let mut acc = [[0.0f32; L]; O];
    for (k, a) in acc.iter_mut().enumerate() {
        a.copy_from_slice(&dw[(o0 + k) * ins + i0..][..L]);
    }
    for (xs, dys) in x.chunks_exact(ins).zip(dy.chunks_exact(outs)) {
        let xr: &[f32; L] = xs[i0..i0 + L].try_into().unwrap();
        let g: &[f32; O] = dys[o0..o0 + O].try_into().unwrap();
        for k in 0..O {
            for l in 0..L {
                acc[k][l] = M::mul_add(g[k], xr[l], acc[k][l]);
            }
        }
    }
    for (k, a) in acc.iter().enumerate() {
        dw[(o0 + k) * ins + i0..][..L].copy_from_slice(a);
    }
}

#[inline(always)]
fn dx_rows<M: MulAdd, const S: usize, const L: usize>(
    w: &[f32],
    dy: &[f32],
    dx: &mut [f32],
    ins: usize,
    outs: usize,
    s0: usize,
) {
    let mut i = 0;
    while i + L <= ins {
        dx_tile::<M, S, L>(w, dy, dx, ins, outs, s0, i);
        i += L;
    }
    while i + LANES <= ins {
        dx_tile::<M, S, LANES>(w, dy, dx, ins, outs, s0, i);
        i += LANES;
    }
    while i < ins {
        dx_tile::<M, S, 1>(w, dy, dx, ins, outs, s0, i);
        i += 1;
    }
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn dx_tile<M: MulAdd, const S: usize, const L: usize>(
    w: &[f32],
    dy: &[f32],
    dx: &mut [f32],
    ins: usize,
    outs: usize,
    s0: usize,
    i0: usize,
) {
    let mut dys: [&[f32]; S] = [&[]; S];
    for (j, r) in dys.iter_mut().enumerate() {
        *r = &dy[(s0 + j) * outs..][..outs];
    }
    let mut acc = [[0.0f32; L]; S];
    for (o, wr) in w.chunks_exact(ins).enumerate() {
        let wc: &[f32; L] = wr[i0..i0 + L].try_into().unwrap();
        for j in 0..S {
            let g = dys[j][o];
            for l in 0..L {
                acc[j][l] = M::mul_add(g, wc[l], acc[j][l]);
            }
        }
    }
    for (j, a) in acc.iter().enumerate() {
        dx[(s0 + j) * ins + i0..][..L].copy_from_slice(a);
    }
}
