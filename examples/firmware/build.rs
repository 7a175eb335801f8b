//! Writes the target's `memory.x` into `OUT_DIR` and puts it on the linker's
//! search path (cortex-m-quickstart pattern): `memory/microbit.x` for the
//! Cortex-M0 (thumbv6m), `memory/mps2-an386.x` otherwise. (No `memory.x` in
//! the crate root: the linker would find that one first, for every target.)
//! Also rebuilds when a model file changes.
use std::{env, fs, path::PathBuf};

fn main() {
    let out = PathBuf::from(env::var_os("OUT_DIR").unwrap());
    let target = env::var("TARGET").unwrap_or_default();
    let src = if target.starts_with("thumbv6m") { "memory/microbit.x" } else { "memory/mps2-an386.x" };
    fs::copy(src, out.join("memory.x")).unwrap();
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed=memory");
    println!("cargo:rerun-if-changed=models");
}
