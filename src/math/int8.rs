//! Integer kernels for the int8 layers of [`crate::quant`]: the dense
//! matrix-vector product with TFLite's requantization, and int8 `argmax`.
//!
//! # Exact on every path
//!
//! An int8 dense output is `clamp(MBQM(acc, m, shift) + zp_out, min, max)`
//! with `acc = bias' + Σ w·x` in wrapping `i32` arithmetic, where
//! `bias' = bias − zp_in·Σw` is folded in when the layer is built (TFLite's
//! `acc = bias + Σ w·(x − zp_in)` is the same number modulo 2³², since
//! integer addition is associative). So every kernel — the reference loop,
//! the portable four-row kernel (RISC-V and other targets), the Cortex-M0
//! Thumb-1 kernel, the Cortex-M4/M7 DSP kernel and, with `std` on x86-64,
//! the AVX2 kernel selected at run time — gives the same bits, whatever
//! order it adds in. `tests/int8.rs` checks the kernels against
//! [`dense_forward_reference`] on the desktop, and the firmware binary
//! `int8_kernel_check` does on the emulated Cortex-M4, Cortex-M0 and
//! RISC-V cores (thousands of shapes and parameters, extremes included).
//!
//! ```
//! use constnet::math::int8::{self, Requant};
//! // One output: acc = 10 + 1·2 + (−1)·3 = 9, times 0.5 (2^30 / 2^31), plus zero point 1.
//! let rq = Requant { multiplier: &[1 << 30], shift: &[0], output_zero_point: 1, min: -128, max: 127 };
//! let mut y = [0i8; 1];
//! int8::dense_forward(&[1, -1], &[10], &[2, 3], &mut y, 2, 1, &rq);
//! assert_eq!(y, [6]); // round(4.5) = 5, + 1
//! ```

use crate::quant::requant::multiply_by_quantized_multiplier;

// The kernels for particular cores, selected by cfgs that the build script
// (`build.rs`) derives from the target name, because stable Rust does not
// expose ARM target features such as `dsp` to `cfg`:
// `constnet_arm_dsp` on `thumbv7em-*` (Cortex-M4/M7, which always have the
// DSP extension; the Cortex-M33/M35P have it only as an option, so
// `thumbv8m.main-*` takes the portable kernel), `constnet_thumbv6m` on
// `thumbv6m-*` (Cortex-M0/M0+, Thumb-1).
pub(crate) mod conv;
#[cfg(constnet_arm_dsp)]
mod dsp;
#[cfg(constnet_thumbv6m)]
mod thumbv6m;
#[cfg(all(feature = "std", target_arch = "x86_64"))]
mod x86;

/// How a dense layer's `i32` accumulators become int8 outputs: per-output
/// multipliers and shifts ([`QuantizedMultiplier`](crate::quant::requant::QuantizedMultiplier)
/// split into two slices), the output zero point and the fused activation's
/// clamp.
#[derive(Clone, Copy, Debug)]
pub struct Requant<'a> {
    /// Q31 mantissas, one per output.
    pub multiplier: &'a [i32],
    /// Power-of-two shifts, one per output.
    pub shift: &'a [i8],
    /// Added after scaling.
    pub output_zero_point: i32,
    /// Lower clamp (−128, or the zero point for a fused ReLU).
    pub min: i32,
    /// Upper clamp (127, or lower for ReLU6).
    pub max: i32,
}

impl Requant<'_> {
    /// Output `o` for accumulator `acc`.
    #[inline(always)]
    pub fn apply(&self, o: usize, acc: i32) -> i8 {
        requantize(acc, self.multiplier[o], self.shift[o] as i32, self.output_zero_point, self.min, self.max)
    }
}

/// One output: `clamp(MBQM(acc, multiplier, shift) + zero_point, min, max)`,
/// with TFLite's double-rounding
/// [`multiply_by_quantized_multiplier`]. Never panics.
///
/// Computed with fewer steps than the definition, bit for bit the same for
/// every input (the unit tests compare the two on the edge cases of every
/// argument):
///
/// * `SaturatingRoundingDoublingHighMul(x, m)` is `(x·m + 2^30) >> 31` in
///   64 bits: for a negative product the definition's
///   `trunc((xm + 1 − 2^30) / 2^31)` equals `floor((xm + 2^30) / 2^31)`.
///   Only `x = m = i32::MIN` overflows (to `i32::MAX`), and no other pair
///   gives `i32::MIN`.
/// * `RoundingDivideByPOT(v, e)`, `e ≥ 1`: with `t = v − [v < 0]` (no
///   wrap, `v ≠ i32::MIN`) and `u = t >> (e − 1)` it is
///   `floor((t + 2^(e−1)) / 2^e) = (u + 1) >> 1 = u − (u >> 1)`.
///
/// ```
/// use constnet::math::int8::requantize;
/// assert_eq!(requantize(100, 1 << 30, -2, 5, -128, 127), 18); // 100 · 0.5 / 4 = 12.5 → 13, + 5
/// assert_eq!(requantize(-100_000, 1 << 30, 0, 0, -128, 127), -128); // saturates
/// assert_eq!(requantize(-1000, 1 << 30, 0, -128, -128, 127), -128); // ReLU clamp at the zero point
/// ```
#[inline(always)]
pub fn requantize(acc: i32, multiplier: i32, shift: i32, zero_point: i32, min: i32, max: i32) -> i8 {
    let x = if shift <= 0 {
        acc
    } else if shift >= 31 {
        0
    } else {
        acc.wrapping_mul(1 << shift)
    };
    let v = high_mul(x, multiplier);
    let v = if shift >= 0 {
        v
    } else {
        let e = if shift < -31 { 31 } else { -shift };
        let u = v.wrapping_add(v >> 31) >> (e - 1);
        u - (u >> 1)
    };
    clamp_output(v.saturating_add(zero_point), min, max)
}

/// `SaturatingRoundingDoublingHighMul(x, m)`: `(x·m + 2^30) >> 31` in
/// 64 bits, `i32::MAX` for `x = m = i32::MIN`. On the Cortex-M0, which has
/// no 64-bit multiply (`__aeabi_lmul` is a 37-instruction call), a
/// non-negative `m` (every valid multiplier) takes [`high_mul_16x16`].
#[inline(always)]
fn high_mul(x: i32, m: i32) -> i32 {
    #[cfg(constnet_thumbv6m)]
    if m >= 0 {
        return high_mul_16x16(x, m);
    }
    if x == i32::MIN && m == i32::MIN { i32::MAX } else { ((x as i64 * m as i64 + (1 << 30)) >> 31) as i32 }
}

/// `(x·m + 2^30) >> 31` (floor) for any `x` and `m` in `[0, 2^31)`, from
/// four 16×16-bit products in 32-bit arithmetic (about 20 Thumb-1
/// instructions). With `x = u1·2^16 + u0` (`u1 = x >> 16` signed, `u0`
/// the low half) and `m = v1·2^16 + v0` (`v1 < 2^15`):
///
/// * `t = u1·v0 + ⌊u0·v0 / 2^16⌋ + 2^14 = ⌊(u1·v0·2^16 + u0·v0 + 2^30) / 2^16⌋`
///   lies in `(−2^31, 2^31)`;
/// * `u = u0·v1 + (t mod 2^16)` lies in `[0, 2^31)`;
/// * then `⌊(x·m + 2^30) / 2^16⌋ = (u1·v1 + (t >> 16))·2^16 + u`, and one
///   more division by 2^15 gives `2·(u1·v1 + (t >> 16)) + (u >> 15)`.
///
/// No step overflows for `m` in range (the wrapping operations only keep
/// the function panic-free); the unit tests compare it with the 64-bit
/// formula on edge cases and random pairs.
#[inline(always)]
#[cfg_attr(not(any(constnet_thumbv6m, test)), allow(dead_code))]
const fn high_mul_16x16(x: i32, m: i32) -> i32 {
    let (u0, u1) = ((x & 0xffff) as u32, x >> 16);
    let (v0, v1) = ((m & 0xffff) as u32, m >> 16);
    let t =
        u1.wrapping_mul(v0 as i32).wrapping_add(((u0.wrapping_mul(v0)) >> 16) as i32).wrapping_add(1 << 14);
    let u = (u0 as i32).wrapping_mul(v1).wrapping_add(t & 0xffff);
    u1.wrapping_mul(v1).wrapping_add(t >> 16).wrapping_mul(2).wrapping_add(u >> 15)
}

/// The clamp of [`requantize`]: `[min, max]`, then int8's range.
#[inline(always)]
fn clamp_output(v: i32, min: i32, max: i32) -> i8 {
    let v = if v < min { min } else { v };
    let v = if v > max { max } else { v };
    // `min`/`max` are int8 for every valid layer; saturate anyway.
    v.clamp(-128, 127) as i8
}

/// [`requantize`] written as TFLite's definition, with
/// [`multiply_by_quantized_multiplier`]: what [`dense_forward_reference`]
/// uses, so that the kernels are checked against the definition.
fn requantize_definition(acc: i32, multiplier: i32, shift: i32, zero_point: i32, min: i32, max: i32) -> i8 {
    clamp_output(
        multiply_by_quantized_multiplier(acc, multiplier, shift).saturating_add(zero_point),
        min,
        max,
    )
}

/// `y = requantize(bias' + W·x)` for one sample: `w` is `outs` rows of `ins`
/// weights, `bias` the folded bias (see the [module docs](self)).
///
/// On a Cortex-M4/M7 (`thumbv7em-*`) this runs the SMLAD kernel, on a
/// Cortex-M0/M0+ (`thumbv6m-*`) the Thumb-1 assembly kernel (see the cfgs
/// on `mod dsp` and `mod thumbv6m`), on an x86-64 desktop with AVX2 and
/// the `std` feature an AVX2 kernel (layers of 16 to 4,096 inputs);
/// elsewhere [`dense_forward_portable`]. Results are identical.
///
/// # Panics
/// If a slice is shorter than the shape says, at the entry (before any
/// output is written). [`QDense`](crate::quant::QDense) does not come
/// through here: it calls the kernels with arrays of its const-generic
/// sizes, so int8 layers have no panic path.
#[inline]
pub fn dense_forward(w: &[i8], bias: &[i32], x: &[i8], y: &mut [i8], ins: usize, outs: usize, rq: &Requant) {
    let (w, x) = (&w[..ins * outs], &x[..ins]);
    let (bias, y) = (&bias[..outs], &mut y[..outs]);
    let rq = Requant { multiplier: &rq.multiplier[..outs], shift: &rq.shift[..outs], ..*rq };
    kernel(w, bias, x, y, &rq);
}

/// [`dense_forward`] for a layer whose shape is in its type: no length to
/// check, so no panic path (what [`QDense`](crate::quant::QDense) calls).
#[allow(clippy::too_many_arguments)]
#[inline(always)]
pub(crate) fn dense_forward_exact<const IN: usize, const OUT: usize>(
    w: &[[i8; IN]; OUT],
    bias: &[i32; OUT],
    x: &[i8; IN],
    y: &mut [i8; OUT],
    multiplier: &[i32; OUT],
    shift: &[i8; OUT],
    output_zero_point: i32,
    (min, max): (i32, i32),
) {
    kernel(w.as_flattened(), bias, x, y, &Requant { multiplier, shift, output_zero_point, min, max });
}

/// The kernel dispatch of [`dense_forward`], for slices of the exact
/// lengths: `x.len() = ins`, `w.len() = ins · outs` and `outs` for `bias`,
/// `y`, `rq.multiplier`, `rq.shift` (with other lengths it writes fewer
/// outputs, never panics).
#[inline(always)]
fn kernel(w: &[i8], bias: &[i32], x: &[i8], y: &mut [i8], rq: &Requant) {
    #[cfg(constnet_arm_dsp)]
    {
        dsp::dense_forward(w, bias, x, y, rq)
    }
    #[cfg(constnet_thumbv6m)]
    {
        thumbv6m::dense_forward(w, bias, x, y, x.len(), y.len(), rq)
    }
    #[cfg(not(any(constnet_arm_dsp, constnet_thumbv6m)))]
    {
        // Desktops with AVX2 (run-time detected, `std`): same bits.
        #[cfg(all(feature = "std", target_arch = "x86_64"))]
        if x86::dense_forward(w, bias, x, y, x.len(), y.len(), rq) {
            return;
        }
        portable(w, bias, x, y, rq)
    }
}

/// The portable kernel: four output rows at a time share each input load,
/// and the inputs go by in groups of four, walked with one pointer per row
/// (`chunks_exact`), so that a load-immediate ISA (RISC-V `lb off(rs)`)
/// needs no address arithmetic: per group of 4 inputs × 4 rows, 20 loads,
/// 16 multiplies, 16 adds and 5 pointer increments (≈ 3.75 instructions
/// per multiply-accumulate on rv32imc). The last `ins % 4` inputs and
/// `outs % 4` rows take plain loops. Any `ins`, `outs`.
///
/// # Panics
/// As [`dense_forward`].
pub fn dense_forward_portable(
    w: &[i8],
    bias: &[i32],
    x: &[i8],
    y: &mut [i8],
    ins: usize,
    outs: usize,
    rq: &Requant,
) {
    let (w, x) = (&w[..ins * outs], &x[..ins]);
    let (bias, y) = (&bias[..outs], &mut y[..outs]);
    let rq = Requant { multiplier: &rq.multiplier[..outs], shift: &rq.shift[..outs], ..*rq };
    portable(w, bias, x, y, &rq);
}

/// `acc + Σ w[i]·x[i]` over two (short) slices: the last inputs of a row.
#[inline(always)]
fn tail_dot(acc: i32, w: &[i8], x: &[i8]) -> i32 {
    w.iter().zip(x).fold(acc, |a, (&w, &x)| a.wrapping_add(w as i32 * x as i32))
}

/// `y = q(bias)` for a layer of no inputs.
#[inline(always)]
fn no_inputs(bias: &[i32], y: &mut [i8], rq: &Requant, q: impl Fn(i32, i32, i8) -> i8) {
    for (((y, &b), &m), &s) in y.iter_mut().zip(bias).zip(rq.multiplier).zip(rq.shift) {
        *y = q(b, m, s);
    }
}

/// [`dense_forward_portable`] on slices of the exact lengths (see
/// [`kernel`]); no panic path. Inlined, so that a layer's constant
/// shape is folded into it.
#[inline]
fn portable(w: &[i8], bias: &[i32], x: &[i8], y: &mut [i8], rq: &Requant) {
    let q = |acc: i32, m: i32, s: i8| requantize(acc, m, s as i32, rq.output_zero_point, rq.min, rq.max);
    let ins = x.len();
    if ins == 0 {
        return no_inputs(bias, y, rq, q);
    }
    let xt = x.chunks_exact(4).remainder();
    // Blocks of four rows; `usize::MAX` (no block) if `4·ins` overflows,
    // which leaves room for at most one row.
    let quad = if ins <= usize::MAX / 4 { 4 * ins } else { usize::MAX };
    let mut quads = w.chunks_exact(quad);
    let (mut yc, mut bc) = (y.chunks_exact_mut(4), bias.chunks_exact(4));
    let (mut mc, mut sc) = (rq.multiplier.chunks_exact(4), rq.shift.chunks_exact(4));
    for ((((y, bias), m), s), rows) in (&mut yc).zip(&mut bc).zip(&mut mc).zip(&mut sc).zip(&mut quads) {
        let Some(((r0, r1), (r2, r3))) = rows
            .split_at_checked(2 * ins)
            .and_then(|(a, b)| Some((a.split_at_checked(ins)?, b.split_at_checked(ins)?)))
        else {
            return;
        };
        let mut a = dot4(x, [r0, r1, r2, r3], [bias[0], bias[1], bias[2], bias[3]]);
        if !xt.is_empty() {
            for (a, row) in a.iter_mut().zip([r0, r1, r2, r3]) {
                *a = tail_dot(*a, row.chunks_exact(4).remainder(), xt);
            }
        }
        for k in 0..4 {
            y[k] = q(a[k], m[k], s[k]);
        }
    }
    let rest =
        yc.into_remainder().iter_mut().zip(bc.remainder()).zip(mc.remainder().iter().zip(sc.remainder()));
    let mut rows = quads.remainder().chunks_exact(ins);
    for ((y, &b), (&m, &s)) in rest {
        let Some(row) = rows.next() else { return };
        let mut a = b;
        for (xg, wg) in x.chunks_exact(4).zip(row.chunks_exact(4)) {
            for k in 0..4 {
                a = a.wrapping_add(wg[k] as i32 * xg[k] as i32);
            }
        }
        *y = q(tail_dot(a, row.chunks_exact(4).remainder(), xt), m, s);
    }
}

/// `acc[r] + Σ_{i < 4⌊n/4⌋} w[r][i]·x[i]` for four rows of `n` weights:
/// the inner loop of [`portable`], kept out of line so that
/// its 20 live values get the registers to themselves.
#[inline(never)]
fn dot4(x: &[i8], w: [&[i8]; 4], acc: [i32; 4]) -> [i32; 4] {
    let [mut a0, mut a1, mut a2, mut a3] = acc;
    let groups = x
        .chunks_exact(4)
        .zip(w[0].chunks_exact(4))
        .zip(w[1].chunks_exact(4))
        .zip(w[2].chunks_exact(4))
        .zip(w[3].chunks_exact(4));
    for ((((xg, w0), w1), w2), w3) in groups {
        for k in 0..4 {
            let xi = xg[k] as i32;
            a0 = a0.wrapping_add(w0[k] as i32 * xi);
            a1 = a1.wrapping_add(w1[k] as i32 * xi);
            a2 = a2.wrapping_add(w2[k] as i32 * xi);
            a3 = a3.wrapping_add(w3[k] as i32 * xi);
        }
    }
    [a0, a1, a2, a3]
}

/// The accumulators alone: `acc[o] = bias[o] + Σ_i w[o][i]·x[i]` (wrapping
/// `i32`), four rows at a time with the portable kernel's inner loop. For
/// layers whose requantization is not a Q31 multiplier, such as
/// [`QDenseLiteRt`](crate::quant::QDenseLiteRt)'s `f64` rule. Any `ins`,
/// `outs`.
///
/// ```
/// use constnet::math::int8::dense_accumulate;
/// let mut acc = [0i32; 2];
/// dense_accumulate(&[1, -1, 2, 3], &[10, 0], &[5, 7], &mut acc, 2, 2);
/// assert_eq!(acc, [10 + 5 - 7, 10 + 21]);
/// ```
///
/// # Panics
/// If a slice is shorter than the shape says, at the entry.
pub fn dense_accumulate(w: &[i8], bias: &[i32], x: &[i8], acc: &mut [i32], ins: usize, outs: usize) {
    accumulate(&w[..ins * outs], &bias[..outs], &x[..ins], &mut acc[..outs]);
}

/// [`dense_accumulate`] on slices of the exact lengths (`w.len() =
/// x.len() · acc.len()`); with other lengths it writes fewer outputs, never
/// panics.
#[inline]
pub(crate) fn accumulate(w: &[i8], bias: &[i32], x: &[i8], acc: &mut [i32]) {
    let ins = x.len();
    if ins == 0 {
        acc.iter_mut().zip(bias).for_each(|(a, &b)| *a = b);
        return;
    }
    let xt = x.chunks_exact(4).remainder();
    let quad = if ins <= usize::MAX / 4 { 4 * ins } else { usize::MAX };
    let mut quads = w.chunks_exact(quad);
    let (mut ac, mut bc) = (acc.chunks_exact_mut(4), bias.chunks_exact(4));
    for ((acc, bias), rows) in (&mut ac).zip(&mut bc).zip(&mut quads) {
        let Some(((r0, r1), (r2, r3))) = rows
            .split_at_checked(2 * ins)
            .and_then(|(a, b)| Some((a.split_at_checked(ins)?, b.split_at_checked(ins)?)))
        else {
            return;
        };
        let mut a = dot4(x, [r0, r1, r2, r3], [bias[0], bias[1], bias[2], bias[3]]);
        for (a, row) in a.iter_mut().zip([r0, r1, r2, r3]) {
            *a = tail_dot(*a, row.chunks_exact(4).remainder(), xt);
        }
        acc.copy_from_slice(&a);
    }
    let mut rows = quads.remainder().chunks_exact(ins);
    for (acc, &b) in ac.into_remainder().iter_mut().zip(bc.remainder()) {
        let Some(row) = rows.next() else { return };
        *acc = tail_dot(b, row, x);
    }
}

/// The definition, one output at a time, in TFLite's form
/// `acc = bias + Σ w·(x − zp_in)` with the *unfolded* bias and the
/// requantization written as TFLite's [`multiply_by_quantized_multiplier`]:
/// what every kernel must equal. For tests and as documentation.
///
/// ```
/// use constnet::math::int8::{dense_forward_reference, Requant};
/// let rq = Requant { multiplier: &[1 << 30], shift: &[0], output_zero_point: 0, min: -128, max: 127 };
/// let mut y = [0i8; 1];
/// dense_forward_reference(&[2, 2], &[0], &[1, 3], 1, &mut y, 2, 1, &rq); // (2·0 + 2·2) · 0.5
/// assert_eq!(y, [2]);
/// ```
#[allow(clippy::too_many_arguments)]
pub fn dense_forward_reference(
    w: &[i8],
    bias: &[i32],
    x: &[i8],
    input_zero_point: i32,
    y: &mut [i8],
    ins: usize,
    outs: usize,
    rq: &Requant,
) {
    for o in 0..outs {
        let mut acc = bias[o];
        for i in 0..ins {
            acc = acc.wrapping_add((w[o * ins + i] as i32).wrapping_mul(x[i] as i32 - input_zero_point));
        }
        y[o] = requantize_definition(
            acc,
            rq.multiplier[o],
            rq.shift[o] as i32,
            rq.output_zero_point,
            rq.min,
            rq.max,
        );
    }
}

/// `bias − zp_in · Σ_i w[o][i]` for every output `o` (wrapping): the bias the
/// kernels start from. A `const fn`, so a layer in a `static` has it
/// computed by the compiler.
///
/// ```
/// use constnet::math::int8::fold_bias;
/// assert_eq!(fold_bias(&[[1, 2], [3, -4]], &[10, 20], 5), [10 - 5 * 3, 20 - 5 * -1]);
/// ```
pub const fn fold_bias<const IN: usize, const OUT: usize>(
    w: &[[i8; IN]; OUT],
    bias: &[i32; OUT],
    input_zero_point: i8,
) -> [i32; OUT] {
    let mut out = [0i32; OUT];
    let mut o = 0;
    while o < OUT {
        out[o] = bias[o].wrapping_sub(row_sum(&w[o]).wrapping_mul(input_zero_point as i32));
        o += 1;
    }
    out
}

/// The inverse of [`fold_bias`]: TFLite's bias back from the folded one.
pub(crate) fn unfold_bias<const IN: usize, const OUT: usize>(
    w: &[[i8; IN]; OUT],
    kernel_bias: &[i32; OUT],
    input_zero_point: i8,
) -> [i32; OUT] {
    core::array::from_fn(|o| {
        kernel_bias[o].wrapping_add(row_sum(&w[o]).wrapping_mul(input_zero_point as i32))
    })
}

/// `Σ row[i]` (wrapping): what the input zero point is multiplied by when
/// it is folded into the bias.
pub(crate) const fn row_sum(row: &[i8]) -> i32 {
    let mut sum = 0i32;
    let mut i = 0;
    while i < row.len() {
        sum = sum.wrapping_add(row[i] as i32);
        i += 1;
    }
    sum
}

/// Index of the largest value (the first one on ties); 0 for an empty
/// slice. Dequantizing is monotonic, so this is the class of an int8
/// classifier's output without leaving integers.
///
/// ```
/// assert_eq!(constnet::math::int8::argmax(&[-5, 7, 7, 3]), 1);
/// ```
pub fn argmax(v: &[i8]) -> usize {
    let mut best = 0;
    for (i, &x) in v.iter().enumerate() {
        if x > v[best] {
            best = i;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requantize_equals_the_definition_on_edges() {
        let accs = [
            i32::MIN,
            i32::MIN + 1,
            -(1 << 30) - 1,
            -(1 << 30),
            -(1 << 30) + 1,
            -123_457,
            -4097,
            -4096,
            -4095,
            -3,
            -2,
            -1,
            0,
            1,
            2,
            3,
            4095,
            4096,
            4097,
            123_457,
            (1 << 30) - 1,
            1 << 30,
            i32::MAX - 1,
            i32::MAX,
        ];
        let mults = [
            i32::MIN,
            -(1 << 30),
            -1,
            0,
            1,
            1 << 30,
            (1 << 30) + 12345,
            1_431_655_765,
            i32::MAX - 1,
            i32::MAX,
        ];
        let clamps = [
            (-128, 127, 0),
            (-128, 127, -128),
            (5, 127, 5),
            (-20, 30, 7),
            (40, -40, 0),
            (-300, 300, i32::MAX),
        ];
        let mut rng = 0x2545_f491_u32;
        // Under Miri (scripts/miri.sh runs the unit tests) a subset of the shifts.
        let shift_in_run = |s: i32| !cfg!(miri) || matches!(s, -40 | -32..=-29 | -2..=2 | 29..=32 | 40);
        for &acc in &accs {
            for &m in &mults {
                for shift in (-40..=40).filter(|&s| shift_in_run(s)) {
                    for &(min, max, zp) in &clamps {
                        assert_eq!(
                            requantize(acc, m, shift, zp, min, max),
                            requantize_definition(acc, m, shift, zp, min, max),
                            "{acc} {m} {shift} {zp} {min} {max}"
                        );
                    }
                }
            }
        }
        // Random accumulators and multipliers in TFLite's range.
        for _ in 0..if cfg!(miri) { 2_000 } else { 200_000 } {
            rng ^= rng << 13;
            rng ^= rng >> 17;
            rng ^= rng << 5;
            let acc = (rng as i32) >> (rng % 24);
            let m = (1 << 30) | (rng.rotate_left(7) >> 2) as i32;
            let shift = (rng >> 27) as i32 - 20;
            assert_eq!(
                requantize(acc, m, shift, 3, -128, 127),
                requantize_definition(acc, m, shift, 3, -128, 127)
            );
        }
    }

    #[test]
    fn high_mul_16x16_equals_the_64_bit_formula() {
        let wide = |x: i32, m: i32| ((x as i64 * m as i64 + (1 << 30)) >> 31) as i32;
        // Powers of two, all-ones halves and their neighbours, both signs.
        let mut xs = [0i32; 9 + 32 * 9];
        xs[..9].copy_from_slice(&[i32::MIN, i32::MIN + 1, i32::MAX, i32::MAX - 1, -1, 0, 1, 2, -2]);
        for k in 0..32u32 {
            for (j, d) in [-1, 0, 1].into_iter().enumerate() {
                let at = 9 + 9 * k as usize + 3 * j;
                xs[at] = (1i32 << k).wrapping_add(d);
                xs[at + 1] = (1i32 << k).wrapping_neg().wrapping_add(d);
                xs[at + 2] = 0xffff_i32.wrapping_shl(k).wrapping_add(d);
            }
        }
        let mut ms = [0i32; 9 + 31 * 3];
        ms[..9].copy_from_slice(&[
            0,
            1,
            0xffff,
            0x1_0000,
            0x7fff_ffff,
            0x7fff_0000,
            0x4000_0000,
            0x4000_ffff,
            0x5555_5555,
        ]);
        for k in 0..31 {
            ms[9 + 3 * k] = 1 << k;
            ms[9 + 3 * k + 1] = (1 << k) - 1;
            ms[9 + 3 * k + 2] = i32::MAX - (1 << k);
        }
        for &x in &xs {
            for &m in &ms {
                assert_eq!(high_mul_16x16(x, m), wide(x, m), "{x} {m}");
                assert_eq!(high_mul(x, m), wide(x, m), "{x} {m}");
            }
        }
        // Random pairs, `m` over all of [0, 2^31) and in TFLite's [2^30, 2^31).
        let mut rng = 0x9e37_79b9_u32;
        let mut next = || {
            rng ^= rng << 13;
            rng ^= rng >> 17;
            rng ^= rng << 5;
            rng
        };
        for _ in 0..if cfg!(miri) { 5_000 } else { 2_000_000 } {
            let (a, b, c) = (next(), next(), next());
            let x = (a as i32) >> (c % 32);
            let m = (b >> 1) as i32;
            assert_eq!(high_mul_16x16(x, m), wide(x, m), "{x} {m}");
            let m = (1 << 30) | (b >> 2) as i32;
            assert_eq!(high_mul_16x16(x, m), wide(x, m), "{x} {m}");
        }
    }
}
