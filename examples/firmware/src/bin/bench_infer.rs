//! Instruction count of one inference of the on-device 2-8-2 network (run
//! under QEMU with exec logging by `scripts/footprint.sh`).
#![no_std]
#![no_main]

use constnet::Layer;
use constnet_firmware::common::DeviceTrainer;
use constnet_firmware::{bench_begin, bench_end, exit};

#[cfg_attr(target_arch = "arm", cortex_m_rt::entry)]
#[cfg_attr(target_arch = "riscv32", unsafe(export_name = "main"))]
fn main() -> ! {
    let t = DeviceTrainer::new();
    let x = core::hint::black_box([0.5f32, -1.25]);
    bench_begin();
    let y = t.net.forward(&x);
    bench_end();
    core::hint::black_box(y);
    exit(true)
}
