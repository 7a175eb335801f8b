//! The keyword-spotting-sized int8 DS-CNN (`common::DsCnnInt8`: 49×10
//! input, 64 channels, four depthwise-separable blocks, 2.54 M
//! multiply-adds), seeded weights in flash, one inference between the
//! instruction-count markers. Cortex-M4F (SMLAD kernels), `--features cnn`.
#![no_std]
#![no_main]

use constnet::Layer;
use constnet_firmware::common::{self, DsCnnInt8, Line};
use constnet_firmware::{bench_begin, bench_end, exit, host, in_flash, paint_stack, stack_high_water};

/// The seeded network, built by the compiler; in flash.
static NET: DsCnnInt8 = common::ds_cnn_int8(7);
/// The input, computed at compile time; in flash.
static INPUT: [[[i8; 1]; 10]; 49] = common::ds_cnn_input(7);

#[cfg_attr(target_arch = "arm", cortex_m_rt::entry)]
#[cfg_attr(target_arch = "riscv32", unsafe(export_name = "main"))]
fn main() -> ! {
    paint_stack();
    let x = core::hint::black_box(&INPUT);
    bench_begin();
    let y = NET.forward(x);
    bench_end();
    let inference_stack = stack_high_water().map_or(-1, |b| b as i32);
    let out = &mut host();
    let _ = Line::new(out)
        .str("mem: int8 DsCnnInt8 model ")
        .dec(core::mem::size_of::<DsCnnInt8>() as i32, 0)
        .str(" bytes in flash (")
        .dec(common::DS_CNN_MACS as i32, 0)
        .str(" multiply-adds)")
        .end();
    let _ = common::ds_cnn_report(&y, out);
    let flash = in_flash(&NET) && in_flash(&INPUT);
    let _ = Line::new(out)
        .str("weights at 0x")
        .hex(&NET as *const DsCnnInt8 as u32, 8)
        .str(if flash { ": flash" } else { ": RAM" })
        .end();
    let _ = Line::new(out)
        .str("stack high-water mark after the inference: ")
        .dec(inference_stack, 0)
        .str(" bytes")
        .end();
    let stack = stack_high_water().map_or(-1, |b| b as i32);
    let _ = Line::new(out).str("stack high-water mark: ").dec(stack, 0).str(" bytes").end();
    let _ = Line::new(out).str(if flash { "PASS" } else { "FAIL" }).end();
    exit(flash)
}
