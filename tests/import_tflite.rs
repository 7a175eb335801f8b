//! `.tflite` import against the TensorFlow Lite interpreter's own outputs.
//!
//! The fixtures in `tests/data/tflite/` were made by
//! `scripts/tflite_fixtures.py`: Keras models converted by the TFLite
//! converter (f32 and full-integer int8), run by `ai-edge-litert` on fixed
//! inputs with its three kernel sets. `<model>.ref.npy` holds the reference
//! kernels' (`BUILTIN_REF`) outputs, `.builtin.npy` the optimized kernels',
//! `.xnnpack.npy` XNNPACK's. int8 outputs must equal the reference kernels'
//! bit for bit; f32 outputs must agree within 1e-6 relative to the
//! sample's largest output.
#![cfg(feature = "std")]

use constnet::import::tflite::{self, Arithmetic, ImportError, Model, Values};
use constnet::io::int8::{self as io8, Int8Params};
use constnet::quant::{Dequantize, Footprint, QDenseLiteRt, QLut, Quantize};
use constnet::{Dense, Layer, Params, Relu};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/tflite");

fn bytes(name: &str) -> Vec<u8> {
    std::fs::read(format!("{DIR}/{name}")).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn import(name: &str) -> Model {
    tflite::import(&bytes(&format!("{name}.tflite")), Arithmetic::LiteRt)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Rows of a 2-D `.npy` array.
fn rows<T: npyz::Deserialize + Clone>(name: &str) -> Vec<Vec<T>> {
    let b = bytes(name);
    let npy = npyz::NpyFile::new(&b[..]).unwrap();
    let shape = npy.shape().to_vec();
    let width = *shape.last().unwrap() as usize;
    let v: Vec<T> = npy.into_vec().unwrap();
    v.chunks(width).map(<[T]>::to_vec).collect()
}

fn run_i8(model: &Model, x: &[i8]) -> Vec<i8> {
    match model.run(&Values::I8(x.to_vec())).unwrap() {
        Values::I8(y) => y,
        other => panic!("expected int8 outputs, got {other:?}"),
    }
}

fn run_f32(model: &Model, x: &[f32]) -> Vec<f32> {
    match model.run(&Values::F32(x.to_vec())).unwrap() {
        Values::F32(y) => y,
        other => panic!("expected f32 outputs, got {other:?}"),
    }
}

/// Outputs of `model` that differ from `<name>.<set>.npy`, and the total.
fn int8_mismatches(model: &Model, name: &str, set: &str) -> (usize, usize) {
    let (xs, want) = (rows::<i8>(&format!("{name}.input.npy")), rows::<i8>(&format!("{name}.{set}.npy")));
    assert_eq!(xs.len(), want.len());
    let mut bad = 0;
    let mut total = 0;
    for (x, w) in xs.iter().zip(&want) {
        let y = run_i8(model, x);
        bad += y.iter().zip(w).filter(|(a, b)| a != b).count();
        total += w.len();
    }
    (bad, total)
}

fn assert_int8_bit_identical(name: &str) {
    let model = import(name);
    let (bad, total) = int8_mismatches(&model, name, "ref");
    let (xnn, _) = int8_mismatches(&model, name, "xnnpack");
    let (opt, _) = int8_mismatches(&model, name, "builtin");
    let micro = tflite::import(&bytes(&format!("{name}.tflite")), Arithmetic::Micro).unwrap();
    let (mic, _) = int8_mismatches(&micro, name, "ref");
    println!(
        "{name}: {total} outputs; differ from BUILTIN_REF {bad}, from XNNPACK {xnn}, from optimized built-ins {opt}; \
         Arithmetic::Micro differs from BUILTIN_REF in {mic}"
    );
    assert_eq!(
        bad, 0,
        "{name}: {bad} of {total} int8 outputs differ from the interpreter's reference kernels"
    );
}

/// Every output within 1e-6 of the interpreter's, relative to the sample's
/// largest output (at least 1): `|y − r| ≤ 1e-6 · max(‖r‖∞, 1)`. Summation
/// order is the only difference (constnet's kernels keep 16 partial sums), so
/// a 784-term logit can differ by a few ulp of the row's scale — TFLite's own
/// kernel sets differ from each other by as much (`manifest.json`: up to
/// 3.8e-6 absolute on the MNIST logits).
fn assert_f32_close(name: &str) -> f32 {
    let model = import(name);
    let (xs, want) = (rows::<f32>(&format!("{name}.input.npy")), rows::<f32>(&format!("{name}.ref.npy")));
    let (mut worst, mut worst_elementwise) = (0f32, 0f32);
    for (x, w) in xs.iter().zip(&want) {
        let y = run_f32(&model, x);
        assert_eq!(y.len(), w.len());
        let scale = w.iter().fold(1f32, |m, v| m.max(v.abs()));
        for (a, b) in y.iter().zip(w) {
            let rel = (a - b).abs() / scale;
            worst = worst.max(rel);
            worst_elementwise = worst_elementwise.max((a - b).abs() / b.abs().max(1e-30));
            assert!(rel <= 1e-6, "{name}: {a} vs the interpreter's {b} ({rel:e} of the row's scale {scale})");
        }
    }
    println!(
        "{name}: worst difference from BUILTIN_REF {worst:e} of the row's largest output \
         (elementwise relative {worst_elementwise:e})"
    );
    worst
}

#[test]
fn sine_int8_is_bit_identical_with_the_interpreter() {
    assert_int8_bit_identical("sine_int8");
}

#[test]
fn mnist_int8_is_bit_identical_with_the_interpreter() {
    assert_int8_bit_identical("mnist_int8");
}

#[test]
fn mnist_int8_other_weight_quantization_is_bit_identical() {
    for name in ["mnist_int8_per_channel", "mnist_int8_per_tensor"] {
        if std::path::Path::new(&format!("{DIR}/{name}.tflite")).exists() {
            assert_int8_bit_identical(name);
        }
    }
}

#[test]
fn act_int8_tanh_and_logistic_are_bit_identical() {
    assert_int8_bit_identical("act_int8");
}

#[test]
fn sine_int8_with_float_edges_is_bit_identical() {
    let name = "sine_int8_float_io";
    let model = import(name);
    let (xs, want) = (rows::<f32>(&format!("{name}.input.npy")), rows::<f32>(&format!("{name}.ref.npy")));
    for (x, w) in xs.iter().zip(&want) {
        let y = run_f32(&model, x);
        assert_eq!(
            y.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            w.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
        );
    }
    assert!(matches!(model.layers().first(), Some(tflite::ImportedLayer::ToInt8 { .. })));
    assert!(matches!(model.layers().last(), Some(tflite::ImportedLayer::ToF32 { .. })));
}

#[test]
fn f32_models_agree_within_1e6() {
    for name in ["sine_f32", "mnist_f32", "act_f32", "softmax_f32"] {
        assert_f32_close(name);
    }
}

/// The typed network, loaded from the converter's file, computes the same
/// bits as the interpreter too, and the converter's figures are the type's.
#[test]
fn sine_int8_as_a_typed_network() {
    type Net = (QDenseLiteRt<1, 16>, QDenseLiteRt<16, 16>, QDenseLiteRt<16, 1>);
    let model = import("sine_int8");
    assert_eq!(model.rust_type(), "(QDenseLiteRt<1, 16>, QDenseLiteRt<16, 16>, QDenseLiteRt<16, 1>)");
    assert_eq!(model.load_static_layers(), "(QDenseLiteRt, QDenseLiteRt, QDenseLiteRt)");
    assert_eq!(model.fingerprint(), <Net as Int8Params>::FINGERPRINT);
    assert_eq!(model.flash_bytes(), size_of::<Net>());
    assert_eq!(model.activation_bytes(), <Net as Footprint<[i8; 1]>>::ACTIVATION_BYTES);
    let net: Net = io8::from_bytes(&model.to_model_bytes()).unwrap();
    let (xs, want) = (rows::<i8>("sine_int8.input.npy"), rows::<i8>("sine_int8.ref.npy"));
    for (x, w) in xs.iter().zip(&want) {
        assert_eq!(net.forward(&[x[0]]).to_vec(), *w);
    }
    // The committed model file (what the firmware includes) is the converter's output.
    assert_eq!(bytes("sine_int8.q8"), model.to_model_bytes(), "tests/data/tflite/sine_int8.q8 is stale");
}

#[test]
fn sine_int8_from_flash_with_load_static_int8() {
    static NET: (QDenseLiteRt<1, 16>, QDenseLiteRt<16, 16>, QDenseLiteRt<16, 1>) = constnet::load_static_int8!(
        include_bytes!("data/tflite/sine_int8.q8") => (QDenseLiteRt, QDenseLiteRt, QDenseLiteRt)
    );
    let (xs, want) = (rows::<i8>("sine_int8.input.npy"), rows::<i8>("sine_int8.ref.npy"));
    for (x, w) in xs.iter().zip(&want) {
        assert_eq!(NET.forward(&[x[0]]).to_vec(), *w);
    }
}

#[test]
fn mnist_int8_as_a_typed_network() {
    type Net = (QDenseLiteRt<784, 64>, QDenseLiteRt<64, 10>);
    let model = import("mnist_int8");
    assert_eq!(model.rust_type(), "(QDenseLiteRt<784, 64>, QDenseLiteRt<64, 10>)");
    assert_eq!(model.fingerprint(), <Net as Int8Params>::FINGERPRINT);
    assert_eq!(model.flash_bytes(), size_of::<Net>());
    let net: Box<Net> = Box::new(io8::from_bytes(&model.to_model_bytes()).unwrap());
    let (xs, want) = (rows::<i8>("mnist_int8.input.npy"), rows::<i8>("mnist_int8.ref.npy"));
    for (x, w) in xs.iter().zip(&want) {
        let x: [i8; 784] = x[..].try_into().unwrap();
        assert_eq!(net.forward(&x).to_vec(), *w);
    }
}

#[test]
fn sine_float_io_and_f32_as_typed_networks() {
    type Q = (Quantize, QDenseLiteRt<1, 16>, QDenseLiteRt<16, 16>, QDenseLiteRt<16, 1>, Dequantize);
    let model = import("sine_int8_float_io");
    assert_eq!(model.fingerprint(), <Q as Int8Params>::FINGERPRINT);
    assert_eq!(model.flash_bytes(), size_of::<Q>());
    let q: Q = io8::from_bytes(&model.to_model_bytes()).unwrap();
    let x = [1.25f32];
    assert_eq!(q.forward(&x).to_vec(), run_f32(&model, &x));

    type F = (Dense<1, 16>, Relu, Dense<16, 16>, Relu, Dense<16, 1>);
    let model = import("sine_f32");
    assert_eq!(model.rust_type(), "(Dense<1, 16>, Relu, Dense<16, 16>, Relu, Dense<16, 1>)");
    assert_eq!(model.load_static_layers(), "(Dense, Relu, Dense, Relu, Dense)");
    assert_eq!(model.fingerprint(), <F as Params>::FINGERPRINT);
    assert_eq!(model.flash_bytes(), size_of::<F>());
    let f: F = constnet::io::from_bytes(&model.to_model_bytes()).unwrap();
    for x in [-1.0f32, 0.0, 0.5, 3.0, 6.0] {
        assert_eq!(
            f.forward(&[x]).to_vec(),
            run_f32(&model, &[x]),
            "typed and run-time f32 paths differ at {x}"
        );
    }
}

#[test]
fn act_int8_layers_and_tables() {
    let model = import("act_int8");
    let luts = model.layers().iter().filter(|l| matches!(l, tflite::ImportedLayer::TableInt8 { .. })).count();
    assert_eq!(luts, 2, "{:#?}", model.rust_type());
    // The type takes the tables through the int8 format unchanged.
    let file = model.to_model_bytes();
    let lut_bytes = <QLut as Int8Params>::BODY_LEN;
    assert_eq!(lut_bytes, 256);
    assert!(file.len() > 2 * lut_bytes);
}

#[test]
fn int8_softmax_is_refused_by_name() {
    let err = tflite::import(&bytes("softmax_int8.tflite"), Arithmetic::LiteRt).unwrap_err();
    match &err {
        ImportError::Operator { operator, tensor, .. } => {
            assert_eq!(operator, "SOFTMAX");
            assert!(tensor.is_some());
        }
        other => panic!("{other:?}"),
    }
    let msg = err.to_string();
    assert!(msg.contains("SOFTMAX") && msg.contains("int8"), "{msg}");
}

#[test]
fn wrong_inputs_to_run_are_errors() {
    let model = import("sine_int8");
    assert!(matches!(model.run(&Values::I8(vec![1, 2])), Err(ImportError::Input { .. })));
    assert!(matches!(model.run(&Values::F32(vec![1.0])), Err(ImportError::Input { .. })));
}

// ---- hostile files ----------------------------------------------------------

fn must_not_panic(bytes: &[u8]) -> Result<Model, ImportError> {
    let b = bytes.to_vec();
    std::panic::catch_unwind(move || tflite::import(&b, Arithmetic::LiteRt)).expect("import panicked")
}

#[test]
fn truncated_files_are_errors_at_every_length() {
    let b = bytes("sine_int8.tflite");
    for n in 0..b.len() {
        assert!(
            must_not_panic(&b[..n]).is_err(),
            "a file truncated to {n} of {} bytes was accepted",
            b.len()
        );
    }
}

#[test]
fn flipped_bits_never_panic() {
    let b = bytes("sine_int8.tflite");
    let mut accepted = 0;
    for i in 0..b.len() {
        for bit in [0, 3, 7] {
            let mut c = b.clone();
            c[i] ^= 1 << bit;
            if let Ok(m) = must_not_panic(&c) {
                accepted += 1;
                // A file that still imports must still run.
                let x = Values::I8(vec![0; m.input().len]);
                if m.input().dtype == tflite::DType::I8 {
                    let _ = m.run(&x);
                }
            }
        }
    }
    println!("{accepted} of {} single-bit flips still import (weights and scales are data)", 3 * b.len());
}

#[test]
fn random_and_foreign_bytes_are_errors() {
    assert!(matches!(must_not_panic(b""), Err(ImportError::NotTflite { .. })));
    assert!(matches!(must_not_panic(b"CNQ8\x01\0\0\0"), Err(ImportError::NotTflite { .. })));
    let mut x = 0x2545_f491_4f6c_dd1du64;
    for len in [8usize, 16, 64, 1000, 5000] {
        for _ in 0..200 {
            let mut v: Vec<u8> = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    x as u8
                })
                .collect();
            v[4..8].copy_from_slice(b"TFL3");
            assert!(must_not_panic(&v).is_err());
        }
    }
}

/// Found by the `tflite_import` fuzz target: a model whose output tensor
/// declares 134,217,729 values while its last layer gives 1 was accepted
/// (and `Model::output().len` disagreed with `run`). Now refused by name.
#[test]
fn fuzz_regression_output_tensor_length_must_match_the_layer() {
    let b = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/fuzz/tflite_output_len_mismatch.tflite"
    ))
    .unwrap();
    for arithmetic in [Arithmetic::LiteRt, Arithmetic::Micro] {
        match must_not_panic(&b) {
            Ok(m) => {
                let x = match m.input().dtype {
                    tflite::DType::I8 => Values::I8(vec![0; m.input().len]),
                    tflite::DType::F32 => Values::F32(vec![0.0; m.input().len]),
                };
                assert_eq!(m.run(&x).unwrap().len(), m.output().len, "{arithmetic:?}");
            }
            Err(e) => println!("refused: {e}"),
        }
    }
}
