//! The MLPerf Tiny anomaly-detection autoencoder's shape
//! (640-128-128-128-128-8-128-128-128-128-640, ReLU; 264,192 multiply-adds)
//! in f32 with seeded weights, 1.06 MB in flash: one inference between the
//! instruction-count markers on an input that is a `static` in flash.
//! Cortex-M4F only (mps2-an386 has 4 MB of flash): built with
//! `--features anomaly`, which makes `build.rs` generate the model file.
#![no_std]
#![no_main]

use constnet::{Layer, Relu};
use constnet_firmware::common::{self, Anomaly};
use constnet_firmware::{bench_begin, bench_end, exit, host, in_flash, paint_stack, stack_high_water};
use core::fmt::Write;

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
    bench_begin();
    let y = AD.forward(x);
    bench_end();
    let out = &mut host();
    let _ = writeln!(
        out,
        "mem: f32 Anomaly model {} bytes in flash ({} params, {} multiply-adds)",
        core::mem::size_of::<Anomaly>(),
        <Anomaly as constnet::Params>::PARAMS,
        common::ANOMALY_MACS
    );
    let _ = common::anomaly_report("anomaly-f32", &INPUT, &y, out);
    let flash = in_flash(&AD) && in_flash(&INPUT);
    let _ = writeln!(
        out,
        "weights at {:#010x}: {}",
        &AD as *const Anomaly as usize,
        if flash { "flash" } else { "RAM" }
    );
    let _ = writeln!(out, "stack high-water mark: {} bytes", stack_high_water().unwrap_or(usize::MAX));
    let _ = writeln!(out, "{}", if flash { "PASS" } else { "FAIL" });
    exit(flash)
}
