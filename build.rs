//! Target cfgs that stable Rust does not expose to `cfg` (ARM target
//! features such as `dsp` are unstable in `cfg`), derived from the target
//! name, which Cargo passes to every build script (also when `constnet` is
//! a dependency):
//!
//! * `constnet_arm_dsp`: the Cortex-M4/M7 targets (`thumbv7em-*`), which
//!   always have the DSP extension (SMLAD, SXTB16): `math::int8` takes its
//!   SMLAD kernel. The Cortex-M33/M35P (`thumbv8m.main-*`) have it only as
//!   an option, so they take the portable kernel.
//! * `constnet_thumbv6m`: the Cortex-M0/M0+/M1 (`thumbv6m-*`, Thumb-1 only):
//!   `math::int8` takes its Thumb-1 assembly kernel and the 16×16-bit
//!   requantization multiply (no 64-bit multiply instruction).
fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rustc-check-cfg=cfg(constnet_arm_dsp)");
    println!("cargo::rustc-check-cfg=cfg(constnet_thumbv6m)");
    let target = std::env::var("TARGET").unwrap_or_default();
    if target.starts_with("thumbv7em") {
        println!("cargo::rustc-cfg=constnet_arm_dsp");
    }
    if target.starts_with("thumbv6m") {
        println!("cargo::rustc-cfg=constnet_thumbv6m");
    }
}
