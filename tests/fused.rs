//! The process-wide `math::set_fast` switch, in a test binary of its own
//! (the switch is global, so no other test may run beside it): training on
//! the fast path (matrix tiles with fused multiply-adds, for the 32 × 32
//! layer at batch 16) runs the fast path, stays within rounding of the
//! exact training, still learns, and switching back restores the exact bits.
#![cfg(feature = "std")] // `math::set_fast` is a `std` feature

use constnet::math::{self, KernelPath};
use constnet::prelude::*;
use rand_core::SeedableRng;

constnet::network! {
    /// Large enough for the out-of-line (dispatched) kernels.
    #[derive(Clone, Debug, PartialEq)]
    struct Net((Dense<2, 32>, Tanh, Dense<32, 32>, Tanh, Dense<32, 2>));
}

const B: usize = 16;

fn quadrant(p: &[f32; 2]) -> usize {
    (p[0] > 0.0) as usize
}

/// Trains a fresh network for `batches` batches of quadrants points; returns
/// it and its held-out accuracy.
fn train(batches: usize) -> (Net, f32) {
    let mut rng = rand_pcg::Pcg64::seed_from_u64(3);
    let mut net = Net::zeros();
    init(&mut net, Init::GlorotUniform, &mut rng);
    let mut trainer: Trainer<Net, [[f32; 2]; B]> = Trainer::new();
    let mut sgd = Sgd::new(0.1);
    let point = |rng: &mut rand_pcg::Pcg64| -> [f32; 2] {
        core::array::from_fn(|_| constnet::random::uniform(rng, -1.0, 1.0))
    };
    for _ in 0..batches {
        let x: [[f32; 2]; B] = core::array::from_fn(|_| point(&mut rng));
        let labels: [usize; B] = core::array::from_fn(|s| quadrant(&x[s]));
        trainer.step(&mut net, &mut sgd, &SoftmaxCrossEntropy, &x, &labels).unwrap();
    }
    let test: Vec<[f32; 2]> = (0..1000).map(|_| point(&mut rng)).collect();
    let correct = test.iter().filter(|p| math::argmax(&net.forward(*p)) == quadrant(p)).count();
    (net, correct as f32 / 1000.0)
}

fn bits(net: &Net) -> Vec<u32> {
    (0..Net::TENSORS).flat_map(|i| net.tensor(i).iter().map(|v| v.to_bits()).collect::<Vec<_>>()).collect()
}

#[test]
fn fast_training_is_close_to_exact_and_switches_back() {
    assert!(!KernelPath::selected().is_fused(), "off by default");
    let (exact, exact_acc) = train(300);

    let on = math::set_fast(true);
    assert_eq!(on, KernelPath::detected_fused().is_some());
    assert_eq!(KernelPath::selected().is_fused(), on);
    let (fused, fused_acc) = train(300);
    assert!(fused_acc >= 0.95, "fused training accuracy {fused_acc}");
    assert!(exact_acc >= 0.95, "exact training accuracy {exact_acc}");
    // Same training up to rounding: parameters within a small distance.
    for i in 0..Net::TENSORS {
        for (a, b) in exact.tensor(i).iter().zip(fused.tensor(i)) {
            assert!((a - b).abs() <= 1e-3 * (1.0 + a.abs()), "tensor {i}: {a} vs {b}");
        }
    }
    if on {
        // Another order and one rounding instead of two do change some bits.
        assert_ne!(bits(&exact), bits(&fused));
    }

    assert!(!math::set_fast(false));
    assert_eq!(KernelPath::selected(), KernelPath::detected());
    let (again, _) = train(300);
    assert_eq!(bits(&again), bits(&exact), "exact bits after switching back");
}
