//! Raw bytes into `io::from_bytes` / `io::read_into` for two f32 network
//! types, and into the `ConstReader` that `load_static!` expands to.
//!
//! Properties: never panics; `from_bytes` agrees with `io::check`; a model
//! that loads writes back to the very same bytes; `read_into` leaves the
//! model untouched on error and equals `from_bytes` on success; the loaded
//! model runs `forward` (whatever its weights) without panicking.
#![no_main]

use constnet::{Layer, Params, io};
use constnet_fuzz::{F32A, F32B, f32_bytes, filled};
use libfuzzer_sys::fuzz_target;

fn one<M, const IN: usize>(data: &[u8])
where
    M: Params + Layer<[f32; IN]> + core::fmt::Debug,
{
    let loaded = io::from_bytes::<M>(data);
    assert_eq!(loaded.as_ref().err().copied(), io::check(data, M::FINGERPRINT, M::PARAMS).err());
    let mut into = filled::<M>();
    let before = f32_bytes(&into);
    let r = io::read_into(data, &mut into);
    match (&loaded, r) {
        (Ok(m), Ok(())) => {
            assert_eq!(f32_bytes(m), data, "a loaded model must write back to the same bytes");
            assert_eq!(f32_bytes(&into), data);
            let _ = m.forward(&[0.5; IN]);
            let _ = m.forward(&[f32::MAX; IN]);
        }
        (Err(a), Err(b)) => {
            assert_eq!(*a, b);
            assert_eq!(f32_bytes(&into), before, "read_into changed the model on error");
        }
        (a, b) => panic!("from_bytes {a:?} but read_into {b:?}"),
    }
}

fuzz_target!(|data: &[u8]| {
    one::<F32A, 2>(data);
    one::<F32B, 4>(data);
    // What `load_static!` reads before its check: never out of bounds.
    let mut r = io::ConstReader::new(data);
    let _ = r.dense::<2, 3>();
    let _ = r.dense::<3, 1>();
    let _ = r.f32();
});
