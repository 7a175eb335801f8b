//! im2col + dense kernel (constnet's `Conv2d`) against a direct loop
//! (`direct_conv.rs`) on the Cortex-M4F: the MNIST CNN's two convolutions,
//! one image each, four instruction-count windows (im2col conv 1, direct
//! conv 1, im2col conv 2, direct conv 2). Seeded weights. `--features cnn`.
#![no_std]
#![no_main]

use constnet::{Layer, layers};
use constnet_firmware::{bench_begin, bench_end, exit};

#[path = "../direct_conv.rs"]
mod direct_conv;
use direct_conv::{Shape, conv2d_direct};

type Conv1 = layers![input [28, 28, 1] => Conv2d(16, 5, padding = 2)];
type Conv2 = layers![input [14, 14, 16] => Conv2d(32, 5, padding = 2)];

/// A value in [-1, 1) from a counter.
fn v(i: usize) -> f32 {
    ((i.wrapping_mul(2_654_435_761) >> 8) & 0xffff) as f32 / 32768.0 - 1.0
}

#[cfg_attr(target_arch = "arm", cortex_m_rt::entry)]
#[cfg_attr(target_arch = "riscv32", unsafe(export_name = "main"))]
fn main() -> ! {
    // The layers and the inputs on the stack, filled at run time.
    let (c1, c2) = (&mut Conv1::zeros(), &mut Conv2::zeros());
    let fill =
        |t: &mut [f32], seed: usize| t.iter_mut().enumerate().for_each(|(i, w)| *w = 0.1 * v(i + seed));
    fill(c1.weight_mut().as_flattened_mut().as_flattened_mut().as_flattened_mut(), 1);
    fill(c2.weight_mut().as_flattened_mut().as_flattened_mut().as_flattened_mut(), 2);
    let x1: [[[f32; 1]; 28]; 28] = core::array::from_fn(|y| core::array::from_fn(|x| [v(y * 28 + x)]));
    let x2: [[[f32; 16]; 14]; 14] = core::array::from_fn(|y| {
        core::array::from_fn(|x| core::array::from_fn(|c| v((y * 14 + x) * 16 + c)))
    });
    let mut d1 = [0.0f32; 28 * 28 * 16];
    let mut d2 = [0.0f32; 14 * 14 * 32];

    bench_begin();
    let y1 = c1.forward(core::hint::black_box(&x1));
    bench_end();
    bench_begin();
    conv2d_direct(
        Shape { h: 28, w: 28, ci: 1, co: 16, k: 5, s: 1, p: 2 },
        c1.weight().as_flattened().as_flattened().as_flattened(),
        c1.bias(),
        core::hint::black_box(&x1).as_flattened().as_flattened(),
        &mut d1,
    );
    bench_end();
    bench_begin();
    let y2 = c2.forward(core::hint::black_box(&x2));
    bench_end();
    bench_begin();
    conv2d_direct(
        Shape { h: 14, w: 14, ci: 16, co: 32, k: 5, s: 1, p: 2 },
        c2.weight().as_flattened().as_flattened().as_flattened(),
        c2.bias(),
        core::hint::black_box(&x2).as_flattened().as_flattened(),
        &mut d2,
    );
    bench_end();
    // The two agree to rounding (they sum in different orders).
    let close = |a: &[f32], b: &[f32]| a.iter().zip(b).all(|(a, b)| (a - b).abs() <= 1e-4 * (1.0 + a.abs()));
    exit(close(y1.as_flattened().as_flattened(), &d1) && close(y2.as_flattened().as_flattened(), &d2))
}
