//! The anomaly-detection autoencoder in int8 (post-training quantization of
//! the seeded f32 network on 32 seeded inputs, ≈ 270 kB in flash): one
//! inference end to end between the instruction-count markers — the 640 f32
//! features quantized, the ten int8 dense layers, the anomaly score
//! (reconstruction error, dequantizing the int8 output value by value).
//! Cortex-M4F, `--features anomaly`.
#![no_std]
#![no_main]

use constnet_firmware::common::{self, AnomalyInt8, Line};
use constnet_firmware::{bench_begin, bench_end, exit, host, in_flash, paint_stack, stack_high_water};

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
    let mut q = [0i8; 640];
    bench_begin();
    let score = common::anomaly_int8_run(&AD, x, &mut q);
    bench_end();
    // Before any printing: the inference's own stack (plus start-up).
    let inference_stack = stack_high_water().map_or(-1, |b| b as i32);
    let out = &mut host();
    let _ = Line::new(out)
        .str("mem: int8 Anomaly model ")
        .dec(core::mem::size_of::<AnomalyInt8>() as i32, 0)
        .str(" bytes in flash (file ")
        .dec(constnet::io::int8::encoded_len::<AnomalyInt8>() as i32, 0)
        .str(" bytes), activations ")
        .dec(<AnomalyInt8 as constnet::quant::Footprint<[f32; 640]>>::ACTIVATION_BYTES as i32, 0)
        .str(" bytes, ")
        .dec(common::ANOMALY_MACS as i32, 0)
        .str(" multiply-adds")
        .end();
    let _ = common::anomaly_report("anomaly-int8", |i| AD.2.params().dequantize(q[i]), score, out);
    let flash = in_flash(&AD) && in_flash(&INPUT);
    let _ = Line::new(out)
        .str("weights at 0x")
        .hex(&AD as *const AnomalyInt8 as u32, 8)
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
