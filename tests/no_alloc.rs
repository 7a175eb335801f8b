//! A training step allocates nothing: a counting global allocator watches the
//! forward pass, the loss, backprop and the SGD update of a 3-layer network.

use constnet::prelude::*;
use rand_core::SeedableRng;
#[path = "support/counting_alloc.rs"]
mod counting_alloc;
use counting_alloc::allocations_in;

type Net = (Dense<4, 16>, Relu, Dense<16, 16>, Tanh, Dense<16, 3>);

#[test]
fn a_training_step_allocates_nothing() {
    // The counter works: a Vec allocates.
    assert_eq!(allocations_in(|| drop(std::hint::black_box(vec![1u8; 16]))), 1);

    let mut net: Net = Zeros::zeros();
    init(&mut net, Init::He, &mut rand_pcg::Pcg64::seed_from_u64(0));
    let mut sgd = Sgd::new(0.05);
    let x = [[0.1, -0.2, 0.3, 0.4]; 8];
    let labels = [0usize, 1, 2, 0, 1, 2, 0, 1];
    let mut batch_trainer = Trainer::new();
    let mut sample_trainer = Trainer::new();
    let before = net.clone();

    let n = allocations_in(|| {
        for _ in 0..10 {
            batch_trainer.step(&mut net, &mut sgd, &SoftmaxCrossEntropy, &x, &labels).unwrap();
            sample_trainer.step(&mut net, &mut sgd, &Mse::MEAN, &x[0], &[1.0, 0.0, 0.0]).unwrap();
        }
        std::hint::black_box(net.forward(&x));
    });
    assert_eq!(n, 0, "a training step allocated {n} times");
    assert_ne!(net, before, "the steps must have trained the network");
}

/// The same for a small CNN — convolutions, depthwise, pooling, dropout — on
/// batches and single images, with Adam (the im2col buffers are on the stack).
#[test]
fn a_cnn_training_step_allocates_nothing() {
    type Cnn = constnet::layers![input [10, 10, 2] =>
        Conv2d(4, 3, padding = 1), Relu, MaxPool2d(2), DepthwiseConv2d(3, padding = 1), Relu,
        Dropout(20), AvgPool2d(1), Flatten, Dense(3)];
    let mut net: Cnn = Zeros::zeros();
    init(&mut net, Init::He, &mut rand_pcg::Pcg64::seed_from_u64(1));
    let mut adam = Adam::new(0.01);
    let x = [[[[0.25f32, -0.5]; 10]; 10]; 4];
    let labels = [0usize, 1, 2, 1];
    let (mut batch_trainer, mut sample_trainer) = (Trainer::new(), Trainer::new());
    let before = net.clone();
    let n = allocations_in(|| {
        for _ in 0..5 {
            batch_trainer.step(&mut net, &mut adam, &SoftmaxCrossEntropy, &x, &labels).unwrap();
            sample_trainer.step(&mut net, &mut adam, &SoftmaxCrossEntropy, &x[0], &0usize).unwrap();
        }
        std::hint::black_box(net.forward(&x));
    });
    assert_eq!(n, 0, "a CNN training step allocated {n} times");
    assert_ne!(net, before, "the steps must have trained the network");
}
