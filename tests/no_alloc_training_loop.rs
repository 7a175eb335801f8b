//! A full training epoch allocates nothing: a counting global allocator
//! watches `Trainer::fit` run an epoch of shuffled mini-batches of 32 with
//! Adam, held-out metrics and a per-batch callback — and an online step with
//! a replay buffer.

use constnet::data::quadrants;
use constnet::prelude::*;
use constnet::replay::Replay;
use constnet::train::{Dataset, Epochs, Event, evaluate};
use core::ops::ControlFlow;
use rand_core::SeedableRng;
#[path = "support/counting_alloc.rs"]
mod counting_alloc;
use counting_alloc::allocations_in;

network! {
    /// A small classifier.
    struct Net((Dense<2, 32>, Relu, Dense<32, 16>, Tanh, Dense<16, 2>));
}

#[test]
fn a_training_epoch_allocates_nothing() {
    // The counter works: a Vec allocates.
    assert_eq!(allocations_in(|| drop(std::hint::black_box(vec![1u8; 16]))), 1);

    // Everything is set up before watching: data (in caller memory — here a
    // Vec, on a device a static), model, trainer, optimizer, index buffer.
    let mut rng = rand_pcg::Pcg64::seed_from_u64(0);
    let (mut x, mut y) = (vec![[0.0f32; 2]; 1100], vec![0usize; 1100]);
    quadrants::fill(&mut x, &mut y, &mut rng);
    let mut net = Net::zeros();
    init(&mut net, Init::He, &mut rng);
    let mut trainer = Trainer::<Net, [[f32; 2]; 32]>::new();
    let mut adam = Adam::<Net>::new(0.01);
    let mut order = vec![0usize; 1000];
    let mut replay = Replay::<[f32; 2], usize, 64>::new();

    let (mut batches, mut last) = (0usize, None);
    let n = allocations_in(|| {
        let plan = Epochs::new(Dataset::new(&x[100..], &y[100..]), 1)
            .shuffle(&mut order, &mut rng)
            .held_out(Dataset::new(&x[..100], &y[..100]));
        let report = trainer
            .fit(&mut net, &mut adam, &SoftmaxCrossEntropy, plan, |event| {
                match event {
                    Event::Batch { .. } => batches += 1,
                    Event::Epoch(stats) => last = Some(*stats),
                }
                ControlFlow::Continue(())
            })
            .unwrap();
        assert_eq!(report.epochs, 1);
    });
    assert_eq!(n, 0, "a training epoch allocated {n} times");
    // It did train: 32 batches (1000 / 32, the last one wrapped), with metrics.
    assert_eq!(batches, 32);
    let stats = last.unwrap();
    assert_eq!(stats.train.samples, 32 * 32);
    assert_eq!(stats.held_out.unwrap().samples, 100);
    assert_eq!(adam.iterations(), 32);

    // Online learning with the replay buffer and a held-out evaluation.
    let mut online = Trainer::<Net, [[f32; 2]; 8]>::new();
    let n = allocations_in(|| {
        for k in 0..200 {
            let sample = (x[k], y[k]);
            online
                .online_step(&mut net, &mut adam, &SoftmaxCrossEntropy, &mut replay, sample, &mut rng)
                .unwrap();
        }
        let m = evaluate(&net, &SoftmaxCrossEntropy, Dataset::new(&x[..100], &y[..100]));
        assert!(m.accuracy > 0.5);
    });
    assert_eq!(n, 0, "online learning allocated {n} times");
    assert_eq!(replay.len(), 64);
}
