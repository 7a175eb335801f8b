//! The int8 sine model (post-training quantization of the desktop-trained
//! 1-16-16-1 ReLU MLP, `models/sine.q8`) from flash, f32 in and f32 out:
//! one inference between the instruction-count markers, then the 16 fixed
//! inputs. Exits 0 when every prediction is within 0.1 of sin(x) and the
//! weights are in flash. Runs on every core (Cortex-M0, M4F, RISC-V). Prints
//! with `common::Line`, not `core::fmt`: this is the footprint benchmark.
#![no_std]
#![no_main]

use constnet_firmware::common::{self, Line, SINE_INT8, SineInt8};
use constnet_firmware::{bench_begin, bench_end, exit, host, in_flash, paint_stack, stack_high_water};

#[cfg_attr(target_arch = "arm", cortex_m_rt::entry)]
#[cfg_attr(target_arch = "riscv32", unsafe(export_name = "main"))]
fn main() -> ! {
    paint_stack();
    let x = core::hint::black_box(common::sine_point(3));
    bench_begin();
    let y = common::sine_int8_infer(&SINE_INT8, &x); // = SINE_INT8.forward(&x), plus the int8 output
    bench_end();
    core::hint::black_box(y);
    let out = &mut host();
    let _ = Line::new(out)
        .str("mem: int8 Sine model ")
        .dec(core::mem::size_of::<SineInt8>() as i32, 0)
        .str(" bytes in flash (file ")
        .dec(constnet::io::int8::encoded_len::<SineInt8>() as i32, 0)
        .str(" bytes), activations ")
        .dec(<SineInt8 as constnet::quant::Footprint<[f32; 1]>>::ACTIVATION_BYTES as i32, 0)
        .str(" bytes")
        .end();
    let worst = common::sine_int8_predictions(&SINE_INT8, out).unwrap_or(i32::MAX);
    let flash = in_flash(&SINE_INT8);
    let _ = Line::new(out)
        .str("weights at 0x")
        .hex(&SINE_INT8 as *const SineInt8 as u32, 8)
        .str(if flash { ": flash" } else { ": RAM" })
        .end();
    let stack = stack_high_water().map_or(-1, |b| b as i32);
    let _ = Line::new(out).str("stack high-water mark: ").dec(stack, 0).str(" bytes").end();
    let ok = worst <= 100 && flash;
    let _ = Line::new(out).str(if ok { "PASS" } else { "FAIL" }).end();
    exit(ok)
}
