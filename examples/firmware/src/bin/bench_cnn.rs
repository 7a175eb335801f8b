//! One inference of the `mnist` example's CNN (as `cnn_f32` runs it) between
//! the instruction-count markers, then exit: `scripts/footprint.sh` counts
//! it (the exec log of `cnn_f32`'s ten further inferences would be a
//! gigabyte). Cortex-M4F only, `--features cnn`.
#![no_std]
#![no_main]

use constnet::{Dropout, Flatten, Layer, MaxPool2d, Relu, Unflatten};
use constnet_firmware::common::{self, MnistCnn};
use constnet_firmware::{bench_begin, bench_end, exit};

#[allow(long_running_const_eval)]
static CNN: MnistCnn = constnet::load_static!(common::MNIST_CNN_BIN => MnistCnn(
    Unflatten, Conv2d, Relu, MaxPool2d, Conv2d, Relu, MaxPool2d,
    (Dropout, Flatten, Dense, Relu, Dropout, Dense)
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
