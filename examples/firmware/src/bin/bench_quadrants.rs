//! Instruction count of one inference of the desktop-trained 2-16-16-2 tanh
//! quadrants model, read from flash.
#![no_std]
#![no_main]

use constnet::Layer;
use constnet_firmware::common::QUADRANTS;
use constnet_firmware::{bench_begin, bench_end, exit};

#[cfg_attr(target_arch = "arm", cortex_m_rt::entry)]
#[cfg_attr(target_arch = "riscv32", unsafe(export_name = "main"))]
fn main() -> ! {
    let x = core::hint::black_box([0.5f32, -1.25]);
    bench_begin();
    let y = QUADRANTS.forward(&x);
    bench_end();
    core::hint::black_box(y);
    exit(true)
}
