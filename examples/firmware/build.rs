//! Link scripts and generated models.
//!
//! * Writes the target's memory map into `OUT_DIR` and puts it on the
//!   linker's search path (cortex-m-quickstart pattern): `memory/microbit.x`
//!   as `memory.x` for the Cortex-M0 (thumbv6m), `memory/mps2-an386.x` for
//!   the other Cortex-M targets, and the complete link script
//!   `memory/riscv-virt.x` as `link-riscv.x` for RISC-V. (No `memory.x` in
//!   the crate root: the linker would find that one first, for every target.)
//! * Generates the MLPerf Tiny anomaly-detection autoencoder's model files
//!   (`anomaly.bin`, f32, 1.06 MB; `anomaly-int8.bin`, int8) into `OUT_DIR`
//!   from the fixed seed in `src/models.rs`, so the megabytes are not
//!   committed. The desktop twin builds the same networks with the same code.
//! * Rebuilds when a model file changes.
use std::{env, fs, path::PathBuf};

#[allow(dead_code)]
#[path = "src/models.rs"]
mod models;

fn main() {
    let out = PathBuf::from(env::var_os("OUT_DIR").unwrap());
    let target = env::var("TARGET").unwrap_or_default();
    if target.starts_with("riscv") {
        fs::copy("memory/riscv-virt.x", out.join("link-riscv.x")).unwrap();
    } else {
        let src = if target.starts_with("thumbv6m") { "memory/microbit.x" } else { "memory/mps2-an386.x" };
        fs::copy(src, out.join("memory.x")).unwrap();
    }
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed=memory");
    println!("cargo:rerun-if-changed=models");
    println!("cargo:rerun-if-changed=src/models.rs");
    println!("cargo:rerun-if-changed=build.rs");

    // Only with `--features anomaly` (the Cortex-M4F: 4 MB flash on
    // mps2-an386) are the autoencoder binaries built.
    if env::var_os("CARGO_FEATURE_ANOMALY").is_some() {
        // 1.06 MB of network: build it on a thread with room for it.
        let (f32_bytes, int8_bytes) =
            std::thread::Builder::new().stack_size(64 << 20).spawn(anomaly_files).unwrap().join().unwrap();
        write_if_changed(&out.join("anomaly.bin"), &f32_bytes);
        write_if_changed(&out.join("anomaly-int8.bin"), &int8_bytes);
    }
}

/// The seeded autoencoder and its int8 form, in the model formats.
fn anomaly_files() -> (Vec<u8>, Vec<u8>) {
    let net = models::anomaly_f32();
    let mut f32_bytes = vec![0u8; constnet::io::encoded_len::<models::Anomaly>()];
    constnet::io::to_bytes(&net, &mut f32_bytes).unwrap();
    let int8 = models::quantize_anomaly(&net).expect("the autoencoder quantizes");
    let mut int8_bytes = vec![0u8; constnet::io::int8::encoded_len::<models::AnomalyInt8>()];
    constnet::io::int8::to_bytes(&int8, &mut int8_bytes).unwrap();
    (f32_bytes, int8_bytes)
}

fn write_if_changed(path: &std::path::Path, bytes: &[u8]) {
    if fs::read(path).ok().as_deref() != Some(bytes) {
        fs::write(path, bytes).unwrap();
    }
}
