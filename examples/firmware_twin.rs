//! The desktop twin of the firmware example: runs what `examples/firmware`
//! runs on the Cortex-M0, the Cortex-M4F and RISC-V — the same source files,
//! `examples/firmware/src/common.rs` and the `models.rs` it includes — and
//! prints the same `out:` lines, so CI (`scripts/firmware.sh`) can check the
//! devices' predictions, int8 and f32, and their on-device training are
//! bit-identical to the desktop's.
//!
//! Unlike the firmware, which builds its models at compile time with
//! `load_static!` / `load_static_int8!`, this loads them at run time with
//! `io::from_bytes` / `io::int8::from_bytes`, so the comparison also checks
//! the loaders agree; the int8 files are also compared with a fresh
//! quantization (a warning here; `firmware_models --check` fails on it). The anomaly-detection autoencoder is built here from its
//! seed, as the firmware's `build.rs` builds it, and quantized the same way.
//!
//! ```text
//! cargo run --release --example firmware_twin -- quadrants        # = firmware bin `quadrants`
//! cargo run --release --example firmware_twin -- sine             # = firmware bin `sine`
//! cargo run --release --example firmware_twin -- sine_int8        # … and so on for every bin name
//! cargo run --release --example firmware_twin -- quadrants_int8
//! cargo run --release --example firmware_twin -- tflite_sine      # the TFLite interpreter's outputs
//! cargo run --release --example firmware_twin -- anomaly_f32
//! cargo run --release --example firmware_twin -- anomaly_int8
//! cargo run --release --example firmware_twin -- cnn_f32         # the mnist example's CNN
//! cargo run --release --example firmware_twin -- cnn_int8        # the CNN in int8
//! cargo run --release --example firmware_twin -- ds_cnn_int8     # the int8 DS-CNN
//! ```

#[path = "firmware/src/common.rs"]
mod common;

use common::{Quadrants, QuadrantsInt8, Sine, SineInt8};
use constnet::{Layer, io};

/// `core::fmt::Write` onto stdout.
struct Stdout;

impl core::fmt::Write for Stdout {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        print!("{s}");
        Ok(())
    }
}

/// The committed int8 files must be what quantizing the f32 models gives
/// today (`scripts/firmware.sh` fails on it through `firmware_models
/// --check`); the comparison with the device holds either way.
fn warn_if_stale(file: &str, fresh: bool) {
    if !fresh {
        eprintln!(
            "warning: models/{file} differs from a fresh quantization: \
             cargo run --release --example firmware_models"
        );
    }
}

fn run(which: &str) -> Result<(), Box<dyn std::error::Error>> {
    let out = &mut Stdout;
    match which {
        "quadrants" => {
            let net: Quadrants = io::from_bytes(common::QUADRANTS_BIN)?;
            assert_eq!(net, common::QUADRANTS, "run-time and compile-time loaders disagree");
            common::quadrants_predictions(&net, out)?;
            common::train_on_device(out)?;
        }
        "sine" => {
            let net: Sine = io::from_bytes(common::SINE_BIN)?;
            assert_eq!(net, common::SINE, "run-time and compile-time loaders disagree");
            common::sine_predictions(&net, out)?;
        }
        "sine_int8" => {
            let net: SineInt8 = io::int8::from_bytes(common::SINE_Q8)?;
            assert_eq!(net, common::SINE_INT8, "run-time and compile-time int8 loaders disagree");
            assert_eq!(
                net,
                common::quantize_sine()?,
                "models/sine.q8 is stale: run the firmware_models example"
            );
            common::sine_int8_predictions(&net, out)?;
        }
        "tflite_sine" => {
            // The interpreter's outputs, not a desktop run: the device must
            // compute what TensorFlow Lite computed.
            let net: common::TfliteSine = io::int8::from_bytes(common::TFLITE_SINE_Q8)?;
            assert_eq!(net, common::TFLITE_SINE, "run-time and compile-time int8 loaders disagree");
            common::tflite_sine_lines(out, |k, _| common::TFLITE_SINE_INTERPRETER[k] as i8)?;
        }
        "quadrants_int8" => {
            let net: QuadrantsInt8 = io::int8::from_bytes(common::QUADRANTS_Q8)?;
            assert_eq!(net, common::QUADRANTS_INT8, "run-time and compile-time int8 loaders disagree");
            warn_if_stale("quadrants.q8", net == common::quantize_quadrants()?);
            let f32_net: Quadrants = io::from_bytes(common::QUADRANTS_BIN)?;
            common::quadrants_int8_predictions(&net, &f32_net, out)?;
        }
        "anomaly_f32" => {
            let net = Box::new(common::anomaly_f32());
            let x = common::anomaly_input(0);
            let mut y = [0.0f32; 640];
            let score = common::anomaly_f32_run(&net, &x, &mut y);
            assert!(y.iter().zip(&net.forward(&x)).all(|(a, b)| a.to_bits() == b.to_bits()));
            common::anomaly_report("anomaly-f32", |i| y[i], score, out)?;
        }
        "anomaly_int8" => {
            let net = Box::new(common::anomaly_f32());
            let int8 = Box::new(common::quantize_anomaly(&net)?);
            // Through the model format, as the firmware gets it.
            let mut bytes = vec![0u8; io::int8::encoded_len::<common::AnomalyInt8>()];
            io::int8::to_bytes(&*int8, &mut bytes)?;
            let loaded: Box<common::AnomalyInt8> = Box::new(io::int8::from_bytes(&bytes)?);
            assert!(loaded == int8, "int8 autoencoder does not survive the model format");
            let x = common::anomaly_input(0);
            let mut q = [0i8; 640];
            let score = common::anomaly_int8_run(&loaded, &x, &mut q);
            // The same outputs as the whole f32-out network's.
            let y = loaded.forward(&x);
            assert!((0..640).all(|i| loaded.2.params().dequantize(q[i]).to_bits() == y[i].to_bits()));
            common::anomaly_report("anomaly-int8", |i| y[i], score, out)?;
        }
        "cnn_f32" => {
            let net: Box<common::MnistCnn> = Box::new(io::from_bytes(common::MNIST_CNN_BIN)?);
            let right = common::cnn_report(|x| net.forward(x), out)?;
            assert!(right >= 9, "the trained CNN gets {right} of the 10 digits right");
        }
        "cnn_int8" => {
            let net: Box<common::MnistCnnInt8> = Box::new(io::int8::from_bytes(common::MNIST_CNN_Q8)?);
            let f32_net: Box<common::MnistCnn> = Box::new(io::from_bytes(common::MNIST_CNN_BIN)?);
            warn_if_stale("mnist_cnn.q8", *net == common::quantize_mnist_cnn(&f32_net)?);
            let right = common::cnn_int8_report(|x| net.forward(x), out)?;
            assert!(right >= 9, "the int8 CNN gets {right} of the 10 digits right");
        }
        "ds_cnn_int8" => {
            let net: Box<common::DsCnnInt8> = Box::new(common::ds_cnn_int8(7));
            let y = net.forward(&common::ds_cnn_input(7));
            common::ds_cnn_report(&y, out)?;
        }
        _ => {
            return Err(
                "usage: firmware_twin quadrants|sine|sine_int8|quadrants_int8|tflite_sine|anomaly_f32|anomaly_int8|cnn_f32|cnn_int8|ds_cnn_int8"
                    .into(),
            );
        }
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let which = std::env::args().nth(1).unwrap_or_default();
    // The autoencoder is 1.06 MB by value: give it a big stack.
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || run(&which).map_err(|e| e.to_string()))?
        .join()
        .expect("the twin panicked")?;
    Ok(())
}
