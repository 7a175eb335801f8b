//! Instruction count of one inference of the int8 quadrants model (f32 in
//! and out), read from flash — the measured region of `quadrants_int8`
//! without its 1,000-point comparison afterwards, which would make the
//! exec log of `scripts/footprint.sh` gigabytes long.
#![no_std]
#![no_main]

use constnet::Layer;
use constnet_firmware::common::QUADRANTS_INT8;
use constnet_firmware::{bench_begin, bench_end, exit};

#[cfg_attr(target_arch = "arm", cortex_m_rt::entry)]
#[cfg_attr(target_arch = "riscv32", unsafe(export_name = "main"))]
fn main() -> ! {
    let x = core::hint::black_box([0.5f32, -1.25]);
    bench_begin();
    let y = QUADRANTS_INT8.forward(&x);
    bench_end();
    core::hint::black_box(y);
    exit(true)
}
