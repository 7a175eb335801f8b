//! Hyperparameter tuning by k-fold cross-validation, as the Cretan MNIST
//! tutorial does (6 folds over depth, width and learning rate).
//!
//! ```text
//! scripts/fetch_mnist.sh
//! cargo run --release --features std --example tune                  # 6 folds, 4 networks × 3 learning rates
//! cargo run --release --features std --example tune -- --epochs 2 --folds 3 --threads 1
//! ```
//!
//! In constnet a network's depth and width are part of its **type**, so the
//! grid is a list of network types. Each entry is the generic
//! [`cross_validate`] instantiated for one type — a plain function pointer —
//! and the grid is an ordinary array of them:
//!
//! ```text
//! const GRID: &[CrossValidate] = &[cross_validate::<W32>, cross_validate::<W64>, …];
//! ```
//!
//! Adding a depth or width is one `network!` line and one entry. The
//! training set of the data folder (8,000 digits for `data/mnist10k`) is cut
//! into `k` folds after one seeded shuffle; every (network, learning rate)
//! trains `k` times on `k − 1` folds and is scored on the remaining one.
//! The family is ReLU hidden layers, softmax cross-entropy and plain SGD on
//! batches of 32 (converges in a few epochs, so the grid runs in minutes);
//! the table shows the mean validation accuracy and its spread over folds,
//! then the best setting is retrained on the whole training set and scored
//! once on the test set.

use constnet::TensorKind;
use constnet::data::idx::{self, Scale};
use constnet::prelude::*;
use constnet::train::{Dataset, Epochs, evaluate};
use rand_core::SeedableRng;
use rand_pcg::Pcg64;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

type Img = [f32; 784];
type Out = [f32; 10];
/// Samples per SGD step.
const B: usize = 32;

network! {
    /// One hidden layer of 32.
    pub struct W32((Dense<784, 32>, Relu, Dense<32, 10>));
}
network! {
    /// One hidden layer of 64.
    pub struct W64((Dense<784, 64>, Relu, Dense<64, 10>));
}
network! {
    /// One hidden layer of 128.
    pub struct W128((Dense<784, 128>, Relu, Dense<128, 10>));
}
network! {
    /// Two hidden layers, 64 then 32.
    pub struct D64x32((Dense<784, 64>, Relu, Dense<64, 32>, Relu, Dense<32, 10>));
}

/// One grid entry: [`cross_validate`] for one network type.
type CrossValidate = fn(&Job<'_>) -> f32;

/// The networks of the grid: depth and width are types.
const GRID: &[CrossValidate] =
    &[cross_validate::<W32>, cross_validate::<W64>, cross_validate::<W128>, cross_validate::<D64x32>];

/// The names of the grid's networks, read off their parameter shapes.
const NAMES: &[fn() -> String] = &[name::<W32>, name::<W64>, name::<W128>, name::<D64x32>];

/// Learning rates of the grid.
const LRS: [f32; 4] = [0.03, 0.1, 0.3, 1.0];

/// `784-64-32-10`: the sizes of a stack of dense layers, from its weight
/// shapes.
fn name<M: Params>() -> String {
    let mut sizes = Vec::new();
    for i in 0..M::TENSORS {
        let s = M::shape(i);
        if s.kind == TensorKind::Weight {
            if sizes.is_empty() {
                sizes.push(s.cols);
            }
            sizes.push(s.rows);
        }
    }
    sizes.iter().map(|s| s.to_string()).collect::<Vec<_>>().join("-")
}

/// One training run: train on `train`, score on `score`.
struct Job<'a> {
    train: (&'a [Img], &'a [usize]),
    score: (&'a [Img], &'a [usize]),
    lr: f32,
    epochs: usize,
    seed: u64,
}

/// Trains a fresh `M` (He init) on the job's training data and returns its
/// accuracy on the job's scoring data.
fn cross_validate<M>(job: &Job<'_>) -> f32
where
    M: Backprop<[Img; B], Output = [Out; B]> + Layer<Img, Output = Out> + Params,
{
    let mut rng = Pcg64::seed_from_u64(job.seed);
    let mut net = Box::new(M::zeros());
    init(&mut *net, Init::He, &mut rng);
    let mut trainer = Box::new(Trainer::<M, [Img; B]>::new());
    let mut sgd = Sgd::new(job.lr);
    let mut order = vec![0; job.train.0.len()];
    let mut plan =
        Epochs::new(Dataset::new(job.train.0, job.train.1), job.epochs).shuffle(&mut order, &mut rng);
    for epoch in 0..job.epochs {
        if trainer.epoch(&mut *net, &mut sgd, &SoftmaxCrossEntropy, &mut plan, epoch, |_, _| {}).is_err() {
            return 0.0; // diverged: as good as guessing, or worse
        }
    }
    evaluate(&*net, &SoftmaxCrossEntropy, Dataset::new(job.score.0, job.score.1)).accuracy
}

struct Args {
    data: PathBuf,
    folds: usize,
    epochs: usize,
    threads: usize,
    seed: u64,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args { data: "data/mnist10k".into(), folds: 6, epochs: 5, threads: 2, seed: 0 };
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        let mut v = || it.next().ok_or(format!("{k} needs a value"));
        let num = |s: String| s.parse::<usize>().map_err(|e| format!("{k}: {e}"));
        match k.as_str() {
            "--data" => a.data = v()?.into(),
            "--folds" => a.folds = num(v()?)?.max(2),
            "--epochs" => a.epochs = num(v()?)?,
            "--threads" => a.threads = num(v()?)?.max(1),
            "--seed" => a.seed = num(v()?)? as u64,
            _ => {
                return Err(format!(
                    "unknown argument {k:?}\nusage: tune [--data DIR] [--folds K] [--epochs N] [--threads T] [--seed S]"
                ));
            }
        }
    }
    Ok(a)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = parse_args()?;
    let data = idx::load_dir(&args.data, Scale::ZeroOne)?;
    let k = args.folds;
    // One seeded shuffle, then k contiguous folds of it.
    let mut order: Vec<usize> = (0..data.train.len()).collect();
    constnet::random::shuffle(&mut order, &mut Pcg64::seed_from_u64(args.seed ^ 0x5eed));
    let xs: Vec<Img> = order.iter().map(|&i| data.train.images[i]).collect();
    let ys: Vec<usize> = order.iter().map(|&i| data.train.labels[i]).collect();
    let n = xs.len();
    let bounds: Vec<usize> = (0..=k).map(|f| f * n / k).collect();
    // Fold f's training data: everything but [bounds[f], bounds[f + 1]).
    let folds: Vec<(Vec<Img>, Vec<usize>)> = (0..k)
        .map(|f| {
            let (lo, hi) = (bounds[f], bounds[f + 1]);
            ([&xs[..lo], &xs[hi..]].concat(), [&ys[..lo], &ys[hi..]].concat())
        })
        .collect();

    println!(
        "{k}-fold cross-validation on the {n} training images of {}: {} networks × {} learning rates × {k} folds, \
         ReLU / softmax cross-entropy / SGD, batch {B}, {} epochs, {} threads",
        args.data.display(),
        GRID.len(),
        LRS.len(),
        args.epochs,
        args.threads
    );
    let jobs: Vec<(usize, usize, usize)> = (0..GRID.len())
        .flat_map(|g| (0..LRS.len()).flat_map(move |l| (0..k).map(move |f| (g, l, f))))
        .collect();
    let scores = Mutex::new(vec![vec![Vec::new(); LRS.len()]; GRID.len()]);
    let next = AtomicUsize::new(0);
    let start = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..args.threads {
            let worker = || {
                loop {
                    let j = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&(g, l, f)) = jobs.get(j) else { break };
                    let job = Job {
                        train: (&folds[f].0, &folds[f].1),
                        score: (&xs[bounds[f]..bounds[f + 1]], &ys[bounds[f]..bounds[f + 1]]),
                        lr: LRS[l],
                        epochs: args.epochs,
                        seed: args.seed + f as u64,
                    };
                    let acc = GRID[g](&job);
                    scores.lock().unwrap_or_else(|e| e.into_inner())[g][l].push(acc);
                }
            };
            // Batches live on the stack: give workers room in debug builds too.
            std::thread::Builder::new().stack_size(64 << 20).spawn_scoped(s, worker).expect("spawn a worker");
        }
    });
    let secs = start.elapsed().as_secs_f64();
    let scores = scores.into_inner().unwrap_or_else(|e| e.into_inner());

    let stats = |v: &[f32]| {
        let m = v.iter().sum::<f32>() / v.len().max(1) as f32;
        let sd = (v.iter().map(|a| (a - m) * (a - m)).sum::<f32>() / v.len().max(1) as f32).sqrt();
        (m, sd)
    };
    println!("\nmean validation accuracy over {k} folds (± standard deviation)\n");
    print!("{:<16}", "network");
    LRS.iter().for_each(|lr| print!("{:>18}", format!("lr {lr}")));
    println!();
    let mut best = (0, 0, f32::MIN);
    for (g, row) in scores.iter().enumerate() {
        print!("{:<16}", NAMES[g]());
        for (l, v) in row.iter().enumerate() {
            let (m, sd) = stats(v);
            print!("{:>18}", format!("{:.2}% ± {:.2}", 100.0 * m, 100.0 * sd));
            if m > best.2 {
                best = (g, l, m);
            }
        }
        println!();
    }
    let (g, l, m) = best;
    println!(
        "\nbest: {} with lr {} — {:.2}% mean validation accuracy ({} runs in {secs:.1} s)",
        NAMES[g](),
        LRS[l],
        100.0 * m,
        jobs.len()
    );
    let job = Job {
        train: (&data.train.images, &data.train.labels),
        score: (&data.test.images, &data.test.labels),
        lr: LRS[l],
        epochs: args.epochs,
        seed: args.seed,
    };
    let run = || GRID[g](&job);
    let test = std::thread::scope(|s| {
        let h = std::thread::Builder::new().stack_size(64 << 20).spawn_scoped(s, run).expect("spawn");
        h.join().expect("retraining finished")
    });
    println!(
        "best setting retrained on all {} training images: {:.2}% on the {} test images",
        data.train.len(),
        100.0 * test,
        data.test.len()
    );
    Ok(())
}
