//! The `mnist` example's CNN (f32, 215,370 parameters, 861 kB in flash),
//! trained on the desktop, classifying ten held-out digits from flash. The
//! first inference runs between the instruction-count markers. Cortex-M4F
//! only (mps2-an386 has 4 MB of flash): built with `--features cnn`.
#![no_std]
#![no_main]

use constnet::{Dropout, Flatten, Layer, MaxPool2d, Relu, Unflatten};
use constnet_firmware::common::{self, Line, MnistCnn};
use constnet_firmware::{bench_begin, bench_end, exit, host, in_flash, paint_stack, stack_high_water};

/// The trained CNN, checked and built by the compiler; in flash.
#[allow(long_running_const_eval)]
static CNN: MnistCnn = constnet::load_static!(common::MNIST_CNN_BIN => MnistCnn(
    Unflatten, Conv2d, Relu, MaxPool2d, Conv2d, Relu, MaxPool2d,
    (Dropout, Flatten, Dense, Relu, Dropout, Dense)
));

#[inline(never)]
fn classify(x: &[f32; 784]) -> [f32; 10] {
    CNN.forward(x)
}

#[cfg_attr(target_arch = "arm", cortex_m_rt::entry)]
#[cfg_attr(target_arch = "riscv32", unsafe(export_name = "main"))]
fn main() -> ! {
    paint_stack();
    let (x, _) = common::mnist_digit(0);
    let x = core::hint::black_box(x);
    bench_begin();
    let first = classify(&x);
    bench_end();
    let inference_stack = stack_high_water().map_or(-1, |b| b as i32);
    core::hint::black_box(first);
    let out = &mut host();
    let _ = Line::new(out)
        .str("mem: f32 MnistCnn model ")
        .dec(core::mem::size_of::<MnistCnn>() as i32, 0)
        .str(" bytes in flash (")
        .dec(<MnistCnn as constnet::Params>::PARAMS as i32, 0)
        .str(" params, ")
        .dec(common::MNIST_CNN_MACS as i32, 0)
        .str(" multiply-adds)")
        .end();
    let right = common::cnn_report(classify, out).unwrap_or(0);
    let flash = in_flash(&CNN);
    let _ = Line::new(out)
        .str("weights at 0x")
        .hex(&CNN as *const MnistCnn as u32, 8)
        .str(if flash { ": flash" } else { ": RAM" })
        .end();
    let _ = Line::new(out)
        .str("stack high-water mark after the inference: ")
        .dec(inference_stack, 0)
        .str(" bytes")
        .end();
    let stack = stack_high_water().map_or(-1, |b| b as i32);
    let _ = Line::new(out).str("stack high-water mark: ").dec(stack, 0).str(" bytes").end();
    let ok = flash && right >= 9;
    let _ = Line::new(out).str(if ok { "PASS" } else { "FAIL" }).end();
    exit(ok)
}
