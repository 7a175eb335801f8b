//! The desktop twin of the firmware example: runs what `examples/firmware`
//! runs on the Cortex-M0 and Cortex-M4F — the same source file,
//! `examples/firmware/src/common.rs` — and prints the same `out:` lines, so CI
//! (`scripts/firmware.sh`) can check the device's predictions and its
//! on-device training are bit-identical to the desktop's.
//!
//! Unlike the firmware, which builds its models at compile time with
//! `load_static!`, this loads them at run time with `io::from_bytes`, so the
//! comparison also checks the two loaders agree.
//!
//! ```text
//! cargo run --release --example firmware_twin -- quadrants   # = firmware bin `quadrants`
//! cargo run --release --example firmware_twin -- sine        # = firmware bin `sine`
//! ```

#[path = "firmware/src/common.rs"]
mod common;

use common::{Quadrants, Sine};
use constnet::io;

/// `core::fmt::Write` onto stdout.
struct Stdout;

impl core::fmt::Write for Stdout {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        print!("{s}");
        Ok(())
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let which = std::env::args().nth(1).unwrap_or_default();
    let out = &mut Stdout;
    match which.as_str() {
        "quadrants" => {
            let net: Quadrants = io::from_bytes(common::QUADRANTS_BIN)?;
            assert_eq!(net, common::QUADRANTS, "run-time and compile-time loaders disagree");
            common::quadrants_predictions(&net, out)?;
            common::train_on_device(out)?;
        }
        "sine" => {
            let net: Sine = io::from_bytes(common::SINE_BIN)?;
            assert_eq!(net, common::SINE, "run-time and compile-time loaders disagree");
            common::sine_predictions(&net, out)?;
        }
        _ => return Err("usage: firmware_twin quadrants|sine".into()),
    }
    Ok(())
}
