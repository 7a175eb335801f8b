//! The 1-16-16-1 sine MLP trained on the desktop, run from flash: the
//! footprint benchmark against TFLM and microflow-rs. One inference is
//! bracketed by the instruction-count markers. Exits 0 when every prediction
//! is within 0.1 of sin(x) and the weights are in flash.
#![no_std]
#![no_main]

use constnet::Layer;
use constnet_firmware::common::{self, SINE};
use constnet_firmware::{bench_begin, bench_end, exit, host, in_flash, paint_stack, stack_high_water};
use core::fmt::Write;

#[cfg_attr(target_arch = "arm", cortex_m_rt::entry)]
#[cfg_attr(target_arch = "riscv32", unsafe(export_name = "main"))]
fn main() -> ! {
    paint_stack();
    let x = core::hint::black_box(common::sine_point(3));
    bench_begin();
    let y = SINE.forward(&x);
    bench_end();
    core::hint::black_box(y);
    let out = &mut host();
    let _ = writeln!(
        out,
        "mem: Sine model {} bytes in flash ({} params, file {} bytes)",
        core::mem::size_of::<common::Sine>(),
        <common::Sine as constnet::Params>::PARAMS,
        constnet::io::encoded_len::<common::Sine>()
    );
    let worst = common::sine_predictions(&SINE, out).unwrap_or(i32::MAX);
    let flash = in_flash(&SINE);
    let _ = writeln!(
        out,
        "weights at {:#010x}: {}",
        &SINE as *const common::Sine as usize,
        if flash { "flash" } else { "RAM" }
    );
    let _ = writeln!(out, "stack high-water mark: {} bytes", stack_high_water().unwrap_or(usize::MAX));
    let ok = worst <= 100 && flash;
    let _ = writeln!(out, "{}", if ok { "PASS" } else { "FAIL" });
    exit(ok)
}
