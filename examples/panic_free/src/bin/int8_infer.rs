//! int8 inference from flash, panic-free: the `quant::Int8` of the f32
//! network (Quantize, QDense, QRelu, QDense, QLut, QDense, Dequantize)
//! loaded by `load_static_int8!`, compared bit for bit with the desktop.
#![no_std]
#![no_main]

use constnet::{Layer, load_static_int8, metrics};
use constnet_panic_free::{EXPECTED_INT8, Out, exit, models};

static NET: models::Net8 = load_static_int8!(
    include_bytes!(concat!(env!("OUT_DIR"), "/net.q8")) => (Quantize, (QDense, QRelu, QDense, QLut, QDense), Dequantize)
);

#[cortex_m_rt::entry]
fn main() -> ! {
    let mut out = Out::new();
    out.str("int8 inference, no panic path linked\n");
    let mut ok = true;
    for (i, (x, want)) in models::INPUTS.iter().zip(&EXPECTED_INT8).enumerate() {
        let x = core::hint::black_box(*x);
        let y = core::hint::black_box(&NET).forward(&x);
        let good = y.iter().zip(want).all(|(a, b)| a.to_bits() == b.to_bits());
        ok &= good;
        out.str("input ").u32(i as u32).str(": class ").u32(metrics::predict(&y) as u32);
        out.str(" y0 ").f32(y[0]).str(if good {
            " = desktop, bit for bit\n"
        } else {
            " DIFFERS from the desktop\n"
        });
    }
    out.str(if ok { "PASS\n" } else { "FAIL\n" });
    exit(ok)
}
