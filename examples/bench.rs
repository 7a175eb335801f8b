//! Speed benchmark: the configurations of `../shared/bench/peers/` (NumPy and
//! PyTorch MLPs), printed as the same `key=value` lines so
//! `scripts/bench_compare.sh` can put them side by side.
//!
//! ```text
//! cargo run --release --features std --example bench                    # every configuration
//! cargo run --release --features std --example bench -- mlp 32          # 784-128-10 ReLU/softmax-CE, batch 32
//! cargo run --release --features std --example bench -- mlp 128         # the same at batch 128
//! cargo run --release --features std --example bench -- cretan          # 784-50-10 sigmoid/MSE(½·sum), batch 200
//! cargo run --release --features std --example bench -- quadrants       # 2-3-2 LeakyReLU/MSE, per-sample SGD
//! cargo run --release --features std --example bench -- kernels         # GFLOP/s of each dense kernel on each code path
//! cargo run --release --features std --example bench -- path            # the kernel path this CPU runs
//! cargo run --release --features std --example bench -- info            # CPU, kernel paths and measured FMA peak
//! cargo run --release --features std --example bench -- peak            # single-core FMA peak (GFLOP/s) only
//! cargo run --release --features std --example bench -- train [32|128]  # 784-128-10 training only (for profiling)
//! cargo run --release --features std --example bench -- infer           # 784-128-10 inference only (for profiling)
//! cargo run --release --features std --example bench -- mlp2 [32|128]   # 784-128-10 on 2 threads (ParallelTrainer, 2 shards)
//! cargo run --release --features std --example bench -- conv            # Conv2d (im2col + dense) against a direct loop
//! cargo run --release --features std --example bench -- mlp 32 --fast   # any of them on the fast path
//! ```
//!
//! `--fast` (old name `--fused`) calls `constnet::math::set_fast(true)`
//! first: the dense kernels then run the matrix micro-kernels with fused
//! multiply-adds (faster, but no longer bit-identical to firmware builds).
//!
//! `info` prints `key=value` lines: the CPU (model name, family, model, the
//! vector extensions the kernels look for), the exact and fast kernel paths,
//! and `fma_peak_gflops`, the single-core FMA throughput measured by 24
//! independent `vfmadd231ps` per loop on 12 accumulators (the method of
//! `../shared/bench/peers/fma_peak.c`), on the widest registers this CPU
//! has: every figure's share of the physical peak is its GFLOP/s over it.
//!
//! Data is MNIST-shaped random noise (60,000 training and 10,000 test
//! samples, pixels uniform in [0, 1), labels uniform in 0..10), as the peers'
//! `--data random`: timing does not depend on the values. Every epoch
//! shuffles and gathers each mini-batch into one buffer inside the timing,
//! as the peers' `np.take` shuffle does. Runs on one thread.

use constnet::math::{self, KernelPath};
use constnet::prelude::*;
use constnet::train::ParallelTrainer;
use rand_core::{RngCore, SeedableRng};
use rand_pcg::Pcg64;
use std::hint::black_box;
use std::time::Instant;

const N_TRAIN: usize = 60_000;
const N_TEST: usize = 10_000;
const PIXELS: usize = 784;
const EPOCHS: usize = 3;
const INFER_BATCH: usize = 1000;
const B1_SAMPLES: usize = 2000;

network! {
    /// 784-128-10 ReLU, softmax cross-entropy on the logits.
    struct Mlp((Dense<PIXELS, 128>, Relu, Dense<128, 10>));
}

network! {
    /// The Cretan tutorial's 784-50-10 sigmoid network.
    struct Cretan((Dense<PIXELS, 50>, Sigmoid, Dense<50, 10>, Sigmoid));
}

network! {
    /// The mathspp quadrants network.
    struct Quadrants((Dense<2, 3>, LeakyRelu, Dense<3, 2>, LeakyRelu));
}

struct Data {
    x: Vec<[f32; PIXELS]>,
    y: Vec<usize>,
    x_test: Vec<[f32; PIXELS]>,
}

fn uniform(rng: &mut Pcg64) -> f32 {
    (rng.next_u32() >> 8) as f32 / (1u32 << 24) as f32
}

fn random_data() -> Data {
    let mut rng = Pcg64::seed_from_u64(12345);
    let mut rows = |n: usize| -> Vec<[f32; PIXELS]> {
        (0..n).map(|_| core::array::from_fn(|_| uniform(&mut rng))).collect()
    };
    let (x, x_test) = (rows(N_TRAIN), rows(N_TEST));
    let y = (0..N_TRAIN).map(|i| (i * 7919 + i / 3) % 10).collect();
    Data { x, y, x_test }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 { v[n / 2] } else { 0.5 * (v[n / 2 - 1] + v[n / 2]) }
}

/// FLOPs per sample as the peers count them (`peer_common.flops`, lean).
fn flops(sizes: &[usize], batch: usize) -> (f64, f64) {
    let (mut fwd, mut bwd, mut params) = (0.0, 0.0, 0.0);
    for (k, w) in sizes.windows(2).enumerate() {
        let (i, o) = (w[0] as f64, w[1] as f64);
        fwd += 2.0 * i * o + 2.0 * o;
        bwd += 2.0 * i * o + 2.0 * o + if k > 0 { 2.0 * i * o } else { 0.0 };
        params += i * o + o;
    }
    (fwd + bwd + 2.0 * params / batch as f64, fwd)
}

/// Trains `net` for [`EPOCHS`] epochs of mini-batches of `B` (the last
/// partial batch is dropped: shapes are static); returns the median epoch's
/// samples per second.
fn train_epochs<M, L, T, const B: usize>(
    net: &mut M,
    loss: &L,
    lr: f32,
    data: &Data,
    target: impl Fn(&[usize; B]) -> T,
) -> (f64, Vec<f64>)
where
    M: Backprop<[[f32; PIXELS]; B]> + Params,
    L: Loss<M::Output, T>,
{
    let mut trainer: Box<Trainer<M, [[f32; PIXELS]; B]>> = Box::new(Trainer::new());
    let mut sgd = Sgd::new(lr);
    let mut batch: Box<[[f32; PIXELS]; B]> = Box::new([[0.0; PIXELS]; B]);
    timed_epochs(B, |idx| {
        let mut labels = [0usize; B];
        for ((row, l), &k) in batch.iter_mut().zip(&mut labels).zip(idx) {
            *row = data.x[k];
            *l = data.y[k];
        }
        trainer.step(net, &mut sgd, loss, &batch, &target(&labels)).expect("finite loss")
    })
}

/// Runs [`EPOCHS`] epochs, each over a fresh shuffle of the training indices
/// in chunks of `batch`, through `step` (which gathers and trains one batch
/// and returns its loss); returns the median epoch's samples per second and
/// every epoch's time.
fn timed_epochs(batch: usize, mut step: impl FnMut(&[usize]) -> f32) -> (f64, Vec<f64>) {
    let mut rng = Pcg64::seed_from_u64(0);
    let mut order: Vec<usize> = (0..N_TRAIN).collect();
    let steps = N_TRAIN / batch;
    let mut times = Vec::new();
    for _ in 0..EPOCHS {
        let start = Instant::now();
        constnet::random::shuffle(&mut order, &mut rng);
        let loss_sum: f32 = order.chunks_exact(batch).map(&mut step).sum();
        times.push(start.elapsed().as_secs_f64());
        println!(
            "# epoch {}: {:.3}s loss={:.4}",
            times.len(),
            times[times.len() - 1],
            loss_sum / steps as f32
        );
    }
    ((steps * batch) as f64 / median(times.clone()), times)
}

/// [`train_epochs`] on two threads: each batch of `2·H` samples is gathered
/// as two shards of `H` for a [`ParallelTrainer`].
fn train_epochs_parallel<M, const H: usize>(net: &mut M, lr: f32, data: &Data) -> f64
where
    M: Backprop<[[f32; PIXELS]; H]> + Params + Send + Sync,
    M::Cache: Send + Sync,
    SoftmaxCrossEntropy: Loss<M::Output, [usize; H]>,
{
    let mut trainer: Box<ParallelTrainer<M, [[f32; PIXELS]; H], 2>> = Box::new(ParallelTrainer::new());
    let mut sgd = Sgd::new(lr);
    let mut batch: Box<[[[f32; PIXELS]; H]; 2]> = Box::new([[[0.0; PIXELS]; H]; 2]);
    timed_epochs(2 * H, |idx| {
        let mut labels = [[0usize; H]; 2];
        for ((row, l), &k) in batch.as_flattened_mut().iter_mut().zip(labels.as_flattened_mut()).zip(idx) {
            *row = data.x[k];
            *l = data.y[k];
        }
        trainer.step(net, &mut sgd, &SoftmaxCrossEntropy, &batch, &labels).expect("finite loss")
    })
    .0
}

fn mlp2<const H: usize>(data: &Data) {
    println!(
        "# constnet net 784-128-10 act=relu loss=softmax-ce batch={} (2 shards) lr=0.1 epochs={EPOCHS} path={:?} threads=2",
        2 * H,
        KernelPath::selected()
    );
    let mut net = Mlp::zeros();
    init_net(&mut net);
    let sps = train_epochs_parallel::<_, H>(&mut net, 0.1, data);
    report(&[
        ("peer", "constnet".into()),
        ("threads", "2".into()),
        ("batch", (2 * H).to_string()),
        ("train_samples_per_s", format!("{sps:.0}")),
    ]);
}

fn init_net<M: Params>(net: &mut M) {
    init(net, Init::GlorotUniform, &mut Pcg64::seed_from_u64(1));
}

fn inference<M, const OUT: usize>(net: &M, data: &Data) -> (f64, f64)
where
    M: Layer<[f32; PIXELS], Output = [f32; OUT]>
        + Layer<[[f32; PIXELS]; INFER_BATCH], Output = [[f32; OUT]; INFER_BATCH]>,
{
    let mut b1 = Vec::new();
    for _ in 0..3 {
        let start = Instant::now();
        for x in &data.x_test[..B1_SAMPLES] {
            black_box(net.forward(black_box(x)));
        }
        b1.push(start.elapsed().as_secs_f64() / B1_SAMPLES as f64);
    }
    let mut bt = Vec::new();
    for _ in 0..5 {
        let start = Instant::now();
        for chunk in data.x_test.chunks_exact(INFER_BATCH) {
            let batch: &[[f32; PIXELS]; INFER_BATCH] = chunk.try_into().unwrap();
            black_box(net.forward(black_box(batch)));
        }
        bt.push(start.elapsed().as_secs_f64() / N_TEST as f64);
    }
    (median(b1), median(bt))
}

fn report(kv: &[(&str, String)]) {
    for (k, v) in kv {
        println!("{k}={v}");
    }
}

fn mlp<const B: usize>(data: &Data) {
    let sizes = [PIXELS, 128, 10];
    println!(
        "# constnet net 784-128-10 act=relu loss=softmax-ce batch={B} lr=0.1 epochs={EPOCHS} path={:?}",
        KernelPath::selected()
    );
    let mut net = Mlp::zeros();
    init_net(&mut net);
    let (sps, times) = train_epochs::<_, _, _, B>(&mut net, &SoftmaxCrossEntropy, 0.1, data, |l| *l);
    let (b1, bt) = inference::<_, 10>(&net, data);
    let (ft, fi) = flops(&sizes, B);
    report(&[
        ("peer", "constnet".into()),
        ("net", "784-128-10".into()),
        ("batch", B.to_string()),
        ("epoch_s_all", times.iter().map(|t| format!("{t:.4}")).collect::<Vec<_>>().join(",")),
        ("train_samples_per_s", format!("{sps:.0}")),
        ("train_gflops_useful", format!("{:.2}", sps * ft / 1e9)),
        ("infer_latency_b1_us", format!("{:.3}", b1 * 1e6)),
        ("infer_samples_per_s", format!("{:.0}", 1.0 / bt)),
        ("infer_gflops_batched", format!("{:.2}", fi / bt / 1e9)),
    ]);
}

fn cretan(data: &Data) {
    const B: usize = 200;
    println!(
        "# constnet net 784-50-10 act=sigmoid out=sigmoid loss=mse-halfsum batch={B} lr=0.3 epochs={EPOCHS}"
    );
    let mut net = Cretan::zeros();
    init_net(&mut net);
    let (sps, times) =
        train_epochs::<_, _, _, B>(&mut net, &Mse::HALF_SUM, 0.3, data, |l| -> [[f32; 10]; B] {
            core::array::from_fn(|s| core::array::from_fn(|c| (c == l[s]) as u8 as f32))
        });
    let (ft, _) = flops(&[PIXELS, 50, 10], B);
    report(&[
        ("peer", "constnet".into()),
        ("net", "784-50-10".into()),
        ("batch", B.to_string()),
        ("epoch_s_all", times.iter().map(|t| format!("{t:.4}")).collect::<Vec<_>>().join(",")),
        ("train_samples_per_s", format!("{sps:.0}")),
        ("train_gflops_useful", format!("{:.2}", sps * ft / 1e9)),
    ]);
}

fn quadrants() {
    const N: usize = 100_000;
    let mut rng = Pcg64::seed_from_u64(12345);
    let x: Vec<[f32; 2]> =
        (0..N).map(|_| [2.0 * uniform(&mut rng) - 1.0, 2.0 * uniform(&mut rng) - 1.0]).collect();
    let t: Vec<[f32; 2]> = x.iter().map(|p| [(p[0] > 0.0) as u8 as f32, (p[1] > 0.0) as u8 as f32]).collect();
    println!("# constnet net 2-3-2 act=leaky(0.01) out=leaky loss=mse batch=1 lr=0.05 n_train={N}");
    let mut rates = Vec::new();
    for rep in 0..21 {
        let mut net = Quadrants((Dense::zeros(), LeakyRelu::default(), Dense::zeros(), LeakyRelu::default()));
        init(&mut net, Init::GlorotUniform, &mut Pcg64::seed_from_u64(rep));
        let mut trainer = Trainer::new();
        let mut sgd = Sgd::new(0.05);
        let mut order: Vec<usize> = (0..N).collect();
        let (mut xs, mut ts) = (x.clone(), t.clone());
        let start = Instant::now();
        // Shuffle into buffers, then train in order (the peer's np.take).
        constnet::random::shuffle(&mut order, &mut rng);
        for ((xo, to), &k) in xs.iter_mut().zip(&mut ts).zip(&order) {
            (*xo, *to) = (x[k], t[k]);
        }
        for (xk, tk) in xs.iter().zip(&ts) {
            trainer.step(&mut net, &mut sgd, &Mse::MEAN, xk, tk).expect("finite loss");
        }
        rates.push(N as f64 / start.elapsed().as_secs_f64());
        black_box(&net);
    }
    report(&[
        ("peer", "constnet".into()),
        ("net", "2-3-2".into()),
        ("train_samples_per_s", format!("{:.0}", median(rates))),
    ]);
}

fn kernels() {
    let mut rng = Pcg64::seed_from_u64(7);
    let mut v = |n: usize| -> Vec<f32> { (0..n).map(|_| uniform(&mut rng) - 0.5).collect() };
    for (ins, outs, rows) in [
        (784, 128, 1),
        (784, 128, 32),
        (784, 128, 64),
        (784, 128, 128),
        (784, 128, 1000),
        (128, 10, 32),
        (784, 50, 200),
    ] {
        let (w, b, x, dy) = (v(ins * outs), v(outs), v(ins * rows), v(outs * rows));
        let (mut y, mut dw, mut db, mut dx) =
            (vec![0.0; outs * rows], vec![0.0; ins * outs], vec![0.0; outs], vec![0.0; ins * rows]);
        let flop = 2.0 * (ins * outs * rows) as f64;
        let reps = (2e9 / flop / 10.0).max(10.0) as usize;
        for path in KernelPath::ALL.into_iter().filter(|p| p.is_available()) {
            let time = |f: &mut dyn FnMut()| {
                median(
                    (0..5)
                        .map(|_| {
                            let start = Instant::now();
                            for _ in 0..reps {
                                f();
                            }
                            start.elapsed().as_secs_f64() / reps as f64
                        })
                        .collect(),
                )
            };
            let tf = time(&mut || {
                math::dense_forward_on(path, &w, &b, &x, &mut y, ins, outs);
                black_box(&y);
            });
            let tw = time(&mut || {
                math::dense_backward_on(path, &w, &x, &dy, &mut dw, &mut db, None, ins, outs);
                black_box(&dw);
            });
            let tx = time(&mut || {
                math::dense_backward_on(path, &w, &x, &dy, &mut dw, &mut db, Some(&mut dx), ins, outs);
                black_box(&dx);
            });
            println!(
                "{ins:>4}x{outs:<4} rows {rows:>3} {path:>8?}: forward {:6.1} GFLOP/s  dW {:6.1}  dx {:6.1}",
                flop / tf / 1e9,
                flop / tw / 1e9,
                flop / (tx - tw).max(1e-12) / 1e9
            );
        }
    }
}

/// Single-core FMA throughput probes: 24 independent fused multiply-adds per
/// loop iteration on 12 accumulators, enough to hide the latency on every
/// x86-64 core with one or two FMA pipes.
#[cfg(target_arch = "x86_64")]
mod peak {
    use std::arch::asm;
    use std::time::Instant;

    /// `vfmadd231ps {r}{d}, {r}14, {r}15`: accumulator `d` += register 14 × 15.
    macro_rules! fma {
        ($r:literal, $d:literal) => {
            concat!("vfmadd231ps ", $r, $d, ", ", $r, "14, ", $r, "15\n")
        };
    }

    /// 12 independent FMAs, into accumulators 0 to 11.
    macro_rules! fma12 {
        ($r:literal) => {
            concat!(
                fma!($r, "0"),
                fma!($r, "1"),
                fma!($r, "2"),
                fma!($r, "3"),
                fma!($r, "4"),
                fma!($r, "5"),
                fma!($r, "6"),
                fma!($r, "7"),
                fma!($r, "8"),
                fma!($r, "9"),
                fma!($r, "10"),
                fma!($r, "11"),
            )
        };
    }

    /// `n` iterations of 24 zmm FMAs (two groups of 12). SAFETY: needs AVX-512F.
    #[target_feature(enable = "avx512f")]
    unsafe fn zmm(n: u64) {
        unsafe {
            asm!("2:", fma12!("zmm"), fma12!("zmm"), "dec {n}", "jnz 2b", n = inout(reg) n => _,
                out("zmm0") _, out("zmm1") _, out("zmm2") _, out("zmm3") _, out("zmm4") _, out("zmm5") _,
                out("zmm6") _, out("zmm7") _, out("zmm8") _, out("zmm9") _, out("zmm10") _, out("zmm11") _,
                out("zmm14") _, out("zmm15") _, options(nostack, nomem));
        }
    }

    /// `n` iterations of 24 ymm FMAs. SAFETY: needs AVX and FMA.
    #[target_feature(enable = "avx,fma")]
    unsafe fn ymm(n: u64) {
        unsafe {
            asm!("2:", fma12!("ymm"), fma12!("ymm"), "dec {n}", "jnz 2b", n = inout(reg) n => _,
                out("ymm0") _, out("ymm1") _, out("ymm2") _, out("ymm3") _, out("ymm4") _, out("ymm5") _,
                out("ymm6") _, out("ymm7") _, out("ymm8") _, out("ymm9") _, out("ymm10") _, out("ymm11") _,
                out("ymm14") _, out("ymm15") _, options(nostack, nomem));
        }
    }

    /// Median GFLOP/s of 9 runs of `f` over `n` iterations of 24 FMAs of `lanes`.
    fn measure(lanes: f64, f: impl Fn(u64)) -> f64 {
        let n = 5_000_000;
        let mut g: Vec<f64> = (0..9)
            .map(|_| {
                let t = Instant::now();
                f(n);
                n as f64 * 24.0 * lanes * 2.0 / t.elapsed().as_secs_f64() / 1e9
            })
            .collect();
        g.sort_by(f64::total_cmp);
        g[4]
    }

    /// `(zmm, ymm)` FMA peaks in GFLOP/s; `None` where the CPU lacks them.
    pub fn fma() -> (Option<f64>, Option<f64>) {
        let z = std::is_x86_feature_detected!("avx512f");
        let y = std::is_x86_feature_detected!("avx") && std::is_x86_feature_detected!("fma");
        // SAFETY: each probe runs only where its features were detected.
        let zmm = z.then(|| measure(16.0, |n| unsafe { zmm(n) }));
        let ymm = y.then(|| measure(8.0, |n| unsafe { ymm(n) }));
        (zmm, ymm)
    }
}

/// The peak to divide by: the better of the two register widths (on cores
/// that split zmm operations into two ymm halves they are the same).
fn widest(zmm: Option<f64>, ymm: Option<f64>) -> Option<f64> {
    match (zmm, ymm) {
        (Some(z), Some(y)) => Some(z.max(y)),
        (z, y) => z.or(y),
    }
}

/// The single-core FMA peak (GFLOP/s), if any.
fn fma_peak() -> Option<f64> {
    #[cfg(target_arch = "x86_64")]
    {
        let (zmm, ymm) = peak::fma();
        widest(zmm, ymm)
    }
    #[cfg(not(target_arch = "x86_64"))]
    None
}

/// CPU, kernel paths and FMA peak as `key=value` lines.
fn info() {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let field = |k: &str| {
        cpuinfo
            .lines()
            .find(|l| l.split(':').next().is_some_and(|n| n.trim() == k))
            .and_then(|l| l.split_once(':'))
            .map_or("unknown".to_string(), |(_, v)| v.trim().to_string())
    };
    println!("cpu_model={}", field("model name"));
    println!("cpu_family={}", field("cpu family"));
    println!("cpu_model_number={}", field("model"));
    let flags = field("flags");
    let has: Vec<&str> = ["avx2", "fma", "avx512f", "avx512vl", "avx512_vnni", "avx512_bf16"]
        .into_iter()
        .filter(|f| flags.split_whitespace().any(|x| x == *f))
        .collect();
    println!("cpu_flags={}", has.join(","));
    println!("exact_path={:?}", KernelPath::detected());
    println!("fast_path={}", KernelPath::detected_fused().map_or("none".into(), |p| format!("{p:?}")));
    #[cfg(target_arch = "x86_64")]
    let (zmm, ymm) = peak::fma();
    #[cfg(not(target_arch = "x86_64"))]
    let (zmm, ymm): (Option<f64>, Option<f64>) = (None, None);
    let show = |v: Option<f64>| v.map_or("none".into(), |g| format!("{g:.1}"));
    println!("fma_peak_zmm_gflops={}", show(zmm));
    println!("fma_peak_ymm_gflops={}", show(ymm));
    println!("fma_peak_gflops={}", show(widest(zmm, ymm)));
}

#[path = "firmware/src/direct_conv.rs"]
mod direct_conv;

/// The MNIST CNN's two convolutions on a batch of 32, forward only:
/// constnet's `Conv2d` (im2col + the dense kernels) against the direct loop
/// of `direct_conv.rs`; best of 5 runs of 20 batches each, GFLOP/s.
fn conv() {
    use direct_conv::{Shape, conv2d_direct};
    use std::time::Instant;
    fn best(mut f: impl FnMut()) -> f64 {
        (0..5)
            .map(|_| {
                let t = Instant::now();
                for _ in 0..20 {
                    f();
                }
                t.elapsed().as_secs_f64() / 20.0
            })
            .fold(f64::INFINITY, f64::min)
    }
    fn case<L, const H: usize, const W: usize, const CI: usize>(name: &str, layer: &L, g: Shape)
    where
        L: Layer<[[[[f32; CI]; W]; H]; 32]> + Params,
    {
        let mut r = rand_pcg::Pcg64::seed_from_u64(3);
        let x: Vec<f32> =
            (0..32 * H * W * CI).map(|_| constnet::random::uniform(&mut r, -1.0, 1.0)).collect();
        let xb: Box<[[[[f32; CI]; W]; H]; 32]> = Box::new(core::array::from_fn(|s| {
            core::array::from_fn(|y| {
                core::array::from_fn(|xx| core::array::from_fn(|c| x[((s * H + y) * W + xx) * CI + c]))
            })
        }));
        let (oh, ow) = ((g.h + 2 * g.p - g.k) / g.s + 1, (g.w + 2 * g.p - g.k) / g.s + 1);
        let mut y = vec![0.0f32; 32 * oh * ow * g.co];
        let flops = 2.0 * 32.0 * (oh * ow * g.co * g.k * g.k * g.ci) as f64;
        let t_im2col = best(|| {
            std::hint::black_box(layer.forward(std::hint::black_box(&*xb)));
        });
        let t_direct =
            best(|| conv2d_direct(g, layer.tensor(0), layer.tensor(1), std::hint::black_box(&x), &mut y));
        println!(
            "conv={name} im2col_gflops={:.1} direct_gflops={:.1} im2col_over_direct={:.2}",
            flops / t_im2col / 1e9,
            flops / t_direct / 1e9,
            t_direct / t_im2col
        );
    }
    let mut r = rand_pcg::Pcg64::seed_from_u64(4);
    type C1 = constnet::layers![input [28, 28, 1] => Conv2d(16, 5, padding = 2)];
    type C2 = constnet::layers![input [14, 14, 16] => Conv2d(32, 5, padding = 2)];
    let (mut c1, mut c2) = (Box::new(C1::zeros()), Box::new(C2::zeros()));
    init(&mut *c1, Init::He, &mut r);
    init(&mut *c2, Init::He, &mut r);
    println!("kernel_path={:?}", KernelPath::selected());
    case("28x28x1-16-k5", &*c1, direct_conv::Shape { h: 28, w: 28, ci: 1, co: 16, k: 5, s: 1, p: 2 });
    case("14x14x16-32-k5", &*c2, direct_conv::Shape { h: 14, w: 14, ci: 16, co: 32, k: 5, s: 1, p: 2 });
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(k) = args.iter().position(|a| a == "--fast" || a == "--fused") {
        args.remove(k);
        assert!(math::set_fast(true), "--fast: this CPU or build has no fast (FMA) kernels");
    }
    // Large static batches live on this thread's stack; give it room.
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || {
            let what = args.first().map_or("all", |s| s.as_str());
            match what {
                "kernels" => kernels(),
                "path" => println!("{:?}", KernelPath::selected()),
                "info" => info(),
                "peak" => println!("fma_peak_gflops={}", fma_peak().map_or("none".into(), |g| format!("{g:.1}"))),
                "quadrants" => quadrants(),
                "conv" => conv(),
                "mlp" => {
                    let data = random_data();
                    match args.get(1).map_or("32", |s| s.as_str()) {
                        "128" => mlp::<128>(&data),
                        _ => mlp::<32>(&data),
                    }
                }
                "mlp2" => {
                    // The pool's two workers need room for a shard's buffers too.
                    // The loop runs inside the pool, so a step's shards start
                    // without waking a sleeping caller (see ParallelTrainer).
                    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).stack_size(64 << 20).build().unwrap();
                    let data = random_data();
                    pool.install(|| match args.get(1).map_or("32", |s| s.as_str()) {
                        "128" => mlp2::<64>(&data),
                        _ => mlp2::<16>(&data),
                    })
                }
                "cretan" => cretan(&random_data()),
                "infer" => {
                    // Inference only (for profiling).
                    let data = random_data();
                    let mut net = Mlp::zeros();
                    init_net(&mut net);
                    let (b1, bt) = inference::<_, 10>(&net, &data);
                    println!("infer_latency_b1_us={:.3}\ninfer_samples_per_s={:.0}", b1 * 1e6, 1.0 / bt);
                }
                "train" => {
                    // Training only (for profiling).
                    let data = random_data();
                    let mut net = Mlp::zeros();
                    init_net(&mut net);
                    let sps = match args.get(1).map_or("32", |s| s.as_str()) {
                        "128" => {
                            train_epochs::<_, _, _, 128>(&mut net, &SoftmaxCrossEntropy, 0.1, &data, |l| *l).0
                        }
                        _ => {
                            train_epochs::<_, _, _, 32>(&mut net, &SoftmaxCrossEntropy, 0.1, &data, |l| *l).0
                        }
                    };
                    println!("train_samples_per_s={sps:.0}");
                }
                "all" => {
                    let data = random_data();
                    mlp::<32>(&data);
                    mlp::<128>(&data);
                    cretan(&data);
                    quadrants();
                }
                other => panic!(
                    "unknown benchmark {other:?}: use mlp [32|128], mlp2 [32|128], cretan, quadrants, kernels, info, peak or nothing"
                ),
            }
        })
        .unwrap()
        .join()
        .unwrap();
}
