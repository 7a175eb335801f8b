//! The anomaly-detection autoencoder in int8 (post-training quantization of
//! the seeded f32 network on 32 seeded inputs, ≈ 270 kB in flash), f32 in
//! and f32 out: one inference between the instruction-count markers, end to
//! end (quantizing the 640 inputs and dequantizing the 640 outputs
//! included). Cortex-M4F, `--features anomaly`.
#![no_std]
#![no_main]

use constnet::Layer;
use constnet_firmware::common::{self, AnomalyInt8};
use constnet_firmware::{bench_begin, bench_end, exit, host, in_flash, paint_stack, stack_high_water};
use core::fmt::Write;

const BYTES: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/anomaly-int8.bin"));
/// The int8 autoencoder, checked and built by the compiler; in flash.
#[allow(long_running_const_eval)]
static AD: AnomalyInt8 = constnet::load_static_int8!(BYTES => (
    Quantize,
    (
        (QDense, QRelu, QDense, QRelu, QDense, QRelu, QDense, QRelu),
        (QDense, QRelu, QDense, QRelu),
        (QDense, QRelu, QDense, QRelu, QDense, QRelu, QDense)
    ),
    Dequantize
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
        "mem: int8 Anomaly model {} bytes in flash (file {} bytes), activations {} bytes, {} multiply-adds",
        core::mem::size_of::<AnomalyInt8>(),
        constnet::io::int8::encoded_len::<AnomalyInt8>(),
        <AnomalyInt8 as constnet::quant::Footprint<[f32; 640]>>::ACTIVATION_BYTES,
        common::ANOMALY_MACS
    );
    let _ = common::anomaly_report("anomaly-int8", &INPUT, &y, out);
    let flash = in_flash(&AD) && in_flash(&INPUT);
    let _ = writeln!(
        out,
        "weights at {:#010x}: {}",
        &AD as *const AnomalyInt8 as usize,
        if flash { "flash" } else { "RAM" }
    );
    let _ = writeln!(out, "stack high-water mark: {} bytes", stack_high_water().unwrap_or(usize::MAX));
    let _ = writeln!(out, "{}", if flash { "PASS" } else { "FAIL" });
    exit(flash)
}
