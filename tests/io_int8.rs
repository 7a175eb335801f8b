//! The int8 model format: round trips of a quantized network, every error
//! variant, truncation at every length, every single-bit flip, invalid
//! values behind a valid checksum, and the compile-time loader.

use constnet::io::{self, Error, ParamProblem, int8};
use constnet::prelude::*;
use constnet::quant::{self, Dequantize, Int8, QDense, QLut, QRelu, QuantParams, Quantize};
use rand_core::{RngCore, SeedableRng};
use rand_pcg::Pcg64;

type F32Net = (Dense<3, 6>, Relu, Dense<6, 4>, Tanh, Dense<4, 2>);
type Net = Int8<F32Net, 3>;
/// Same layer kinds, other sizes.
type Other = (Quantize, (QDense<3, 5>, QRelu, QDense<5, 4>, QLut, QDense<4, 2>), Dequantize);

const LEN: usize = int8::encoded_len::<Net>();

fn quantized() -> Net {
    let mut f: F32Net = Zeros::zeros();
    init(&mut f, Init::GlorotUniform, &mut Pcg64::seed_from_u64(3));
    let mut rng = Pcg64::seed_from_u64(4);
    let calib: Vec<[f32; 3]> = (0..50)
        .map(|_| core::array::from_fn(|_| (rng.next_u32() as f32 / u32::MAX as f32) * 4.0 - 2.0))
        .collect();
    quant::quantize(&f, &calib).unwrap()
}

fn encoded(net: &Net) -> Vec<u8> {
    let mut buf = vec![0u8; LEN];
    assert_eq!(int8::to_bytes(net, &mut buf), Ok(LEN));
    buf
}

/// Rewrites the checksum after a deliberate edit, so the value checks run.
fn reseal(buf: &mut [u8]) {
    let n = buf.len() - 4;
    let crc = io::crc32(&buf[..n]);
    buf[n..].copy_from_slice(&crc.to_le_bytes());
}

#[test]
fn round_trip_is_exact_and_layout_is_documented() {
    let net = quantized();
    let buf = encoded(&net);
    // 5 + (4 + 18 + 54) + 2 + (4 + 24 + 36) + 256 + (4 + 8 + 18) + 5
    assert_eq!(LEN, 20 + 5 + 76 + 2 + 64 + 256 + 30 + 5 + 4);
    assert_eq!(&buf[..4], b"CNQ8");
    assert_eq!(buf[4..8], 1u32.to_le_bytes());
    assert_eq!(buf[8..16], <Net as int8::Int8Params>::FINGERPRINT.to_le_bytes());
    assert_eq!(buf[16..20], ((LEN - 24) as u32).to_le_bytes());
    // Quantize: scale, zero point.
    assert_eq!(buf[20..24], net.0.params().scale.to_le_bytes());
    assert_eq!(buf[24] as i8, net.0.params().zero_point);
    // First QDense: zero points and clamp, weights row after row, TFLite bias.
    let d = &net.1.0;
    assert_eq!(
        buf[25..29].iter().map(|&b| b as i8).collect::<Vec<_>>(),
        [d.input_zero_point(), d.output_zero_point(), d.act_min(), d.act_max()]
    );
    assert_eq!(buf[29..47].iter().map(|&b| b as i8).collect::<Vec<_>>(), d.weight().as_flattened());
    assert_eq!(buf[47..51], d.bias()[0].to_le_bytes());
    let back: Net = int8::from_bytes(&buf).unwrap();
    assert_eq!(back, net);
    // And it computes the same.
    assert_eq!(back.forward(&[0.5, -1.0, 1.5]), net.forward(&[0.5, -1.0, 1.5]));
}

#[test]
fn header_errors_are_specific() {
    let net = quantized();
    let buf = encoded(&net);
    let mut short = [0u8; 4];
    assert_eq!(int8::to_bytes(&net, &mut short), Err(Error::BufferTooSmall { needed: LEN, got: 4 }));
    assert_eq!(short, [0; 4]);

    let mut b = buf.clone();
    b[..4].copy_from_slice(b"CNET");
    assert_eq!(int8::from_bytes::<Net>(&b), Err(Error::Magic { found: *b"CNET" }));
    let mut b = buf.clone();
    b[4] = 9;
    assert_eq!(int8::from_bytes::<Net>(&b), Err(Error::Version { found: 9 }));
    assert!(matches!(int8::from_bytes::<Other>(&buf), Err(Error::Fingerprint { .. })));
    let mut b = buf.clone();
    b[16] ^= 1;
    assert!(
        matches!(int8::from_bytes::<Net>(&b), Err(Error::BodyLength { found, .. }) if found == (LEN - 24) ^ 1)
    );
    let mut b = buf.clone();
    b.push(0);
    assert_eq!(int8::from_bytes::<Net>(&b), Err(Error::Length { expected: LEN, found: LEN + 1 }));
    // An f32 model is not an int8 one.
    let f: F32Net = Zeros::zeros();
    let mut fbuf = vec![0u8; io::encoded_len::<F32Net>()];
    io::to_bytes(&f, &mut fbuf).unwrap();
    assert_eq!(int8::from_bytes::<Net>(&fbuf), Err(Error::Magic { found: *b"CNET" }));
    // Error messages name the problem.
    let e = int8::from_bytes::<Net>(&buf[..30]).unwrap_err();
    assert_eq!(e.to_string(), format!("model is 30 bytes long, expected {LEN} (truncated or padded)"));
}

#[test]
fn truncation_at_every_length_is_refused() {
    let buf = encoded(&quantized());
    for n in 0..buf.len() {
        let r = int8::from_bytes::<Net>(&buf[..n]);
        assert!(matches!(r, Err(Error::Length { .. })), "length {n}: {r:?}");
    }
}

#[test]
fn every_single_bit_flip_is_refused() {
    let buf = encoded(&quantized());
    for bit in 0..buf.len() * 8 {
        let mut b = buf.clone();
        b[bit / 8] ^= 1 << (bit % 8);
        assert!(int8::from_bytes::<Net>(&b).is_err(), "bit {bit} flipped was accepted");
    }
}

#[test]
fn invalid_values_behind_a_valid_checksum_name_the_layer() {
    let buf = encoded(&quantized());
    // Layer 0 (Quantize): a zero, a negative, a NaN scale.
    for bad in [0.0f32, -1.0, f32::NAN, f32::INFINITY] {
        let mut b = buf.clone();
        b[20..24].copy_from_slice(&bad.to_le_bytes());
        reseal(&mut b);
        assert_eq!(
            int8::from_bytes::<Net>(&b),
            Err(Error::Parameter { layer: 0, problem: ParamProblem::Scale })
        );
    }
    // Layer 1 (first QDense, 3 → 6): output 2's mantissa below 2^30.
    let mult_at = 25 + 4 + 18 + 4 * 6;
    let mut b = buf.clone();
    b[mult_at + 8..mult_at + 12].copy_from_slice(&12345i32.to_le_bytes());
    reseal(&mut b);
    assert_eq!(
        int8::from_bytes::<Net>(&b),
        Err(Error::Parameter { layer: 1, problem: ParamProblem::Multiplier { output: 2 } })
    );
    // A shift of 31 is out of range too.
    let mut b = buf.clone();
    b[mult_at + 24 + 5] = 31;
    reseal(&mut b);
    assert_eq!(
        int8::from_bytes::<Net>(&b),
        Err(Error::Parameter { layer: 1, problem: ParamProblem::Multiplier { output: 5 } })
    );
    // Its clamp inverted.
    let mut b = buf.clone();
    (b[27], b[28]) = (10, -10i8 as u8);
    reseal(&mut b);
    assert_eq!(int8::from_bytes::<Net>(&b), Err(Error::Parameter { layer: 1, problem: ParamProblem::Clamp }));
    // Layer 2 (QRelu) inverted.
    let relu_at = 25 + 76;
    let mut b = buf.clone();
    (b[relu_at], b[relu_at + 1]) = (5, 4);
    reseal(&mut b);
    assert_eq!(int8::from_bytes::<Net>(&b), Err(Error::Parameter { layer: 2, problem: ParamProblem::Clamp }));
    // Layer 6 (Dequantize).
    let mut b = buf.clone();
    let at = LEN - 4 - 5;
    b[at..at + 4].copy_from_slice(&(-0.5f32).to_le_bytes());
    reseal(&mut b);
    assert_eq!(int8::from_bytes::<Net>(&b), Err(Error::Parameter { layer: 6, problem: ParamProblem::Scale }));
    assert_eq!(
        Error::Parameter { layer: 1, problem: ParamProblem::Multiplier { output: 2 } }.to_string(),
        "int8 model, layer 1: the multiplier of output 2 is outside TFLite's range \
         (mantissa 0 or in [2^30, 2^31), shift in [-31, 30])"
    );
}

#[test]
fn random_bytes_never_panic() {
    let buf = encoded(&quantized());
    let mut rng = Pcg64::seed_from_u64(9);
    for round in 0..3000 {
        let mut b = if round % 2 == 0 { buf.clone() } else { vec![0u8; (rng.next_u32() % 700) as usize] };
        for _ in 0..1 + rng.next_u32() % 8 {
            if b.is_empty() {
                break;
            }
            let i = rng.next_u32() as usize % b.len();
            b[i] = rng.next_u32() as u8;
        }
        if round % 4 == 0 && b.len() >= 24 {
            reseal(&mut b);
        }
        let _ = int8::from_bytes::<Net>(&b);
    }
}

/// `load_static_int8!` builds the same network at compile time.
static SMALL: (Quantize, (QDense<2, 2>, QRelu), Dequantize) =
    constnet::load_static_int8!(SMALL_BYTES => (Quantize, (QDense, QRelu), Dequantize));
const SMALL_BYTES: &[u8] = include_bytes!("data/small.q8");

#[test]
fn compile_time_loader_matches_run_time_loader() {
    let net: (Quantize, (QDense<2, 2>, QRelu), Dequantize) = int8::from_bytes(SMALL_BYTES).unwrap();
    assert_eq!(net, SMALL);
    let made = small();
    assert_eq!(SMALL, made);
    assert_eq!(SMALL.forward(&[1.0, -0.5]), made.forward(&[1.0, -0.5]));
}

/// The model in `tests/data/small.q8`; `regenerate_small_fixture` rewrites it.
fn small() -> (Quantize, (QDense<2, 2>, QRelu), Dequantize) {
    (
        Quantize::new(QuantParams::new(0.02, 3)),
        (
            QDense::new(
                [[100, -50], [-127, 127]],
                [40, -7],
                [1 << 30, 1_500_000_000],
                [-3, -6],
                3,
                -128,
                -128,
                127,
            ),
            QRelu::relu(-128),
        ),
        Dequantize::new(QuantParams::new(0.1, -128)),
    )
}

#[test]
fn small_fixture_is_what_small_writes() {
    let made = small();
    let mut buf = [0u8; int8::encoded_len::<(Quantize, (QDense<2, 2>, QRelu), Dequantize)>()];
    int8::to_bytes(&made, &mut buf).unwrap();
    if std::env::var_os("CONSTNET_REGENERATE").is_some() {
        std::fs::write(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/small.q8"), buf).unwrap();
    }
    assert_eq!(&buf[..], SMALL_BYTES, "run with CONSTNET_REGENERATE=1 to rewrite tests/data/small.q8");
}

#[test]
fn lut_round_trips() {
    let lut = QLut::from_fn(QuantParams::new(0.05, 0), QuantParams::new(1.0 / 128.0, 0), libm_tanh);
    let mut buf = [0u8; int8::encoded_len::<(QLut, QRelu)>()];
    int8::to_bytes(&(lut.clone(), QRelu::relu(0)), &mut buf).unwrap();
    let back: (QLut, QRelu) = int8::from_bytes(&buf).unwrap();
    assert_eq!(back.0, lut);
}

fn libm_tanh(x: f32) -> f32 {
    constnet::scalar::tanh(x)
}
