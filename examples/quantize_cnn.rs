//! The `mnist` example's CNN in int8: the desktop-trained f32 model of the
//! firmware (`examples/firmware/models/mnist_cnn.bin`), its int8 file
//! (`mnist_cnn.q8`, written by `firmware_models`: calibrated on the first 100
//! training digits), and both scored on the 2,000 held-out digits of
//! `data/mnist10k`. The committed int8 file must equal a fresh quantization.
//!
//! ```text
//! scripts/fetch_mnist.sh
//! cargo run --release --features std --example quantize_cnn -- --max-drop 0.5
//! ```
//!
//! `--max-drop P` fails the run (exit code 1) when int8 is more than `P`
//! accuracy points below f32.

#[allow(dead_code)]
#[path = "firmware/src/models.rs"]
mod models;

use constnet::data::idx::{self, Scale};
use constnet::{Layer, io};
use std::process::ExitCode;

fn main() -> Result<ExitCode, Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (mut data, mut max_drop) = ("data/mnist10k".to_string(), None::<f64>);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--data" => data = args.next().ok_or("--data needs a folder")?,
            "--max-drop" => max_drop = Some(args.next().ok_or("--max-drop needs points")?.parse()?),
            _ => return Err(format!("unknown argument {a:?}: use [--data DIR] [--max-drop P]").into()),
        }
    }
    let set = idx::load_dir(std::path::Path::new(&data), Scale::ZeroOne)?;
    let net: Box<models::MnistCnn> = Box::new(io::from_bytes(models::MNIST_CNN_BIN)?);
    let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/firmware/models/mnist_cnn.q8"))?;
    let int8: Box<models::MnistCnnInt8> = Box::new(io::int8::from_bytes(&bytes)?);
    let fresh = Box::new(models::quantize_mnist_cnn(&net)?);
    if *fresh != *int8 {
        return Err("models/mnist_cnn.q8 differs from a fresh quantization: cargo run --release --example firmware_models".into());
    }
    let (mut f32_right, mut int8_right, mut same) = (0usize, 0usize, 0usize);
    for (x, &label) in set.test.images.iter().zip(&set.test.labels) {
        let (a, b) = (constnet::math::argmax(&net.forward(x)), constnet::math::argmax(&int8.forward(x)));
        f32_right += usize::from(a == label);
        int8_right += usize::from(b == label);
        same += usize::from(a == b);
    }
    let n = set.test.images.len() as f64;
    let (fa, ia) = (100.0 * f32_right as f64 / n, 100.0 * int8_right as f64 / n);
    println!(
        "MNIST CNN on {} held-out digits: f32 {fa:.2}%, int8 {ia:.2}% ({} vs {} bytes of parameters); \
         the two predict the same class for {same}",
        set.test.images.len(),
        core::mem::size_of::<models::MnistCnn>(),
        core::mem::size_of::<models::MnistCnnInt8>(),
    );
    if let Some(max) = max_drop {
        if fa - ia > max {
            eprintln!("FAIL: int8 is {:.2} points below f32 (at most {max} allowed)", fa - ia);
            return Ok(ExitCode::FAILURE);
        }
        println!("ok: int8 within {max} points of f32");
    }
    Ok(ExitCode::SUCCESS)
}
