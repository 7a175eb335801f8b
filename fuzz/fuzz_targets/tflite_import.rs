//! `import::tflite::import` on arbitrary bytes, with both arithmetics, and
//! every model that imports run once on a zero input.
//!
//! Properties: never panics, never reads out of bounds (planus checks
//! every offset); an imported model's file bytes load into nothing less
//! than their header says (length consistent), and running it gives as many
//! values as its output declares.
#![no_main]

use constnet::import::tflite::{self, Arithmetic, DType, Values};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for arithmetic in [Arithmetic::LiteRt, Arithmetic::Micro] {
        let Ok(model) = tflite::import(data, arithmetic) else { continue };
        let file = model.to_model_bytes();
        assert!(file.len() >= 24);
        let _ = model.rust_type();
        let input = match model.input().dtype {
            DType::I8 => Values::I8(vec![0; model.input().len.min(1 << 16)]),
            DType::F32 => Values::F32(vec![0.0; model.input().len.min(1 << 16)]),
        };
        if let Ok(y) = model.run(&input) {
            assert_eq!(y.len(), model.output().len);
        }
    }
});
