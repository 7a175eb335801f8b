//! The sine model converted by TensorFlow Lite (int8, `tests/data/tflite/sine_int8.tflite`)
//! and imported by `examples/convert.rs`, run from flash on every fixture
//! input. Exits 0 when every output equals the TFLite interpreter's
//! (`BUILTIN_REF`, embedded from the fixture) and the weights are in flash;
//! `scripts/firmware.sh` also compares the `out:` lines with the desktop
//! twin, which prints the interpreter's outputs.
#![no_std]
#![no_main]

use constnet::Layer;
use constnet_firmware::common::{self, Line, TFLITE_SINE, TfliteSine};
use constnet_firmware::{bench_begin, bench_end, exit, host, in_flash};

#[cfg_attr(target_arch = "arm", cortex_m_rt::entry)]
#[cfg_attr(target_arch = "riscv32", unsafe(export_name = "main"))]
fn main() -> ! {
    let x = core::hint::black_box([common::TFLITE_SINE_INPUTS[3] as i8]);
    bench_begin();
    let y = TFLITE_SINE.forward(&x);
    bench_end();
    core::hint::black_box(y);
    let out = &mut host();
    let _ = Line::new(out)
        .str("mem: imported TFLite sine ")
        .dec(core::mem::size_of::<TfliteSine>() as i32, 0)
        .str(" bytes in flash")
        .end();
    let differ = common::tflite_sine_lines(out, |_, x| TFLITE_SINE.forward(&[x])[0]).unwrap_or(usize::MAX);
    let flash = in_flash(&TFLITE_SINE);
    let _ = Line::new(out)
        .str("outputs differing from the TFLite interpreter: ")
        .dec(differ as i32, 0)
        .str(if flash { "; weights in flash" } else { "; weights in RAM" })
        .end();
    let ok = differ == 0 && flash && !common::TFLITE_SINE_INPUTS.is_empty();
    let _ = Line::new(out).str(if ok { "PASS" } else { "FAIL" }).end();
    exit(ok)
}
