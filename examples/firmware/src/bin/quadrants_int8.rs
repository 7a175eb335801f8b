//! The int8 quadrants classifier (post-training quantization of the
//! desktop-trained 2-16-16-2 tanh network, tanh as lookup tables,
//! `models/quadrants.q8`) from flash: one inference between the
//! instruction-count markers, the 24 fixed points, then int8 against f32 on
//! 1,000 fresh points. Exits 0 when every fixed point is right, int8 is
//! within 0.5 points of f32 and the weights are in flash. Runs on every core.
#![no_std]
#![no_main]

use constnet::Layer;
use constnet_firmware::common::{self, QUADRANTS, QUADRANTS_INT8, QuadrantsInt8};
use constnet_firmware::{bench_begin, bench_end, exit, host, in_flash, paint_stack, stack_high_water};
use core::fmt::Write;

#[cfg_attr(target_arch = "arm", cortex_m_rt::entry)]
#[cfg_attr(target_arch = "riscv32", unsafe(export_name = "main"))]
fn main() -> ! {
    paint_stack();
    let x = core::hint::black_box([0.5f32, -1.25]);
    bench_begin();
    let y = QUADRANTS_INT8.forward(&x);
    bench_end();
    core::hint::black_box(y);
    let out = &mut host();
    let _ = writeln!(
        out,
        "mem: int8 Quadrants model {} bytes in flash (file {} bytes), activations {} bytes",
        core::mem::size_of::<QuadrantsInt8>(),
        constnet::io::int8::encoded_len::<QuadrantsInt8>(),
        <QuadrantsInt8 as constnet::quant::Footprint<[f32; 2]>>::ACTIVATION_BYTES
    );
    let fixed = common::quadrants_int8_predictions(&QUADRANTS_INT8, &QUADRANTS, out).unwrap_or(0);
    let flash = in_flash(&QUADRANTS_INT8);
    let _ = writeln!(
        out,
        "weights at {:#010x}: {}",
        &QUADRANTS_INT8 as *const QuadrantsInt8 as usize,
        if flash { "flash" } else { "RAM" }
    );
    let _ = writeln!(out, "stack high-water mark: {} bytes", stack_high_water().unwrap_or(usize::MAX));
    let ok = fixed == common::QUADRANT_POINTS && flash;
    let _ = writeln!(out, "{}", if ok { "PASS" } else { "FAIL" });
    exit(ok)
}
