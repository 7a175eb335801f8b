//! Regression tests for what the fuzz targets in `fuzz/` found, each with
//! its input inline, and a check that the committed seed corpora
//! (`fuzz/corpus/<target>/seed-*`) are the valid files the targets start
//! from.
//!
//! Regenerate the seeds after changing a network in `fuzz/src/nets.rs` or
//! the format: `CONSTNET_WRITE_SEEDS=1 cargo test --features std --test fuzz_regressions`.
//! A test marked `#[ignore = "bug: …"]` is a crash in a file this suite's
//! authors do not own; it is reported, and passes once the bug is fixed.
#![cfg(feature = "std")]

#[allow(unused_imports)]
#[path = "../fuzz/src/nets.rs"]
mod nets;

use constnet::io::{self, int8};
use constnet::{Layer, Params};
use nets::*;
use std::path::PathBuf;

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus")
}

#[test]
fn seed_corpora_are_current_and_load() {
    let write = std::env::var_os("CONSTNET_WRITE_SEEDS").is_some();
    for (target, name, bytes) in seeds() {
        let path = corpus().join(target).join(name);
        if write {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &bytes).unwrap();
        }
        let committed = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        // The int8 seeds come out of the quantizer, which may change its
        // rounding; they only need to stay valid files (checked below).
        if !target.starts_with("int8") {
            assert_eq!(
                committed,
                bytes,
                "{} is stale: regenerate the seeds (see the file's docs)",
                path.display()
            );
        }
    }
    let dir = corpus();
    let seed = |t: &str, n: &str| std::fs::read(dir.join(t).join(n)).unwrap();
    assert!(io::from_bytes::<F32A>(&seed("f32_from_bytes", "seed-f32a")).is_ok());
    assert!(io::from_bytes::<F32B>(&seed("f32_from_bytes", "seed-f32b")).is_ok());
    let qa: Q8A = int8::from_bytes(&seed("int8_from_bytes", "seed-q8a")).unwrap();
    assert_eq!(qa, q8a());
    assert!(int8::from_bytes::<Q8B>(&seed("int8_from_bytes", "seed-q8b")).is_ok());
    assert!(int8::from_bytes::<Q8C>(&seed("int8_from_bytes", "seed-q8c")).is_ok());
    let y = qa.forward(&[0.5, -0.5]);
    assert!(y.iter().all(|v| v.is_finite()));
}

/// Found writing the `check` target (its reference reading of the layout uses
/// checked arithmetic): `io::check` computed `HEADER_LEN + 4 · params +
/// CHECKSUM_LEN` unchecked, so a parameter count above `(usize::MAX − 24) / 4`
/// panicked with "attempt to multiply with overflow" under overflow checks
/// (debug, `cargo test`) and wrapped in release; `io::int8::check` had the
/// same sum with `body_len`. The `check` target's input for it: 16 bytes of
/// `ff` (fingerprint and count) and no file. Fixed in 3189126 (the sums
/// saturate); the `check` target now feeds any count.
#[test]
fn check_params_overflow() {
    let input: &[u8] = &[0xff; 16];
    let (fingerprint, params) = (u64::from_le_bytes(input[..8].try_into().unwrap()), usize::MAX);
    assert!(io::check(b"", fingerprint, params).is_err());
    assert!(io::check(b"CNET", fingerprint, params).is_err());
    assert!(int8::check(b"CNQ8", fingerprint, usize::MAX).is_err());
}

/// A model that loads runs: NaN, infinite and subnormal weights are accepted
/// by the f32 format (they are valid `f32`s) and inference does not panic on
/// them (the `f32_body` target's main property, kept here on fixed inputs).
#[test]
fn f32_hostile_weights_load_and_run() {
    for bits in [0x7fc0_0000u32, 0x7f80_0000, 0xff80_0000, 0x0000_0001, 0x7f7f_ffff] {
        let mut buf = f32_bytes(&filled::<F32B>());
        let n = buf.len() - io::CHECKSUM_LEN;
        for c in buf[io::HEADER_LEN..n].chunks_exact_mut(4) {
            c.copy_from_slice(&bits.to_le_bytes());
        }
        let crc = io::crc32(&buf[..n]);
        buf[n..].copy_from_slice(&crc.to_le_bytes());
        let net: F32B = io::from_bytes(&buf).unwrap();
        let _ = net.forward(&[1.0, -1.0, 0.0, 3.0]);
        assert_eq!(f32_bytes(&net), buf);
    }
    let _ = <F32A as Params>::PARAMS;
}
