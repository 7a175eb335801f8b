//! `io::check` — the checks `load_static!` runs at compile time — at run
//! time on arbitrary bytes, fingerprint and parameter count, compared with
//! an independent reading of the documented layout (same verdict, same
//! first error, in the documented order).
//!
//! Input: fingerprint (8 bytes LE), parameter count (8 bytes LE), then the
//! file bytes.
#![no_main]

use constnet::io::{self, Error};
use libfuzzer_sys::fuzz_target;

/// The layout in src/io.rs's docs, read with slices and checked arithmetic.
fn reference(b: &[u8], fingerprint: u64, params: usize) -> Result<(), Error> {
    let expected = params.checked_mul(4).and_then(|n| n.checked_add(24));
    let len = b.len();
    let le32 = |at: usize| u32::from_le_bytes(b[at..at + 4].try_into().unwrap());
    let expected_or_max = expected.unwrap_or(usize::MAX);
    if len < 4 {
        return Err(Error::Length { expected: expected_or_max, found: len });
    }
    if b[..4] != io::MAGIC {
        return Err(Error::Magic { found: b[..4].try_into().unwrap() });
    }
    if len < 20 {
        return Err(Error::Length { expected: expected_or_max, found: len });
    }
    if le32(4) != io::VERSION {
        return Err(Error::Version { found: le32(4) });
    }
    let found = u64::from_le_bytes(b[8..16].try_into().unwrap());
    if found != fingerprint {
        return Err(Error::Fingerprint { expected: fingerprint, found });
    }
    if le32(16) as usize != params {
        return Err(Error::ParamCount { expected: params, found: le32(16) as usize });
    }
    if Some(len) != expected {
        return Err(Error::Length { expected: expected_or_max, found: len });
    }
    let stored = le32(len - 4);
    let computed = io::crc32(&b[..len - 4]);
    if stored != computed {
        return Err(Error::Checksum { stored, computed });
    }
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 16 {
        return;
    }
    let fingerprint = u64::from_le_bytes(data[..8].try_into().unwrap());
    let raw = u64::from_le_bytes(data[8..16].try_into().unwrap()) as usize;
    // Any count, up to usize::MAX: the sum `HEADER_LEN + 4 · params +
    // CHECKSUM_LEN` once overflowed (tests/fuzz_regressions.rs,
    // `check_params_overflow`).
    let params = raw;
    let bytes = &data[16..];
    let got = io::check(bytes, fingerprint, params);
    let want = reference(bytes, fingerprint, params);
    assert_eq!(got, want);
    // And the same bytes through the int8 header check, whose layout differs
    // only in the magic and in a body length instead of a count.
    let _ = io::int8::check(bytes, fingerprint, params);
});
