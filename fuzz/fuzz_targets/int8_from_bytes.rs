//! Raw bytes into `io::int8::from_bytes` for three int8 network types (the
//! `quant::Int8` of a Dense/Relu/Tanh network, one with sigmoid and leaky
//! ReLU tables, and a bare `(QDense, QRelu)`), and into the `Reader` that
//! `load_static_int8!` expands to.
//!
//! Properties: never panics; agrees with `io::int8::check` on the header;
//! a model that loads writes back to the same bytes and runs `forward`.
#![no_main]

use constnet::io::{self, int8};
use constnet::{Layer, quant};
use constnet_fuzz::{Q8A, Q8B, Q8C, int8_bytes};
use libfuzzer_sys::fuzz_target;

fn one<M: int8::Int8Params + PartialEq + core::fmt::Debug>(data: &[u8]) -> Option<M> {
    let got = int8::from_bytes::<M>(data);
    let header = int8::check(data, M::FINGERPRINT, M::BODY_LEN);
    match (&got, header) {
        (Ok(m), Ok(())) => {
            assert_eq!(int8_bytes(m), data, "a loaded int8 model must write back to the same bytes");
        }
        (Err(io::Error::Parameter { .. }), Ok(())) => {}
        (Err(a), Err(b)) => assert_eq!(*a, b),
        (a, b) => panic!("from_bytes {a:?} but check {b:?}"),
    }
    // The compile-time reader on the same bytes: never out of bounds, and
    // it finds a parameter problem exactly when from_bytes does.
    let mut r = int8::Reader::new(data);
    let _ = M::read(&mut r);
    if header.is_ok() {
        assert_eq!(r.error(), got.as_ref().err().copied());
    }
    got.ok()
}

fuzz_target!(|data: &[u8]| {
    if let Some(m) = one::<Q8A>(data) {
        let _ = m.forward(&[0.5, -2.0]);
        let _ = m.forward(&[f32::NAN, f32::INFINITY]);
    }
    if let Some(m) = one::<Q8B>(data) {
        let _ = m.forward(&[0.5, -2.0, 1e30]);
    }
    if let Some(m) = one::<Q8C>(data) {
        let _: [i8; 1] = m.forward(&[-128, 127]);
    }
    let _ = quant::QuantParams::new(1.0, 0);
});
