//! One inference of the int8 MNIST CNN (as `cnn_int8` runs it) between the
//! instruction-count markers, then exit (for `scripts/footprint.sh`).
//! Cortex-M4F, `--features cnn`.
#![no_std]
#![no_main]

use constnet::Layer;
use constnet_firmware::common::{self, MnistCnnInt8};
use constnet_firmware::{bench_begin, bench_end, exit};

#[allow(long_running_const_eval)]
static CNN: MnistCnnInt8 = constnet::load_static_int8!(common::MNIST_CNN_Q8 => (
    Quantize,
    (QUnflatten, QConv2d, QRelu, QMaxPool2d, QConv2d, QRelu, QMaxPool2d, (QRelu, QFlatten, QDense, QRelu, QRelu, QDense)),
    Dequantize
));

#[cfg_attr(target_arch = "arm", cortex_m_rt::entry)]
#[cfg_attr(target_arch = "riscv32", unsafe(export_name = "main"))]
fn main() -> ! {
    let (x, label) = common::mnist_digit(0);
    let x = core::hint::black_box(x);
    bench_begin();
    let y = CNN.forward(&x);
    bench_end();
    exit(constnet::math::argmax(&y) == label)
}
