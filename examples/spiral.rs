//! The NNFS spiral run (chapters 9 and 10), with the heap-free epoch loop.
//!
//! 100 points × 3 classes of `spiral_data`, the book's network
//! `Dense<2,64> ReLU Dense<64,3>` with fused softmax cross-entropy on the
//! logits, NNFS initialisation (weights `0.01·N(0,1)`, zero biases), trained
//! on the full batch of 300 for 10,001 epochs, printing the book's progress
//! line every 100 epochs.
//!
//! ```text
//! cargo run --release --example spiral                 # plain SGD, lr 1.0 (NNFS ch. 9/10 start)
//! cargo run --release --example spiral -- --adam       # Adam lr 0.05, decay 5e-7 (NNFS ch. 10)
//! cargo run --release --example spiral -- --adam --seed 3 --epochs 2001
//! cargo run --release --example spiral -- --adam --seeds 10   # final numbers over seeds 0..10
//! ```
//!
//! The book's seed gives about acc 0.63 with SGD and 0.967 with Adam; our
//! random stream differs from NumPy's, so the numbers differ a little.

use constnet::data::spiral;
use constnet::prelude::*;
use constnet::train::{Dataset, Epochs, Event};
use core::ops::ControlFlow;
use rand_core::SeedableRng;
use rand_pcg::Pcg64;

const PER_CLASS: usize = 100;
const CLASSES: usize = 3;
const N: usize = PER_CLASS * CLASSES;

network! {
    /// NNFS's spiral classifier.
    struct SpiralNet((Dense<2, 64>, Relu, Dense<64, 3>));
}

/// Trains with `opt`, printing the book's lines (with the learning rate the
/// epoch's update used, `lr / (1 + decay·epoch)`, when `schedule` gives
/// `(lr, decay)`); returns the last epoch's (accuracy, loss), measured on the
/// full batch before that epoch's update as NNFS does.
fn run<O: Optimizer<SpiralNet>>(
    net: &mut SpiralNet,
    opt: &mut O,
    schedule: Option<(f32, f32)>,
    quiet: bool,
    x: &[[f32; 2]],
    y: &[usize],
    epochs: usize,
) -> (f32, f32) {
    // One full batch of all 300 samples, as the book trains. The trainer
    // (cache and gradient, ~160 KB) is boxed to keep the example's stack
    // small; the training loop itself allocates nothing.
    let mut trainer = Box::new(Trainer::<SpiralNet, [[f32; 2]; N]>::new());
    let plan = Epochs::new(Dataset::new(x, y), epochs);
    let mut last = (0.0, 0.0);
    let report = trainer.fit(net, opt, &SoftmaxCrossEntropy, plan, |event| {
        if let Event::Epoch(stats) = event {
            let (e, train) = (stats.epoch, stats.train);
            last = (train.accuracy, train.loss);
            if e % 100 == 0 && !quiet {
                match schedule {
                    Some((lr, decay)) => {
                        let lr = lr as f64 / (1.0 + decay as f64 * e as f64);
                        println!("epoch: {e}, acc: {:.3}, loss: {:.3}, lr: {lr}", train.accuracy, train.loss)
                    }
                    None => println!("epoch: {e}, acc: {:.3}, loss: {:.3}", train.accuracy, train.loss),
                }
            }
        }
        ControlFlow::Continue(())
    });
    if let Err(e) = report {
        panic!("training diverged: {e}");
    }
    last
}

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1).cloned())
}

/// Data and a freshly initialised network for `seed`, then training;
/// returns the final (accuracy, loss).
fn train_seed(seed: u64, adam: bool, epochs: usize, quiet: bool) -> (f32, f32) {
    let mut rng = Pcg64::seed_from_u64(seed);
    let (mut x, mut y) = (vec![[0.0f32; 2]; N], vec![0usize; N]);
    spiral::fill(&mut x, &mut y, CLASSES, &mut rng);
    let mut net = SpiralNet::zeros();
    init(&mut net, Init::Nnfs, &mut rng);
    if adam {
        let mut opt = Adam::<SpiralNet>::new(0.05).decay(5e-7);
        run(&mut net, &mut opt, Some((0.05, 5e-7)), quiet, &x, &y, epochs)
    } else {
        run(&mut net, &mut Sgd::new(1.0), None, quiet, &x, &y, epochs)
    }
}

fn main() {
    let adam = std::env::args().any(|a| a == "--adam");
    let epochs: usize = arg("--epochs").map_or(10_001, |s| s.parse().expect("--epochs N"));
    let name = if adam { "Adam lr 0.05 decay 5e-7" } else { "SGD lr 1.0" };
    if let Some(n) = arg("--seeds") {
        let n: u64 = n.parse().expect("--seeds N");
        let mut accs = Vec::new();
        for seed in 0..n {
            let (acc, loss) = train_seed(seed, adam, epochs, true);
            println!("seed {seed}: acc {acc:.3}, loss {loss:.3}");
            accs.push(acc);
        }
        accs.sort_by(f32::total_cmp);
        let mid = accs.len() / 2;
        let median = if accs.len() % 2 == 1 { accs[mid] } else { (accs[mid - 1] + accs[mid]) / 2.0 };
        println!("{name}: min {:.3} median {median:.3} max {:.3}", accs[0], accs[accs.len() - 1]);
        return;
    }
    let seed: u64 = arg("--seed").map_or(0, |s| s.parse().expect("--seed N"));
    println!("== NNFS spiral, {name}, full batch, {epochs} epochs (seed {seed}) ==");
    let (acc, loss) = train_seed(seed, adam, epochs, false);
    println!("final: acc {acc:.3}, loss {loss:.3}");
}
