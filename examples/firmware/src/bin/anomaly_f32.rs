//! The MLPerf Tiny anomaly-detection autoencoder's shape
//! (640-128-128-128-128-8-128-128-128-128-640, ReLU; 264,192 multiply-adds)
//! in f32 with seeded weights, 1.06 MB in flash: one inference end to end
//! (features in, reconstruction and anomaly score out) between the
//! instruction-count markers, on an input that is a `static` in flash.
//! Cortex-M4F only (mps2-an386 has 4 MB of flash): built with
//! `--features anomaly`, which makes `build.rs` generate the model file.
#![no_std]
#![no_main]

use constnet::Relu;
use constnet_firmware::common::{self, Anomaly, Line};
use constnet_firmware::{bench_begin, bench_end, exit, host, in_flash, paint_stack, stack_high_water};

const BYTES: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/anomaly.bin"));
/// The seeded autoencoder, checked and built by the compiler; in flash.
#[allow(long_running_const_eval)]
static AD: Anomaly = constnet::load_static!(BYTES => Anomaly(
    (Dense, Relu, Dense, Relu, Dense, Relu, Dense, Relu),
    (Dense, Relu, Dense, Relu),
    (Dense, Relu, Dense, Relu, Dense, Relu, Dense)
));
/// The input, computed at compile time; in flash.
static INPUT: [f32; 640] = common::anomaly_input(0);

#[cfg_attr(target_arch = "arm", cortex_m_rt::entry)]
#[cfg_attr(target_arch = "riscv32", unsafe(export_name = "main"))]
fn main() -> ! {
    paint_stack();
    let x = core::hint::black_box(&INPUT);
    let mut y = [0.0f32; 640];
    bench_begin();
    let score = common::anomaly_f32_run(&AD, x, &mut y);
    bench_end();
    // Before any printing: the inference's own stack (plus start-up).
    let inference_stack = stack_high_water().map_or(-1, |b| b as i32);
    let out = &mut host();
    let _ = Line::new(out)
        .str("mem: f32 Anomaly model ")
        .dec(core::mem::size_of::<Anomaly>() as i32, 0)
        .str(" bytes in flash (")
        .dec(<Anomaly as constnet::Params>::PARAMS as i32, 0)
        .str(" params, ")
        .dec(common::ANOMALY_MACS as i32, 0)
        .str(" multiply-adds)")
        .end();
    let _ = common::anomaly_report("anomaly-f32", |i| y[i], score, out);
    let flash = in_flash(&AD) && in_flash(&INPUT);
    let _ = Line::new(out)
        .str("weights at 0x")
        .hex(&AD as *const Anomaly as u32, 8)
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
