//! The Cortex-M4/M7 int8 dense kernel: SMLAD dual 16-bit
//! multiply-accumulates on SXTB16-widened weights, three output rows per
//! inner loop, and the requantization in the same assembly loop. Same
//! bits as [`super::dense_forward_portable`] for every input (the firmware
//! binary `int8_kernel_check` compares both with the reference on the
//! emulated Cortex-M4).
//!
//! # Data flow
//!
//! * The input is widened once per chunk of up to [`CHUNK`] values into a
//!   stack buffer of `i16` pairs in the order SXTB16 gives the weights:
//!   each group of eight inputs becomes the words `(x0, x2)`, `(x1, x3)`,
//!   `(x4, x6)`, `(x5, x7)` (low lane first), so one `LDM` loads a group.
//!   A sentinel group follows the last one: its first word `0x8000_8000`
//!   has lanes of −32768, which no widened int8 can be, so the loop ends
//!   on a compare with an immediate and needs no counter register.
//! * A weight row gives eight int8 values per `LDRD`; `SXTB16 w` yields
//!   `(w0, w2)` and `SXTB16 w, ROR #8` yields `(w1, w3)`, which `SMLAD`
//!   multiplies lane by lane with the matching input words and adds to the
//!   row's accumulator. Three rows share each input load (the loop needs
//!   14 registers: 3 accumulators, 3 row pointers, the input pointer, 4
//!   input words, 2 weight words and a scratch): 9 instructions per row
//!   per 8 inputs plus one `LDM`; unrolled eight times, with a compare and
//!   a branch every 64 inputs: `(8·28 + 2) / 192 = 1.18` instructions per
//!   multiply-accumulate.
//! * [`blocks_requant`] runs every block of three rows of a layer in one
//!   assembly loop, requantizing the three accumulators right after their
//!   rows (`SMMULR` on the doubled accumulator for gemmlowp's high
//!   multiply, three shifts and adds for the rounding divide, `SSAT` and a
//!   byte-lane `SEL` for the clamp: 18 instructions per output with its
//!   loads and store); an output it cannot do that way (a shift outside
//!   [−31, 0], i.e. a multiplier of 1 or more, or an accumulator of 2^30
//!   or more) stops the loop, and Rust finishes that block and restarts it.
//!   The last one or two rows of a layer take [`mac2`]/[`mac1`].
//! * Layers with more than [`CHUNK`] inputs keep the accumulators of up to
//!   [`BLOCK_ROWS`] rows in a stack array while the chunks go by
//!   ([`blocks_accumulate`]), the last chunk requantizing; so the kernel's
//!   stack use is fixed whatever the shape (under 1 kB with `CHUNK` = 256).
//! * Layers with `ins % 8 == 4`, or an output zero point or clamp outside
//!   the int8 ranges, run the same multiply-accumulate loops from Rust
//!   ([`mac_rows`]) with the last inputs in scalar code and the
//!   requantization in Rust; shapes with `ins % 4 != 0` (rows not 4-byte
//!   aligned, which `LDRD` needs), fewer than 8 inputs or an unaligned
//!   weight slice take the portable kernel.
//!
//! SMLAD wraps on overflow like `i32::wrapping_add` (it only sets the
//! sticky Q flag), and integer addition is associative, so the order in
//! which the products are summed does not change the result.
//!
//! The second audited exception to the crate's `deny(unsafe_code)` (after
//! `src/math/x86.rs`): inline assembly, each block with its SAFETY comment.
#![allow(unsafe_code)]

use super::Requant;
use core::arch::asm;
use core::mem::MaybeUninit;

/// Inputs per widened chunk (a multiple of 16).
const CHUNK: usize = 256;
/// Rows whose accumulators stay in memory across chunks (a multiple of 3).
const BLOCK_ROWS: usize = 48;
/// First word of the group after the last one.
const SENTINEL: u32 = 0x8000_8000;
/// Words in the widened-input buffer: two per four inputs plus the sentinel group.
const BUF_WORDS: usize = CHUNK / 2 + 4;

// Every block starts with this. The kernel is built only for `thumbv7em-*`
// (the build script's `constnet_arm_dsp` cfg, see `mod dsp`), where it is
// a no-op; it keeps the SMLAD/SXTB16 mnemonics assembling should the cfg
// ever take a target whose default CPU leaves the DSP extension off in the
// assembler (`thumbv8m.main-*`: optional on the Cortex-M33).
macro_rules! ARCH_DSP {
    () => {
        ".arch armv7e-m"
    };
}

/// `SXTB16 r, v`: bytes 0 and 2 of `v` sign-extended into the low and high halfword.
#[inline(always)]
fn sxtb16(v: u32) -> u32 {
    let r: u32;
    // SAFETY: a register-only DSP instruction, available with `target_feature = "dsp"`.
    unsafe {
        asm!(ARCH_DSP!(), "sxtb16 {r}, {v}", r = lateout(reg) r, v = in(reg) v, options(pure, nomem, nostack, preserves_flags))
    };
    r
}

/// `SXTB16 r, v, ROR #8`: bytes 1 and 3 of `v`.
#[inline(always)]
fn sxtb16_ror8(v: u32) -> u32 {
    let r: u32;
    // SAFETY: as `sxtb16`.
    unsafe {
        asm!(ARCH_DSP!(), "sxtb16 {r}, {v}, ror #8", r = lateout(reg) r, v = in(reg) v, options(pure, nomem, nostack, preserves_flags))
    };
    r
}

/// gemmlowp's `SaturatingRoundingDoublingHighMul` for all inputs:
/// `(a·b + 2^30) >> 31` from `SMULL`, and `QADD` for the doubling of the
/// high word, which saturates exactly in the one overflowing case
/// (`a = b = i32::MIN`, where the result must be `i32::MAX`). This equals
/// the definition's "nudge, then divide truncating toward zero": for a
/// negative product `trunc((ab + 1 − 2^30) / 2^31) = floor((ab + 2^30) / 2^31)`.
/// The result is never `i32::MIN` (`|ab| < 2^62` unless `a = b = i32::MIN`).
#[inline(always)]
fn srdhm(a: i32, b: i32) -> i32 {
    let r: i32;
    // SAFETY: register-only arithmetic (SMULL, ADDS/ADC, QADD, ORR); clobbers the flags.
    unsafe {
        asm!(
            ARCH_DSP!(),
            "smull {lo}, {hi}, {a}, {b}",
            "adds {lo}, {lo}, #0x40000000",
            "adc {hi}, {hi}, #0",
            "qadd {hi}, {hi}, {hi}",
            "orr {r}, {hi}, {lo}, lsr #31",
            a = in(reg) a,
            b = in(reg) b,
            lo = out(reg) _,
            hi = out(reg) _,
            r = lateout(reg) r,
            options(pure, nomem, nostack),
        )
    };
    r
}

/// The clamp and zero point of a layer whose requantization can take the
/// short path: `min ≤ max` both in `[−128, 127]`, the zero point small
/// enough that `min − zp` and `max − zp` do not overflow.
#[derive(Clone, Copy)]
struct Clamp {
    /// `min − zp`.
    lo: i32,
    /// `max − zp`.
    hi: i32,
    zp: i32,
}

impl Clamp {
    fn new(rq: &Requant) -> Option<Self> {
        let ok = -128 <= rq.min
            && rq.min <= rq.max
            && rq.max <= 127
            && (-(1 << 16)..=1 << 16).contains(&rq.output_zero_point);
        ok.then(|| Clamp {
            lo: rq.min - rq.output_zero_point,
            hi: rq.max - rq.output_zero_point,
            zp: rq.output_zero_point,
        })
    }
}

/// `requantize(acc, m, s, zp, min, max)` on the short path when the shift
/// is in `[−31, −1]` (a multiplier below ½, the usual case); bit-identical
/// to [`super::requantize`]:
///
/// * `MBQM(acc, m, s)` with `s < 0` is `RoundingDivideByPOT(v, e)` with
///   `v = srdhm(acc, m)` and `e = −s ∈ [1, 31]`: round half away from zero
///   of `v / 2^e`, which is `floor((t + 2^(e−1)) / 2^e)` with
///   `t = v − [v < 0]` (`v ≠ i32::MIN`, so `t` does not wrap); with
///   `x = t >> (e − 1)` that is `(x + 1) >> 1 = x − (x >> 1)` (no overflow);
///   and `e − 1 = !s`.
/// * `clamp(sat(q + zp), min, max) = clamp(q, min − zp, max − zp) + zp`
///   when `min ≤ max` (adding a constant is monotonic and saturation only
///   moves values that are outside `[min, max]` anyway).
#[inline(always)]
fn requant_fast(c: &Clamp, acc: i32, m: i32, s: i8) -> i8 {
    let s = s as i32;
    if (s + 31) as u32 <= 30 {
        let v = srdhm(acc, m);
        let t = v.wrapping_add(v >> 31);
        let x = t >> (!s as u32);
        let q = x - (x >> 1);
        let q = if q < c.lo { c.lo } else { q };
        let q = if q > c.hi { c.hi } else { q };
        (q + c.zp) as i8
    } else {
        super::requantize(acc, m, s, c.zp, c.lo + c.zp, c.hi + c.zp)
    }
}

/// The widened-input buffer (see the module docs), word-aligned for `LDM`.
/// Not zeroed: [`XBuf::fill`] writes every word the kernels read.
struct XBuf(MaybeUninit<[u32; BUF_WORDS]>);

impl XBuf {
    #[inline(always)]
    fn new() -> Self {
        XBuf(MaybeUninit::uninit())
    }

    /// Widens the first `min(x.len(), CHUNK)` values of `x`, rounded down to
    /// a multiple of 8 (callers pass a multiple of 8, at most [`CHUNK`]),
    /// and appends the sentinel group. Returns the number of 8-input groups.
    #[inline(always)]
    fn fill(&mut self, x: &[i8]) -> usize {
        let len = x.len().min(CHUNK) & !7;
        let n = len / 8;
        let x = x.get(..len).unwrap_or_default();
        let words = self.0.as_mut_ptr() as *mut u32;
        for (k, c) in x.chunks_exact(4).enumerate() {
            let v = u32::from_le_bytes([c[0] as u8, c[1] as u8, c[2] as u8, c[3] as u8]);
            // SAFETY: `2k + 1 < len / 2 = 4n ≤ CHUNK / 2 = BUF_WORDS − 4`: inside the buffer.
            unsafe {
                words.add(2 * k).write(sxtb16(v));
                words.add(2 * k + 1).write(sxtb16_ror8(v));
            }
        }
        // SAFETY: `4n + 3 < BUF_WORDS`.
        unsafe { words.add(4 * n).cast::<[u32; 4]>().write([SENTINEL; 4]) };
        n
    }

    fn as_ptr(&self) -> *const u32 {
        self.0.as_ptr() as *const u32
    }
}

// One row of one 8-input group: `a += w·x` for the eight weights at `[p]`
// (post-incremented by 8), with the group's input words in r8–r11, the
// weight words in `wa`/`wb` and `lr` as scratch.
#[rustfmt::skip]
macro_rules! row {
    ($p:literal, $a:literal, $wa:literal, $wb:literal) => {
        concat!(
            "ldrd ", $wa, ", ", $wb, ", [", $p, "], #8\n",
            "sxtb16 lr, ", $wa, "\n",
            "smlad ", $a, ", lr, r8, ", $a, "\n",
            "sxtb16 ", $wa, ", ", $wa, ", ror #8\n",
            "smlad ", $a, ", ", $wa, ", r9, ", $a, "\n",
            "sxtb16 lr, ", $wb, "\n",
            "smlad ", $a, ", lr, r10, ", $a, "\n",
            "sxtb16 ", $wb, ", ", $wb, ", ror #8\n",
            "smlad ", $a, ", ", $wb, ", r11, ", $a, "\n",
        )
    };
}

// The loop over the groups, unrolled eight times: `body` is the
// per-group code. `TBH` enters it at the copy that makes the last group
// end right before the sentinel compare (copy 1 for `n % 8 == 0`, copy 8
// for `n % 8 == 1`, …). `lr` holds the count on entry.
#[rustfmt::skip]
macro_rules! group_loop {
    ($body:expr) => {
        concat!(
            "ldm r12!, {{r8, r9, r10, r11}}\n",
            "and lr, lr, #7\n",
            "tbh [pc, lr, lsl #1]\n",
            "11:\n",
            ".hword (1f - 11b) / 2, (7f - 11b) / 2, (6f - 11b) / 2, (5f - 11b) / 2\n",
            ".hword (4f - 11b) / 2, (3f - 11b) / 2, (2f - 11b) / 2, (10f - 11b) / 2\n",
            "1:\n",
            $body,
            "ldm r12!, {{r8, r9, r10, r11}}\n",
            "10:\n",
            $body,
            "ldm r12!, {{r8, r9, r10, r11}}\n",
            "2:\n",
            $body,
            "ldm r12!, {{r8, r9, r10, r11}}\n",
            "3:\n",
            $body,
            "ldm r12!, {{r8, r9, r10, r11}}\n",
            "4:\n",
            $body,
            "ldm r12!, {{r8, r9, r10, r11}}\n",
            "5:\n",
            $body,
            "ldm r12!, {{r8, r9, r10, r11}}\n",
            "6:\n",
            $body,
            "ldm r12!, {{r8, r9, r10, r11}}\n",
            "7:\n",
            $body,
            "ldm r12!, {{r8, r9, r10, r11}}\n",
            "cmp r8, #0x80008000\n",
            "bne 1b\n",
        )
    };
}

// The three rows of a block (accumulators r0–r2, row pointers r3–r5).
#[rustfmt::skip]
macro_rules! rows3 {
    () => {
        concat!(row!("r3", "r0", "r6", "r7"), row!("r4", "r1", "r6", "r7"), row!("r5", "r2", "r6", "r7"))
    };
}

// Requantizes accumulator `$a` with the multiplier at [r4] and the shift
// at [r5] (both post-incremented), the zero point in r7 and the clamp in
// r8 (min) and, with `max`, r9; stores nothing (the caller stores r12).
// Branches to `8f` when the shift is not in [−31, 0] or the doubling
// `QADD` saturates (|acc| ≥ 2^30, where `SMMULR(2·acc, m)` would not be
// `srdhm(acc, m)`). Otherwise, exactly `requantize`:
// * `v = SMMULR(2a, m) = floor((2am + 2^31) / 2^32) = floor((am + 2^30) / 2^31)`,
//   gemmlowp's high multiply; `|v| < 2^30`;
// * `RoundingDivideByPOT(v, e)`, `e = −s ∈ [0, 31]`, is `z − (z >> 1)`
//   with `z = (2v − [v < 0]) >> e`: for `e ≥ 1`, `z = (2t) >> e` with
//   `t = v − [v < 0]` (an odd numerator floors like the even one below
//   it), and `z − (z >> 1) = (z + 1) >> 1 = floor((t + 2^(e−1)) / 2^e)`;
//   for `e = 0` it gives `v` back;
// * `+ zp`, `SSAT` to [−128, 127], then a byte-lane maximum with `min`
//   (`SSUB8` sets GE, `SEL` picks) and minimum with `max`:
//   `clamp(q + zp, min, max)` for `min ≤ max` in [−128, 127], `|zp| ≤ 2^16`.
// Scratch: r10–r12.
#[rustfmt::skip]
macro_rules! req {
    ($a:literal) => {
        concat!(
            "ldr r10, [r4], #4\n",
            "ldrsb r11, [r5], #1\n",
            "rsbs r11, r11, #0\n",
            "cmp r11, #31\n",
            "bhi 8f\n",
            "qadd r12, ", $a, ", ", $a, "\n",
            "cmp r12, ", $a, ", lsl #1\n",
            "bne 8f\n",
            "smmulr r12, r12, r10\n",
            "lsl r10, r12, #1\n",
            "add r10, r10, r12, asr #31\n",
            "asr r10, r10, r11\n",
            "sub r12, r10, r10, asr #1\n",
            "add r12, r12, r7\n",
            "ssat r12, #8, r12\n",
            "ssub8 r10, r12, r8\n",
            "sel r12, r12, r8\n",
        )
    };
    ($a:literal, max) => {
        concat!(req!($a), "ssub8 r10, r9, r12\n", "sel r12, r12, r9\n")
    };
}

// The loop over the blocks of three rows, for `Blocks`: the first part
// loads a block's accumulators from `ctx.acc` and runs the groups; `$end`
// (the requantization or the store of the accumulators) follows; then the
// next block, until the row pointer reaches `ctx.end`. Entered with the
// context in r0; pushes it with r6 and r7, so `[sp]` is the context.
#[rustfmt::skip]
macro_rules! block_loop {
    ($end:expr) => {
        concat!(
            "push {{r0, r6, r7}}\n",
            "ldr r3, [r0, #{p0}]\n",
            "mov lr, r0\n",
            "0:\n",
            "ldr r7, [lr, #{ins}]\n",
            "ldr r6, [lr, #{acc}]\n",
            "ldr r12, [lr, #{xbuf}]\n",
            "add r4, r3, r7\n",
            "add r5, r4, r7\n",
            "ldm r6!, {{r0, r1, r2}}\n",
            "str r6, [lr, #{acc}]\n",
            "ldr lr, [lr, #{n}]\n",
            group_loop!(rows3!()),
            "ldr lr, [sp]\n",
            $end,
            "ldr r10, [lr, #{end}]\n",
            "cmp r3, r10\n",
            "bne 0b\n",
            "movs r0, #0\n",
            "b 9f\n",
            "8:\n",
            "str r3, [lr, #{p0}]\n",
            "add r10, lr, #{saved}\n",
            "stm r10, {{r0, r1, r2}}\n",
            "movs r0, #1\n",
            "9:\n",
            "pop {{r1, r6, r7}}\n",
        )
    };
}

// `$end` of `block_loop` for requantizing: loads the output pointers and
// constants (`ctx.mult` … `ctx.max`), requantizes the three accumulators
// (or stops at `8:`), and advances the pointers.
#[rustfmt::skip]
macro_rules! end_requant {
    ($($max:ident)?) => {
        concat!(
            "ldr r10, [lr, #{skip}]\n",
            "add r3, r5, r10\n",
            "ldm lr, {{r4, r5, r6, r7, r8, r9}}\n",
            req!("r0" $(, $max)?),
            "strb r12, [r6], #1\n",
            req!("r1" $(, $max)?),
            "strb r12, [r6], #1\n",
            req!("r2" $(, $max)?),
            "strb r12, [r6], #1\n",
            "stm lr, {{r4, r5, r6}}\n",
        )
    };
}

// `$end` of `block_loop` for a chunk of a layer with more inputs than
// `CHUNK`: stores the accumulators back to `ctx.acc` and advances it.
#[rustfmt::skip]
macro_rules! end_store {
    () => {
        concat!(
            "ldr r6, [lr, #{acc}]\n",
            "stmdb r6, {{r0, r1, r2}}\n",
            "ldr r10, [lr, #{skip}]\n",
            "add r3, r5, r10\n",
        )
    };
}

/// What the block loops read and update (offsets are part of the asm).
#[repr(C)]
struct Blocks {
    mult: *const i32,
    shift: *const i8,
    y: *mut i8,
    zp: i32,
    min: i32,
    max: i32,
    /// The folded bias (requantizing), or the accumulators (chunks), of the current block.
    acc: *mut i32,
    xbuf: *const u32,
    /// Row stride in bytes; `ins % 8 == 0` and the chunk covers the whole row when requantizing.
    ins: usize,
    /// 8-input groups in the chunk (≥ 1).
    n: usize,
    /// `ins − 8n`: from the end of a block's last row chunk to the next block.
    skip: usize,
    /// Row pointer of the block after the last one.
    end: *const i8,
    /// The accumulators of the block the loop stopped at.
    saved: [i32; 3],
    /// Row-0 pointer of the first block; after a stop, of the block after
    /// the one the loop stopped at.
    p0: *const i8,
}

/// Runs the blocks of three rows from `ctx.p0` to `ctx.end`, requantizing
/// each into `ctx.y` (clamping to `ctx.max` too if `MAX`). Returns false
/// if it stopped at a block whose outputs it cannot requantize on the
/// short path: then `ctx.p0` is that block's first row, `ctx.saved` its
/// accumulators, and its outputs must be recomputed.
///
/// # Safety
/// `ctx` describes `(end − p0) / (3·ins)` whole blocks of readable, 4-byte
/// aligned rows of `ins = 8n` bytes (`end − p0` a positive multiple of
/// `3·ins`), with as many folded biases at `acc`, multipliers, shifts and
/// writable outputs at `mult`, `shift`, `y` (3 per block); `xbuf` is an
/// [`XBuf`] filled with `n ≥ 1` groups; `min ≤ max` in `[−128, 127]`,
/// `|zp| ≤ 2^16`.
#[inline(never)]
unsafe fn blocks_requant<const MAX: bool>(ctx: &mut Blocks) -> bool {
    let ctx: *mut Blocks = ctx;
    let status: u32;
    // SAFETY: the asm reads the rows, biases, multipliers and shifts and
    // writes the outputs and `ctx` within the bounds the caller vouches
    // for; r6/r7 (and the context pointer) are pushed and popped, so the
    // stack pointer is restored; every other register it writes is an
    // output or clobber.
    unsafe {
        if MAX {
            asm!(
                ARCH_DSP!(),
                block_loop!(end_requant!(max)),
                p0 = const core::mem::offset_of!(Blocks, p0),
                ins = const core::mem::offset_of!(Blocks, ins),
                acc = const core::mem::offset_of!(Blocks, acc),
                xbuf = const core::mem::offset_of!(Blocks, xbuf),
                n = const core::mem::offset_of!(Blocks, n),
                end = const core::mem::offset_of!(Blocks, end),
                saved = const core::mem::offset_of!(Blocks, saved),
                skip = const core::mem::offset_of!(Blocks, skip),
                inout("r0") ctx => status,
                out("r1") _, out("r2") _, out("r3") _, out("r4") _, out("r5") _, out("r8") _,
                out("r9") _, out("r10") _, out("r11") _, out("r12") _, out("lr") _,
            )
        } else {
            asm!(
                ARCH_DSP!(),
                block_loop!(end_requant!()),
                p0 = const core::mem::offset_of!(Blocks, p0),
                ins = const core::mem::offset_of!(Blocks, ins),
                acc = const core::mem::offset_of!(Blocks, acc),
                xbuf = const core::mem::offset_of!(Blocks, xbuf),
                n = const core::mem::offset_of!(Blocks, n),
                end = const core::mem::offset_of!(Blocks, end),
                saved = const core::mem::offset_of!(Blocks, saved),
                skip = const core::mem::offset_of!(Blocks, skip),
                inout("r0") ctx => status,
                out("r1") _, out("r2") _, out("r3") _, out("r4") _, out("r5") _, out("r8") _,
                out("r9") _, out("r10") _, out("r11") _, out("r12") _, out("lr") _,
            )
        }
    }
    status == 0
}

/// Runs the blocks of three rows from `ctx.p0` to `ctx.end` over one chunk
/// of inputs, adding to the accumulators at `ctx.acc` (3 per block).
///
/// # Safety
/// As [`blocks_requant`], except that the rows are `ins` bytes apart with
/// `8n ≤` the bytes readable from each row pointer (`ins % 4 == 0`), and
/// `acc` holds `3·blocks` readable and writable accumulators; the output
/// fields are not used.
#[inline(never)]
unsafe fn blocks_accumulate(ctx: &mut Blocks) {
    let ctx: *mut Blocks = ctx;
    // SAFETY: as in `blocks_requant`; the store path never branches to the
    // stop at `8:`.
    unsafe {
        asm!(
            ARCH_DSP!(),
            block_loop!(end_store!()),
            p0 = const core::mem::offset_of!(Blocks, p0),
            ins = const core::mem::offset_of!(Blocks, ins),
            acc = const core::mem::offset_of!(Blocks, acc),
            xbuf = const core::mem::offset_of!(Blocks, xbuf),
            n = const core::mem::offset_of!(Blocks, n),
            end = const core::mem::offset_of!(Blocks, end),
            saved = const core::mem::offset_of!(Blocks, saved),
            skip = const core::mem::offset_of!(Blocks, skip),
            inout("r0") ctx => _,
            out("r1") _, out("r2") _, out("r3") _, out("r4") _, out("r5") _, out("r8") _,
            out("r9") _, out("r10") _, out("r11") _, out("r12") _, out("lr") _,
        )
    }
}

/// Adds to `acc` the products of the `n` 8-input groups of `buf` with the
/// rows at `p[0..3]`.
///
/// # Safety
/// Each `p[r]` is 4-byte aligned and points to `8·n` readable bytes;
/// `buf` was filled with `n ≥ 1` groups by [`XBuf::fill`].
#[inline(always)]
unsafe fn mac3(acc: &mut [i32; 3], p: [*const i8; 3], buf: &XBuf, n: usize) {
    // SAFETY (for the asm): it reads `8·n` bytes from each row pointer and
    // `4n + 4` words from `buf` (the last group being the sentinel, which
    // ends the loop), as the caller guarantees; `LDRD` needs the 4-byte
    // alignment the caller guarantees, `LDM` the alignment of `[u32]`.
    // r6 and r7 (not available as operands) are pushed and popped, so the
    // stack pointer is restored; everything else it touches is an operand.
    unsafe {
        asm!(
            ARCH_DSP!(),
            "push {{r6, r7}}",
            group_loop!(concat!(row!("r3", "r0", "r6", "r7"), row!("r4", "r1", "r6", "r7"), row!("r5", "r2", "r6", "r7"))),
            "pop {{r6, r7}}",
            inout("r0") acc[0],
            inout("r1") acc[1],
            inout("r2") acc[2],
            inout("r3") p[0] => _,
            inout("r4") p[1] => _,
            inout("r5") p[2] => _,
            inout("r12") buf.as_ptr() => _,
            inout("lr") n => _,
            out("r8") _,
            out("r9") _,
            out("r10") _,
            out("r11") _,
        )
    }
}

/// [`mac3`] for two rows.
///
/// # Safety
/// As [`mac3`].
#[inline(always)]
unsafe fn mac2(acc: &mut [i32; 2], p: [*const i8; 2], buf: &XBuf, n: usize) {
    // SAFETY: as in `mac3`; no register needs saving.
    unsafe {
        asm!(
            ARCH_DSP!(),
            group_loop!(concat!(row!("r3", "r0", "r2", "r5"), row!("r4", "r1", "r2", "r5"))),
            inout("r0") acc[0],
            inout("r1") acc[1],
            inout("r3") p[0] => _,
            inout("r4") p[1] => _,
            inout("r12") buf.as_ptr() => _,
            inout("lr") n => _,
            out("r2") _,
            out("r5") _,
            out("r8") _,
            out("r9") _,
            out("r10") _,
            out("r11") _,
            options(readonly, nostack),
        )
    }
}

/// [`mac3`] for one row.
///
/// # Safety
/// As [`mac3`].
#[inline(always)]
unsafe fn mac1(acc: &mut i32, p: *const i8, buf: &XBuf, n: usize) {
    // SAFETY: as in `mac3`; no register needs saving.
    unsafe {
        asm!(
            ARCH_DSP!(),
            group_loop!(row!("r3", "r0", "r2", "r5")),
            inout("r0") *acc,
            inout("r3") p => _,
            inout("r12") buf.as_ptr() => _,
            inout("lr") n => _,
            out("r2") _,
            out("r5") _,
            out("r8") _,
            out("r9") _,
            out("r10") _,
            out("r11") _,
            options(readonly, nostack),
        )
    }
}

/// Adds the products of the `n` groups in `buf` to the accumulators of
/// `acc.len()` rows whose first weights (of this chunk) are `w[0]`,
/// `w[stride]`, …; three rows at a time, then two or one.
#[inline(always)]
fn mac_rows(acc: &mut [i32], w: &[i8], stride: usize, buf: &XBuf, n: usize) {
    let rows = acc.len();
    // What the asm needs; true for every call (see `layer`), and checked
    // here without a panic path: the rows are left alone otherwise.
    if n == 0
        || rows == 0
        || !stride.is_multiple_of(4)
        || !(w.as_ptr() as usize).is_multiple_of(4)
        || w.len() < (rows - 1) * stride + 8 * n
    {
        return;
    }
    let base = w.as_ptr();
    // SAFETY: row r reads `w[r·stride .. r·stride + 8n]`, inside `w` by the
    // check above, and starts 4-byte aligned (aligned base, stride % 4 == 0).
    let row = |r: usize| unsafe { base.add(r * stride) };
    let mut r = 0;
    let mut blocks = acc.chunks_exact_mut(3);
    for a in &mut blocks {
        let Ok(a) = <&mut [i32; 3]>::try_from(a) else { continue };
        // SAFETY: see `row`; `buf` holds `n` groups.
        unsafe { mac3(a, [row(r), row(r + 1), row(r + 2)], buf, n) };
        r += 3;
    }
    match blocks.into_remainder() {
        [a0, a1] => {
            let mut a = [*a0, *a1];
            // SAFETY: as above.
            unsafe { mac2(&mut a, [row(r), row(r + 1)], buf, n) };
            (*a0, *a1) = (a[0], a[1]);
        }
        [a0] => {
            // SAFETY: as above.
            unsafe { mac1(a0, row(r), buf, n) };
        }
        _ => {}
    }
}

/// The kernel's stack buffers.
struct Scratch {
    buf: XBuf,
    acc: MaybeUninit<[i32; BLOCK_ROWS]>,
}

/// `s[i..]`, empty if `i > s.len()` (which the callers' invariants rule
/// out): a sub-slice with no panic path.
#[inline(always)]
fn from<T>(s: &[T], i: usize) -> &[T] {
    s.get(i..).unwrap_or_default()
}

/// [`from`] for a mutable slice.
#[inline(always)]
fn from_mut<T>(s: &mut [T], i: usize) -> &mut [T] {
    s.get_mut(i..).unwrap_or_default()
}

/// The DSP path of [`super::dense_forward`], on slices of the exact
/// lengths (`x.len() = ins`, `w.len() = ins · outs`, `outs` for `bias`,
/// `y` and `rq`'s slices; see `super::kernel`). The lengths are checked
/// once here, without a panic path (anything else takes the portable
/// kernel, which has none either); the pointer arithmetic of `fused` and
/// `layer` relies on them.
#[inline(never)]
pub(super) fn dense_forward(w: &[i8], bias: &[i32], x: &[i8], y: &mut [i8], rq: &Requant) {
    let (ins, outs) = (x.len(), y.len());
    let (mult, shift) = (rq.multiplier, rq.shift);
    let body = ins & !7;
    if body == 0
        || !ins.is_multiple_of(4)
        || !(w.as_ptr() as usize).is_multiple_of(4)
        || ins.checked_mul(outs) != Some(w.len())
        || bias.len() != outs
        || mult.len() != outs
        || shift.len() != outs
    {
        return super::portable(w, bias, x, y, rq);
    }
    // The kernel's stack: one widened chunk, and the accumulators of a
    // block of rows for layers of more than one chunk.
    let mut s = Scratch { buf: XBuf::new(), acc: MaybeUninit::uninit() };
    match Clamp::new(rq) {
        Some(c) if ins.is_multiple_of(8) => fused(w, bias, x, y, mult, shift, ins, &c, &mut s),
        Some(c) => layer(w, bias, x, y, mult, shift, ins, &mut s, |acc, m, s| requant_fast(&c, acc, m, s)),
        None => layer(w, bias, x, y, mult, shift, ins, &mut s, |acc, m, s| {
            super::requantize(acc, m, s as i32, rq.output_zero_point, rq.min, rq.max)
        }),
    }
}

/// Requantizes the three rows of block `k` (outputs `3k..3k + 3` of `y`,
/// `mult`, `shift`) from the accumulators the block loop saved.
#[inline(always)]
fn finish_block(c: &Clamp, saved: [i32; 3], y: &mut [i8], mult: &[i32], shift: &[i8], k: usize) {
    let outs = from_mut(y, 3 * k).iter_mut().zip(from(mult, 3 * k)).zip(from(shift, 3 * k));
    for (((y, &m), &s), a) in outs.zip(saved) {
        *y = requant_fast(c, a, m, s);
    }
}

/// The usual case, `ins % 8 == 0` with a plain clamp: the blocks of three
/// rows run in [`blocks_requant`] (one chunk) or [`blocks_accumulate`]
/// (several), the last one or two rows in [`mac2`]/[`mac1`]. The slices
/// have the lengths [`dense_forward`] checked; the pointers for the asm
/// are formed with `wrapping_add` from them (no index to check) and are
/// in bounds by those lengths.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn fused(
    w: &[i8],
    bias: &[i32],
    x: &[i8],
    y: &mut [i8],
    mult: &[i32],
    shift: &[i8],
    ins: usize,
    c: &Clamp,
    scratch: &mut Scratch,
) {
    let outs = bias.len();
    let blocks = outs / 3;
    let full = 3 * blocks;
    let (zp, min, max) = (c.zp, c.lo + c.zp, c.hi + c.zp);
    let buf = &mut scratch.buf;
    let mut ctx = Blocks {
        mult: mult.as_ptr(),
        shift: shift.as_ptr(),
        y: y.as_mut_ptr(),
        zp,
        min,
        max,
        acc: core::ptr::null_mut(),
        xbuf: buf.as_ptr(),
        ins,
        n: 0,
        skip: 0,
        end: core::ptr::null(),
        saved: [0; 3],
        p0: core::ptr::null(),
    };
    if ins <= CHUNK {
        let n = buf.fill(x);
        ctx.xbuf = buf.as_ptr();
        ctx.n = n;
        ctx.end = w.as_ptr().wrapping_add(full * ins);
        let mut b = 0;
        while b < blocks {
            ctx.mult = mult.as_ptr().wrapping_add(3 * b);
            ctx.shift = shift.as_ptr().wrapping_add(3 * b);
            ctx.y = y.as_mut_ptr().wrapping_add(3 * b);
            ctx.acc = bias.as_ptr().wrapping_add(3 * b) as *mut i32;
            ctx.p0 = w.as_ptr().wrapping_add(3 * b * ins);
            // SAFETY: blocks `b..blocks` of `w`, `bias`, `mult`, `shift` and
            // `y` are in bounds (`full ≤ outs`, `w.len() = ins·outs`, checked
            // by `dense_forward`), rows are `ins = 8n` bytes and 4-byte
            // aligned, `buf` holds `n ≥ 1` groups, and `Clamp` guarantees
            // the clamp's ranges.
            let done = unsafe {
                if max < 127 { blocks_requant::<true>(&mut ctx) } else { blocks_requant::<false>(&mut ctx) }
            };
            if done {
                break;
            }
            // Stopped at block `k`: requantize it here (a shift outside
            // [−31, −1] or an accumulator of 2^30 or more), go on after it.
            let k = (ctx.p0 as usize).wrapping_sub(w.as_ptr() as usize).checked_div(3 * ins).unwrap_or(1) - 1;
            finish_block(c, ctx.saved, y, mult, shift, k);
            b = k + 1;
        }
        let (w, b, y, m, s) =
            (from(w, full * ins), from(bias, full), from_mut(y, full), from(mult, full), from(shift, full));
        match (b, y, m, s) {
            ([b0, b1], [y0, y1], [m0, m1], [s0, s1]) => {
                let mut a = [*b0, *b1];
                // SAFETY: two rows of `ins = 8n` aligned bytes (`w` holds
                // `2·ins` from `full·ins` on); `buf` holds `n` groups.
                unsafe { mac2(&mut a, [w.as_ptr(), w.as_ptr().wrapping_add(ins)], buf, n) };
                *y0 = requant_fast(c, a[0], *m0, *s0);
                *y1 = requant_fast(c, a[1], *m1, *s1);
            }
            ([b0], [y0], [m0], [s0]) => {
                let mut a = *b0;
                // SAFETY: as above, one row.
                unsafe { mac1(&mut a, w.as_ptr(), buf, n) };
                *y0 = requant_fast(c, a, *m0, *s0);
            }
            _ => {}
        }
        return;
    }
    // More inputs than one chunk: the accumulators of up to `BLOCK_ROWS`
    // rows stay in `acc` while the chunks go by; the last chunk's block
    // loop requantizes them.
    let acc = scratch.acc.write([0; BLOCK_ROWS]);
    let mut o = 0;
    while o < outs {
        let rows = BLOCK_ROWS.min(outs - o);
        let acc = acc.get_mut(..rows).unwrap_or_default();
        for (a, &b) in acc.iter_mut().zip(from(bias, o)) {
            *a = b;
        }
        // Rows `o..o + rows` of `w` start here.
        let block = w.as_ptr().wrapping_add(o * ins);
        let nb = rows / 3;
        let mut col = 0;
        while col < ins {
            let len = CHUNK.min(ins - col);
            let last = col + len == ins;
            let n = buf.fill(from(x, col));
            let mut b = 0;
            while b < nb {
                ctx.acc = acc.as_mut_ptr().wrapping_add(3 * b);
                ctx.xbuf = buf.as_ptr();
                ctx.n = n;
                ctx.skip = ins - 8 * n;
                ctx.p0 = block.wrapping_add(3 * b * ins + col);
                // One past the last block: compared with, never read.
                ctx.end = block.wrapping_add(3 * nb * ins + col);
                ctx.mult = mult.as_ptr().wrapping_add(o + 3 * b);
                ctx.shift = shift.as_ptr().wrapping_add(o + 3 * b);
                ctx.y = y.as_mut_ptr().wrapping_add(o + 3 * b);
                // SAFETY: blocks `b..nb` of rows `ins` apart, each row read
                // for `8n = len ≤ ins − col` bytes from offset `col` (4-byte
                // aligned), inside `w` (`(o + rows)·ins ≤ w.len()`, checked
                // by `dense_forward`); `acc`, `mult`, `shift`, `y` hold 3
                // values per block from `3b` on; `buf` holds `n ≥ 1` groups;
                // `Clamp` guarantees the clamp's ranges.
                if !last {
                    unsafe { blocks_accumulate(&mut ctx) };
                    break;
                }
                let done = unsafe {
                    if max < 127 {
                        blocks_requant::<true>(&mut ctx)
                    } else {
                        blocks_requant::<false>(&mut ctx)
                    }
                };
                if done {
                    break;
                }
                let k = (ctx.p0 as usize)
                    .wrapping_sub(block.wrapping_add(col) as usize)
                    .checked_div(3 * ins)
                    .unwrap_or(1)
                    - 1;
                finish_block(c, ctx.saved, from_mut(y, o), from(mult, o), from(shift, o), k);
                b = k + 1;
            }
            let tail = block.wrapping_add(3 * nb * ins + col);
            match from_mut(acc, 3 * nb) {
                [a0, a1] => {
                    let mut a = [*a0, *a1];
                    // SAFETY: two rows `ins` apart, `8n` aligned bytes each
                    // from `col`, inside `w` as above.
                    unsafe { mac2(&mut a, [tail, tail.wrapping_add(ins)], buf, n) };
                    (*a0, *a1) = (a[0], a[1]);
                }
                [a0] => {
                    // SAFETY: as above, one row.
                    unsafe { mac1(a0, tail, buf, n) };
                }
                _ => {}
            }
            col += len;
        }
        let outs =
            from_mut(y, o + 3 * nb).iter_mut().zip(from(mult, o + 3 * nb)).zip(from(shift, o + 3 * nb));
        for (((y, &m), &s), &a) in outs.zip(from(acc, 3 * nb)) {
            *y = requant_fast(c, a, m, s);
        }
        o += rows;
    }
}

/// The kernel for one requantizer: `ins % 4 == 0`, `ins ≥ 8`, `w` aligned,
/// all slices of the exact lengths (checked by [`dense_forward`]).
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn layer(
    w: &[i8],
    bias: &[i32],
    x: &[i8],
    y: &mut [i8],
    mult: &[i32],
    shift: &[i8],
    ins: usize,
    scratch: &mut Scratch,
    rq: impl Fn(i32, i32, i8) -> i8,
) {
    let body = ins & !7;
    let xt = x.chunks_exact(8).remainder();
    let tail = |a: i32, row: &[i8]| super::tail_dot(a, row.chunks_exact(8).remainder(), xt);
    let buf = &mut scratch.buf;
    if ins == 0 {
        return;
    }
    if body <= CHUNK {
        // One chunk: widen once, then every block of three rows straight
        // from the bias to the outputs.
        let n = buf.fill(x);
        let mut rows = w.chunks_exact(ins);
        let (mut yc, mut bc) = (y.chunks_exact_mut(3), bias.chunks_exact(3));
        let (mut mc, mut sc) = (mult.chunks_exact(3), shift.chunks_exact(3));
        for (((y, b), m), s) in (&mut yc).zip(&mut bc).zip(&mut mc).zip(&mut sc) {
            let (Some(r0), Some(r1), Some(r2)) = (rows.next(), rows.next(), rows.next()) else { return };
            let mut a = [b[0], b[1], b[2]];
            // SAFETY: each row is `ins ≥ 8n` bytes, 4-byte aligned (aligned
            // `w`, `ins % 4 == 0`); `buf` holds `n ≥ 1` groups.
            unsafe { mac3(&mut a, [r0.as_ptr(), r1.as_ptr(), r2.as_ptr()], buf, n) };
            if body != ins {
                a = [tail(a[0], r0), tail(a[1], r1), tail(a[2], r2)];
            }
            y[0] = rq(a[0], m[0], s[0]);
            y[1] = rq(a[1], m[1], s[1]);
            y[2] = rq(a[2], m[2], s[2]);
        }
        match (bc.remainder(), yc.into_remainder(), mc.remainder(), sc.remainder()) {
            ([b0, b1], [y0, y1], [m0, m1], [s0, s1]) => {
                let (Some(r0), Some(r1)) = (rows.next(), rows.next()) else { return };
                let mut a = [*b0, *b1];
                // SAFETY: as above.
                unsafe { mac2(&mut a, [r0.as_ptr(), r1.as_ptr()], buf, n) };
                *y0 = rq(tail(a[0], r0), *m0, *s0);
                *y1 = rq(tail(a[1], r1), *m1, *s1);
            }
            ([b0], [y0], [m0], [s0]) => {
                let Some(r0) = rows.next() else { return };
                let mut a = *b0;
                // SAFETY: as above.
                unsafe { mac1(&mut a, r0.as_ptr(), buf, n) };
                *y0 = rq(tail(a, r0), *m0, *s0);
            }
            _ => {}
        }
        return;
    }
    // Several chunks: the accumulators of up to `BLOCK_ROWS` rows live in
    // `acc` while the chunks go by.
    let acc = scratch.acc.write([0; BLOCK_ROWS]);
    let Some(block) = core::num::NonZeroUsize::new(BLOCK_ROWS * ins) else { return };
    let blocks = w
        .chunks(block.get())
        .zip(bias.chunks(BLOCK_ROWS))
        .zip(y.chunks_mut(BLOCK_ROWS))
        .zip(mult.chunks(BLOCK_ROWS).zip(shift.chunks(BLOCK_ROWS)));
    for (((w, b), y), (m, s)) in blocks {
        let acc = acc.get_mut(..b.len()).unwrap_or_default();
        for (a, &b) in acc.iter_mut().zip(b) {
            *a = b;
        }
        for c in (0..body).step_by(CHUNK) {
            // `fill` takes `min(CHUNK, ins − c) & !7 = min(CHUNK, body − c)` inputs.
            let n = buf.fill(from(x, c));
            mac_rows(acc, from(w, c), ins, buf, n);
        }
        for ((((a, row), y), &m), &s) in acc.iter().zip(w.chunks_exact(ins)).zip(y).zip(m).zip(s) {
            *y = rq(tail(*a, row), m, s);
        }
    }
}
