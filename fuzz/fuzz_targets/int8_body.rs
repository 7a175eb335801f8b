//! Structure-aware int8: a valid header, a body made of the input (padded or
//! cut to the network's length), the CRC-32 re-sealed, so the value checks
//! and, for a model that loads, the integer kernels meet arbitrary
//! parameters.
//!
//! First byte: bit 0 picks the network (`Q8A`: QDense/QRelu/QLut, `Q8B`:
//! QDense/QLut); bit 1 "repairs" the body first — every scale made finite
//! and positive, every clamp ordered, every multiplier mantissa put in
//! `[2^30, 2^31)` (or 0) and shift in `[−31, 30]` — after which the model
//! must load. A loaded model must write back to the same bytes and run
//! `forward` on ordinary and extreme inputs without panicking (overflow
//! checks are on in fuzz builds, so a kernel's integer overflow is a crash).
#![no_main]

use constnet::io::{self, int8};
use constnet::{Layer, Params};
use constnet_fuzz::{Q8A, Q8B, int8_bytes};
use libfuzzer_sys::fuzz_target;

/// An int8 layer's stored form, as src/io/int8.rs documents it.
#[derive(Clone, Copy)]
enum Part {
    Boundary,
    Relu,
    Lut,
    Dense { ins: usize, outs: usize },
}

const Q8A_PARTS: &[Part] = &[
    Part::Boundary,
    Part::Dense { ins: 2, outs: 8 },
    Part::Relu,
    Part::Dense { ins: 8, outs: 8 },
    Part::Lut,
    Part::Dense { ins: 8, outs: 2 },
    Part::Boundary,
];
const Q8B_PARTS: &[Part] = &[
    Part::Boundary,
    Part::Dense { ins: 3, outs: 4 },
    Part::Lut,
    Part::Dense { ins: 4, outs: 4 },
    Part::Lut,
    Part::Dense { ins: 4, outs: 2 },
    Part::Boundary,
];

fn order(b: &mut [u8], at: usize) {
    let (lo, hi) = (b[at] as i8, b[at + 1] as i8);
    if lo > hi {
        b[at] = hi as u8;
        b[at + 1] = lo as u8;
    }
}

/// Makes every value of `body` one its layer accepts; returns its length.
fn repair(parts: &[Part], body: &mut [u8]) -> usize {
    let mut at = 0;
    for &p in parts {
        match p {
            Part::Boundary => {
                let s = f32::from_le_bytes(body[at..at + 4].try_into().unwrap()).abs();
                let s = if s.is_finite() && s > 0.0 { s } else { 1.0 };
                body[at..at + 4].copy_from_slice(&s.to_le_bytes());
                at += 5;
            }
            Part::Relu => {
                order(body, at);
                at += 2;
            }
            Part::Lut => at += 256,
            Part::Dense { ins, outs } => {
                order(body, at + 2);
                let mult = at + 4 + ins * outs + 4 * outs;
                let shift = mult + 4 * outs;
                for o in 0..outs {
                    let m = i32::from_le_bytes(body[mult + 4 * o..mult + 4 * o + 4].try_into().unwrap());
                    let m = if m == 0 { 0 } else { (m & 0x3fff_ffff) | 0x4000_0000 };
                    body[mult + 4 * o..mult + 4 * o + 4].copy_from_slice(&m.to_le_bytes());
                    let s = (body[shift + o] as i8 as i32 + 31).rem_euclid(62) - 31;
                    body[shift + o] = s as i8 as u8;
                }
                at = shift + outs;
            }
        }
    }
    at
}

fn run<M, const IN: usize>(mode: u8, input: &[u8], parts: &[Part])
where
    M: int8::Int8Params + Layer<[f32; IN]> + Layer<[[f32; IN]; 3]> + PartialEq + core::fmt::Debug,
{
    let len = int8::encoded_len::<M>();
    let mut buf = vec![0u8; len];
    buf[..4].copy_from_slice(&int8::MAGIC);
    buf[4..8].copy_from_slice(&int8::VERSION.to_le_bytes());
    buf[8..16].copy_from_slice(&M::FINGERPRINT.to_le_bytes());
    buf[16..20].copy_from_slice(&(M::BODY_LEN as u32).to_le_bytes());
    let body = &mut buf[io::HEADER_LEN..len - io::CHECKSUM_LEN];
    let n = input.len().min(body.len());
    body[..n].copy_from_slice(&input[..n]);
    let repaired = mode & 2 != 0;
    if repaired {
        assert_eq!(repair(parts, body), M::BODY_LEN);
    }
    let crc = io::crc32(&buf[..len - io::CHECKSUM_LEN]);
    buf[len - io::CHECKSUM_LEN..].copy_from_slice(&crc.to_le_bytes());
    let net = match int8::from_bytes::<M>(&buf) {
        Ok(net) => net,
        Err(io::Error::Parameter { .. }) if !repaired => return,
        Err(e) => panic!("repaired={repaired}: {e}"),
    };
    assert_eq!(int8_bytes(&net), buf);
    for x in [[0.0; IN], [0.75; IN], [-3.5; IN], [f32::MAX; IN], [f32::MIN; IN], [f32::NAN; IN]] {
        let _ = Layer::<[f32; IN]>::forward(&net, &x);
    }
    let _ = Layer::<[[f32; IN]; 3]>::forward(&net, &[[1.0; IN], [-1.0; IN], [1e-30; IN]]);
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, body)) = data.split_first() else { return };
    if mode & 1 == 0 {
        run::<Q8A, 2>(mode, body, Q8A_PARTS);
    } else {
        run::<Q8B, 3>(mode, body, Q8B_PARTS);
    }
    let _ = <constnet::Dense<1, 1> as Params>::PARAMS;
});
