//! `.tflite` → constnet: prints the Rust network type to declare, each
//! layer's shape and quantization, and the flash and RAM the network needs;
//! writes the constnet model file; optionally runs the imported network on
//! a NumPy array of inputs.
//!
//! ```text
//! cargo run --release --features std --example convert -- model.tflite -o model.q8
//! cargo run --release --features std --example convert -- model.tflite --run inputs.npy outputs.npy
//! cargo run --release --features std --example convert -- model.tflite --arithmetic micro -o model.q8
//! ```
//!
//! `--run` takes one sample per row (int8 for int8-input models, f32 for
//! float ones; a 1-D array is one sample) and writes the outputs the same
//! way, so constnet can be compared with another runtime in two commands.
//! `--arithmetic litert` (default) computes what the TensorFlow Lite
//! interpreter computes with its reference kernels; `micro` what TensorFlow
//! Lite Micro computes.

use constnet::import::tflite::{self, Arithmetic, DType, Model, Values};
use npyz::WriterBuilder;
use std::path::PathBuf;
use std::process::ExitCode;

struct Args {
    model: PathBuf,
    out: Option<PathBuf>,
    run: Option<(PathBuf, PathBuf)>,
    arithmetic: Arithmetic,
}

const USAGE: &str = "usage: convert MODEL.tflite [-o OUT.cnet|OUT.q8] [--arithmetic litert|micro] [--run INPUTS.npy OUTPUTS.npy]";

fn parse_args() -> Result<Args, lexopt::Error> {
    use lexopt::prelude::*;
    let (mut model, mut out, mut run, mut arithmetic) = (None, None, None, Arithmetic::LiteRt);
    let mut parser = lexopt::Parser::from_env();
    while let Some(arg) = parser.next()? {
        match arg {
            Short('o') | Long("out") => out = Some(PathBuf::from(parser.value()?)),
            Long("run") => {
                let inputs = PathBuf::from(parser.value()?);
                let outputs = PathBuf::from(parser.value()?);
                run = Some((inputs, outputs));
            }
            Long("arithmetic") => {
                arithmetic = match parser.value()?.string()?.as_str() {
                    "litert" => Arithmetic::LiteRt,
                    "micro" => Arithmetic::Micro,
                    other => return Err(format!("--arithmetic {other}: expected litert or micro").into()),
                }
            }
            Short('h') | Long("help") => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            Value(v) if model.is_none() => model = Some(PathBuf::from(v)),
            _ => return Err(arg.unexpected()),
        }
    }
    let model = model.ok_or("missing MODEL.tflite")?;
    Ok(Args { model, out, run, arithmetic })
}

fn report(model: &Model, path: &std::path::Path) {
    let kind = if model.is_int8() { "int8" } else { "f32" };
    println!("{}: {kind} network, {} layers", path.display(), model.layers().len());
    for (i, l) in model.layers().iter().enumerate() {
        println!("  {i}: {l}");
    }
    let io = |io: &tflite::Io| match io.quantization {
        Some((s, z)) => format!("`{}` {} × int8 (scale {s}, zero point {z})", io.name, io.len),
        None => format!("`{}` {} × f32", io.name, io.len),
    };
    println!("input  {}", io(model.input()));
    println!("output {}", io(model.output()));
    println!("flash  {} bytes (size_of the network)", model.flash_bytes());
    println!("RAM    {} bytes of activations per forward pass", model.activation_bytes());
    println!();
    println!("type Net = {};", model.rust_type());
    let (mac, ext) = if model.is_int8() { ("load_static_int8", "q8") } else { ("load_static", "cnet") };
    println!(
        "static NET: Net = constnet::{mac}!(include_bytes!(\"model.{ext}\") => {});",
        model.load_static_layers()
    );
}

fn run_npy(model: &Model, inputs: &std::path::Path, outputs: &std::path::Path) -> Result<usize, String> {
    let bytes = std::fs::read(inputs).map_err(|e| format!("{}: {e}", inputs.display()))?;
    let npy =
        npyz::NpyFile::new(&bytes[..]).map_err(|e| format!("{}: not a .npy file: {e}", inputs.display()))?;
    let shape = npy.shape().to_vec();
    let width = match shape[..] {
        [n] => n as usize,
        [_, n] => n as usize,
        _ => {
            return Err(format!(
                "{}: shape {shape:?}; expected [samples, values] or [values]",
                inputs.display()
            ));
        }
    };
    if width != model.input().len {
        return Err(format!(
            "{}: {width} values per sample, the network takes {}",
            inputs.display(),
            model.input().len
        ));
    }
    let samples: Vec<Values> = match model.input().dtype {
        DType::I8 => {
            let v: Vec<i8> =
                npy.into_vec().map_err(|e| format!("{}: expected int8 values: {e}", inputs.display()))?;
            v.chunks(width.max(1)).map(|c| Values::I8(c.to_vec())).collect()
        }
        DType::F32 => {
            let v: Vec<f32> =
                npy.into_vec().map_err(|e| format!("{}: expected float32 values: {e}", inputs.display()))?;
            v.chunks(width.max(1)).map(|c| Values::F32(c.to_vec())).collect()
        }
    };
    let outs = model.output().len;
    let mut i8s = Vec::new();
    let mut f32s = Vec::new();
    for s in &samples {
        match model.run(s).map_err(|e| e.to_string())? {
            Values::I8(y) => i8s.extend(y),
            Values::F32(y) => f32s.extend(y),
        }
    }
    let n = samples.len() as u64;
    let file = std::fs::File::create(outputs).map_err(|e| format!("{}: {e}", outputs.display()))?;
    let w = std::io::BufWriter::new(file);
    let result = match model.output().dtype {
        DType::I8 => npyz::WriteOptions::new()
            .default_dtype()
            .shape(&[n, outs as u64])
            .writer(w)
            .begin_nd()
            .and_then(|mut wr| wr.extend(i8s).and_then(|_| wr.finish())),
        DType::F32 => npyz::WriteOptions::new()
            .default_dtype()
            .shape(&[n, outs as u64])
            .writer(w)
            .begin_nd()
            .and_then(|mut wr| wr.extend(f32s).and_then(|_| wr.finish())),
    };
    result.map_err(|e| format!("{}: {e}", outputs.display()))?;
    Ok(samples.len())
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("convert: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let bytes = match std::fs::read(&args.model) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("convert: {}: {e}", args.model.display());
            return ExitCode::FAILURE;
        }
    };
    let model = match tflite::import(&bytes, args.arithmetic) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("convert: {}: {e}", args.model.display());
            return ExitCode::FAILURE;
        }
    };
    report(&model, &args.model);
    if let Some(out) = &args.out {
        let file = model.to_model_bytes();
        if let Err(e) = std::fs::write(out, &file) {
            eprintln!("convert: {}: {e}", out.display());
            return ExitCode::FAILURE;
        }
        println!("wrote {} ({} bytes)", out.display(), file.len());
    }
    if let Some((inputs, outputs)) = &args.run {
        match run_npy(&model, inputs, outputs) {
            Ok(n) => println!("ran {n} samples: {} -> {}", inputs.display(), outputs.display()),
            Err(e) => {
                eprintln!("convert: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}
