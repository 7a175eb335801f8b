//! Convolutional networks in the model format: round trips, refusal of
//! bytes made for another shape, and `load_static!` building a CNN at
//! compile time from a committed model file.

use constnet::init::{Init, init};
use constnet::io::{self, Error};
use constnet::{GlobalAvgPool2d, Layer, MaxPool2d, Params, Relu, Zeros, layers, load_static};
use rand_core::SeedableRng;
use rand_pcg::Pcg64;

type Tiny = layers![input [6, 6, 1] =>
    Conv2d(3, 3, padding = 1), Relu, MaxPool2d(2), DepthwiseConv2d(3), Relu, GlobalAvgPool, Dense(2)];

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/tiny_cnn.cnet");

fn tiny() -> Tiny {
    let mut net = Tiny::zeros();
    init(&mut net, Init::He, &mut Pcg64::seed_from_u64(12));
    net
}

fn image(seed: u64) -> [[[f32; 1]; 6]; 6] {
    core::array::from_fn(|y| core::array::from_fn(|x| [((y * 6 + x) as f32 * 0.37 + seed as f32).sin()]))
}

#[test]
fn cnn_round_trips_bit_for_bit() {
    let net = tiny();
    let mut buf = vec![0u8; io::encoded_len::<Tiny>()];
    io::to_bytes(&net, &mut buf).unwrap();
    let back: Tiny = io::from_bytes(&buf).unwrap();
    for s in 0..5 {
        assert_eq!(back.forward(&image(s)), net.forward(&image(s)));
    }
    // The committed fixture is this model, so load_static! below is too.
    let committed = std::fs::read(FIXTURE).expect("tests/data/tiny_cnn.cnet");
    assert_eq!(
        committed, buf,
        "tests/data/tiny_cnn.cnet is stale: regenerate it with CONSTNET_WRITE_FIXTURE=1"
    );
}

#[test]
fn bytes_of_another_shape_are_refused() {
    // Same parameter count and tensor lengths, another stride: the
    // fingerprint tells them apart.
    type Strided = layers![input [6, 6, 1] =>
        Conv2d(3, 3, stride = 2, padding = 1), Relu, MaxPool2d(1), DepthwiseConv2d(3), Relu, GlobalAvgPool, Dense(2)];
    assert_eq!(Strided::PARAMS, Tiny::PARAMS);
    let mut buf = vec![0u8; io::encoded_len::<Tiny>()];
    io::to_bytes(&tiny(), &mut buf).unwrap();
    assert!(matches!(io::from_bytes::<Strided>(&buf), Err(Error::Fingerprint { .. })));
    // Truncated and corrupted bytes are errors, never a panic.
    for n in 0..buf.len() {
        assert!(io::from_bytes::<Tiny>(&buf[..n]).is_err());
    }
    buf[40] ^= 1;
    assert!(io::from_bytes::<Tiny>(&buf).is_err());
}

static STATIC_TINY: Tiny = load_static!(include_bytes!("data/tiny_cnn.cnet") => (
    Conv2d, Relu, MaxPool2d, DepthwiseConv2d, Relu, GlobalAvgPool2d, Dense
));

#[test]
fn load_static_builds_a_cnn_at_compile_time() {
    let net = tiny();
    for s in 0..5 {
        assert_eq!(STATIC_TINY.forward(&image(s)), net.forward(&image(s)));
    }
}

#[test]
#[ignore = "writes tests/data/tiny_cnn.cnet; run with CONSTNET_WRITE_FIXTURE=1 -- --ignored"]
fn write_fixture() {
    if std::env::var_os("CONSTNET_WRITE_FIXTURE").is_some() {
        let mut buf = vec![0u8; io::encoded_len::<Tiny>()];
        io::to_bytes(&tiny(), &mut buf).unwrap();
        std::fs::write(FIXTURE, buf).unwrap();
    }
}
