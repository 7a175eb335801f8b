//! `ParallelTrainer` (std): a step on shards equals a single-thread step on
//! the whole batch up to summation order, a bad shard never updates the
//! model, and it trains to the same held-out accuracy.
#![cfg(feature = "std")]

use constnet::prelude::*;
use constnet::train::{NonFiniteLoss, ParallelTrainer};
use rand_core::SeedableRng;
use rand_pcg::Pcg64;

constnet::network! {
    /// Large enough for the out-of-line kernels.
    #[derive(Clone, Debug, PartialEq)]
    struct Net((Dense<6, 24>, Tanh, Dense<24, 24>, Relu, Dense<24, 3>));
}

const H: usize = 5;

fn net(seed: u64) -> Net {
    let mut net = Net::zeros();
    init(&mut net, Init::GlorotUniform, &mut Pcg64::seed_from_u64(seed));
    net
}

fn sample(rng: &mut Pcg64) -> ([f32; 6], usize) {
    let x: [f32; 6] = core::array::from_fn(|_| constnet::random::uniform(rng, -1.0, 1.0));
    let label = if x[0] + x[1] > 0.5 {
        0
    } else if x[2] * x[3] > 0.0 {
        1
    } else {
        2
    };
    (x, label)
}

fn batch(rng: &mut Pcg64) -> ([[[f32; 6]; H]; 2], [[usize; H]; 2]) {
    let mut xs = [[[0.0; 6]; H]; 2];
    let mut ls = [[0; H]; 2];
    for (xr, lr) in xs.iter_mut().zip(&mut ls) {
        for (x, l) in xr.iter_mut().zip(lr) {
            (*x, *l) = sample(rng);
        }
    }
    (xs, ls)
}

#[test]
fn a_sharded_step_equals_the_whole_batch_step_up_to_rounding() {
    let mut rng = Pcg64::seed_from_u64(1);
    let (mut a, mut b) = (net(2), net(2));
    let mut par: Box<ParallelTrainer<Net, [[f32; 6]; H], 2>> = Box::default();
    let mut one: Box<Trainer<Net, [[f32; 6]; 2 * H]>> = Box::default();
    let (mut sa, mut sb) = (SgdMomentum::new(0.05, 0.9), SgdMomentum::new(0.05, 0.9));
    for step in 0..50 {
        let (xs, ls) = batch(&mut rng);
        let whole_x: [[f32; 6]; 2 * H] = core::array::from_fn(|s| xs[s / H][s % H]);
        let whole_l: [usize; 2 * H] = core::array::from_fn(|s| ls[s / H][s % H]);
        // The same model, the same batch: gradients agree to rounding.
        let la = par.gradient(&a, &SoftmaxCrossEntropy, &xs, &ls);
        let lb = one.gradient(&a, &SoftmaxCrossEntropy, &whole_x, &whole_l);
        assert!((la - lb).abs() <= 1e-5 * (1.0 + lb.abs()), "step {step}: loss {la} vs {lb}");
        for i in 0..Net::TENSORS {
            let scale = one.grads.tensor(i).iter().fold(1e-6f32, |m, g| m.max(g.abs()));
            for (k, (g, h)) in par.shards[0].grads.tensor(i).iter().zip(one.grads.tensor(i)).enumerate() {
                assert!((g - h).abs() <= 1e-5 * scale, "step {step}, tensor {i}[{k}]: {g} vs {h}");
            }
        }
        // Each trains its own copy.
        par.step(&mut a, &mut sa, &SoftmaxCrossEntropy, &xs, &ls).unwrap();
        one.step(&mut b, &mut sb, &SoftmaxCrossEntropy, &whole_x, &whole_l).unwrap();
    }
    // After 50 steps the models are still the same up to rounding.
    for i in 0..Net::TENSORS {
        for (p, q) in a.tensor(i).iter().zip(b.tensor(i)) {
            assert!((p - q).abs() <= 1e-3 * (1.0 + q.abs()), "tensor {i}: {p} vs {q}");
        }
    }
}

#[test]
fn a_bad_shard_leaves_the_model_unchanged() {
    let mut rng = Pcg64::seed_from_u64(3);
    let mut model = net(4);
    let before = model.clone();
    let mut par: Box<ParallelTrainer<Net, [[f32; 6]; H], 2>> = Box::default();
    let (mut xs, ls) = batch(&mut rng);
    xs[1][2][0] = f32::NAN;
    let err = par.step(&mut model, &mut Sgd::new(0.1), &SoftmaxCrossEntropy, &xs, &ls).unwrap_err();
    assert!(err.loss.is_nan());
    assert_eq!(model, before);
    xs[1][2][0] = f32::INFINITY;
    let r: Result<f32, NonFiniteLoss> =
        par.step(&mut model, &mut Sgd::new(0.1), &SoftmaxCrossEntropy, &xs, &ls);
    assert!(r.is_err());
    assert_eq!(model, before);
}

#[test]
fn parallel_training_reaches_held_out_accuracy() {
    let mut rng = Pcg64::seed_from_u64(5);
    let mut model = net(6);
    let mut par: Box<ParallelTrainer<Net, [[f32; 6]; H], 2>> = Box::default();
    let mut adam = Adam::new(0.01);
    for _ in 0..1500 {
        let (xs, ls) = batch(&mut rng);
        par.step(&mut model, &mut adam, &SoftmaxCrossEntropy, &xs, &ls).unwrap();
    }
    let correct = (0..2000)
        .filter(|_| {
            let (x, l) = sample(&mut rng);
            constnet::math::argmax(&model.forward(&x)) == l
        })
        .count();
    assert!(correct >= 1800, "held-out accuracy {correct}/2000");
}
