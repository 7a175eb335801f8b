//! Instruction count of one on-device training step (forward, softmax
//! cross-entropy, backward, SGD update; drawing the random point is not
//! counted), between the markers, by `scripts/footprint.sh`.
#![no_std]
#![no_main]

use constnet_firmware::common::DeviceTrainer;
use constnet_firmware::{bench_begin, bench_end, exit};

#[cfg_attr(target_arch = "arm", cortex_m_rt::entry)]
#[cfg_attr(target_arch = "riscv32", unsafe(export_name = "main"))]
fn main() -> ! {
    let mut t = DeviceTrainer::new();
    t.step(); // warm-up: the measured step is a typical one
    let (p, label) = t.draw();
    bench_begin();
    let loss = t.learn(&p, label);
    bench_end();
    exit(loss.is_finite())
}
