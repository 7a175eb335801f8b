//! The mathspp "quadrants" demo, then a better configuration.
//!
//! 100,000 points uniform in [-2, 2]²; class 0 where x·y > 0. The seed network
//! `Dense<2,3> LeakyReLU(0.1) Dense<3,2> LeakyReLU(0.1)` trains with MSE and
//! per-sample SGD (lr 0.05) on points 1,000..100,000; the first 1,000 are the
//! test set, scored before and after training as the tutorial does.
//!
//! ```text
//! cargo run --release --example quadrants                 # seed config, seed 0, then the better config
//! cargo run --release --example quadrants -- --seeds 10   # seed config over seeds 0..10, with the median
//! cargo run --release --example quadrants -- --bench      # per-sample SGD steps/s
//! cargo run --release --example quadrants -- --save examples/firmware/models/quadrants.bin  # also save the better config's model
//! ```

use constnet::data::quadrants;
use constnet::metrics::predict;
use constnet::prelude::*;
use rand_core::SeedableRng;
use rand_pcg::Pcg64;
use std::time::Instant;

const N: usize = 100_000;
const TEST: usize = 1_000;

network! {
    /// The tutorial's network.
    #[derive(Clone, Debug, PartialEq)]
    struct SeedNet((Dense<2, 3>, LeakyRelu, Dense<3, 2>, LeakyRelu));
}

network! {
    /// Our configuration: 16 tanh units in two layers, softmax cross-entropy.
    #[derive(Clone, Debug, PartialEq)]
    struct WideNet((Dense<2, 16>, Tanh, Dense<16, 16>, Tanh, Dense<16, 2>));
}

/// The data set, drawn first from the run's single random stream (as the
/// NumPy seed script draws everything from one seeded generator).
fn data(rng: &mut Pcg64) -> (Vec<[f32; 2]>, Vec<usize>) {
    let (mut x, mut y) = (vec![[0.0; 2]; N], vec![0; N]);
    quadrants::fill(&mut x, &mut y, rng);
    (x, y)
}

fn correct<M: Layer<[f32; 2], Output = [f32; 2]>>(net: &M, x: &[[f32; 2]], y: &[usize]) -> usize {
    x.iter().zip(y).filter(|(p, l)| predict(&net.forward(p)) == **l).count()
}

fn seed_net(rng: &mut Pcg64) -> SeedNet {
    let mut net = SeedNet((Dense::zeros(), LeakyRelu::new(0.1), Dense::zeros(), LeakyRelu::new(0.1)));
    init(&mut net, Init::MathsppNormal, rng);
    net
}

/// Trains the seed configuration; returns (correct before, correct after, steps/s).
fn run_seed_config(seed: u64, verbose: bool) -> (usize, usize, f64) {
    let mut rng = Pcg64::seed_from_u64(seed);
    let (x, y) = data(&mut rng);
    let mut net = seed_net(&mut rng);
    let before = correct(&net, &x[..TEST], &y[..TEST]);
    if verbose {
        println!("seed {seed}: {before} correct out of {TEST} before training");
    }
    let mut trainer = Trainer::new();
    let mut sgd = Sgd::new(0.05);
    let start = Instant::now();
    for (p, &l) in x[TEST..].iter().zip(&y[TEST..]) {
        trainer.step(&mut net, &mut sgd, &Mse::MEAN, p, &quadrants::one_hot(l)).expect("finite loss");
    }
    let rate = (N - TEST) as f64 / start.elapsed().as_secs_f64();
    let after = correct(&net, &x[..TEST], &y[..TEST]);
    if verbose {
        println!("seed {seed}: {after} correct out of {TEST} after training on {} points", N - TEST);
    }
    (before, after, rate)
}

fn run_better(seed: u64, epochs: usize) -> usize {
    let mut rng = Pcg64::seed_from_u64(seed);
    let (x, y) = data(&mut rng);
    let mut net = WideNet::zeros();
    init(&mut net, Init::GlorotUniform, &mut rng);
    let mut trainer = Trainer::new();
    let mut sgd = Sgd::new(0.05);
    let mut order: Vec<usize> = (TEST..N).collect();
    for epoch in 1..=epochs {
        // Decay the step size per epoch: lr = 0.05 / (1 + 0.5·(epoch − 1)).
        sgd.lr = 0.05 / (1.0 + 0.5 * (epoch - 1) as f32);
        constnet::random::shuffle(&mut order, &mut rng);
        for &k in &order {
            trainer.step(&mut net, &mut sgd, &SoftmaxCrossEntropy, &x[k], &y[k]).expect("finite loss");
        }
        println!(
            "better config, epoch {epoch}: {} correct out of {TEST}",
            correct(&net, &x[..TEST], &y[..TEST])
        );
    }
    if let Some(path) = arg("--save") {
        // The model format of `constnet::io`; the firmware example includes this file.
        let mut buf = vec![0u8; constnet::io::encoded_len::<WideNet>()];
        constnet::io::to_bytes(&net, &mut buf).expect("buffer sized by encoded_len");
        std::fs::write(&path, &buf).expect("--save PATH: cannot write the model");
        println!("saved the better configuration's model to {path} ({} bytes)", buf.len());
    }
    correct(&net, &x[..TEST], &y[..TEST])
}

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1).cloned())
}

fn main() {
    let has = |f: &str| std::env::args().any(|a| a == f);
    if has("--bench") {
        let reps = 5;
        let mut rates: Vec<f64> = (0..reps).map(|s| run_seed_config(s, false).2).collect();
        rates.sort_by(f64::total_cmp);
        println!("quadrants_steps_per_s={:.0}", rates[reps as usize / 2]);
        return;
    }
    if let Some(n) = arg("--seeds") {
        let n: u64 = n.parse().expect("--seeds N");
        let mut afters = Vec::new();
        for seed in 0..n {
            let (before, after, _) = run_seed_config(seed, false);
            println!("seed {seed}: {before} -> {after} correct out of {TEST}");
            afters.push(after);
        }
        afters.sort();
        let median = if n % 2 == 1 {
            afters[afters.len() / 2] as f64
        } else {
            (afters[afters.len() / 2 - 1] + afters[afters.len() / 2]) as f64 / 2.0
        };
        println!("min {} max {} median {median}", afters[0], afters[afters.len() - 1]);
        return;
    }
    let seed: u64 = arg("--seed").map_or(0, |s| s.parse().expect("--seed N"));
    let epochs: usize = arg("--epochs").map_or(10, |s| s.parse().expect("--epochs N"));
    println!("== seed configuration (mathspp): 2-3-2 LeakyReLU(0.1), MSE, SGD lr 0.05, per sample ==");
    let (_, after, rate) = run_seed_config(seed, true);
    println!("accuracy {:.1}%, {rate:.0} training steps/s", after as f64 / 10.0);
    println!(
        "== better configuration: 2-16-16-2 tanh, softmax cross-entropy, SGD lr 0.05/(1 + 0.5·epoch), {epochs} epochs =="
    );
    let c = run_better(seed, epochs);
    println!("accuracy {:.1}%", c as f64 / 10.0);
}
