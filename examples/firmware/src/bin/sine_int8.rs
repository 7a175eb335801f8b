//! The int8 sine model (post-training quantization of the desktop-trained
//! 1-16-16-1 ReLU MLP, `models/sine.q8`) from flash, f32 in and f32 out:
//! one inference between the instruction-count markers, then the 16 fixed
//! inputs. Exits 0 when every prediction is within 0.1 of sin(x) and the
//! weights are in flash. Runs on every core (Cortex-M0, M4F, RISC-V).
#![no_std]
#![no_main]

use constnet::Layer;
use constnet_firmware::common::{self, SINE_INT8, SineInt8};
use constnet_firmware::{bench_begin, bench_end, exit, host, in_flash, paint_stack, stack_high_water};
use core::fmt::Write;

#[cfg_attr(target_arch = "arm", cortex_m_rt::entry)]
#[cfg_attr(target_arch = "riscv32", unsafe(export_name = "main"))]
fn main() -> ! {
    paint_stack();
    let x = core::hint::black_box(common::sine_point(3));
    bench_begin();
    let y = SINE_INT8.forward(&x);
    bench_end();
    core::hint::black_box(y);
    let out = &mut host();
    let _ = writeln!(
        out,
        "mem: int8 Sine model {} bytes in flash (file {} bytes), activations {} bytes",
        core::mem::size_of::<SineInt8>(),
        constnet::io::int8::encoded_len::<SineInt8>(),
        <SineInt8 as constnet::quant::Footprint<[f32; 1]>>::ACTIVATION_BYTES
    );
    let worst = common::sine_int8_predictions(&SINE_INT8, out).unwrap_or(i32::MAX);
    let flash = in_flash(&SINE_INT8);
    let _ = writeln!(
        out,
        "weights at {:#010x}: {}",
        &SINE_INT8 as *const SineInt8 as usize,
        if flash { "flash" } else { "RAM" }
    );
    let _ = writeln!(out, "stack high-water mark: {} bytes", stack_high_water().unwrap_or(usize::MAX));
    let ok = worst <= 100 && flash;
    let _ = writeln!(out, "{}", if ok { "PASS" } else { "FAIL" });
    exit(ok)
}
