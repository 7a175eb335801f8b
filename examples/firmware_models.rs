//! Writes the firmware's int8 model files: post-training quantization of the
//! desktop-trained f32 models in `examples/firmware/models/` with the
//! calibration inputs of `examples/firmware/src/models.rs` (the same source
//! file the firmware, its build script and the desktop twin use).
//!
//! ```text
//! cargo run --release --example firmware_models            # writes models/{sine,quadrants,mnist_cnn}.q8
//! cargo run --release --example firmware_models -- --check # fails if the committed files differ
//! ```
//!
//! The anomaly-detection autoencoder's files are not written here: the
//! firmware's `build.rs` generates them from the same seed at build time.
//! Plain `std::fs` and the `no_std` `io::int8::to_bytes`: no `std` feature.

#[allow(dead_code)]
#[path = "firmware/src/models.rs"]
mod models;

use constnet::io::int8;
use std::path::Path;

fn encode<M: int8::Int8Params>(model: &M) -> Vec<u8> {
    let mut buf = vec![0u8; int8::encoded_len::<M>()];
    int8::to_bytes(model, &mut buf).expect("buffer sized by encoded_len");
    buf
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let check = std::env::args().any(|a| a == "--check");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/firmware/models");
    let cnn: Box<models::MnistCnn> = Box::new(constnet::io::from_bytes(models::MNIST_CNN_BIN)?);
    let files = [
        ("sine.q8", encode(&models::quantize_sine()?)),
        ("quadrants.q8", encode(&models::quantize_quadrants()?)),
        ("mnist_cnn.q8", encode(&*Box::new(models::quantize_mnist_cnn(&cnn)?))),
    ];
    let mut stale = 0;
    for (name, bytes) in &files {
        let path = dir.join(name);
        if check {
            let same = std::fs::read(&path).is_ok_and(|b| &b == bytes);
            println!("{}: {}", path.display(), if same { "up to date" } else { "DIFFERS" });
            stale += usize::from(!same);
        } else {
            std::fs::write(&path, bytes)?;
            println!("wrote {} ({} bytes)", path.display(), bytes.len());
        }
    }
    if stale > 0 {
        return Err(format!("{stale} int8 model file(s) differ from a fresh quantization").into());
    }
    Ok(())
}
