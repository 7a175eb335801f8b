//! The f32 dense forward pass on bare-metal Arm cores with a
//! single-precision FPU (`thumbv7em-none-eabihf`: Cortex-M4F/M7F;
//! `thumbv8m.main-none-eabihf`: Cortex-M33/M55; the `eabihf` R-profile
//! targets), in inline assembly.
//!
//! LLVM already forms `vmla.f32` from `acc + a * b` on these targets, but it
//! loads every operand with its own `vldr` and, with 16 partial sums plus
//! operands in 32 single registers, spills: about 4.3 instructions per
//! multiply-add on a `Dense<128, 128>`. The loop below keeps the 16 partial
//! sums of [`super::dot`]'s order in `s0`–`s15` and loads 8 weights and 8
//! inputs at a time with one `vldmia` each into `s16`–`s31`: per 32
//! products, 8 loads, 32 `vmla.f32`, a decrement and a branch (1.31
//! instructions per multiply-add); the whole output loop of one sample
//! (bias included) is one `asm!` block. Per output row, the fold, the bias
//! and the loop control add about 40 instructions: 1.53 per multiply-add
//! on a `Dense<128, 128>` overall, 1.37 on a `Dense<640, 128>`.
//!
//! The second audited exception to the crate's `deny(unsafe_code)` on Arm
//! (with `int8/dsp.rs`): one `asm!` block, see the SAFETY comment.
//!
//! # Same bits as the portable loops
//!
//! `VMLA.F32 Sd, Sn, Sm` is the *chained* (not fused) multiply-accumulate.
//! The Armv7-M Architecture Reference Manual (VMLA, VMLS, floating-point)
//! defines it as `addend = FPMul(S[n], S[m], TRUE); S[d] = FPAdd(S[d],
//! addend, TRUE)`: the product is rounded to single precision, then added to
//! `Sd` with a second rounding — exactly Rust's `acc + a * b`, two IEEE
//! operations under the same FPSCR (rounding mode, flush-to-zero, default
//! NaN) as a separate `vmul.f32` and `vadd.f32`. The fused multiply-add is
//! a different instruction (`VFMA`), never used here. So every partial sum
//! sees the operations of `blocked::dot`, in its order:
//!
//! * lane `k` starts at product `k` (a `vmul.f32`, not `0 + p`: a `-0.0`
//!   product stays `-0.0`) and accumulates products `k + 16`, `k + 32`, …;
//! * the last `n mod 16` products go to lanes `0, 1, …`, in that order;
//! * the lanes are folded in halves: `s_k = l_k + l_(k+8)`, then `+4`,
//!   `+2`, `+1`; then `y = b + sum`.
//!
//! A product or a sum of two operands is commutative in IEEE 754 (bit for
//! bit, NaN payloads aside), so `w·x` against `x·w` makes no difference.
//! The firmware binary `f32_kernel_check` compares this kernel with a
//! plain-Rust copy of the order, bit for bit, on the device.
#![allow(unsafe_code)]

use super::LANES;

/// `y[o] = b[o] + dot(w[o], x)` for one sample, `o` in `0..outs`, in the
/// order of `blocked::forward`.
///
/// # Safety
/// `w` valid for reads of `outs * ins` values, `b` of `outs`, `x` of `ins`,
/// `y` for writes of `outs`; `ins >= 16`, `outs >= 1`; `y` must not overlap
/// the others.
#[inline(always)]
unsafe fn sample(w: *const f32, b: *const f32, x: *const f32, y: *mut f32, ins: usize, outs: usize) {
    // SAFETY: by the caller's contract the block reads `w[0..outs * ins]`
    // (row after row through `vldmia` with writeback, each row's last
    // `ins % 16` values with `vldr` at offsets below 64 bytes from the
    // advanced pointer, which then steps over them), `x[0..ins]` once per
    // output (from `x0`), `b[0..outs]`, and writes `y[0..outs]`; nothing
    // else; every access is a 4-byte-aligned word (the pointers come from
    // `f32` slices), as `vldmia`/`vstmia` need. Stable Rust cannot name the
    // FPU registers as asm operands on this target (the `sreg` class needs
    // the `vfp2` feature, which a single-precision FPU lacks), so the block
    // saves all of `s0`–`s31` with one `vpush` (128 bytes of stack: no
    // `nostack`) and restores them with `vpop` before it ends: no FPU
    // register changes as seen by the compiler. The general-purpose operands
    // are all declared (the scratch ones as `out`, so they never share a
    // register with an input),
    // and so are the flags (no `preserves_flags`). The loops end because
    // `outs >= 1` and `ins / 16 >= 1` are counted down to 0.
    unsafe {
        core::arch::asm!(
            "vpush {{d0-d15}}",
            // One output row per pass.
            "1:",
            "mov {x}, {x0}",
            "lsrs {c}, {ins}, #4",
            // Chunk 0: lane k = w[k]·x[k].
            "vldmia {w}!, {{s16-s23}}",
            "vldmia {x}!, {{s24-s31}}",
            "vmul.f32 s0, s16, s24",
            "vmul.f32 s1, s17, s25",
            "vmul.f32 s2, s18, s26",
            "vmul.f32 s3, s19, s27",
            "vmul.f32 s4, s20, s28",
            "vmul.f32 s5, s21, s29",
            "vmul.f32 s6, s22, s30",
            "vmul.f32 s7, s23, s31",
            "vldmia {w}!, {{s16-s23}}",
            "vldmia {x}!, {{s24-s31}}",
            "vmul.f32 s8, s16, s24",
            "vmul.f32 s9, s17, s25",
            "vmul.f32 s10, s18, s26",
            "vmul.f32 s11, s19, s27",
            "vmul.f32 s12, s20, s28",
            "vmul.f32 s13, s21, s29",
            "vmul.f32 s14, s22, s30",
            "vmul.f32 s15, s23, s31",
            "subs {c}, {c}, #1",
            "beq 3f",
            // Chunks 1 .. ins/16: lane k += w[16c + k]·x[16c + k], two
            // chunks per pass; an odd one first. `lsrs` leaves the pair
            // count in `c`, its Z flag and the odd bit in C; the FPU
            // instructions in between do not touch the APSR flags.
            "lsrs {c}, {c}, #1",
            "bcc 2f",
            "vldmia {w}!, {{s16-s23}}",
            "vldmia {x}!, {{s24-s31}}",
            "vmla.f32 s0, s16, s24",
            "vmla.f32 s1, s17, s25",
            "vmla.f32 s2, s18, s26",
            "vmla.f32 s3, s19, s27",
            "vmla.f32 s4, s20, s28",
            "vmla.f32 s5, s21, s29",
            "vmla.f32 s6, s22, s30",
            "vmla.f32 s7, s23, s31",
            "vldmia {w}!, {{s16-s23}}",
            "vldmia {x}!, {{s24-s31}}",
            "vmla.f32 s8, s16, s24",
            "vmla.f32 s9, s17, s25",
            "vmla.f32 s10, s18, s26",
            "vmla.f32 s11, s19, s27",
            "vmla.f32 s12, s20, s28",
            "vmla.f32 s13, s21, s29",
            "vmla.f32 s14, s22, s30",
            "vmla.f32 s15, s23, s31",
            "beq 3f",
            "2:",
            "vldmia {w}!, {{s16-s23}}",
            "vldmia {x}!, {{s24-s31}}",
            "vmla.f32 s0, s16, s24",
            "vmla.f32 s1, s17, s25",
            "vmla.f32 s2, s18, s26",
            "vmla.f32 s3, s19, s27",
            "vmla.f32 s4, s20, s28",
            "vmla.f32 s5, s21, s29",
            "vmla.f32 s6, s22, s30",
            "vmla.f32 s7, s23, s31",
            "vldmia {w}!, {{s16-s23}}",
            "vldmia {x}!, {{s24-s31}}",
            "vmla.f32 s8, s16, s24",
            "vmla.f32 s9, s17, s25",
            "vmla.f32 s10, s18, s26",
            "vmla.f32 s11, s19, s27",
            "vmla.f32 s12, s20, s28",
            "vmla.f32 s13, s21, s29",
            "vmla.f32 s14, s22, s30",
            "vmla.f32 s15, s23, s31",
            "vldmia {w}!, {{s16-s23}}",
            "vldmia {x}!, {{s24-s31}}",
            "vmla.f32 s0, s16, s24",
            "vmla.f32 s1, s17, s25",
            "vmla.f32 s2, s18, s26",
            "vmla.f32 s3, s19, s27",
            "vmla.f32 s4, s20, s28",
            "vmla.f32 s5, s21, s29",
            "vmla.f32 s6, s22, s30",
            "vmla.f32 s7, s23, s31",
            "vldmia {w}!, {{s16-s23}}",
            "vldmia {x}!, {{s24-s31}}",
            "vmla.f32 s8, s16, s24",
            "vmla.f32 s9, s17, s25",
            "vmla.f32 s10, s18, s26",
            "vmla.f32 s11, s19, s27",
            "vmla.f32 s12, s20, s28",
            "vmla.f32 s13, s21, s29",
            "vmla.f32 s14, s22, s30",
            "vmla.f32 s15, s23, s31",
            "subs {c}, {c}, #1",
            "bne 2b",
            // The last r = ins mod 16 products into lanes 0 .. r, then
            // step `w` over them to the next row.
            "3:",
            "ands {c}, {ins}, #15",
            "beq 4f",
            "vldr s16, [{w}, #0]",
            "vldr s17, [{x}, #0]",
            "vmla.f32 s0, s16, s17",
            "cmp {c}, #1",
            "beq 5f",
            "vldr s16, [{w}, #4]",
            "vldr s17, [{x}, #4]",
            "vmla.f32 s1, s16, s17",
            "cmp {c}, #2",
            "beq 5f",
            "vldr s16, [{w}, #8]",
            "vldr s17, [{x}, #8]",
            "vmla.f32 s2, s16, s17",
            "cmp {c}, #3",
            "beq 5f",
            "vldr s16, [{w}, #12]",
            "vldr s17, [{x}, #12]",
            "vmla.f32 s3, s16, s17",
            "cmp {c}, #4",
            "beq 5f",
            "vldr s16, [{w}, #16]",
            "vldr s17, [{x}, #16]",
            "vmla.f32 s4, s16, s17",
            "cmp {c}, #5",
            "beq 5f",
            "vldr s16, [{w}, #20]",
            "vldr s17, [{x}, #20]",
            "vmla.f32 s5, s16, s17",
            "cmp {c}, #6",
            "beq 5f",
            "vldr s16, [{w}, #24]",
            "vldr s17, [{x}, #24]",
            "vmla.f32 s6, s16, s17",
            "cmp {c}, #7",
            "beq 5f",
            "vldr s16, [{w}, #28]",
            "vldr s17, [{x}, #28]",
            "vmla.f32 s7, s16, s17",
            "cmp {c}, #8",
            "beq 5f",
            "vldr s16, [{w}, #32]",
            "vldr s17, [{x}, #32]",
            "vmla.f32 s8, s16, s17",
            "cmp {c}, #9",
            "beq 5f",
            "vldr s16, [{w}, #36]",
            "vldr s17, [{x}, #36]",
            "vmla.f32 s9, s16, s17",
            "cmp {c}, #10",
            "beq 5f",
            "vldr s16, [{w}, #40]",
            "vldr s17, [{x}, #40]",
            "vmla.f32 s10, s16, s17",
            "cmp {c}, #11",
            "beq 5f",
            "vldr s16, [{w}, #44]",
            "vldr s17, [{x}, #44]",
            "vmla.f32 s11, s16, s17",
            "cmp {c}, #12",
            "beq 5f",
            "vldr s16, [{w}, #48]",
            "vldr s17, [{x}, #48]",
            "vmla.f32 s12, s16, s17",
            "cmp {c}, #13",
            "beq 5f",
            "vldr s16, [{w}, #52]",
            "vldr s17, [{x}, #52]",
            "vmla.f32 s13, s16, s17",
            "cmp {c}, #14",
            "beq 5f",
            "vldr s16, [{w}, #56]",
            "vldr s17, [{x}, #56]",
            "vmla.f32 s14, s16, s17",
            "5:",
            "add {w}, {w}, {c}, lsl #2",
            // Fold in halves (+8, +4, +2, +1), then y = b + sum.
            "4:",
            "vadd.f32 s0, s0, s8",
            "vadd.f32 s1, s1, s9",
            "vadd.f32 s2, s2, s10",
            "vadd.f32 s3, s3, s11",
            "vadd.f32 s4, s4, s12",
            "vadd.f32 s5, s5, s13",
            "vadd.f32 s6, s6, s14",
            "vadd.f32 s7, s7, s15",
            "vadd.f32 s0, s0, s4",
            "vadd.f32 s1, s1, s5",
            "vadd.f32 s2, s2, s6",
            "vadd.f32 s3, s3, s7",
            "vadd.f32 s0, s0, s2",
            "vadd.f32 s1, s1, s3",
            "vadd.f32 s0, s0, s1",
            "vldmia {b}!, {{s1}}",
            "vadd.f32 s0, s1, s0",
            "vstmia {y}!, {{s0}}",
            "subs {o}, {o}, #1",
            "bne 1b",
            "vpop {{d0-d15}}",
            w = inout(reg) w => _,
            b = inout(reg) b => _,
            y = inout(reg) y => _,
            o = inout(reg) outs => _,
            x0 = in(reg) x,
            ins = in(reg) ins,
            x = out(reg) _,
            c = out(reg) _,
        );
    }
}

/// `y[s][o] = b[o] + dot(w[o], x[s])` for `ins >= 16`, `outs >= 1`: the
/// same bits as `blocked::forward` (`rows` is the smaller of the row counts
/// of `x` and `y`).
#[inline(never)]
pub(crate) fn forward(w: &[f32], b: &[f32], x: &[f32], y: &mut [f32], ins: usize, outs: usize) {
    assert!(ins >= LANES && outs > 0);
    let (w, b) = (&w[..outs * ins], &b[..outs]);
    for (xs, ys) in x.chunks_exact(ins).zip(y.chunks_exact_mut(outs)) {
        // SAFETY: `w` holds `outs * ins` values, `b` and `ys` `outs`, `xs`
        // `ins`; `ys` is borrowed mutably, so it overlaps none of them.
        unsafe { sample(w.as_ptr(), b.as_ptr(), xs.as_ptr(), ys.as_mut_ptr(), ins, outs) };
    }
}
