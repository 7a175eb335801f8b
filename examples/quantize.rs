//! Post-training int8 quantization (`constnet::quant`, TFLite's int8 scheme)
//! of two trained f32 models, with the f32 and int8 accuracy on held-out
//! data, the effect of the calibration-set size, and the int8 model files.
//!
//! ```text
//! scripts/fetch_mnist.sh                                     # data/mnist10k: 8,000 / 2,000 real digits
//! cargo run --release --features std --example quantize      # both models
//! cargo run --release --features std --example mnist -- --preset modern  # optional: the MNIST model it loads
//! cargo run --release --features std --example quantize -- --only quadrants --quadrants-model examples/firmware/models/quadrants.bin
//! ```
//!
//! * **quadrants** — the better configuration of `examples/quadrants.rs`
//!   (2-16-16-2 tanh, softmax cross-entropy, per-sample SGD with lr
//!   0.05/(1 + 0.5·(epoch − 1)), 10 epochs on points 1,000..100,000 of seed
//!   0's data), trained here with the same code path and random stream, or
//!   loaded with `--quadrants-model` (a file written by `quadrants --save`).
//!   Calibrated on the first training points, scored on the 1,000 held-out
//!   points.
//! * **MNIST modern** — `examples/mnist.rs --preset modern` (784-128-10
//!   ReLU, softmax cross-entropy, Adam lr 2e-3 decay 2e-4, batch 32, 40
//!   epochs, He init, pixels in [0, 1], shifts of ±1 pixel): loaded from the
//!   model that example saves (`--model`, default
//!   `out/mnist-modern/model.cnet`) if it exists, otherwise trained here with
//!   the same settings, seed and random stream (so the same weights, bit for
//!   bit). Calibrated on the first training digits, scored on the 2,000 test
//!   digits.
//!
//! The int8 class is `math::int8::argmax` of the int8 output, before
//! dequantizing (dequantizing is increasing, so it is also the argmax of the
//! dequantized output; the run checks that). Each int8 model is written with
//! `io::int8::save` to `OUT/quadrants.q8` and `OUT/mnist-modern.q8`
//! (default `OUT` is `out/quantize`) and read back with `io::int8::load`, and
//! the two must be equal. A calibration-size sweep then quantizes each model
//! again from the first 1 … 8,000 training samples. `--max-drop P` makes the run fail (exit code 1) when
//! an int8 model is more than P accuracy points below its f32 model.

use constnet::data::idx::{self, Scale};
use constnet::data::quadrants;
use constnet::math::int8::argmax;
use constnet::metrics::predict;
use constnet::optim::Adam;
use constnet::prelude::*;
use constnet::quant::{self, Int8, Quantizable};
use constnet::train::{Dataset, Epochs};
use rand_core::SeedableRng;
use rand_pcg::Pcg64;
use std::error::Error;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

type Res<T> = Result<T, Box<dyn Error + Send + Sync>>;
type Img = [f32; 784];

network! {
    /// The better quadrants configuration (the `WideNet` of examples/quadrants.rs).
    #[derive(Clone, Debug, PartialEq)]
    struct WideNet((Dense<2, 16>, Tanh, Dense<16, 16>, Tanh, Dense<16, 2>));
}

network! {
    /// The modern MNIST preset (the `Modern` of examples/mnist.rs).
    #[derive(Clone, Debug)]
    struct Modern((Dense<784, 128>, Relu, Dense<128, 10>));
}

/// Quadrants: points, held-out points and epochs, as in examples/quadrants.rs.
const QUADRANTS_N: usize = 100_000;
const QUADRANTS_TEST: usize = 1_000;
const QUADRANTS_EPOCHS: usize = 10;

/// Calibration-set sizes tried after the main run.
const SWEEP: [usize; 7] = [1, 10, 50, 100, 500, 2_000, 8_000];

#[derive(Clone, Copy, Debug, PartialEq)]
enum Only {
    Both,
    Quadrants,
    Mnist,
}

#[derive(Clone, Debug)]
struct Config {
    data: PathBuf,
    out: PathBuf,
    model: PathBuf,
    quadrants_model: Option<PathBuf>,
    calibration: usize,
    seed: u64,
    only: Only,
    sweep: bool,
    max_drop: Option<f64>,
}

const USAGE: &str = "\
usage: quantize [--data DIR] [--out DIR] [--model PATH] [--quadrants-model PATH] [--calibration N]
                [--seed N] [--only quadrants|mnist] [--no-sweep] [--max-drop P]

  --data             MNIST folder with the four standard IDX files (default data/mnist10k)
  --out              where the int8 models go (default out/quantize)
  --model            the f32 MNIST modern model, from `mnist --preset modern`
                     (default out/mnist-modern/model.cnet; trained here when the file does not exist)
  --quadrants-model  an f32 quadrants model from `quadrants --save PATH` (default: train it here)
  --calibration      calibration samples, the first N training inputs (default 500)
  --seed             seeds the data and training when a model is trained here (default 0)
  --only             quantize only one of the two models
  --no-sweep         skip the calibration-size sweep
  --max-drop         exit with status 1 when an int8 model's accuracy is more than P points
                     below its f32 model's";

fn parse_args() -> Res<Config> {
    let mut args = std::env::args().skip(1);
    let mut cfg = Config {
        data: PathBuf::from("data/mnist10k"),
        out: PathBuf::from("out/quantize"),
        model: PathBuf::from("out/mnist-modern/model.cnet"),
        quadrants_model: None,
        calibration: 500,
        seed: 0,
        only: Only::Both,
        sweep: true,
        max_drop: None,
    };
    while let Some(a) = args.next() {
        let mut val = || args.next().ok_or_else(|| format!("{a} needs a value\n{USAGE}"));
        match a.as_str() {
            "--data" => cfg.data = PathBuf::from(val()?),
            "--out" => cfg.out = PathBuf::from(val()?),
            "--model" => cfg.model = PathBuf::from(val()?),
            "--quadrants-model" => cfg.quadrants_model = Some(PathBuf::from(val()?)),
            "--calibration" => cfg.calibration = val()?.parse()?,
            "--seed" => cfg.seed = val()?.parse()?,
            "--only" => {
                cfg.only = match val()?.as_str() {
                    "quadrants" => Only::Quadrants,
                    "mnist" => Only::Mnist,
                    o => return Err(format!("--only {o:?}: quadrants or mnist").into()),
                }
            }
            "--no-sweep" => cfg.sweep = false,
            "--max-drop" => cfg.max_drop = Some(val()?.parse()?),
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            _ => return Err(format!("unknown argument {a:?}\n{USAGE}").into()),
        }
    }
    if cfg.calibration == 0 {
        return Err("--calibration must be at least 1".into());
    }
    Ok(cfg)
}

fn main() -> ExitCode {
    // The MNIST int8 network is about 100 KB and the f32 one 400 KB, passed
    // by value; give the work a roomy stack (debug builds keep copies).
    let worker = std::thread::Builder::new().stack_size(256 << 20).spawn(run);
    match worker.map(|h| h.join()) {
        Ok(Ok(Ok(code))) => code,
        Ok(Ok(Err(e))) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
        _ => ExitCode::from(3),
    }
}

fn run() -> Res<ExitCode> {
    let cfg = parse_args()?;
    std::fs::create_dir_all(&cfg.out)?;
    let mut scores = Vec::new();
    if cfg.only != Only::Mnist {
        scores.push(("quadrants", run_quadrants(&cfg)?));
    }
    if cfg.only != Only::Quadrants {
        scores.push(("mnist modern", run_mnist(&cfg)?));
    }
    println!("== summary (calibration on {} training samples) ==", cfg.calibration);
    let mut ok = true;
    for (name, s) in &scores {
        let drop = s.f32_acc() - s.int8_acc();
        println!(
            "{name}: f32 {:.2}%, int8 {:.2}% ({:+.2} points), same class for {:.2}% of the held-out samples",
            s.f32_acc(),
            s.int8_acc(),
            -drop,
            s.agree_pct()
        );
        if let Some(max) = cfg.max_drop.filter(|&max| drop > max) {
            eprintln!("FAIL: {name}: int8 is {drop:.2} points below f32 (allowed {max})");
            ok = false;
        }
    }
    Ok(if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// f32 and int8 results on a held-out set.
#[derive(Clone, Copy, Debug, Default)]
struct Scores {
    samples: usize,
    f32_correct: usize,
    int8_correct: usize,
    /// Samples where the f32 and int8 classes are the same.
    agree: usize,
    /// Σ over samples of the mean |f32 output − dequantized int8 output|.
    abs_error: f64,
    /// Samples with an int8 output at −128 or 127, the ends of the calibrated
    /// output range (values beyond it are clipped there).
    saturated: usize,
}

impl Scores {
    fn f32_acc(&self) -> f64 {
        100.0 * self.f32_correct as f64 / self.samples as f64
    }
    fn int8_acc(&self) -> f64 {
        100.0 * self.int8_correct as f64 / self.samples as f64
    }
    fn agree_pct(&self) -> f64 {
        100.0 * self.agree as f64 / self.samples as f64
    }
    fn mean_abs_error(&self) -> f64 {
        self.abs_error / self.samples as f64
    }
    fn saturated_pct(&self) -> f64 {
        100.0 * self.saturated as f64 / self.samples as f64
    }
}

/// Scores `net` and its int8 form `q` on `xs`: the int8 class is the argmax
/// of the int8 output; it must equal the class of the dequantized output.
fn score<Net, const IN: usize, const OUT: usize>(
    net: &Net,
    q: &Int8<Net, IN>,
    xs: &[[f32; IN]],
    labels: &[usize],
) -> Scores
where
    Net: Quantizable<[f32; IN], Output = [f32; OUT]>,
    Net::Quantized: Layer<[i8; IN], Output = [i8; OUT]>,
{
    let mut s = Scores { samples: xs.len(), ..Scores::default() };
    for (x, &label) in xs.iter().zip(labels) {
        let y = net.forward(x);
        let want = predict(&y);
        let y8: [i8; OUT] = q.1.forward(&q.0.forward(x));
        let got = argmax(&y8);
        let deq = q.2.forward(&y8);
        assert_eq!(got, predict(&deq), "argmax of the int8 and the dequantized output differ");
        s.abs_error += y.iter().zip(&deq).map(|(a, b)| f64::from((a - b).abs())).sum::<f64>() / OUT as f64;
        s.saturated += usize::from(y8.iter().any(|&v| v == i8::MIN || v == i8::MAX));
        s.f32_correct += usize::from(want == label);
        s.int8_correct += usize::from(got == label);
        s.agree += usize::from(want == got);
    }
    s
}

/// Quantizes `net` on `calibration`, prints the figures and returns the scores.
fn quantize_and_score<Net, const IN: usize, const OUT: usize>(
    net: &Net,
    calibration: &[[f32; IN]],
    xs: &[[f32; IN]],
    labels: &[usize],
) -> Res<(Box<Int8<Net, IN>>, Scores)>
where
    Net: Quantizable<[f32; IN], Output = [f32; OUT]>,
    Net::Quantized: Layer<[i8; IN], Output = [i8; OUT]>,
{
    let start = Instant::now();
    let q = Box::new(quant::quantize(net, calibration)?);
    let seconds = start.elapsed().as_secs_f64();
    let s = score(net, &q, xs, labels);
    println!(
        "calibration on {:>5} samples ({:.3} s): f32 {:.2}%, int8 {:.2}% ({:+.2} points), same class {:.2}%, \
         mean |output error| {:.4}, an output at −128/127 for {:.1}% of samples",
        calibration.len(),
        seconds,
        s.f32_acc(),
        s.int8_acc(),
        s.int8_acc() - s.f32_acc(),
        s.agree_pct(),
        s.mean_abs_error(),
        s.saturated_pct()
    );
    Ok((q, s))
}

/// The calibration-size sweep: int8 accuracy for each size in `SWEEP` that
/// the training set can supply.
fn sweep<Net, const IN: usize, const OUT: usize>(
    net: &Net,
    train: &[[f32; IN]],
    xs: &[[f32; IN]],
    labels: &[usize],
) -> Res<()>
where
    Net: Quantizable<[f32; IN], Output = [f32; OUT]>,
    Net::Quantized: Layer<[i8; IN], Output = [i8; OUT]>,
{
    println!("calibration-size sweep (the first N training samples):");
    for n in SWEEP.into_iter().filter(|&n| n <= train.len()) {
        quantize_and_score(net, &train[..n], xs, labels)?;
    }
    Ok(())
}

/// Prints the flash need of the int8 and the f32 network.
fn sizes<Net: Quantizable<[f32; IN]>, const IN: usize>(name: &str) {
    let (q, f) = (size_of::<Int8<Net, IN>>(), size_of::<Net>());
    println!(
        "flash: size_of::<Int8<{name}, {IN}>>() = {q} B vs size_of::<{name}>() = {f} B (f32), {:.2}×",
        f as f64 / q as f64
    );
}

fn run_quadrants(cfg: &Config) -> Res<Scores> {
    let mut rng = Pcg64::seed_from_u64(cfg.seed);
    let (mut x, mut y) = (vec![[0.0f32; 2]; QUADRANTS_N], vec![0usize; QUADRANTS_N]);
    quadrants::fill(&mut x, &mut y, &mut rng);
    let (test_x, test_y, train_x) = (&x[..QUADRANTS_TEST], &y[..QUADRANTS_TEST], &x[QUADRANTS_TEST..]);
    let net = match &cfg.quadrants_model {
        Some(path) => {
            println!("== quadrants: 2-16-16-2 tanh, loaded from {} ==", path.display());
            constnet::io::load::<WideNet, _>(path)?
        }
        None => {
            println!(
                "== quadrants: 2-16-16-2 tanh, softmax cross-entropy, SGD lr 0.05/(1 + 0.5·(epoch − 1)), \
                 {QUADRANTS_EPOCHS} epochs on {} points, seed {} ==",
                QUADRANTS_N - QUADRANTS_TEST,
                cfg.seed
            );
            train_quadrants(&x, &y, &mut rng)
        }
    };
    let (q, s) = quantize_and_score(&net, &train_x[..cfg.calibration.min(train_x.len())], test_x, test_y)?;
    sizes::<WideNet, 2>("WideNet");
    save_and_check(&*q, &cfg.out.join("quadrants.q8"))?;
    if cfg.sweep {
        sweep(&net, train_x, test_x, test_y)?;
    }
    Ok(s)
}

/// `run_better` of examples/quadrants.rs: the same initialisation, shuffles
/// and learning-rate schedule from the same random stream.
fn train_quadrants(x: &[[f32; 2]], y: &[usize], rng: &mut Pcg64) -> WideNet {
    let start = Instant::now();
    let mut net = WideNet::zeros();
    init(&mut net, Init::GlorotUniform, rng);
    let mut trainer = Trainer::new();
    let mut sgd = Sgd::new(0.05);
    let mut order: Vec<usize> = (QUADRANTS_TEST..QUADRANTS_N).collect();
    for epoch in 1..=QUADRANTS_EPOCHS {
        sgd.lr = 0.05 / (1.0 + 0.5 * (epoch - 1) as f32);
        constnet::random::shuffle(&mut order, rng);
        for &k in &order {
            trainer.step(&mut net, &mut sgd, &SoftmaxCrossEntropy, &x[k], &y[k]).expect("finite loss");
        }
    }
    println!("trained in {:.1} s", start.elapsed().as_secs_f64());
    net
}

fn run_mnist(cfg: &Config) -> Res<Scores> {
    let data = idx::load_dir(&cfg.data, Scale::ZeroOne)?;
    let net: Box<Modern> = if cfg.model.exists() {
        println!("== MNIST modern: 784-128-10 ReLU, loaded from {} ==", cfg.model.display());
        Box::new(constnet::io::load(&cfg.model)?)
    } else {
        println!(
            "== MNIST modern: 784-128-10 ReLU, {} not found: training it (softmax cross-entropy, Adam lr 2e-3 \
             decay 2e-4, batch 32, 40 epochs, shifts ±1 pixel, seed {}) ==",
            cfg.model.display(),
            cfg.seed
        );
        train_mnist(&data.train.images, &data.train.labels, cfg.seed)?
    };
    println!(
        "data: {}, {} training and {} test digits",
        cfg.data.display(),
        data.train.len(),
        data.test.len()
    );
    let train_x = &data.train.images[..];
    let calibration = &train_x[..cfg.calibration.min(train_x.len())];
    let (q, s) = quantize_and_score(&*net, calibration, &data.test.images, &data.test.labels)?;
    sizes::<Modern, 784>("Modern");
    save_and_check(&*q, &cfg.out.join("mnist-modern.q8"))?;
    if cfg.sweep {
        sweep(&*net, train_x, &data.test.images, &data.test.labels)?;
    }
    Ok(s)
}

/// The modern preset of examples/mnist.rs, with its random stream: He
/// initialisation, then per epoch a ±1-pixel shift of every training image
/// (x then y) and a shuffle, batches of 32, Adam lr 2e-3 decay 2e-4.
fn train_mnist(images: &[Img], labels: &[usize], seed: u64) -> Res<Box<Modern>> {
    const B: usize = 32;
    let start = Instant::now();
    let mut rng = Pcg64::seed_from_u64(seed);
    let mut net = Box::new(Modern::zeros());
    init(&mut *net, Init::He, &mut rng);
    let mut adam = Box::new(Adam::<Modern>::new(2e-3).decay(2e-4).weight_decay(0.0));
    let mut trainer = Box::new(Trainer::<Modern, [Img; B]>::new());
    let mut order = vec![0usize; images.len()];
    let mut shifted = images.to_vec();
    for epoch in 0..40 {
        for (dst, src) in shifted.iter_mut().zip(images) {
            let mut d = || constnet::random::index(&mut rng, 3) as i32 - 1;
            let (dx, dy) = (d(), d());
            translate(src, dst, dx, dy);
        }
        let mut plan = Epochs::new(Dataset::new(&shifted, labels), 1).shuffle(&mut order, &mut rng);
        trainer.epoch(&mut *net, &mut *adam, &SoftmaxCrossEntropy, &mut plan, epoch, |_, _| {})?;
    }
    println!("trained in {:.1} s", start.elapsed().as_secs_f64());
    Ok(net)
}

/// `dst` = `src` (28×28) moved right by `dx` and down by `dy`; uncovered pixels 0.
fn translate(src: &Img, dst: &mut Img, dx: i32, dy: i32) {
    for y in 0..28i32 {
        for x in 0..28i32 {
            let (sx, sy) = (x - dx, y - dy);
            dst[(y * 28 + x) as usize] = if (0..28).contains(&sx) && (0..28).contains(&sy) {
                src[(sy * 28 + sx) as usize]
            } else {
                0.0
            };
        }
    }
}

/// Writes the int8 model with `io::int8::save`, reads it back with
/// `io::int8::load` and checks that the two are equal.
fn save_and_check<Q>(q: &Q, path: &Path) -> Res<()>
where
    Q: constnet::io::int8::Int8Params + PartialEq,
{
    constnet::io::int8::save(q, path)?;
    let back: Box<Q> = Box::new(constnet::io::int8::load(path)?);
    if *back != *q {
        return Err(format!("{} does not read back as the int8 model that was saved", path.display()).into());
    }
    let len = std::fs::metadata(path)?.len();
    assert_eq!(len as usize, constnet::io::int8::encoded_len::<Q>());
    println!(
        "saved {} ({len} bytes = io::int8::encoded_len), read back with io::int8::load: equal",
        path.display()
    );
    Ok(())
}
