//! Instruction counts of the f32 dense kernel (run under QEMU with exec
//! logging, as `scripts/footprint.sh` does): each `bench_begin()`/`bench_end()`
//! pair brackets one single-sample forward pass of a `Dense` layer whose
//! weights the compiler put in flash:
//!
//! 1. `Dense<128, 128>` (16,384 multiply-adds) — the first window, which
//!    `count_insns.py` counts;
//! 2. `Dense<640, 128>` (81,920);
//! 3. `Dense<128, 640>` (81,920);
//! 4. `Dense<100, 50>` (5,000; a length with a 4-product tail).
//!
//! Windows 2–4 are the 2nd–4th marker pairs (`scripts/count_windows.py`).
//! Prints a hash of the output bits (to compare builds and cores).
#![no_std]
#![no_main]

use constnet::{Dense, Layer};
use constnet_firmware::{bench_begin, bench_end, exit, host, in_flash, paint_stack, stack_high_water};
use core::fmt::Write;
use core::hint::black_box;

const fn next(s: u32) -> u32 {
    let mut s = s;
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    s
}

/// A value in about [−0.25, 0.25).
const fn value(s: u32) -> f32 {
    ((s >> 8) as i32 - (1 << 23)) as f32 / (1 << 25) as f32
}

const fn layer<const IN: usize, const OUT: usize>(seed: u32) -> Dense<IN, OUT> {
    let mut s = seed;
    let mut w = [[0.0f32; IN]; OUT];
    let mut b = [0.0f32; OUT];
    let mut o = 0;
    while o < OUT {
        let mut i = 0;
        while i < IN {
            s = next(s);
            w[o][i] = value(s);
            i += 1;
        }
        s = next(s);
        b[o] = value(s);
        o += 1;
    }
    Dense::new(w, b)
}

#[allow(long_running_const_eval)]
static L128: Dense<128, 128> = layer(1);
#[allow(long_running_const_eval)]
static L640_128: Dense<640, 128> = layer(2);
#[allow(long_running_const_eval)]
static L128_640: Dense<128, 640> = layer(3);
#[allow(long_running_const_eval)]
static L100_50: Dense<100, 50> = layer(4);

fn hash(h: u32, y: &[f32]) -> u32 {
    y.iter().fold(h, |h, v| {
        v.to_bits().to_le_bytes().iter().fold(h, |h, &b| (h ^ b as u32).wrapping_mul(0x0100_0193))
    })
}

#[cfg_attr(target_arch = "arm", cortex_m_rt::entry)]
#[cfg_attr(target_arch = "riscv32", unsafe(export_name = "main"))]
fn main() -> ! {
    paint_stack();
    let mut x = [0.0f32; 640];
    let mut s = 7u32;
    for v in &mut x {
        s = next(s);
        *v = value(s) * 4.0;
    }
    let x = black_box(x);
    let x128: &[f32; 128] = black_box(x[..128].try_into().unwrap());
    let x100: &[f32; 100] = black_box(x[..100].try_into().unwrap());

    bench_begin();
    let y1 = L128.forward(x128);
    bench_end();
    let y1 = black_box(y1);

    bench_begin();
    let y2 = L640_128.forward(&x);
    bench_end();
    let y2 = black_box(y2);

    bench_begin();
    let y3 = L128_640.forward(x128);
    bench_end();
    let y3 = black_box(y3);

    bench_begin();
    let y4 = L100_50.forward(x100);
    bench_end();
    let y4 = black_box(y4);

    let out = &mut host();
    let h = hash(hash(hash(hash(0x811c_9dc5, &y1), &y2), &y3), &y4);
    let flash = in_flash(&L128) && in_flash(&L640_128) && in_flash(&L128_640) && in_flash(&L100_50);
    let _ =
        writeln!(out, "f32 layers: output hash {h:08x}, weights in {}", if flash { "flash" } else { "RAM" });
    let _ = writeln!(out, "stack high-water mark: {} bytes", stack_high_water().unwrap_or(usize::MAX));
    exit(flash)
}
