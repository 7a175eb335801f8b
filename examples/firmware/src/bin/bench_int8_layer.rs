//! Instruction counts of the int8 dense kernel (run under QEMU with exec
//! logging, see `scripts/footprint.sh`): each `bench_begin()`/`bench_end()`
//! pair brackets one forward pass of layers whose weights the compiler put
//! in flash:
//!
//! 1. one `QDense<128, 128>` with a fused ReLU (16,384 multiply-adds) —
//!    the first window, which `count_insns.py` counts;
//! 2. one `QDense<640, 128>` (81,920), several input chunks;
//! 3. one `QDense<128, 640>` (81,920), 640 requantizations;
//! 4. the MLPerf Tiny anomaly-detection autoencoder's ten dense layers,
//!    640-128-128-128-128-8-128-128-128-128-640 (264,192), int8 in and out
//!    (the layers share weights to fit the Cortex-M0's flash; the kernels
//!    do not look at the values).
//!
//! Windows 2–4 are the 2nd–4th marker pairs in the log. Prints a hash of
//! the outputs (to compare cores) and the stack high-water mark.
#![no_std]
#![no_main]

use constnet::Layer;
use constnet::quant::QDense;
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

/// A layer with pseudo-random weights in [−127, 127], multipliers in
/// [2^30, 2^31) and shifts that keep the outputs in range; ReLU unless `last`.
const fn layer<const IN: usize, const OUT: usize>(seed: u32, shift: i8, last: bool) -> QDense<IN, OUT> {
    let mut s = seed;
    let mut w = [[0i8; IN]; OUT];
    let mut bias = [0i32; OUT];
    let mut mult = [0i32; OUT];
    let mut sh = [0i8; OUT];
    let mut o = 0;
    while o < OUT {
        let mut i = 0;
        while i < IN {
            s = next(s);
            w[o][i] = (((s >> 8) % 255) as i32 - 127) as i8;
            i += 1;
        }
        s = next(s);
        bias[o] = (s % 4096) as i32 - 2048;
        s = next(s);
        mult[o] = (1 << 30) + (s >> 2) as i32;
        sh[o] = shift;
        o += 1;
    }
    let (zp_in, zp_out) = (-128, -128);
    let (min, max) = if last { (-128, 127) } else { (zp_out, 127) };
    QDense::new(w, bias, mult, sh, zp_in, zp_out, min, max)
}

#[allow(long_running_const_eval)]
static L128: QDense<128, 128> = layer(1, -9, false);
#[allow(long_running_const_eval)]
static L640_128: QDense<640, 128> = layer(2, -10, false);
#[allow(long_running_const_eval)]
static L128_640: QDense<128, 640> = layer(3, -9, true);
static L128_8: QDense<128, 8> = layer(4, -9, false);
static L8_128: QDense<8, 128> = layer(5, -5, false);

fn hash(h: u32, y: &[i8]) -> u32 {
    y.iter().fold(h, |h, &v| (h ^ v as u8 as u32).wrapping_mul(0x0100_0193))
}

#[inline(never)]
fn autoencoder(x: &[i8; 640]) -> [i8; 640] {
    let h = L640_128.forward(x);
    let h = L128.forward(&L128.forward(&L128.forward(&h)));
    let z = L128_8.forward(&h);
    let h = L8_128.forward(&z);
    let h = L128.forward(&L128.forward(&L128.forward(&h)));
    L128_640.forward(&h)
}

#[cfg_attr(target_arch = "arm", cortex_m_rt::entry)]
#[cfg_attr(target_arch = "riscv32", unsafe(export_name = "main"))]
fn main() -> ! {
    paint_stack();
    let mut x = [0i8; 640];
    let mut s = 7u32;
    for v in &mut x {
        s = next(s);
        *v = (s >> 24) as i8;
    }
    let x = black_box(x);
    let x128: &[i8; 128] = black_box(x[..128].try_into().unwrap());

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
    let y4 = autoencoder(&x);
    bench_end();
    let y4 = black_box(y4);

    let out = &mut host();
    let h = hash(hash(hash(hash(0x811c_9dc5, &y1), &y2), &y3), &y4);
    let nonzero = y1.iter().chain(&y2).chain(&y3).chain(&y4).filter(|&&v| v != -128).count();
    let flash = in_flash(&L128) && in_flash(&L640_128) && in_flash(&L128_640);
    let _ = writeln!(
        out,
        "int8 layers: output hash {h:08x}, {nonzero} outputs above -128, weights in {}",
        if flash { "flash" } else { "RAM" }
    );
    let _ = writeln!(out, "stack high-water mark: {} bytes", stack_high_water().unwrap_or(usize::MAX));
    exit(flash)
}
