//! PyTorch `state_dict`s (safetensors) in and out, against torch's outputs.
//!
//! `tests/data/torch/mlp.*` were written by `scripts/torch_fixtures.py`: a
//! trained `nn.Sequential(Linear(4,16), ReLU, Linear(16,8), Tanh,
//! Linear(8,3), Sigmoid)`, its inputs and torch's outputs.
//! `from_constnet.*` were written by the ignored test below from a seeded
//! constnet network; `torch_fixtures.py --check-export` loaded that file
//! into torch with `load_state_dict(strict=True)` and matched constnet's
//! outputs to 1.2e-7 relative (max |d| / max(|y|, 1)); constnet matches torch
//! on `mlp` to 2.4e-7.
#![cfg(feature = "std")]

use constnet::import::torch::{self, TorchError};
use constnet::init::{Init, init};
use constnet::{Dense, Layer, Params, Relu, Sigmoid, Tanh};
use npyz::WriterBuilder;
use rand_core::SeedableRng;

type Mlp = (Dense<4, 16>, Relu, Dense<16, 8>, Tanh, Dense<8, 3>, Sigmoid);
const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/torch");

fn bytes(name: &str) -> Vec<u8> {
    std::fs::read(format!("{DIR}/{name}")).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn rows(name: &str, width: usize) -> Vec<Vec<f32>> {
    let b = bytes(name);
    let v: Vec<f32> = npyz::NpyFile::new(&b[..]).unwrap().into_vec().unwrap();
    v.chunks(width).map(<[f32]>::to_vec).collect()
}

/// Largest `|y − t| / max(|t|, 1)` over the fixture's inputs.
fn max_rel(net: &Mlp, inputs: &str, outputs: &str) -> f32 {
    let (xs, want) = (rows(inputs, 4), rows(outputs, 3));
    assert_eq!(xs.len(), 64);
    let mut worst = 0f32;
    for (x, w) in xs.iter().zip(&want) {
        let y = net.forward(&[x[0], x[1], x[2], x[3]]);
        for (a, b) in y.iter().zip(w) {
            worst = worst.max((a - b).abs() / b.abs().max(1.0));
        }
    }
    worst
}

#[test]
fn torch_mlp_matches_torch_within_1e6() {
    let net: Mlp = torch::from_safetensors(&bytes("mlp.safetensors")).unwrap();
    let worst = max_rel(&net, "mlp.input.npy", "mlp.output.npy");
    println!("constnet vs torch on mlp: max relative difference {worst:e}");
    assert!(worst <= 1e-6, "{worst:e}");
}

#[test]
fn round_trip_is_exact() {
    let net: Mlp = torch::from_safetensors(&bytes("mlp.safetensors")).unwrap();
    let again: Mlp = torch::from_safetensors(&torch::to_safetensors(&net).unwrap()).unwrap();
    assert_eq!(again, net);
}

fn seeded() -> Mlp {
    let mut net = Mlp::zeros_params();
    init(&mut net, Init::He, &mut rand_pcg::Pcg64::seed_from_u64(11));
    net
}

/// Rewrites `from_constnet.*` (run with `--ignored`, then
/// `scripts/torch_fixtures.py --check-export …`).
#[test]
#[ignore]
fn write_export_fixture() {
    let net = seeded();
    torch::save(&net, format!("{DIR}/from_constnet.safetensors")).unwrap();
    let xs = rows("mlp.input.npy", 4);
    let ys: Vec<f32> = xs.iter().flat_map(|x| net.forward(&[x[0], x[1], x[2], x[3]])).collect();
    for (name, data, width) in [("input", xs.concat(), 4u64), ("output", ys, 3)] {
        let f = std::fs::File::create(format!("{DIR}/from_constnet.{name}.npy")).unwrap();
        let mut w =
            npyz::WriteOptions::new().default_dtype().shape(&[64, width]).writer(f).begin_nd().unwrap();
        w.extend(data).unwrap();
        w.finish().unwrap();
    }
}

#[test]
fn export_reproduces_the_file_torch_checked() {
    let net = seeded();
    assert_eq!(torch::to_safetensors(&net).unwrap(), bytes("from_constnet.safetensors"));
    assert_eq!(max_rel(&net, "from_constnet.input.npy", "from_constnet.output.npy"), 0.0);
}

// ---- hostile and mismatched files ------------------------------------------

fn read(b: &[u8]) -> Result<Mlp, TorchError> {
    let b = b.to_vec();
    std::panic::catch_unwind(move || torch::from_safetensors::<Mlp>(&b)).expect("from_safetensors panicked")
}

#[test]
fn truncated_at_every_length_is_an_error() {
    let b = bytes("mlp.safetensors");
    for n in 0..b.len() {
        assert!(matches!(read(&b[..n]), Err(TorchError::Format(_))), "truncated to {n}");
    }
}

#[test]
fn corrupt_headers_are_errors() {
    let b = bytes("mlp.safetensors");
    let mut huge = b.clone();
    huge[..8].copy_from_slice(&u64::MAX.to_le_bytes());
    assert!(matches!(read(&huge), Err(TorchError::Format(_))));
    let n = u64::from_le_bytes(b[..8].try_into().unwrap()) as usize;
    let mut not_json = b.clone();
    not_json[8] = b'x';
    assert!(matches!(read(&not_json), Err(TorchError::Format(_))));
    // Every header byte flipped: an error or a valid file, never a panic.
    for i in 8..8 + n {
        let mut c = b.clone();
        c[i] ^= 0x04;
        let _ = read(&c);
    }
    // Offsets beyond the data.
    let header = String::from_utf8(b[8..8 + n].to_vec()).unwrap();
    let bad = header.replacen("\"data_offsets\":[0,", "\"data_offsets\":[100000,", 1);
    if bad != header {
        let mut c = (bad.len() as u64).to_le_bytes().to_vec();
        c.extend(bad.as_bytes());
        c.extend(&b[8 + n..]);
        assert!(matches!(read(&c), Err(TorchError::Format(_))));
    }
}

fn file(tensors: &[(&str, safetensors::Dtype, Vec<usize>)]) -> Vec<u8> {
    let data: Vec<Vec<u8>> = tensors
        .iter()
        .map(|(_, d, s)| {
            vec![0u8; s.iter().product::<usize>() * if *d == safetensors::Dtype::F64 { 8 } else { 4 }]
        })
        .collect();
    let views: Vec<_> = tensors
        .iter()
        .zip(&data)
        .map(|((n, d, s), b)| {
            (n.to_string(), safetensors::tensor::TensorView::new(*d, s.clone(), b).unwrap())
        })
        .collect();
    safetensors::serialize(views, None).unwrap()
}

#[test]
fn mismatches_name_the_tensor() {
    use safetensors::Dtype::{F32, F64};
    let good = || {
        vec![
            ("0.weight", F32, vec![16, 4]),
            ("0.bias", F32, vec![16]),
            ("2.weight", F32, vec![8, 16]),
            ("2.bias", F32, vec![8]),
            ("4.weight", F32, vec![3, 8]),
            ("4.bias", F32, vec![3]),
        ]
    };
    assert!(read(&file(&good())).is_ok());
    let mut t = good();
    t.remove(3);
    assert_eq!(read(&file(&t)), Err(TorchError::Missing { name: "2.bias".into() }));
    let mut t = good();
    t.push(("6.weight", F32, vec![1]));
    assert_eq!(read(&file(&t)), Err(TorchError::Unexpected { name: "6.weight".into() }));
    let mut t = good();
    t[2].1 = F64;
    assert_eq!(read(&file(&t)), Err(TorchError::DType { name: "2.weight".into(), found: "F64".into() }));
    let mut t = good();
    t[0].2 = vec![4, 16]; // transposed
    assert_eq!(
        read(&file(&t)),
        Err(TorchError::Shape { name: "0.weight".into(), expected: vec![16, 4], found: vec![4, 16] })
    );
    // The right file for another network.
    let err = torch::from_safetensors::<(Dense<4, 15>, Relu)>(&bytes("mlp.safetensors")).unwrap_err();
    assert!(matches!(err, TorchError::Unexpected { .. } | TorchError::Shape { .. }), "{err}");
}

#[test]
fn non_finite_weights_are_refused_and_leave_the_network_unchanged() {
    let mut net = seeded();
    let mut bad = seeded();
    bad.2.weight_mut()[1][1] = f32::NAN;
    let before = net.clone();
    assert_eq!(
        torch::read_into(&mut net, &torch::to_safetensors(&bad).unwrap()),
        Err(TorchError::NonFinite { name: "2.weight".into() })
    );
    assert_eq!(net, before);
}

/// A safetensors file from a hand-written header (no padding) and data.
fn raw(header: &str, data: &[u8]) -> Vec<u8> {
    let mut b = (header.len() as u64).to_le_bytes().to_vec();
    b.extend(header.as_bytes());
    b.extend(data);
    b
}

fn dense_header(weight: [usize; 2], bias: [usize; 2]) -> String {
    format!(
        r#"{{"0.weight":{{"dtype":"F32","shape":[1,2],"data_offsets":[{},{}]}},"0.bias":{{"dtype":"F32","shape":[1],"data_offsets":[{},{}]}}}}"#,
        weight[0], weight[1], bias[0], bias[1]
    )
}

#[test]
fn offsets_out_of_range_overlapping_or_misaligned_are_errors() {
    let data: Vec<u8> = [1.0f32, 2.0, 3.0].iter().flat_map(|v| v.to_le_bytes()).collect();
    let load = |b: &[u8]| torch::from_safetensors::<Dense<2, 1>>(b);
    // Unpadded header (data starts at an odd offset) and an unaligned buffer: fine.
    let good = raw(&dense_header([0, 8], [8, 12]), &data);
    assert_ne!((8 + dense_header([0, 8], [8, 12]).len()) % 4, 0, "the data should start unaligned");
    let mut shifted = vec![0u8];
    shifted.extend(&good);
    for b in [&good[..], &shifted[1..]] {
        let net = load(b).unwrap();
        assert_eq!((net.weight(), net.bias()), (&[[1.0, 2.0]], &[3.0]));
    }
    // Data in another order than the header's is valid too.
    let reordered = load(&raw(&dense_header([4, 12], [0, 4]), &data)).unwrap();
    assert_eq!((reordered.weight(), reordered.bias()), (&[[2.0, 3.0]], &[1.0]));
    for (what, bytes) in [
        ("overlapping", raw(&dense_header([0, 8], [4, 8]), &data[..8])),
        ("beyond the data", raw(&dense_header([0, 8], [8, 12]), &data[..8])),
        ("data after the last tensor", raw(&dense_header([0, 8], [8, 12]), &[&data[..], &[0; 4]].concat())),
        ("7 bytes for two f32", raw(&dense_header([0, 7], [7, 11]), &data[..11])),
        ("header length past the end", {
            let mut b = good.clone();
            b[..8].copy_from_slice(&(good.len() as u64).to_le_bytes());
            b
        }),
        ("header length 2^40", {
            let mut b = good.clone();
            b[..8].copy_from_slice(&(1u64 << 40).to_le_bytes());
            b
        }),
    ] {
        assert!(matches!(load(&bytes), Err(TorchError::Format(_))), "{what}: {:?}", load(&bytes));
    }
}

#[test]
fn another_network_type_is_a_shape_error() {
    type Narrow = (Dense<4, 15>, Relu, Dense<15, 8>, Tanh, Dense<8, 3>, Sigmoid);
    let err = torch::from_safetensors::<Narrow>(&bytes("mlp.safetensors")).unwrap_err();
    assert_eq!(err, TorchError::Shape { name: "0.weight".into(), expected: vec![15, 4], found: vec![16, 4] });
    assert_eq!(err.to_string(), "tensor `0.weight` has shape [16, 4]; the network needs [15, 4]");
    type Shallow = (Dense<4, 16>, Relu, Dense<16, 8>, Tanh);
    let err = torch::from_safetensors::<Shallow>(&bytes("mlp.safetensors")).unwrap_err();
    assert_eq!(err, TorchError::Unexpected { name: "4.bias".into() });
    type Deeper = (Dense<4, 16>, Relu, Dense<16, 8>, Tanh, Dense<8, 3>, Sigmoid, Dense<3, 1>);
    let err = torch::from_safetensors::<Deeper>(&bytes("mlp.safetensors")).unwrap_err();
    assert_eq!(err, TorchError::Missing { name: "6.weight".into() });
}
