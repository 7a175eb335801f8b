//! The Cortex-M0/M0+ int8 dense kernel (`thumbv6m`, Thumb-1 only; selected
//! by the build script's `constnet_thumbv6m` cfg): four output rows at a
//! time in a Thumb-1 assembly inner loop, the requantization in Rust with
//! the 16×16-bit high multiply of [`super::requantize`]. Same bits as
//! [`super::dense_forward_portable`] for every input (the firmware binary
//! `int8_kernel_check` compares both with the reference on the emulated
//! Cortex-M0).
//!
//! # The inner loop
//!
//! Thumb-1 has eight low registers for almost every instruction, and
//! `LDRSB` takes a register offset only. The four row pointers and the
//! input pointer point one past the inputs of this call, and one index
//! register counts from `−n` up to 0, so that each load is one
//! `LDRSB rt, [row, idx]` and `ADDS idx, #1` sets the flags the loop's
//! `BNE` tests. Per input:
//!
//! ```text
//! ldrsb r0, [r3, r4]   @ x[i]
//! ldrsb r2, [r1, r4]   @ w0[i]
//! muls  r2, r0
//! add   r8, r2         @ acc0 (high register: ADD T2 takes any register)
//! …                    @ the same for rows 1-3 (r5, r6, r7 → r9, r10, r11)
//! adds  r4, #1
//! ```
//!
//! 14 instructions per 4 multiply-accumulates; unrolled eight times with
//! one `BNE`: `(8·14 + 1) / 32 = 3.53` instructions per multiply-add. The
//! eight low registers are the four row pointers, the input pointer, the
//! index, the input value and the product; the accumulators live in
//! r8–r11 and the accumulator pointer in r12. Rust's `asm!` cannot name r6
//! and r7 (LLVM's base and frame pointers) nor, in Thumb-1, use r8+ as
//! operands, so the block pushes and pops r6/r7 and moves the accumulators
//! between memory and r8–r11 itself.
//!
//! The last `ins % 8` inputs and the last `outs % 4` rows take plain
//! loops. Products and sums wrap like `i32::wrapping_add` (`MULS` and
//! `ADD` are modulo 2³²), and integer addition is associative, so the
//! order of the sums does not change the result.
//!
//! An audited exception to the crate's `deny(unsafe_code)`: one `asm!`
//! block, with its SAFETY comment.
#![allow(unsafe_code)]

use super::Requant;
use core::arch::asm;

/// Inputs per iteration of the unrolled loop.
const UNROLL: usize = 8;

/// One input of the inner loop: `x = x_end[idx]`, then for each row
/// `acc += row_end[idx] · x`, then `idx += 1` (setting the flags).
macro_rules! step {
    () => {
        concat!(
            "ldrsb r0, [r3, r4]\n",
            "ldrsb r2, [r1, r4]\n",
            "muls r2, r0, r2\n",
            "add r8, r2\n",
            "ldrsb r2, [r5, r4]\n",
            "muls r2, r0, r2\n",
            "add r9, r2\n",
            "ldrsb r2, [r6, r4]\n",
            "muls r2, r0, r2\n",
            "add r10, r2\n",
            "ldrsb r2, [r7, r4]\n",
            "muls r2, r0, r2\n",
            "add r11, r2\n",
            "adds r4, #1\n",
        )
    };
}

/// `acc[r] += Σ_{i < n} w[r·stride + i] · x[i]` for `r` in 0..4, `n` a
/// positive multiple of [`UNROLL`].
///
/// # Safety
/// `w` must be valid for reads of `3·stride + n` bytes, `x` of `n` bytes;
/// `n ≥ UNROLL`, `n % UNROLL == 0`, and `3·stride + n` must not overflow
/// the address space (it does not for the slices it is called with).
#[inline(always)]
unsafe fn mac4(acc: &mut [i32; 4], w: *const i8, stride: usize, x: *const i8, n: usize) {
    // SAFETY: the caller guarantees the reads: row r is read at
    // `w + r·stride + n + idx` and the input at `x + n + idx` for idx in
    // −n..0, i.e. `w[r·stride .. r·stride + n]` and `x[..n]`; the
    // one-past-the-end pointers are formed with `wrapping_add`, never
    // dereferenced at the end. The loop ends because idx counts up from
    // −n (a multiple of 8, at least 8) by one and the flags are tested
    // after every eighth increment, which reaches exactly 0. `acc` is a
    // valid, aligned `[i32; 4]` (read at the start, written at the end).
    // r6 and r7, which are not operands, are pushed and popped (hence no
    // `nostack`); r5, r8–r12 and the flags are declared clobbered;
    // r0–r4 are operands whose final values are discarded.
    unsafe {
        asm!(
            "push {{r6, r7}}",
            "mov r12, r0",
            "ldr r5, [r0, #0]",
            "mov r8, r5",
            "ldr r5, [r0, #4]",
            "mov r9, r5",
            "ldr r5, [r0, #8]",
            "mov r10, r5",
            "ldr r5, [r0, #12]",
            "mov r11, r5",
            "adds r5, r1, r2",
            "adds r6, r5, r2",
            "adds r7, r6, r2",
            "2:",
            step!(),
            step!(),
            step!(),
            step!(),
            step!(),
            step!(),
            step!(),
            step!(),
            "bne 2b",
            "mov r0, r12",
            "mov r2, r8",
            "str r2, [r0, #0]",
            "mov r2, r9",
            "str r2, [r0, #4]",
            "mov r2, r10",
            "str r2, [r0, #8]",
            "mov r2, r11",
            "str r2, [r0, #12]",
            "pop {{r6, r7}}",
            inout("r0") acc.as_mut_ptr() => _,
            inout("r1") w.wrapping_add(n) => _,
            inout("r2") stride => _,
            inout("r3") x.wrapping_add(n) => _,
            inout("r4") n.wrapping_neg() => _,
            out("r5") _,
            out("r8") _,
            out("r9") _,
            out("r10") _,
            out("r11") _,
            out("r12") _,
        )
    }
}

/// A layer's requantization. For a layer whose output zero point and
/// clamp are int8 with `min ≤ max` (every valid layer), `[min, max]` is
/// compared with before the zero point is added (`lo = min − zp`,
/// `hi = max − zp`), so no saturating add is needed; other layers set
/// `s_bias` so that every output takes the general [`super::requantize`].
struct Clamp {
    zp: i32,
    lo: i32,
    hi: i32,
    min: i32,
    max: i32,
    /// 31 if the fast path applies: `(s + s_bias) as u32 ≤ 31` ⇔ `s` in [−31, 0].
    s_bias: i32,
}

impl Clamp {
    fn new(rq: &Requant) -> Clamp {
        let int8 = |v: i32| (-128..=127).contains(&v);
        let (zp, min, max) = (rq.output_zero_point, rq.min, rq.max);
        if int8(zp) && int8(min) && int8(max) && min <= max {
            Clamp { zp, lo: min - zp, hi: max - zp, min, max, s_bias: 31 }
        } else {
            Clamp { zp, lo: 0, hi: 0, min, max, s_bias: 1 << 20 }
        }
    }

    /// [`super::requantize`]`(acc, m, s, zp, min, max)`: for a non-negative
    /// `m` and `s` in `[−31, 0]` (every valid multiplier below 1) on a
    /// layer with int8 clamps, the high multiply, the rounding divide by
    /// `2^−s` and the clamp without the cases that cannot occur; anything
    /// else out of line.
    #[inline(always)]
    fn apply(&self, acc: i32, m: i32, s: i8) -> i8 {
        let s = s as i32;
        if m < 0 || (s.wrapping_add(self.s_bias)) as u32 > 31 {
            return requantize_general(acc, m, s, self.zp, self.min, self.max);
        }
        let v = super::high_mul_16x16(acc, m);
        let v = if s == 0 {
            v
        } else {
            // `v > i32::MIN` (|v| < 2^31 − 1 for m < 2^31), so `v + (v >> 31)`
            // does not wrap; `!s = −s − 1` is in [0, 30].
            let u = v.wrapping_add(v >> 31) >> !s;
            u - (u >> 1)
        };
        if v < self.lo {
            self.min as i8
        } else if v > self.hi {
            self.max as i8
        } else {
            (v + self.zp) as i8
        }
    }
}

/// [`super::requantize`], out of line: the outputs [`Clamp::apply`] does not
/// take (none in a layer built from a valid model).
#[cold]
#[inline(never)]
fn requantize_general(acc: i32, m: i32, s: i32, zp: i32, min: i32, max: i32) -> i8 {
    super::requantize(acc, m, s, zp, min, max)
}

/// The Cortex-M0 path of [`super::dense_forward`], for slices of the
/// exact lengths (`x.len() = ins`, `w.len() = ins · outs`, `outs` for
/// `bias`, `y` and `rq`'s slices; see `super::kernel`). The lengths are
/// checked once here without a panic path (anything else takes the
/// portable kernel, which has none either); the two row slicings below
/// rely on them.
#[inline(never)]
pub(super) fn dense_forward(
    w: &[i8],
    bias: &[i32],
    x: &[i8],
    y: &mut [i8],
    ins: usize,
    outs: usize,
    rq: &Requant,
) {
    let (mult, shift) = (rq.multiplier, rq.shift);
    if x.len() != ins
        || ins.checked_mul(outs) != Some(w.len())
        || bias.len() != outs
        || y.len() != outs
        || mult.len() != outs
        || shift.len() != outs
    {
        return super::portable(w, bias, x, y, rq);
    }
    let c = Clamp::new(rq);
    let q = |acc: i32, m: i32, s: i8| c.apply(acc, m, s);
    let body = ins / UNROLL * UNROLL;
    let xt = x.chunks_exact(UNROLL).remainder();
    let blocks =
        y.chunks_exact_mut(4).zip(bias.chunks_exact(4)).zip(mult.chunks_exact(4).zip(shift.chunks_exact(4)));
    for (b, ((y, bias), (m, s))) in blocks.enumerate() {
        // SAFETY: `b < outs / 4`, so `(4b + 4)·ins ≤ outs·ins = w.len()`
        // (checked above; no product overflows, being at most `w.len()`).
        let rows = unsafe { w.get_unchecked(4 * b * ins..(4 * b + 4) * ins) };
        let mut a = [bias[0], bias[1], bias[2], bias[3]];
        if body != 0 {
            // SAFETY: `rows` holds `4·ins = 3·ins + ins ≥ 3·ins + body`
            // bytes and `x` holds `ins ≥ body` bytes; `body` is a positive
            // multiple of `UNROLL`.
            unsafe { mac4(&mut a, rows.as_ptr(), ins, x.as_ptr(), body) };
        }
        if body != ins {
            for (r, a) in a.iter_mut().enumerate() {
                // SAFETY: `r < 4` and `rows.len() = 4·ins`.
                let row = unsafe { rows.get_unchecked(r * ins..(r + 1) * ins) };
                *a = super::tail_dot(*a, row.chunks_exact(UNROLL).remainder(), xt);
            }
        }
        for k in 0..4 {
            y[k] = q(a[k], m[k], s[k]);
        }
    }
    for o in outs / 4 * 4..outs {
        // SAFETY: `o < outs`, so `(o + 1)·ins ≤ w.len()` (checked above).
        let row = unsafe { w.get_unchecked(o * ins..(o + 1) * ins) };
        y[o] = q(super::tail_dot(bias[o], row, x), mult[o], shift[o]);
    }
}
