//! Bad data in training: a label outside the class range, NaN or infinite
//! inputs and targets, an empty training set, an empty held-out set, a short
//! shuffle buffer, mismatched lengths — each a clear `Err` from the checked
//! entry points (`Trainer::fit_checked`, `Trainer::online_step_checked`,
//! `Epochs::try_shuffle`, `Dataset::try_new`) with the model, the optimizer
//! and the replay buffer untouched; what the unchecked ones do with the same
//! data; and a soak test of online training with a replay buffer whose data
//! distribution changes midway.
//!
//! The long soak (10 million steps, about a minute in release) is ignored by
//! default:
//!
//! ```sh
//! cargo test --release --test bad_data -- --ignored soak_10_million --nocapture
//! ```

use constnet::prelude::*;
use constnet::replay::Replay;
use constnet::train::{
    DataError, Dataset, Diverged, Epochs, Split, TargetProblem, TrainError, Trainer, check_sample, evaluate,
};
use core::ops::ControlFlow;
use rand_core::{RngCore, SeedableRng};
use rand_pcg::Pcg64;

type Net = (Dense<2, 8>, Tanh, Dense<8, 3>);
type Batch = [[f32; 2]; 4];

fn net() -> Net {
    let mut net = Net::zeros();
    init(&mut net, Init::GlorotUniform, &mut Pcg64::seed_from_u64(5));
    net
}

fn xs() -> Vec<[f32; 2]> {
    (0..10).map(|i| [i as f32 / 10.0, 1.0 - i as f32 / 7.0]).collect()
}

fn labels() -> Vec<usize> {
    (0..10).map(|i| i % 3).collect()
}

fn go(_: constnet::train::Event<'_>) -> ControlFlow<()> {
    ControlFlow::Continue(())
}

/// `fit_checked` on `plan`: the error, with the model and Adam's state
/// checked to be exactly as they were.
fn refused<T>(plan: Epochs<'_, [f32; 2], T>) -> TrainError
where
    T: Copy + constnet::metrics::Label + constnet::train::Target,
    SoftmaxCrossEntropy: constnet::loss::Loss<[[f32; 3]; 4], [T; 4]> + constnet::loss::Loss<[f32; 3], T>,
{
    let (mut model, before) = (net(), net());
    let mut adam = Adam::new(0.01);
    let adam_before = adam.clone();
    let mut trainer = Trainer::<Net, Batch>::new();
    let err = trainer.fit_checked(&mut model, &mut adam, &SoftmaxCrossEntropy, plan, go).unwrap_err();
    assert_eq!(model, before, "the model changed after {err}");
    assert_eq!(adam, adam_before, "the optimizer changed after {err}");
    err
}

#[test]
fn a_label_out_of_range_is_refused_before_training() {
    let (xs, mut ys) = (xs(), labels());
    ys[7] = 3; // 3 outputs: classes 0, 1, 2
    let err = refused(Epochs::new(Dataset::new(&xs, &ys), 5));
    let problem = TargetProblem::Label { label: 3, classes: 3 };
    assert_eq!(err, TrainError::Data(DataError::Target { set: Split::Train, index: 7, problem }));
    assert_eq!(
        err.to_string(),
        "bad training data: training set, sample 7: label 3 is not below the 3 classes"
    );
    ys[7] = usize::MAX;
    assert!(matches!(
        refused(Epochs::new(Dataset::new(&xs, &ys), 5)),
        TrainError::Data(DataError::Target { .. })
    ));

    // Unchecked: the batch holding it has a NaN loss and is not applied; the
    // ones before it were.
    let mut model = net();
    ys[7] = 3;
    let mut trainer = Trainer::<Net, Batch>::new();
    let plan = Epochs::new(Dataset::new(&xs, &ys), 5);
    let err = trainer.fit(&mut model, &mut Sgd::new(0.1), &SoftmaxCrossEntropy, plan, go).unwrap_err();
    assert!(matches!(err, Diverged { epoch: 0, batch: 1, loss } if loss.is_nan()), "{err:?}");
}

#[test]
fn non_finite_inputs_are_refused_before_training() {
    let ys = labels();
    for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
        let mut xs = xs();
        xs[4][1] = bad;
        let err = refused(Epochs::new(Dataset::new(&xs, &ys), 3));
        assert_eq!(err, TrainError::Data(DataError::Input { set: Split::Train, index: 4 }), "{bad}");
        // Unchecked, a single step refuses it too and leaves the model alone.
        let mut model = net();
        let mut trainer = Trainer::<Net, Batch>::new();
        let batch = [xs[4], xs[0], xs[1], xs[2]];
        let r = trainer.step(&mut model, &mut Sgd::new(0.1), &SoftmaxCrossEntropy, &batch, &[0, 1, 2, 0]);
        assert!(r.is_err(), "{bad}: {r:?}");
        assert_eq!(model, net());
    }
}

#[test]
fn non_finite_targets_are_refused_before_training() {
    let xs = xs();
    for bad in [f32::NAN, f32::INFINITY] {
        let mut ts: Vec<[f32; 3]> =
            labels().iter().map(|&l| core::array::from_fn(|k| (k == l) as u8 as f32)).collect();
        ts[9][2] = bad;
        let err = refused(Epochs::new(Dataset::new(&xs, &ts), 3));
        let problem = TargetProblem::NonFinite;
        assert_eq!(err, TrainError::Data(DataError::Target { set: Split::Train, index: 9, problem }));
        // Mse on regression targets, through check_sample directly.
        assert_eq!(
            check_sample(&xs[0], &ts[9], 3, Split::Stream, 0),
            Err(DataError::Target { set: Split::Stream, index: 0, problem })
        );
    }
}

#[test]
fn empty_sets_are_refused() {
    let (xs, ys) = (xs(), labels());
    let none: (&[[f32; 2]], &[usize]) = (&[], &[]);
    let err = refused(Epochs::new(Dataset::new(none.0, none.1), 3));
    assert_eq!(err, TrainError::Data(DataError::EmptyTrainingSet));
    assert_eq!(err.to_string(), "bad training data: the training set is empty");
    let plan = Epochs::new(Dataset::new(&xs, &ys), 3).held_out(Dataset::new(none.0, none.1));
    assert_eq!(refused(plan), TrainError::Data(DataError::EmptyHeldOut));

    // Unchecked: an empty training set trains on nothing, and an empty
    // held-out set reports zero samples.
    let mut model = net();
    let mut trainer = Trainer::<Net, Batch>::new();
    let plan = Epochs::new(Dataset::new(none.0, none.1), 3).held_out(Dataset::new(none.0, none.1));
    let report = trainer.fit(&mut model, &mut Sgd::new(0.1), &SoftmaxCrossEntropy, plan, go).unwrap();
    assert_eq!(report.epochs, 3);
    let last = report.last.unwrap();
    assert_eq!((last.train.samples, last.held_out.unwrap().samples), (0, 0));
    assert_eq!(model, net());
}

#[test]
fn bad_held_out_samples_are_refused() {
    let (xs, ys) = (xs(), labels());
    let mut bad = ys.clone();
    bad[2] = 9;
    let plan = Epochs::new(Dataset::new(&xs, &ys), 3).held_out(Dataset::new(&xs[..4], &bad[..4]));
    let problem = TargetProblem::Label { label: 9, classes: 3 };
    assert_eq!(refused(plan), TrainError::Data(DataError::Target { set: Split::HeldOut, index: 2, problem }));
    // Unchecked evaluation of such a set: a NaN mean loss.
    let m = evaluate(&net(), &SoftmaxCrossEntropy, Dataset::new(&xs[..4], &bad[..4]));
    assert!(m.loss.is_nan() && m.samples == 4);
}

#[test]
fn short_shuffle_buffers_and_mismatched_lengths_are_errors() {
    let (xs, ys) = (xs(), labels());
    let mut order = [0usize; 9];
    let mut rng = Pcg64::seed_from_u64(0);
    let r = Epochs::new(Dataset::new(&xs, &ys), 3).try_shuffle(&mut order, &mut rng);
    assert_eq!(r.unwrap_err(), DataError::ShuffleBuffer { needed: 10, got: 9 });
    let mut order = [0usize; 10];
    assert!(Epochs::new(Dataset::new(&xs, &ys), 3).try_shuffle(&mut order, &mut rng).is_ok());
    assert_eq!(Dataset::try_new(&xs, &ys[..9]).unwrap_err(), DataError::Lengths { inputs: 10, targets: 9 });
    assert_eq!(Dataset::try_new(&xs, &ys).unwrap().len(), 10);
}

#[test]
#[should_panic(expected = "one index per training sample")]
fn shuffle_with_a_short_buffer_panics_as_documented() {
    let (xs, ys) = (xs(), labels());
    let mut order = [0usize; 9];
    let mut rng = Pcg64::seed_from_u64(0);
    let _ = Epochs::new(Dataset::new(&xs, &ys), 3).shuffle(&mut order, &mut rng);
}

#[test]
fn online_steps_refuse_bad_samples_and_keep_the_buffer_clean() {
    let mut model = net();
    let mut trainer = Trainer::<Net, Batch>::new();
    let mut adam = Adam::new(0.01);
    let mut replay = Replay::<[f32; 2], usize, 16>::new();
    let mut rng = Pcg64::seed_from_u64(3);
    for (x, y) in xs().into_iter().zip(labels()) {
        trainer
            .online_step_checked(&mut model, &mut adam, &SoftmaxCrossEntropy, &mut replay, (x, y), &mut rng)
            .unwrap();
    }
    let (before, adam_before, len) = (model.clone(), adam.clone(), replay.len());
    for (sample, want) in [
        (([f32::NAN, 0.0], 0), DataError::Input { set: Split::Stream, index: 0 }),
        (
            ([0.5, 0.5], 3),
            DataError::Target {
                set: Split::Stream,
                index: 0,
                problem: TargetProblem::Label { label: 3, classes: 3 },
            },
        ),
    ] {
        let r = trainer.online_step_checked(
            &mut model,
            &mut adam,
            &SoftmaxCrossEntropy,
            &mut replay,
            sample,
            &mut rng,
        );
        assert_eq!(r, Err(TrainError::Data(want)));
        assert_eq!((&model, &adam, replay.len()), (&before, &adam_before, len));
        // Unchecked: refused as a non-finite loss, and the buffer stays clean too.
        let r =
            trainer.online_step(&mut model, &mut adam, &SoftmaxCrossEntropy, &mut replay, sample, &mut rng);
        assert!(r.is_err());
        assert_eq!((&model, replay.len()), (&before, len));
        assert!(replay.iter().all(|(x, y)| x.iter().all(|v| v.is_finite()) && *y < 3));
    }
}

// ---------------------------------------------------------------------------
// Soak: online learning with replay, the concept changing midway.

type SoakNet = (Dense<2, 16>, Tanh, Dense<16, 2>);

/// Phase 0: XOR of the quadrant signs; phase 1: a rotated, shifted line.
fn concept(phase: u32, p: [f32; 2]) -> usize {
    match phase {
        0 => usize::from((p[0] > 0.0) != (p[1] > 0.0)),
        _ => usize::from(p[0] - 0.5 * p[1] > 0.2),
    }
}

fn point(rng: &mut Pcg64) -> [f32; 2] {
    let mut u = || (rng.next_u32() >> 8) as f32 / (1u32 << 23) as f32 - 1.0;
    [u(), u()]
}

fn accuracy(net: &SoakNet, phase: u32, rng: &mut Pcg64) -> f32 {
    let hits = (0..2000)
        .filter(|_| {
            let p = point(rng);
            constnet::metrics::predict(&net.forward(&p)) == concept(phase, p)
        })
        .count();
    hits as f32 / 2000.0
}

/// `steps` online steps (half per concept): returns the accuracy on each
/// concept at the end of its phase and right after the switch.
fn soak(steps: u64) -> (f32, f32, f32) {
    let mut rng = Pcg64::seed_from_u64(2024);
    let mut net = SoakNet::zeros();
    init(&mut net, Init::GlorotUniform, &mut rng);
    let mut trainer = Trainer::<SoakNet, [[f32; 2]; 8]>::new();
    let mut replay = Replay::<[f32; 2], usize, 128>::new();
    let mut adam = Adam::new(0.005);
    let mut eval_rng = Pcg64::seed_from_u64(99);
    let (mut first, mut switched) = (0.0, 0.0);
    let check = (steps / 100).max(1);
    for step in 0..steps {
        let phase = u32::from(step >= steps / 2);
        if step == steps / 2 {
            first = accuracy(&net, 0, &mut eval_rng);
            switched = accuracy(&net, 1, &mut eval_rng);
        }
        let p = point(&mut rng);
        trainer
            .online_step(
                &mut net,
                &mut adam,
                &SoftmaxCrossEntropy,
                &mut replay,
                (p, concept(phase, p)),
                &mut rng,
            )
            .unwrap_or_else(|e| panic!("step {step}: {e}"));
        if step % check == 0 || step + 1 == steps {
            for t in 0..SoakNet::TENSORS {
                assert!(net.tensor(t).iter().all(|v| v.is_finite()), "step {step}: tensor {t} is not finite");
            }
        }
    }
    (first, switched, accuracy(&net, 1, &mut eval_rng))
}

#[test]
fn soak_short_online_training_survives_a_change_of_concept() {
    let (first, switched, recovered) = soak(60_000);
    assert!(first > 0.9, "phase 0 accuracy {first}");
    assert!(switched < 0.8, "the new concept should be new: {switched}");
    assert!(recovered > 0.9, "recovered only to {recovered} (from {switched})");
}

#[test]
#[ignore = "10 million steps: about a minute in release; see the file's docs"]
fn soak_10_million_online_steps() {
    let start = std::time::Instant::now();
    let (first, switched, recovered) = soak(10_000_000);
    println!(
        "10M online steps in {:.1} s: phase 0 {first:.3}, just after the switch {switched:.3}, recovered {recovered:.3}",
        start.elapsed().as_secs_f64()
    );
    assert!(first > 0.95 && recovered > 0.95, "{first} {recovered}");
}
