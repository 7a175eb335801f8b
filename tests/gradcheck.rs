//! Gradient checks: analytic gradients against central differences for every
//! layer, every loss and whole networks.

use constnet::gradcheck::{GradCheck, GradCheckReport, check, check_layer};
use constnet::loss::{BinaryCrossEntropy, CrossEntropy, Loss, Mse, SoftmaxCrossEntropy};
use constnet::prelude::*;
use constnet::random;
use rand_core::SeedableRng;
use rand_pcg::Pcg64;

fn rng(seed: u64) -> Pcg64 {
    Pcg64::seed_from_u64(seed)
}

/// Random values in ±1, kept at least 0.05 away from 0 so ReLU kinks are not
/// crossed by the ε = 1e-3 perturbation.
fn rand_tensor<X: Tensor>(seed: u64) -> X {
    let mut r = rng(seed);
    let mut x = X::zeros();
    for v in x.flat_mut() {
        let u = random::uniform(&mut r, 0.05, 1.0);
        *v = if random::uniform(&mut r, 0.0, 1.0) < 0.5 { -u } else { u };
    }
    x
}

fn assert_agrees(name: &str, r: &GradCheckReport) {
    assert!(r.all_agree(), "{name}: gradients disagree\n{r}");
    assert!(r.params_total + r.inputs_total > 0, "{name}: nothing checked");
}

fn check_activation<A>(name: &str, mut layer: A)
where
    A: Backprop<[f32; 7], Output = [f32; 7]> + Backprop<[[f32; 5]; 3], Output = [[f32; 5]; 3]> + Params,
{
    let cfg = GradCheck::default();
    let r = check_layer(&mut layer, &rand_tensor::<[f32; 7]>(1), &rand_tensor(2), &cfg);
    assert_agrees(name, &r);
    assert_eq!(r.inputs_total, 7);
    let r = check_layer(&mut layer, &rand_tensor::<[[f32; 5]; 3]>(3), &rand_tensor(4), &cfg);
    assert_agrees(name, &r);
    assert_eq!(r.inputs_total, 15);
}

#[test]
fn every_activation() {
    check_activation("relu", Relu);
    check_activation("leaky relu", LeakyRelu::new(0.1));
    check_activation("sigmoid", Sigmoid);
    check_activation("tanh", Tanh);
    check_activation("softmax", Softmax);
    check_activation("identity", Identity);
}

#[test]
fn dense_single_and_batch() {
    let cfg = GradCheck::default();
    let mut d = Dense::<6, 4>::zeros();
    init(&mut d, Init::GlorotUniform, &mut rng(5));
    let r = check_layer(&mut d, &rand_tensor::<[f32; 6]>(6), &rand_tensor(7), &cfg);
    assert_agrees("dense", &r);
    assert_eq!(r.params_total, 6 * 4 + 4);
    assert_eq!(r.tensors.len(), 2);
    let r = check_layer(&mut d, &rand_tensor::<[[f32; 6]; 5]>(8), &rand_tensor(9), &cfg);
    assert_agrees("dense batch", &r);
    assert_eq!(r.inputs_total, 30);
}

/// Probabilities: softmax of random logits.
fn probs<const N: usize>(seed: u64) -> [f32; N] {
    Softmax.forward(&rand_tensor::<[f32; N]>(seed))
}

/// Checks a loss alone: the "network" is the identity, so the input gradient
/// is the loss gradient.
fn check_loss<Y: Tensor, T, L: Loss<Y, T>>(name: &str, y: &Y, loss: &L, t: &T)
where
    Identity: Backprop<Y, Output = Y>,
{
    let r = check(&mut Identity, y, loss, t, &GradCheck::default());
    assert_agrees(name, &r);
    assert!(r.loss.is_finite() && r.loss >= 0.0, "{name}: loss {}", r.loss);
}

#[test]
fn every_loss() {
    let y: [f32; 4] = rand_tensor(10);
    let t: [f32; 4] = rand_tensor(11);
    check_loss("mse mean", &y, &Mse::MEAN, &t);
    check_loss("mse half-sum", &y, &Mse::HALF_SUM, &t);
    let yb: [[f32; 4]; 3] = rand_tensor(12);
    let tb: [[f32; 4]; 3] = rand_tensor(13);
    check_loss("mse batch", &yb, &Mse::MEAN, &tb);

    let p: [f32; 5] = probs(14);
    check_loss("cross-entropy sparse", &p, &CrossEntropy, &3usize);
    check_loss("cross-entropy one-hot", &p, &CrossEntropy, &[0.0, 0.0, 1.0, 0.0, 0.0]);
    let pb = [probs::<5>(15), probs::<5>(16)];
    check_loss("cross-entropy batch", &pb, &CrossEntropy, &[4usize, 0]);

    let z: [f32; 5] = rand_tensor(17);
    check_loss("softmax-ce sparse", &z, &SoftmaxCrossEntropy, &1usize);
    check_loss("softmax-ce one-hot", &z, &SoftmaxCrossEntropy, &[0.0, 1.0, 0.0, 0.0, 0.0]);
    check_loss("softmax-ce soft targets", &z, &SoftmaxCrossEntropy, &[0.1, 0.2, 0.3, 0.4, 0.0]);
    let zb: [[f32; 5]; 3] = rand_tensor(18);
    check_loss("softmax-ce batch", &zb, &SoftmaxCrossEntropy, &[0usize, 2, 4]);

    let s: [f32; 3] = Sigmoid.forward(&rand_tensor::<[f32; 3]>(19));
    check_loss("binary cross-entropy", &s, &BinaryCrossEntropy, &[1.0, 0.0, 1.0]);
    let sb: [[f32; 3]; 2] = Sigmoid.forward(&rand_tensor::<[[f32; 3]; 2]>(20));
    check_loss("binary cross-entropy batch", &sb, &BinaryCrossEntropy, &[[1.0, 0.0, 0.0], [0.0, 1.0, 1.0]]);
}

#[test]
fn fused_softmax_ce_equals_softmax_then_cross_entropy() {
    let z: [[f32; 4]; 2] = rand_tensor(21);
    let (l1, g1) = SoftmaxCrossEntropy.loss_grad(&z, &[1usize, 3]);
    let mut cache = Zeros::zeros();
    let p = Softmax.forward_train(&z, &mut cache);
    let (l2, gp) = CrossEntropy.loss_grad(&p, &[1usize, 3]);
    let g2: [[f32; 4]; 2] = Softmax.backward(&cache, &gp, &mut Softmax);
    assert!((l1 - l2).abs() < 1e-5);
    for (a, b) in g1.as_flattened().iter().zip(g2.as_flattened()) {
        assert!((a - b).abs() < 1e-5, "{a} vs {b}");
    }
}

network! {
    /// A named 4-layer network.
    struct Named((Dense<3, 8>, Tanh, Dense<8, 6>, Sigmoid, Dense<6, 4>));
}

#[test]
fn whole_networks() {
    let cfg = GradCheck::default();
    // Flat tuple, 3 dense layers, classification loss on a batch.
    let mut net =
        (Dense::<4, 8>::zeros(), Relu, Dense::<8, 8>::zeros(), LeakyRelu::new(0.1), Dense::<8, 3>::zeros());
    init(&mut net, Init::He, &mut rng(30));
    let x: [[f32; 4]; 4] = rand_tensor(33);
    // Central differences are only meaningful away from the ReLU kinks: make
    // sure no pre-activation is within reach of the perturbation.
    let z1 = net.0.forward(&x);
    let z2 = net.2.forward(&Relu.forward(&z1));
    let nearest = z1.iter().chain(&z2).flatten().fold(f32::INFINITY, |m, v| m.min(v.abs()));
    assert!(nearest > 0.01, "a pre-activation is {nearest}: pick other inputs");
    let r = check(&mut net, &x, &SoftmaxCrossEntropy, &[0usize, 1, 2, 1], &cfg);
    assert_agrees("flat 5-tuple", &r);
    assert_eq!(r.params_total, 4 * 8 + 8 + 8 * 8 + 8 + 8 * 3 + 3);
    assert_eq!(r.tensors.len(), 6);

    // Nested tuples.
    let mut nested =
        (Dense::<3, 5>::zeros(), (Tanh, (Dense::<5, 4>::zeros(), Sigmoid, Dense::<4, 2>::zeros())));
    init(&mut nested, Init::GlorotUniform, &mut rng(32));
    let r = check(&mut nested, &rand_tensor::<[f32; 3]>(33), &Mse::MEAN, &[0.3, -0.2], &cfg);
    assert_agrees("nested", &r);

    // A named network, regression loss, single sample and batch.
    let mut named = Named::zeros();
    init(&mut named, Init::GlorotUniform, &mut rng(34));
    let r =
        check(&mut named, &rand_tensor::<[f32; 3]>(35), &Mse::HALF_SUM, &rand_tensor::<[f32; 4]>(36), &cfg);
    assert_agrees("named", &r);
    let r = check(
        &mut named,
        &rand_tensor::<[[f32; 3]; 3]>(37),
        &Mse::HALF_SUM,
        &rand_tensor::<[[f32; 4]; 3]>(38),
        &cfg,
    );
    assert_agrees("named batch", &r);

    // Softmax layer + cross-entropy inside a network.
    let mut probs_net = (Dense::<2, 6>::zeros(), Tanh, Dense::<6, 3>::zeros(), Softmax);
    init(&mut probs_net, Init::GlorotUniform, &mut rng(39));
    let r = check(&mut probs_net, &rand_tensor::<[f32; 2]>(40), &CrossEntropy, &2usize, &cfg);
    assert_agrees("softmax + cross-entropy", &r);
}

/// The check must be able to fail: a layer whose backward is wrong.
#[derive(Clone, Debug)]
struct WrongDouble;

impl Zeros for WrongDouble {
    fn zeros() -> Self {
        WrongDouble
    }
}

impl Layer<[f32; 3]> for WrongDouble {
    type Output = [f32; 3];
    fn forward(&self, x: &[f32; 3]) -> [f32; 3] {
        x.map(|v| 2.0 * v)
    }
}

impl Backprop<[f32; 3]> for WrongDouble {
    type Cache = ();
    fn forward_train(&self, x: &[f32; 3], _: &mut ()) -> [f32; 3] {
        self.forward(x)
    }
    fn backward(&self, _: &(), d_out: &[f32; 3], _: &mut Self) -> [f32; 3] {
        *d_out // should be 2·d_out
    }
}

impl Params for WrongDouble {
    const TENSORS: usize = 0;
    const PARAMS: usize = 0;
    const FINGERPRINT: u64 = 0;
    fn shape(_: usize) -> TensorShape {
        Dense::<1, 1>::shape(1)
    }
    fn tensor(&self, _: usize) -> &[f32] {
        &[]
    }
    fn tensor_mut(&mut self, _: usize) -> &mut [f32] {
        &mut []
    }
}

use constnet::TensorShape;

#[test]
fn a_wrong_backward_is_caught() {
    let r = check_layer(&mut WrongDouble, &[0.5, -0.3, 0.9], &[1.0, 1.0, 1.0], &GradCheck::default());
    assert_eq!(r.inputs_agreed, 0, "{r}");
    assert!(!r.all_agree());

    // A perturbed analytic gradient is caught too: bias gradients off by 10%.
    let mut d = Dense::<3, 2>::zeros();
    init(&mut d, Init::GlorotUniform, &mut rng(41));
    let x = [0.2, -0.4, 0.7];
    let mut cache = [0.0; 3];
    let y = d.forward_train(&x, &mut cache);
    let (_, g) = Mse::MEAN.loss_grad(&y, &[1.0, -1.0]);
    let mut grads = Dense::<3, 2>::zeros();
    let _: [f32; 3] = d.backward(&cache, &g, &mut grads);
    let ok = check(&mut d, &x, &Mse::MEAN, &[1.0, -1.0], &GradCheck::default());
    assert!(ok.all_agree());
    let cfg = GradCheck::default();
    let wrong = grads.bias()[0] * 1.1;
    let numeric = grads.bias()[0];
    assert!(!cfg.agrees(wrong, numeric) || numeric.abs() < 0.01);
}

#[test]
fn report_prints_cretan_lines() {
    let mut d = Dense::<2, 2>::zeros();
    init(&mut d, Init::GlorotUniform, &mut rng(42));
    let r = check(&mut d, &[0.5, 0.5], &Mse::MEAN, &[0.0, 1.0], &GradCheck::default());
    let text = r.to_string();
    assert!(text.contains("4 out of 4 weight gradients are numerically equal"), "{text}");
    assert!(text.contains("2 out of 2 bias gradients are numerically equal"), "{text}");
}
