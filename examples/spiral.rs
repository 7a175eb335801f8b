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
//! cargo run --release --example spiral -- --adam --seed 3 --epochs 2001   # a rand_pcg stream instead
//! cargo run --release --example spiral -- --adam --seeds 10   # final numbers over rand_pcg seeds 0..10
//! ```
//!
//! By default the run starts from **the book's own data and weights**: it
//! replays NumPy's random stream as `nnfs.init()` sets it up — MT19937 seeded
//! with 0 and its polar-method `randn`, drawn in the book's order (three arms
//! of noise, then `0.01·randn(2, 64)` and `0.01·randn(64, 3)`) — so the
//! printed lines compare with the book's line for line (first line
//! `epoch: 0, acc: 0.360, loss: 1.099`; the book ends at acc 0.967 with Adam).
//! `--seed N` draws data and weights from `rand_pcg` instead: results depend
//! on the seed as much as on the optimizer, and `--seeds N` shows the spread.

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

/// NumPy's legacy `RandomState`: MT19937 and the polar-method Gaussian,
/// enough to replay `np.random.seed(0)` followed by `np.random.randn` calls.
struct NumpyRandom {
    mt: [u32; 624],
    index: usize,
    cached: Option<f64>,
}

impl NumpyRandom {
    /// `np.random.seed(seed)` (MT19937 `init_genrand`).
    fn new(seed: u32) -> Self {
        let mut mt = [0u32; 624];
        mt[0] = seed;
        for i in 1..624 {
            mt[i] = 1_812_433_253u32.wrapping_mul(mt[i - 1] ^ (mt[i - 1] >> 30)).wrapping_add(i as u32);
        }
        Self { mt, index: 624, cached: None }
    }

    fn next_u32(&mut self) -> u32 {
        if self.index >= 624 {
            for i in 0..624 {
                let y = (self.mt[i] & 0x8000_0000) | (self.mt[(i + 1) % 624] & 0x7fff_ffff);
                let mut v = self.mt[(i + 397) % 624] ^ (y >> 1);
                if y & 1 != 0 {
                    v ^= 0x9908_b0df;
                }
                self.mt[i] = v;
            }
            self.index = 0;
        }
        let mut y = self.mt[self.index];
        self.index += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    /// 53-bit uniform in [0, 1), as `random_sample`.
    fn uniform(&mut self) -> f64 {
        let (a, b) = (self.next_u32() >> 5, self.next_u32() >> 6);
        (a as f64 * 67_108_864.0 + b as f64) / 9_007_199_254_740_992.0
    }

    /// `randn()`: the polar method, returning the second value first and
    /// caching the first, as NumPy does.
    fn randn(&mut self) -> f64 {
        if let Some(g) = self.cached.take() {
            return g;
        }
        loop {
            let x1 = 2.0 * self.uniform() - 1.0;
            let x2 = 2.0 * self.uniform() - 1.0;
            let r2 = x1 * x1 + x2 * x2;
            if r2 < 1.0 && r2 != 0.0 {
                let f = (-2.0 * r2.ln() / r2).sqrt();
                self.cached = Some(f * x1);
                return f * x2;
            }
        }
    }
}

/// The book's data and initial weights: `nnfs.init()` (seed 0),
/// `spiral_data(100, 3)`, then the two layers' `0.01·randn` weights.
fn book_setup() -> (Vec<[f32; 2]>, Vec<usize>, SpiralNet) {
    let mut np = NumpyRandom::new(0);
    assert!((np.randn() - 1.764_052_345_967_664).abs() < 1e-15, "not NumPy's stream");
    let mut np = NumpyRandom::new(0);
    let (mut x, mut y) = (vec![[0.0f32; 2]; N], vec![0usize; N]);
    for c in 0..CLASSES {
        for j in 0..PER_CLASS {
            let r = j as f64 / (PER_CLASS - 1) as f64;
            let t = c as f64 * 4.0 + 4.0 * j as f64 / (PER_CLASS - 1) as f64 + np.randn() * 0.2;
            x[c * PER_CLASS + j] = [(r * (t * 2.5).sin()) as f32, (r * (t * 2.5).cos()) as f32];
            y[c * PER_CLASS + j] = c;
        }
    }
    let mut net = SpiralNet::zeros();
    // NumPy's weights are `in × out`, row by row; ours are `out × in`.
    for i in 0..2 {
        for o in 0..64 {
            net.0.0.weight_mut()[o][i] = (0.01 * np.randn()) as f32;
        }
    }
    for i in 0..64 {
        for o in 0..3 {
            net.0.2.weight_mut()[o][i] = (0.01 * np.randn()) as f32;
        }
    }
    (x, y, net)
}

/// Data and a freshly initialised network for `seed` (or the book's, with
/// `book`), then training; returns the final (accuracy, loss).
fn train_seed(seed: u64, book: bool, adam: bool, epochs: usize, quiet: bool) -> (f32, f32) {
    let (x, y, mut net) = if book {
        book_setup()
    } else {
        let mut rng = Pcg64::seed_from_u64(seed);
        let (mut x, mut y) = (vec![[0.0f32; 2]; N], vec![0usize; N]);
        spiral::fill(&mut x, &mut y, CLASSES, &mut rng);
        let mut net = SpiralNet::zeros();
        init(&mut net, Init::Nnfs, &mut rng);
        (x, y, net)
    };
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
            let (acc, loss) = train_seed(seed, false, adam, epochs, true);
            println!("seed {seed}: acc {acc:.3}, loss {loss:.3}");
            accs.push(acc);
        }
        accs.sort_by(f32::total_cmp);
        let mid = accs.len() / 2;
        let median = if accs.len() % 2 == 1 { accs[mid] } else { (accs[mid - 1] + accs[mid]) / 2.0 };
        println!("{name}: min {:.3} median {median:.3} max {:.3}", accs[0], accs[accs.len() - 1]);
        return;
    }
    let book = arg("--seed").is_none();
    let seed: u64 = arg("--seed").map_or(0, |s| s.parse().expect("--seed N"));
    let source =
        if book { "the book's NumPy seed 0 stream".to_string() } else { format!("rand_pcg seed {seed}") };
    println!("== NNFS spiral, {name}, full batch, {epochs} epochs ({source}) ==");
    let (acc, loss) = train_seed(seed, book, adam, epochs, false);
    println!("final: acc {acc:.3}, loss {loss:.3}");
}
