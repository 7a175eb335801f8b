//! The networks the fuzz targets load, and a valid model file of each (the
//! seed corpora). Shared by the fuzz crate (`src/lib.rs`) and by the root
//! crate's `tests/fuzz_regressions.rs` (through `#[path]`), so the committed
//! seeds are checked against these definitions by `cargo test`.
#![allow(dead_code)]

use constnet::quant::{self, Int8};
use constnet::{Dense, LeakyRelu, Params, Relu, Sigmoid, Softmax, Tanh, Zeros, io};

/// A small f32 network.
pub type F32A = (Dense<2, 3>, Relu, Dense<3, 1>);
/// An f32 network with every activation kind and a nested tuple.
pub type F32B = (Dense<4, 8>, LeakyRelu, (Dense<8, 8>, Tanh), Dense<8, 6>, Sigmoid, Dense<6, 3>, Softmax);

/// The f32 network whose int8 form is [`Q8A`]: Dense/Relu/Tanh.
pub type Q8ANet = (Dense<2, 8>, Relu, Dense<8, 8>, Tanh, Dense<8, 2>);
/// `Quantize, (QDense, QRelu, QDense, QLut, QDense), Dequantize`.
pub type Q8A = Int8<Q8ANet, 2>;
/// The f32 network whose int8 form is [`Q8B`]: sigmoid and leaky ReLU tables.
pub type Q8BNet = (Dense<3, 4>, Sigmoid, Dense<4, 4>, LeakyRelu, Dense<4, 2>);
/// `Quantize, (QDense, QLut, QDense, QLut, QDense), Dequantize`.
pub type Q8B = Int8<Q8BNet, 3>;
/// The smallest int8 network: one layer and its fused ReLU, no boundary layers.
pub type Q8C = (quant::QDense<2, 1>, quant::QRelu);

/// Deterministic, varied parameters: no RNG crate needed.
pub fn filled<M: Params>() -> M {
    let mut m = M::zeros();
    let mut k = 0u32;
    for t in 0..M::TENSORS {
        for v in m.tensor_mut(t) {
            k = k.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            *v = ((k >> 8) as f32 / (1u32 << 24) as f32 - 0.5) * 1.5;
        }
    }
    m
}

pub fn f32_bytes<M: Params>(m: &M) -> Vec<u8> {
    let mut buf = vec![0u8; io::encoded_len::<M>()];
    io::to_bytes(m, &mut buf).unwrap();
    buf
}

pub fn int8_bytes<M: io::int8::Int8Params>(m: &M) -> Vec<u8> {
    let mut buf = vec![0u8; io::int8::encoded_len::<M>()];
    io::int8::to_bytes(m, &mut buf).unwrap();
    buf
}

fn calibration<const IN: usize>() -> Vec<[f32; IN]> {
    (0..64).map(|s| core::array::from_fn(|i| ((s * 7 + i * 3) % 17) as f32 / 8.0 - 1.0)).collect()
}

pub fn q8a() -> Q8A {
    quant::quantize(&filled::<Q8ANet>(), &calibration::<2>()).unwrap()
}

pub fn q8b() -> Q8B {
    quant::quantize(&filled::<Q8BNet>(), &calibration::<3>()).unwrap()
}

pub fn q8c() -> Q8C {
    (quant::QDense::new([[64, -64]], [5], [1 << 30], [0], 0, -128, -128, 127), quant::QRelu::relu(-128))
}

/// `(target, file name, bytes)` of every seed under `fuzz/corpus/`.
pub fn seeds() -> Vec<(&'static str, &'static str, Vec<u8>)> {
    let a = f32_bytes(&filled::<F32A>());
    let b = f32_bytes(&filled::<F32B>());
    let qa = int8_bytes(&q8a());
    let qb = int8_bytes(&q8b());
    let qc = int8_bytes(&q8c());
    let body = |bytes: &[u8], trailer: usize| bytes[io::HEADER_LEN..bytes.len() - trailer].to_vec();
    let mut check_a = Vec::new();
    check_a.extend_from_slice(&<F32A as Params>::FINGERPRINT.to_le_bytes());
    check_a.extend_from_slice(&(<F32A as Params>::PARAMS as u64).to_le_bytes());
    check_a.extend_from_slice(&a);
    let mut idx3 = constnet::data::idx::encode_images(2, 2, &[0, 255, 51, 102, 255, 255, 0, 0]);
    idx3.insert(0, 3);
    let mut idx1 = constnet::data::idx::encode_labels(&[7, 1, 0]);
    idx1.insert(0, 1);
    vec![
        ("f32_from_bytes", "seed-f32a", a.clone()),
        ("f32_from_bytes", "seed-f32b", b.clone()),
        ("f32_body", "seed-f32b-body", [&[0u8][..], &body(&b, io::CHECKSUM_LEN)].concat()),
        ("check", "seed-f32a", check_a),
        ("int8_from_bytes", "seed-q8a", qa.clone()),
        ("int8_from_bytes", "seed-q8b", qb.clone()),
        ("int8_from_bytes", "seed-q8c", qc),
        ("int8_body", "seed-q8a-raw", [&[0u8][..], &body(&qa, io::CHECKSUM_LEN)].concat()),
        ("int8_body", "seed-q8b-raw", [&[1u8][..], &body(&qb, io::CHECKSUM_LEN)].concat()),
        ("idx_parse", "seed-images", idx3),
        ("idx_parse", "seed-labels", idx1),
    ]
}

/// Zeros-then-fill: `M::zeros()` without the `Params` bound.
pub fn zeros<M: Zeros>() -> M {
    M::zeros()
}
