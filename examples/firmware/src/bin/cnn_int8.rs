//! The `mnist` example's CNN after post-training int8 quantization (217 kB
//! of parameters in flash; 99.10% on the 2,000 held-out digits against
//! f32's 99.15%, `examples/quantize_cnn.rs`), classifying ten held-out
//! digits from flash; the first inference (f32 pixels in, f32 scores out)
//! runs between the instruction-count markers. Cortex-M4F (SMLAD kernels),
//! `--features cnn`.
#![no_std]
#![no_main]

use constnet::Layer;
use constnet_firmware::common::{self, Line, MnistCnnInt8};
use constnet_firmware::{bench_begin, bench_end, exit, host, in_flash, paint_stack, stack_high_water};

/// The int8 CNN, checked and built by the compiler; in flash.
#[allow(long_running_const_eval)]
static CNN: MnistCnnInt8 = constnet::load_static_int8!(common::MNIST_CNN_Q8 => (
    Quantize,
    (QUnflatten, QConv2d, QRelu, QMaxPool2d, QConv2d, QRelu, QMaxPool2d, (QRelu, QFlatten, QDense, QRelu, QRelu, QDense)),
    Dequantize
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
        .str("mem: int8 MnistCnnInt8 model ")
        .dec(core::mem::size_of::<MnistCnnInt8>() as i32, 0)
        .str(" bytes in flash (")
        .dec(common::MNIST_CNN_MACS as i32, 0)
        .str(" multiply-adds)")
        .end();
    let right = common::cnn_int8_report(classify, out).unwrap_or(0);
    let flash = in_flash(&CNN);
    let _ = Line::new(out)
        .str("weights at 0x")
        .hex(&CNN as *const MnistCnnInt8 as u32, 8)
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
