//! f32 inference from flash, panic-free: a Dense/ReLU/Dense/tanh/Dense
//! network loaded by `load_static!` (checked by the compiler), run on inputs
//! the optimizer cannot see, compared with the desktop's outputs.
#![no_std]
#![no_main]

use constnet::{Layer, Relu, Tanh, load_static, metrics};
use constnet_panic_free::{EXPECTED_F32, Out, close, exit, models};

static NET: models::Net =
    load_static!(include_bytes!(concat!(env!("OUT_DIR"), "/net.bin")) => (Dense, Relu, Dense, Tanh, Dense));

#[cortex_m_rt::entry]
fn main() -> ! {
    let mut out = Out::new();
    out.str("f32 inference, no panic path linked\n");
    let mut ok = true;
    for (i, (x, want)) in models::INPUTS.iter().zip(&EXPECTED_F32).enumerate() {
        let x = core::hint::black_box(*x);
        let y = core::hint::black_box(&NET).forward(&x);
        let good = close(&y, want, 1e-5);
        ok &= good;
        out.str("input ").u32(i as u32).str(": class ").u32(metrics::predict(&y) as u32);
        out.str(" y0 ").f32(y[0]).str(if good { " = desktop\n" } else { " DIFFERS from the desktop\n" });
    }
    out.str(if ok { "PASS\n" } else { "FAIL\n" });
    exit(ok)
}
