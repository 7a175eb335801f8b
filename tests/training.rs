//! The heap-free training loop, end to end: every optimizer trains a
//! problem to a stated accuracy, batching/shuffling/remainder rules, the
//! metrics it reports, non-finite losses, online learning with a replay
//! buffer, and the compile-time memory figures against `size_of`.

use constnet::data::{quadrants, spiral};
use constnet::memory;
use constnet::metrics::Confusion;
use constnet::optim::{AdaGrad, Adam, Optimizer, RmsProp, Sgd, SgdMomentum};
use constnet::prelude::*;
use constnet::replay::Replay;
use constnet::train::{Dataset, Diverged, Epochs, Event, Remainder, Trainer, evaluate};
use core::mem::{size_of, size_of_val};
use core::ops::ControlFlow;
use rand_core::SeedableRng;
use rand_pcg::Pcg64;

// ---------------------------------------------------------------------------
// Every optimizer trains quadrants (held-out accuracy ≥ 0.95) — and Adam the
// NNFS spiral.

type QuadNet = (Dense<2, 16>, Tanh, Dense<16, 2>);

struct Quadrants {
    x: Vec<[f32; 2]>,
    y: Vec<usize>,
}

/// 2,000 training points after 500 held-out ones.
const HELD_OUT: usize = 500;

fn quadrants_data(seed: u64) -> (Quadrants, Pcg64) {
    let mut rng = Pcg64::seed_from_u64(seed);
    let (mut x, mut y) = (vec![[0.0; 2]; 2500], vec![0; 2500]);
    quadrants::fill(&mut x, &mut y, &mut rng);
    (Quadrants { x, y }, rng)
}

/// Trains a fresh `QuadNet` with `opt` in batches of `B` for `epochs`
/// epochs; returns the last epoch's stats.
fn train_quadrants<O: Optimizer<QuadNet>, const B: usize>(
    opt: &mut O,
    epochs: usize,
) -> constnet::train::EpochStats {
    let (data, mut rng) = quadrants_data(7);
    let mut net: QuadNet = Zeros::zeros();
    init(&mut net, Init::GlorotUniform, &mut rng);
    let mut trainer = Trainer::<QuadNet, [[f32; 2]; B]>::new();
    let mut order = vec![0usize; data.x.len() - HELD_OUT];
    let plan = Epochs::new(Dataset::new(&data.x[HELD_OUT..], &data.y[HELD_OUT..]), epochs)
        .shuffle(&mut order, &mut rng)
        .held_out(Dataset::new(&data.x[..HELD_OUT], &data.y[..HELD_OUT]));
    let report =
        trainer.fit(&mut net, opt, &SoftmaxCrossEntropy, plan, |_| ControlFlow::Continue(())).unwrap();
    assert_eq!(report.epochs, epochs);
    assert!(!report.stopped);
    report.last.unwrap()
}

fn assert_trains<O: Optimizer<QuadNet>>(name: &str, mut opt: O, epochs: usize) {
    let stats = train_quadrants::<O, 32>(&mut opt, epochs);
    let held_out = stats.held_out.unwrap();
    println!("{name}: train acc {:.3}, held-out acc {:.3}", stats.train.accuracy, held_out.accuracy);
    assert!(held_out.accuracy >= 0.95, "{name}: held-out accuracy {}", held_out.accuracy);
    assert_eq!(held_out.samples, HELD_OUT);
    // ⌈2000 / 32⌉ = 63 full batches (the last one wrapped).
    assert_eq!(stats.train.samples, 63 * 32);
}

#[test]
fn sgd_trains_quadrants() {
    assert_trains("sgd", Sgd::new(0.5).decay(1e-3), 40);
}

#[test]
fn sgd_momentum_trains_quadrants() {
    assert_trains("momentum", SgdMomentum::new(0.05, 0.9), 30);
    assert_trains("nesterov", SgdMomentum::new(0.05, 0.9).nesterov(true).weight_decay(1e-4), 30);
}

#[test]
fn adagrad_trains_quadrants() {
    assert_trains("adagrad", AdaGrad::new(0.1), 30);
}

#[test]
fn rmsprop_trains_quadrants() {
    assert_trains("rmsprop", RmsProp::new(0.005).decay(1e-4), 30);
}

#[test]
fn adam_trains_quadrants() {
    assert_trains("adam", Adam::new(0.01).weight_decay(1e-5), 30);
}

#[test]
fn per_sample_training_is_batch_one() {
    let mut sgd = Sgd::new(0.05);
    let stats = train_quadrants::<_, 1>(&mut sgd, 5);
    assert_eq!(stats.train.samples, 2000);
    assert!(stats.held_out.unwrap().accuracy >= 0.95, "{stats:?}");
}

network! {
    /// NNFS's spiral network.
    struct SpiralNet((Dense<2, 64>, Relu, Dense<64, 3>));
}

#[test]
fn adam_trains_the_nnfs_spiral() {
    // The NNFS chapter-10 run, shortened: 100 points × 3 classes, one full
    // batch, Adam lr 0.05 decay 5e-7, 3,000 of the book's 10,001 epochs:
    // training accuracy ≥ 0.82 (0.853 with libm on seed 0; the example runs
    // all 10,001 epochs).
    let mut rng = Pcg64::seed_from_u64(0);
    let (mut x, mut y) = ([[0.0; 2]; 300], [0usize; 300]);
    spiral::fill(&mut x, &mut y, 3, &mut rng);
    let mut net = SpiralNet::zeros();
    init(&mut net, Init::Nnfs, &mut rng);
    let mut trainer = Box::new(Trainer::<SpiralNet, [[f32; 2]; 300]>::new());
    let mut adam = Adam::new(0.05).decay(5e-7);
    let plan = Epochs::new(Dataset::new(&x, &y), 3000);
    trainer.fit(&mut net, &mut adam, &SoftmaxCrossEntropy, plan, |_| ControlFlow::Continue(())).unwrap();
    let m = evaluate(&net, &SoftmaxCrossEntropy, Dataset::new(&x, &y));
    println!("spiral adam: acc {:.3}, loss {:.3}", m.accuracy, m.loss);
    assert!(m.accuracy >= 0.82, "{m:?}");
    let mut confusion = Confusion::<3>::new();
    for (p, l) in x.iter().zip(&y) {
        confusion.add_scores(&net.forward(p), l);
    }
    assert_eq!(confusion.accuracy(), m.accuracy);
    assert!((0..3).all(|c| confusion.recall(c) >= 0.7), "{confusion}");
}

// ---------------------------------------------------------------------------
// Batching, shuffling, the last partial batch.

/// Sample `i` is the one-hot vector `e_i`, target 1: one SGD step on a batch
/// changes weight `i` only if sample `i` is in it, so the weights record which
/// samples an epoch visited (and how often).
fn visits<const B: usize>(remainder: Remainder, shuffle: bool, epochs: usize) -> Vec<Vec<usize>> {
    let x: Vec<[f32; 10]> = (0..10).map(|i| core::array::from_fn(|j| (i == j) as u8 as f32)).collect();
    let t = vec![[1.0f32]; 10];
    let mut net = Dense::<10, 1>::zeros();
    let mut trainer = Trainer::<Dense<10, 1>, [[f32; 10]; B]>::new();
    let mut rng = Pcg64::seed_from_u64(5);
    let mut order = [0usize; 10];
    let mut plan = Epochs::new(Dataset::new(&x, &t), 0).remainder(remainder);
    if shuffle {
        plan = plan.shuffle(&mut order, &mut rng);
    }
    let mut out = Vec::new();
    for epoch in 0..epochs {
        let before = net.clone();
        // A tiny step: each visit adds ≈ 2·lr/B to the weight; count visits.
        let mut sgd = Sgd::new(1e-3);
        let stats = trainer.epoch(&mut net, &mut sgd, &Mse::MEAN, &mut plan, epoch, |_, _| {}).unwrap();
        assert_eq!(stats.epoch, epoch);
        out.push(
            (0..10)
                .map(|i| ((net.weight()[0][i] - before.weight()[0][i]) / (2e-3 / B as f32)).round() as usize)
                .collect(),
        );
    }
    out
}

#[test]
fn wrap_trains_every_sample_and_fills_the_last_batch() {
    // 10 samples, B = 4: batches [0 1 2 3] [4 5 6 7] [8 9 0 1].
    let v = visits::<4>(Remainder::Wrap, false, 1);
    assert_eq!(v[0], [2, 2, 1, 1, 1, 1, 1, 1, 1, 1]);
    // Shuffled: every sample at least once, 12 visits in all, every epoch.
    for epoch in visits::<4>(Remainder::Wrap, true, 5) {
        assert!(epoch.iter().all(|&n| n >= 1), "{epoch:?}");
        assert_eq!(epoch.iter().sum::<usize>(), 12);
    }
    // Fewer samples than B: cycled to fill one batch.
    let v = visits::<16>(Remainder::Wrap, false, 1);
    assert_eq!(v[0], [2, 2, 2, 2, 2, 2, 1, 1, 1, 1]);
}

#[test]
fn drop_skips_the_remainder_and_shuffling_changes_which() {
    let v = visits::<4>(Remainder::Drop, false, 1);
    assert_eq!(v[0], [1, 1, 1, 1, 1, 1, 1, 1, 0, 0]);
    let epochs = visits::<4>(Remainder::Drop, true, 6);
    let mut skipped_ever = [false; 10];
    for epoch in &epochs {
        assert!(epoch.iter().all(|&n| n <= 1));
        assert_eq!(epoch.iter().sum::<usize>(), 8);
        epoch.iter().enumerate().filter(|(_, n)| **n == 0).for_each(|(i, _)| skipped_ever[i] = true);
    }
    assert!(epochs.windows(2).any(|w| w[0] != w[1]), "shuffling must change the skipped samples");
    assert!(skipped_ever.iter().filter(|s| **s).count() > 2);
    // Fewer samples than B: nothing to train on.
    assert_eq!(visits::<16>(Remainder::Drop, false, 1)[0], [0; 10]);
}

// ---------------------------------------------------------------------------
// Reported metrics.

#[test]
fn full_batch_metrics_are_the_pre_update_loss_and_accuracy() {
    let (data, mut rng) = quadrants_data(3);
    let (x, y) = (&data.x[..64], &data.y[..64]);
    let mut net: QuadNet = Zeros::zeros();
    init(&mut net, Init::GlorotUniform, &mut rng);
    let mut trainer = Trainer::<QuadNet, [[f32; 2]; 64]>::new();
    let mut sgd = Sgd::new(0.5);
    let mut plan =
        Epochs::new(Dataset::new(x, y), 3).held_out(Dataset::new(&data.x[100..300], &data.y[100..300]));
    for epoch in 0..3 {
        let before = evaluate(&net, &SoftmaxCrossEntropy, Dataset::new(x, y));
        let stats =
            trainer.epoch(&mut net, &mut sgd, &SoftmaxCrossEntropy, &mut plan, epoch, |_, _| {}).unwrap();
        assert!((stats.train.loss - before.loss).abs() < 1e-5, "{stats:?} vs {before:?}");
        assert_eq!(stats.train.accuracy, before.accuracy);
        assert_eq!(stats.train.samples, 64);
        let after = evaluate(&net, &SoftmaxCrossEntropy, Dataset::new(&data.x[100..300], &data.y[100..300]));
        assert_eq!(stats.held_out, Some(after));
    }
}

#[test]
fn fit_reports_batches_and_epochs_and_stops_on_break() {
    let (data, mut rng) = quadrants_data(4);
    let mut net: QuadNet = Zeros::zeros();
    init(&mut net, Init::GlorotUniform, &mut rng);
    let mut trainer = Trainer::<QuadNet, [[f32; 2]; 100]>::new();
    let mut adam = Adam::new(0.01);
    let plan = Epochs::new(Dataset::new(&data.x, &data.y), 10);
    let (mut batch_events, mut epoch_events, mut losses) = (Vec::new(), Vec::new(), Vec::new());
    let report = trainer
        .fit(&mut net, &mut adam, &SoftmaxCrossEntropy, plan, |event| match event {
            Event::Batch { epoch, batch, batches, loss } => {
                batch_events.push((epoch, batch, batches));
                losses.push(loss);
                ControlFlow::Continue(())
            }
            Event::Epoch(stats) => {
                epoch_events.push(stats.epoch);
                // The epoch's mean loss is the mean of its batches' losses.
                let mean = losses.iter().sum::<f32>() / losses.len() as f32;
                assert!((stats.train.loss - mean).abs() < 1e-5);
                losses.clear();
                if stats.epoch == 2 { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
            }
        })
        .unwrap();
    assert_eq!(epoch_events, [0, 1, 2]);
    assert_eq!(batch_events.len(), 3 * 25);
    assert_eq!(batch_events[26], (1, 1, 25));
    assert_eq!((report.epochs, report.stopped, report.last.unwrap().epoch), (3, true, 2));
    assert_eq!(adam.iterations(), 75);

    // Break from a batch event: the partial epoch is not reported.
    let plan = Epochs::new(Dataset::new(&data.x, &data.y), 10);
    let report = trainer
        .fit(&mut net, &mut adam, &SoftmaxCrossEntropy, plan, |event| match event {
            Event::Batch { epoch: 1, batch: 4, .. } => ControlFlow::Break(()),
            _ => ControlFlow::Continue(()),
        })
        .unwrap();
    assert_eq!((report.epochs, report.stopped, report.last.unwrap().epoch), (1, true, 0));
    assert_eq!(adam.iterations(), 75 + 25 + 5);
}

// ---------------------------------------------------------------------------
// Non-finite losses.

type ReluNet = (Dense<2, 8>, Relu, Dense<8, 2>);

fn relu_net(rng: &mut Pcg64) -> ReluNet {
    let mut net: ReluNet = Zeros::zeros();
    init(&mut net, Init::He, rng);
    net
}

#[test]
fn a_huge_learning_rate_stops_with_the_epoch_and_batch() {
    let (data, mut rng) = quadrants_data(9);
    let net0 = relu_net(&mut rng);
    let (x, y) = (&data.x[..256], &data.y[..256]);

    let mut net = net0.clone();
    let mut trainer = Trainer::<ReluNet, [[f32; 2]; 32]>::new();
    let mut sgd = Sgd::new(1e30);
    let mut seen = Vec::new();
    let err = trainer
        .fit(&mut net, &mut sgd, &SoftmaxCrossEntropy, Epochs::new(Dataset::new(x, y), 3), |event| {
            if let Event::Batch { epoch, batch, loss, .. } = event {
                assert!(loss.is_finite());
                seen.push((epoch, batch));
            }
            ControlFlow::Continue(())
        })
        .unwrap_err();
    // The first batch's loss is finite (the initial model is fine); its update
    // with lr 1e30 blows the weights up, and the second batch's loss is not.
    assert!(!err.loss.is_finite(), "{err}");
    assert_eq!((err.epoch, err.batch), (0, 1));
    assert_eq!(seen, [(0, 0)]);
    assert_eq!(
        err.to_string(),
        format!("non-finite loss {} at epoch 0, batch 1; the model was not updated with it", err.loss)
    );
    // The bad batch was not applied: the model is what one step made it.
    let mut one_step = net0.clone();
    let mut trainer1 = Trainer::<ReluNet, [[f32; 2]; 32]>::new();
    let xb: [[f32; 2]; 32] = x[..32].try_into().unwrap();
    let yb: [usize; 32] = y[..32].try_into().unwrap();
    trainer1.step(&mut one_step, &mut Sgd::new(1e30), &SoftmaxCrossEntropy, &xb, &yb).unwrap();
    assert_eq!(net, one_step);
}

#[test]
fn a_bad_sample_names_the_epoch_and_batch_it_lands_in() {
    // Sample 37 has a class index out of range (NaN loss). With 40 samples,
    // B = 8, Remainder::Drop and shuffling, it is skipped in epochs where it
    // lands in the last 0 positions… so use 44 samples: 4 are dropped each
    // epoch, and the bad one is trained on (and reported) in the first epoch
    // that puts it in positions 0..40.
    let (data, mut rng) = quadrants_data(11);
    let mut y = data.y[..44].to_vec();
    y[37] = 5;
    let mut net = relu_net(&mut rng);
    let mut trainer = Trainer::<ReluNet, [[f32; 2]; 8]>::new();
    let mut order = [0usize; 44];
    let mut epochs_seen = 0;
    let plan = Epochs::new(Dataset::new(&data.x[..44], &y), 50)
        .shuffle(&mut order, &mut rng)
        .remainder(Remainder::Drop);
    let err: Diverged = trainer
        .fit(&mut net, &mut Adam::new(0.01), &SoftmaxCrossEntropy, plan, |event| {
            if let Event::Epoch(_) = event {
                epochs_seen += 1;
            }
            ControlFlow::Continue(())
        })
        .unwrap_err();
    assert!(err.loss.is_nan());
    assert_eq!(err.epoch, epochs_seen);
    // `order` holds the failing epoch's permutation.
    let pos = order.iter().position(|&i| i == 37).unwrap();
    assert!(pos < 40);
    assert_eq!(err.batch, pos / 8);
    assert!(net.all_finite());
}

#[test]
fn single_steps_refuse_non_finite_losses_and_gradients() {
    let mut rng = Pcg64::seed_from_u64(0);
    let mut net = relu_net(&mut rng);
    let before = net.clone();
    let mut trainer = Trainer::<ReluNet, [f32; 2]>::new();
    let mut adam = Adam::new(0.1);
    // A class index out of range: NaN loss.
    let err = trainer.step(&mut net, &mut adam, &SoftmaxCrossEntropy, &[0.5, 0.5], &2).unwrap_err();
    assert!(err.loss.is_nan());
    // A NaN input: the ReLU maps NaN to 0, so the loss is finite, but dL/dW of
    // the first layer is NaN — refused too.
    assert!(trainer.gradient(&net, &SoftmaxCrossEntropy, &[f32::NAN, 0.0], &0).is_finite());
    assert!(!trainer.grads.all_finite());
    let err = trainer.step(&mut net, &mut adam, &SoftmaxCrossEntropy, &[f32::NAN, 0.0], &0).unwrap_err();
    assert!(err.loss.is_nan());
    assert_eq!(net, before);
    assert_eq!(adam.iterations(), 0);
}

// ---------------------------------------------------------------------------
// Online learning with a replay buffer.

#[test]
fn online_learning_with_replay_learns_the_stream() {
    let mut rng = Pcg64::seed_from_u64(21);
    let mut net: QuadNet = Zeros::zeros();
    init(&mut net, Init::GlorotUniform, &mut rng);
    let mut trainer = Trainer::<QuadNet, [[f32; 2]; 8]>::new();
    let mut replay = Replay::<[f32; 2], usize, 256>::new();
    let mut adam = Adam::new(0.01);
    for k in 0..4000 {
        let sample = quadrants::sample(&mut rng);
        trainer
            .online_step(&mut net, &mut adam, &SoftmaxCrossEntropy, &mut replay, sample, &mut rng)
            .unwrap();
        assert_eq!(replay.len(), (k + 1).min(256));
        assert_eq!(replay.newest(), Some(&sample));
    }
    let (test, _) = quadrants_data(22);
    let m = evaluate(&net, &SoftmaxCrossEntropy, Dataset::new(&test.x[..1000], &test.y[..1000]));
    println!("online with replay: held-out acc {:.3}", m.accuracy);
    assert!(m.accuracy >= 0.95, "{m:?}");

    // A non-finite step does not enter the buffer.
    let newest = *replay.newest().unwrap();
    let bad = ([0.5, 0.5], 7); // class 7 of 2: NaN loss
    assert!(
        trainer.online_step(&mut net, &mut adam, &SoftmaxCrossEntropy, &mut replay, bad, &mut rng).is_err()
    );
    assert_eq!(replay.newest(), Some(&newest));
}

// ---------------------------------------------------------------------------
// Memory figures equal the sizes of the real values.

/// Checks every figure for network `M` on input `X` against `size_of_val` of
/// values actually built, and returns `training_bytes` with Adam.
fn check_memory<M, X>() -> usize
where
    M: Backprop<X> + Params,
{
    let model = M::zeros();
    let trainer = Box::new(Trainer::<M, X>::new());
    let sgd = Sgd::new(0.1);
    let momentum = Box::new(SgdMomentum::<M>::new(0.1, 0.9));
    let adagrad = Box::new(AdaGrad::<M>::new(0.1));
    let rmsprop = Box::new(RmsProp::<M>::new(0.1));
    let adam = Box::new(Adam::<M>::new(0.1));

    assert_eq!(memory::model_bytes::<M>(), size_of_val(&model));
    let params: usize = (0..M::TENSORS).map(|i| size_of_val(model.tensor(i))).sum();
    assert_eq!(memory::param_bytes::<M>(), params);
    assert_eq!(memory::grad_bytes::<M>(), size_of_val(&trainer.grads));
    assert_eq!(memory::cache_bytes::<M, X>(), size_of_val(&trainer.cache));
    assert_eq!(memory::trainer_bytes::<M, X>(), size_of_val(&*trainer));
    assert_eq!(memory::optimizer_bytes::<Sgd>(), size_of_val(&sgd));
    assert_eq!(memory::optimizer_bytes::<Adam<M>>(), size_of_val(&*adam));
    assert_eq!(memory::optimizer_bytes::<RmsProp<M>>(), size_of_val(&*rmsprop));
    assert_eq!(memory::state::sgd::<M>(), 0);
    assert_eq!(memory::state::sgd_momentum::<M>(), size_of_val(momentum.velocity()));
    assert_eq!(memory::state::adagrad::<M>(), size_of_val(adagrad.sum()));
    assert_eq!(memory::state::rmsprop::<M>(), size_of_val(rmsprop.square_avg()));
    assert_eq!(
        memory::state::adam::<M>(),
        size_of_val(adam.first_moment()) + size_of_val(adam.second_moment())
    );
    let total = memory::training_bytes::<M, X, Adam<M>>();
    assert_eq!(total, size_of_val(&model) + size_of_val(&*trainer) + size_of_val(&*adam));
    total
}

network! {
    /// A named network with a leaky ReLU (whose slope is a non-trainable field).
    struct Leaky((Dense<4, 16>, Tanh, Dense<16, 16>, LeakyRelu, Dense<16, 3>));
}

type Mnist = (Dense<784, 32>, Relu, Dense<32, 10>);

#[test]
fn memory_figures_equal_the_sizes_of_real_values() {
    // 1: a 2-3-1 network, one sample.
    type Small = (Dense<2, 3>, Relu, Dense<3, 1>);
    check_memory::<Small, [f32; 2]>();
    assert_eq!(memory::param_bytes::<Small>(), 4 * (6 + 3 + 3 + 1));
    assert_eq!(memory::cache_bytes::<Small, [f32; 2]>(), 4 * (2 + 3 + 3));

    // 2: a named network with a non-trainable field, batch of 32.
    check_memory::<Leaky, [[f32; 4]; 32]>();
    assert_eq!(memory::param_bytes::<Leaky>(), 4 * (64 + 16 + 256 + 16 + 48 + 3));
    assert_eq!(memory::model_bytes::<Leaky>(), memory::param_bytes::<Leaky>() + 4); // the slope
    assert_eq!(memory::cache_bytes::<Leaky, [[f32; 4]; 32]>(), 4 * 32 * (4 + 16 + 16 + 16 + 16));

    // 3: an MNIST-sized network, batch of 8 — and a RAM budget check.
    let total = check_memory::<Mnist, [[f32; 784]; 8]>();
    assert_eq!(memory::param_bytes::<Mnist>(), 4 * (784 * 32 + 32 + 32 * 10 + 10));
    assert_eq!(memory::cache_bytes::<Mnist, [[f32; 784]; 8]>(), 4 * 8 * (784 + 32 + 32));
    // model + gradient + two moments = 4 × 101,800 bytes; cache 27,136 bytes.
    assert_eq!(total, 4 * 101_800 + 27_136 + (memory::optimizer_bytes::<Adam<Mnist>>() - 2 * 101_800));
    const { assert!(memory::training_bytes::<Mnist, [[f32; 784]; 8], Adam<Mnist>>() < 512 * 1024) };

    // The replay buffer: CAP samples plus two indices.
    type R = Replay<[f32; 2], usize, 64>;
    assert_eq!(memory::replay_bytes::<[f32; 2], usize, 64>(), size_of_val(&R::new()));
    assert!(size_of::<R>() >= 64 * size_of::<([f32; 2], usize)>());
    assert!(size_of::<R>() <= 64 * size_of::<([f32; 2], usize)>() + 4 * size_of::<usize>());
    assert_eq!(memory::batch_bytes::<[f32; 2], usize, 32>(), 32 * (8 + size_of::<usize>()));
}
