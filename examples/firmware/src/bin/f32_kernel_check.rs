//! The f32 dense forward kernel against its definition on the device: runs
//! `constnet::math::dense_forward` (on the Cortex-M4F the `vldmia`/`vmla.f32`
//! assembly of `math/arm_f32.rs`, elsewhere the portable loops) and
//! `dense_forward_inline` (the plain-Rust order, compiled for this core)
//! against a reference written here from the documented order, with every
//! product rounded on its own (`black_box`, so no multiply-accumulate can
//! be formed), on many pseudo-random shapes — every `IN` in 0..=80 with
//! `OUT` 1..=4 and 1–3 samples, then `IN` up to 700 — and values with
//! signed zeros, denormals, huge products that overflow, infinities and
//! NaNs. Outputs are compared by bits (any NaN equals any NaN: payloads
//! aside). Also checks that `vmla.f32` rounds the product (a case where a
//! fused multiply-add gives 2^-24 and the chained one 0) and that `-0.0`
//! survives. Exits 0 only if everything agrees.
#![no_std]
#![no_main]

use constnet::math;
use constnet_firmware::{exit, host};
use core::fmt::Write;
use core::hint::black_box;

struct Rng(u32);
impl Rng {
    fn next(&mut self) -> u32 {
        let mut s = self.0;
        s ^= s << 13;
        s ^= s >> 17;
        s ^= s << 5;
        self.0 = s;
        s
    }
    fn below(&mut self, n: u32) -> u32 {
        self.next() % n
    }
    /// A value with a share of awkward ones; `special` allows inf and NaN.
    fn value(&mut self, special: bool) -> f32 {
        let u = self.next();
        let sign = if u & (1 << 31) != 0 { -1.0 } else { 1.0 };
        match u % 32 {
            0 => 0.0,
            1 => -0.0,
            2 => sign * f32::from_bits(1 + (u >> 9) % 0x7f_ffff), // denormal
            3 => sign * 1e-30 * (u % 7) as f32,
            4 => sign * 3e6,
            5 => sign * 1.5e19, // products overflow to ±inf
            6 => (u % 9) as f32 - 4.0,
            7 => sign * f32::MIN_POSITIVE,
            8 if special => sign * f32::INFINITY,
            9 if special => f32::from_bits(0x7fc0_0000 | (u & 0x803f_ffff)), // NaN
            _ => ((u >> 8) as f32 / (1u32 << 24) as f32) * 4.0 - 2.0,
        }
    }
}

/// `acc + a·b` with the product rounded on its own, then the sum.
#[inline(always)]
fn mac(a: f32, b: f32, acc: f32) -> f32 {
    acc + black_box(a * b)
}

/// The documented order of `math::dot`, from `math`'s module docs: left to
/// right below 16 products; otherwise product `i` goes to lane `i % 16`
/// (the first one per lane assigned, later ones added), then the lanes are
/// folded in halves.
fn ref_dot(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len();
    if n < 16 {
        if n == 0 {
            return 0.0;
        }
        return (1..n).fold(black_box(a[0] * b[0]), |s, i| mac(a[i], b[i], s));
    }
    let mut l = [0.0f32; 16];
    for i in 0..n {
        if i < 16 { l[i] = black_box(a[i] * b[i]) } else { l[i % 16] = mac(a[i], b[i], l[i % 16]) }
    }
    let mut w = 16;
    while w > 1 {
        w /= 2;
        for k in 0..w {
            l[k] = black_box(l[k] + l[k + w]);
        }
    }
    l[0]
}

fn same(a: f32, b: f32) -> bool {
    a.to_bits() == b.to_bits() || a.is_nan() && b.is_nan()
}

const MAX_W: usize = 16 * 1024;
const MAX_X: usize = 3 * 704;
const MAX_OUT: usize = 128;
const MAX_Y: usize = 3 * MAX_OUT;

struct Bufs {
    w: [f32; MAX_W],
    b: [f32; MAX_OUT],
    x: [f32; MAX_X],
    y: [f32; MAX_Y],
    y_inline: [f32; MAX_Y],
}

/// Runs one case; returns the number of outputs that disagree.
fn case(rng: &mut Rng, t: &mut Bufs, ins: usize, outs: usize, rows: usize, special: bool) -> usize {
    let (w, b, x) = (&mut t.w[..ins * outs], &mut t.b[..outs], &mut t.x[..ins * rows]);
    w.iter_mut().chain(b.iter_mut()).chain(x.iter_mut()).for_each(|v| *v = rng.value(special));
    let (y, yi) = (&mut t.y[..outs * rows], &mut t.y_inline[..outs * rows]);
    y.fill(f32::from_bits(0x7fa5_a5a5));
    yi.fill(f32::from_bits(0x7fa5_a5a5));
    math::dense_forward(black_box(w), b, x, y, ins, outs);
    math::dense_forward_inline(black_box(w), b, x, yi, ins, outs);
    let mut bad = 0;
    for s in 0..rows {
        for o in 0..outs {
            let e = if ins == 0 { b[o] } else { b[o] + ref_dot(&w[o * ins..][..ins], &x[s * ins..][..ins]) };
            let (got, inl) = (y[s * outs + o], yi[s * outs + o]);
            if !same(got, e) || !same(inl, e) {
                if bad == 0 {
                    let _ = writeln!(
                        host(),
                        "MISMATCH {ins}x{outs}x{rows} s={s} o={o}: kernel {:08x}, inline {:08x}, reference {:08x}",
                        got.to_bits(),
                        inl.to_bits(),
                        e.to_bits()
                    );
                }
                bad += 1;
            }
        }
    }
    bad
}

#[cfg_attr(target_arch = "arm", cortex_m_rt::entry)]
#[cfg_attr(target_arch = "riscv32", unsafe(export_name = "main"))]
fn main() -> ! {
    let out = &mut host();
    let mut t =
        Bufs { w: [0.0; MAX_W], b: [0.0; MAX_OUT], x: [0.0; MAX_X], y: [0.0; MAX_Y], y_inline: [0.0; MAX_Y] };
    let mut rng = Rng(0x2545_f491);
    let (mut cases, mut outputs, mut bad) = (0usize, 0usize, 0usize);
    let mut run = |rng: &mut Rng, t: &mut Bufs, ins, outs, rows, special| {
        bad += case(rng, t, ins, outs, rows, special);
        cases += 1;
        outputs += outs * rows;
    };
    // Every length through the tails, a few shapes each.
    for ins in 0..=80 {
        for outs in 1..=4 {
            for special in [false, true] {
                let rows = 1 + rng.below(3) as usize;
                run(&mut rng, &mut t, ins, outs, rows, special);
            }
        }
    }
    // Random larger shapes.
    for k in 0..400 {
        let ins = 16 + rng.below(689) as usize;
        let outs = 1 + rng.below((MAX_W / ins).min(64) as u32) as usize;
        let rows = 1 + rng.below(3) as usize;
        run(&mut rng, &mut t, ins, outs, rows, k % 4 == 3);
    }
    // The layer shapes of the anomaly autoencoder.
    for (ins, outs) in [(640, 16), (128, 128), (128, 8), (8, 64), (128, 64)] {
        run(&mut rng, &mut t, ins, outs, 1, false);
    }

    // `vmla.f32` rounds the product: lane 0 = -(1 + 2^-11) + (1 + 2^-12)^2,
    // where the product rounds (a tie, to even) to 1 + 2^-11: 0 chained,
    // 2^-24 fused.
    let a = 1.0 + 1.0 / 4096.0;
    let mut w = [0.0f32; 17];
    let mut x = [0.0f32; 17];
    (w[0], x[0], w[16], x[16]) = (-(1.0 + 1.0 / 2048.0), 1.0, a, a);
    let mut y = [1.0f32];
    math::dense_forward(black_box(&w), &[0.0], &x, &mut y, 17, 1);
    let chained = y[0].to_bits() == 0 && ref_dot(&w, &x).to_bits() == 0;
    // Signed zeros: every product -0, bias -0: the documented order gives -0.
    let mut zeros_ok = true;
    for ins in [16, 17, 31, 32, 100] {
        let (w, x) = ([-0.0f32; 100], [0.0f32; 100]);
        let mut y = [1.0f32; 2];
        math::dense_forward(black_box(&w[..2 * ins.min(50)]), &[-0.0, -0.0], &x, &mut y, ins.min(50), 2);
        zeros_ok &= y.iter().all(|v| v.to_bits() == (-0.0f32).to_bits());
    }

    let ok = bad == 0 && chained && zeros_ok;
    let _ = writeln!(
        out,
        "f32 kernel check: {cases} cases, {outputs} outputs, {bad} mismatches; vmla chained: {chained}; -0 kept: {zeros_ok}"
    );
    let _ = writeln!(out, "{}", if ok { "PASS" } else { "FAIL" });
    exit(ok)
}
