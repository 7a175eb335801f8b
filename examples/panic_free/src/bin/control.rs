//! Negative control: the f32 inference of `f32_infer` plus one panic path
//! the optimizer cannot remove (indexing the output with an index it cannot
//! see). This binary must FAIL to link with "undefined symbol:
//! constnet_inference_has_a_panic_path"; `scripts/panic_free.sh` checks that
//! it does, so a passing proof is not a linker that never looks.
#![no_std]
#![no_main]

use constnet::{Layer, Relu, Tanh, load_static};
use constnet_panic_free::{exit, models};

static NET: models::Net =
    load_static!(include_bytes!(concat!(env!("OUT_DIR"), "/net.bin")) => (Dense, Relu, Dense, Tanh, Dense));

#[cortex_m_rt::entry]
fn main() -> ! {
    let y = NET.forward(&core::hint::black_box([0.5; 4]));
    let i = core::hint::black_box(3usize);
    exit(y[i] > 0.0) // out of bounds: a panic path
}
