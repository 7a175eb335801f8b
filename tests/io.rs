//! The model format: round trips, every error variant, truncation at every
//! length, every single-bit flip, and the compile-time loader.

use constnet::io::{self, Error};
use constnet::prelude::*;
use rand_core::{RngCore, SeedableRng};
use rand_pcg::Pcg64;

network! {
    /// A small classifier.
    #[derive(Clone, Debug, PartialEq)]
    pub struct Net((Dense<3, 5>, LeakyRelu, Dense<5, 2>, Tanh));
}

/// Same parameter count as `Net`, different architecture.
type Twin = (Dense<3, 5>, Relu, Dense<5, 2>, Tanh);
/// Different parameter count.
type Other = (Dense<3, 4>, Relu, Dense<4, 2>);

const LEN: usize = io::encoded_len::<Net>();

fn trained() -> Net {
    let mut net = Net((Dense::zeros(), LeakyRelu::new(0.1), Dense::zeros(), Tanh));
    init(&mut net, Init::Normal(1.0), &mut Pcg64::seed_from_u64(6));
    net
}

fn encoded(net: &Net) -> [u8; LEN] {
    let mut buf = [0u8; LEN];
    assert_eq!(io::to_bytes(net, &mut buf), Ok(LEN));
    buf
}

fn bits(net: &impl Params) -> Vec<u32> {
    (0..Net::PARAMS).map(|k| net.param(k).unwrap().to_bits()).collect()
}

#[test]
fn round_trip_is_bit_exact() {
    let net = trained();
    let buf = encoded(&net);
    assert_eq!(LEN, 20 + 4 * Net::PARAMS + 4);
    let back: Net = io::from_bytes(&buf).unwrap();
    assert_eq!(bits(&back), bits(&net));
    // `from_bytes` starts from `zeros()`: LeakyRelu gets the default slope.
    assert_eq!(back.0.1.slope(), LeakyRelu::DEFAULT_SLOPE);
    // `read_into` keeps the slope of the network it fills.
    let mut into = Net((Dense::zeros(), LeakyRelu::new(0.1), Dense::zeros(), Tanh));
    io::read_into(&buf, &mut into).unwrap();
    assert_eq!(into, net);
    // Special values survive too.
    let mut odd = net.clone();
    odd.tensor_mut(0)[..4].copy_from_slice(&[-0.0, f32::INFINITY, f32::MIN_POSITIVE / 2.0, f32::NAN]);
    let back: Net = io::from_bytes(&encoded(&odd)).unwrap();
    assert_eq!(bits(&back), bits(&odd));
    // A tuple network writes the same bytes as its `network!` newtype.
    let mut tuple_buf = [0u8; LEN];
    io::to_bytes(&net.0, &mut tuple_buf).unwrap();
    assert_eq!(tuple_buf, buf);
}

#[test]
fn small_buffer_is_refused_and_left_alone() {
    let net = trained();
    for n in 0..LEN {
        let mut buf = vec![0xa5u8; n];
        assert_eq!(io::to_bytes(&net, &mut buf), Err(Error::BufferTooSmall { needed: LEN, got: n }));
        assert!(buf.iter().all(|&b| b == 0xa5));
    }
    let mut big = vec![0u8; LEN + 10];
    assert_eq!(io::to_bytes(&net, &mut big), Ok(LEN));
    assert_eq!(&big[..LEN], &encoded(&net)[..]);
}

/// Rewrites the checksum after a header edit, so that only the edited field
/// is wrong.
fn reseal(buf: &mut [u8]) {
    let n = buf.len() - 4;
    let crc = io::crc32(&buf[..n]);
    buf[n..].copy_from_slice(&crc.to_le_bytes());
}

#[test]
fn each_error_has_its_variant() {
    let buf = encoded(&trained());

    let mut b = buf;
    b[0] = b'X';
    reseal(&mut b);
    assert_eq!(io::from_bytes::<Net>(&b), Err(Error::Magic { found: *b"XNET" }));

    let mut b = buf;
    b[4] = 2;
    reseal(&mut b);
    assert_eq!(io::from_bytes::<Net>(&b), Err(Error::Version { found: 2 }));

    assert_eq!(Twin::PARAMS, Net::PARAMS);
    assert_eq!(
        io::from_bytes::<Twin>(&buf),
        Err(Error::Fingerprint { expected: Twin::FINGERPRINT, found: Net::FINGERPRINT })
    );
    assert!(matches!(io::from_bytes::<Other>(&buf), Err(Error::Fingerprint { .. })));

    let mut b = buf;
    b[16] += 1;
    reseal(&mut b);
    assert_eq!(
        io::from_bytes::<Net>(&b),
        Err(Error::ParamCount { expected: Net::PARAMS, found: Net::PARAMS + 1 })
    );

    let mut long = buf.to_vec();
    long.push(0);
    assert_eq!(io::from_bytes::<Net>(&long), Err(Error::Length { expected: LEN, found: LEN + 1 }));
    assert_eq!(io::from_bytes::<Net>(&buf[..LEN - 1]), Err(Error::Length { expected: LEN, found: LEN - 1 }));

    let mut b = buf;
    b[30] ^= 0x10;
    let stored = u32::from_le_bytes(b[LEN - 4..].try_into().unwrap());
    assert_eq!(
        io::from_bytes::<Net>(&b),
        Err(Error::Checksum { stored, computed: io::crc32(&b[..LEN - 4]) })
    );
}

#[test]
fn errors_explain_themselves() {
    let all = [
        Error::BufferTooSmall { needed: 8, got: 4 },
        Error::Magic { found: *b"XNET" },
        Error::Version { found: 9 },
        Error::Fingerprint { expected: 1, found: 2 },
        Error::ParamCount { expected: 3, found: 4 },
        Error::Length { expected: 5, found: 6 },
        Error::Checksum { stored: 7, computed: 8 },
    ];
    let texts: Vec<String> = all.iter().map(|e| e.to_string()).collect();
    for (t, key) in texts.iter().zip([
        "buffer",
        "magic",
        "version",
        "different network",
        "parameters",
        "bytes long",
        "corrupted",
    ]) {
        assert!(
            t.contains(key) || (key == "magic" && t.contains("not a constnet model")),
            "{t:?} lacks {key:?}"
        );
    }
    for (i, a) in texts.iter().enumerate() {
        assert!(texts[i + 1..].iter().all(|b| a != b));
    }
    let e: &dyn std::error::Error = &all[3];
    assert!(e.to_string().contains("0x0000000000000002"));
}

#[test]
fn every_truncation_is_a_length_error() {
    let buf = encoded(&trained());
    for n in 0..LEN {
        assert_eq!(
            io::from_bytes::<Net>(&buf[..n]),
            Err(Error::Length { expected: LEN, found: n }),
            "n = {n}"
        );
    }
}

#[test]
fn every_single_bit_flip_is_caught_by_the_right_check() {
    let net = trained();
    let buf = encoded(&net);
    for byte in 0..LEN {
        for bit in 0..8 {
            let mut b = buf;
            b[byte] ^= 1 << bit;
            let mut into = net.clone();
            into.tensor_mut(0).fill(7.0);
            let before = into.clone();
            let r = io::read_into(&b, &mut into);
            assert_eq!(into, before, "model changed on error at byte {byte} bit {bit}");
            let e = r.expect_err("a flipped bit was accepted");
            let ok = match byte {
                0..4 => matches!(e, Error::Magic { .. }),
                4..8 => matches!(e, Error::Version { .. }),
                8..16 => matches!(e, Error::Fingerprint { .. }),
                16..20 => matches!(e, Error::ParamCount { .. }),
                _ => matches!(e, Error::Checksum { .. }),
            };
            assert!(ok, "byte {byte} bit {bit}: {e:?}");
        }
    }
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = Pcg64::seed_from_u64(1);
    let good = encoded(&trained());
    for round in 0..20_000 {
        let mut b = good.to_vec();
        match round % 4 {
            // Garbage of any length.
            0 => {
                b.truncate(rng.next_u32() as usize % (LEN + 8));
                rng.fill_bytes(&mut b);
            }
            // A few random byte changes and a random length.
            1 => {
                for _ in 0..1 + rng.next_u32() % 4 {
                    let k = rng.next_u32() as usize % LEN;
                    b[k] = rng.next_u32() as u8;
                }
                b.resize(LEN - 8 + rng.next_u32() as usize % 16, 0);
            }
            // Valid header, garbage parameters.
            2 => rng.fill_bytes(&mut b[20..]),
            _ => {
                let n = rng.next_u32() as usize % 64;
                b.extend((0..n).map(|_| rng.next_u32() as u8));
            }
        }
        if b[..] != good[..] {
            assert!(io::from_bytes::<Net>(&b).is_err());
        }
        let _ = io::from_bytes::<Other>(&b);
    }
}

// ---- compile-time loading ------------------------------------------------

const MODEL: &[u8] = &{
    // What `io::to_bytes` writes for `tiny()`, fixed in the source: the
    // round trip below proves the two agree.
    [
        67, 78, 69, 84, 1, 0, 0, 0, 40, 30, 88, 23, 74, 229, 118, 72, 7, 0, 0, 0, 0, 0, 128, 63, 0, 0, 128,
        191, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 128, 63, 0, 0, 0, 0, 130, 247, 197, 189,
    ]
};

network! {
    /// `|x|` as `relu(x) + relu(-x)`.
    #[derive(Debug, PartialEq)]
    pub struct Abs((Dense<1, 2>, Relu, Dense<2, 1>));
}

fn tiny() -> Abs {
    Abs((Dense::new([[1.0], [-1.0]], [0.0; 2]), Relu, Dense::new([[1.0, 1.0]], [0.0])))
}

static ABS: Abs = constnet::load_static!(MODEL => Abs(Dense, Relu, Dense));
static ABS_TUPLE: (Dense<1, 2>, Relu, Dense<2, 1>) = constnet::load_static!(MODEL => (Dense, Relu, Dense,));

/// Model bytes for fingerprint `fp` and parameters `p`, built by the
/// compiler (`N` = 24 + 4·P).
const fn encode<const P: usize, const N: usize>(fp: u64, p: [f32; P]) -> [u8; N] {
    let mut b = [0u8; N];
    let head = *b"CNET\x01\0\0\0";
    let (fp, n) = (fp.to_le_bytes(), (P as u32).to_le_bytes());
    let mut i = 0;
    while i < 8 {
        b[i] = head[i];
        b[8 + i] = fp[i];
        i += 1;
    }
    let mut i = 0;
    while i < 4 {
        b[16 + i] = n[i];
        i += 1;
    }
    let mut k = 0;
    while k < P {
        let v = p[k].to_le_bytes();
        let mut i = 0;
        while i < 4 {
            b[20 + 4 * k + i] = v[i];
            i += 1;
        }
        k += 1;
    }
    let crc = io::crc32(b.split_at(N - 4).0).to_le_bytes();
    let mut i = 0;
    while i < 4 {
        b[N - 4 + i] = crc[i];
        i += 1;
    }
    b
}

type Nested = (Dense<1, 2>, (LeakyRelu, Dense<2, 1>));
const NESTED_BIN: [u8; 52] = encode(<Nested as Params>::FINGERPRINT, [1.0, -1.0, 0.0, 0.0, 1.0, 1.0, 0.5]);
static NESTED: Nested = constnet::load_static!(&NESTED_BIN => (Dense, (LeakyRelu::new(0.5), Dense)));

#[test]
fn nested_static_model_and_const_encoder_agree_with_to_bytes() {
    let want: Nested =
        (Dense::new([[1.0], [-1.0]], [0.0; 2]), (LeakyRelu::new(0.5), Dense::new([[1.0, 1.0]], [0.5])));
    assert_eq!(NESTED, want);
    let mut buf = [0u8; io::encoded_len::<Nested>()];
    io::to_bytes(&want, &mut buf).unwrap();
    assert_eq!(buf, NESTED_BIN);
    // relu-ish with slope 0.5 on both branches: 2 + 0.5·(−2) + 0.5
    assert_eq!(NESTED.forward(&[2.0]), [1.5]);
}

#[test]
fn static_model_matches_runtime_loading() {
    let mut buf = [0u8; io::encoded_len::<Abs>()];
    io::to_bytes(&tiny(), &mut buf).unwrap();
    assert_eq!(&buf[..], MODEL);
    assert_eq!(ABS, tiny());
    assert_eq!(ABS_TUPLE, tiny().0);
    assert_eq!(ABS.forward(&[-2.5]), [2.5]);
    assert_eq!(io::from_bytes::<Abs>(MODEL).unwrap(), ABS);
}

network! {
    /// The network the `quadrants` example saves with `--save` (its "better configuration").
    #[derive(Debug, PartialEq)]
    pub struct Quadrants((Dense<2, 16>, Tanh, Dense<16, 16>, Tanh, Dense<16, 2>));
}

network! {
    /// The 1-16-16-1 sine regressor `examples/sine.rs` saves.
    #[derive(Debug, PartialEq)]
    pub struct Sine((Dense<1, 16>, Relu, Dense<16, 16>, Relu, Dense<16, 1>));
}

const QUADRANTS_BIN: &[u8] = include_bytes!("../examples/firmware/models/quadrants.bin");
const SINE_BIN: &[u8] = include_bytes!("../examples/firmware/models/sine.bin");
static QUADRANTS: Quadrants =
    constnet::load_static!(QUADRANTS_BIN => Quadrants(Dense, Tanh, Dense, Tanh, Dense));
static SINE: Sine = constnet::load_static!(SINE_BIN => Sine(Dense, Relu, Dense, Relu, Dense));

#[test]
fn committed_firmware_models_load_both_ways() {
    assert_eq!(io::from_bytes::<Quadrants>(QUADRANTS_BIN).unwrap(), QUADRANTS);
    assert_eq!(io::from_bytes::<Sine>(SINE_BIN).unwrap(), SINE);
    assert!(QUADRANTS.all_finite() && SINE.all_finite());
    // The trained models do their jobs.
    assert_eq!(constnet::math::argmax(&QUADRANTS.forward(&[1.0, 1.5])), 0);
    assert_eq!(constnet::math::argmax(&QUADRANTS.forward(&[-1.0, 1.5])), 1);
    assert!((SINE.forward(&[1.0])[0] - 1f32.sin()).abs() < 0.1);
}

#[cfg(feature = "std")]
#[test]
fn files_round_trip_and_report_bad_data() {
    let dir = std::env::temp_dir().join(format!("constnet-io-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("net.bin");
    let net = trained();
    io::save(&net, &path).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), encoded(&net));
    let back: Net = io::load(&path).unwrap();
    assert_eq!(bits(&back), bits(&net));
    let mut into = Net((Dense::zeros(), LeakyRelu::new(0.1), Dense::zeros(), Tanh));
    io::load_into(&path, &mut into).unwrap();
    assert_eq!(into, net);
    let e = io::load::<Twin, _>(&path).unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::InvalidData);
    assert!(e.to_string().contains("different network"), "{e}");
    let e = io::load::<Net, _>(dir.join("missing.bin")).unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::NotFound);
    std::fs::remove_dir_all(&dir).unwrap();
}
