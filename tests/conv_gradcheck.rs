//! Gradient checks of the convolutional layers: parameters and inputs, single
//! samples and batches, odd sizes, strides and padding, and whole CNNs.

use constnet::gradcheck::{GradCheck, GradCheckReport, check, check_layer};
use constnet::init::{Init, init};
use constnet::loss::SoftmaxCrossEntropy;
use constnet::{Backprop, Params, Tensor, Zeros, layers, random};
use rand_core::SeedableRng;
use rand_pcg::Pcg64;

/// Random values in ±1, at least 0.05 from 0 (ReLU kinks are not crossed).
fn rand_tensor<X: Tensor>(seed: u64) -> X {
    let mut r = Pcg64::seed_from_u64(seed);
    let mut x = X::zeros();
    for v in x.flat_mut() {
        let u = random::uniform(&mut r, 0.05, 1.0);
        *v = if random::uniform(&mut r, 0.0, 1.0) < 0.5 { -u } else { u };
    }
    x
}

fn rand_params<M: Params>(seed: u64) -> M {
    rand_params_in(seed, 1.0)
}

fn rand_params_in<M: Params>(seed: u64, scale: f32) -> M {
    let mut m = M::zeros_params();
    let mut r = Pcg64::seed_from_u64(seed);
    for i in 0..M::TENSORS {
        for v in m.tensor_mut(i) {
            *v = random::uniform(&mut r, -scale, scale);
        }
    }
    m
}

fn assert_agrees(name: &str, r: &GradCheckReport) {
    assert!(r.all_agree(), "{name}: gradients disagree\n{r}");
    assert!(r.inputs_total > 0, "{name}: no input checked");
}

/// Checks `layer` on one sample and on a batch of 3, every parameter and
/// every input value; returns the numbers of parameters and inputs checked.
fn check_both<M, X, const B: usize>(name: &str, seed: u64) -> (usize, usize)
where
    M: Backprop<X> + Backprop<[X; B]> + Params,
    X: Tensor + Copy,
    [X; B]: Tensor,
    <M as constnet::Layer<X>>::Output: Tensor,
    <M as constnet::Layer<[X; B]>>::Output: Tensor,
{
    let cfg = GradCheck::default();
    let mut layer: M = rand_params(seed);
    let r = check_layer(&mut layer, &rand_tensor::<X>(seed + 1), &rand_tensor(seed + 2), &cfg);
    assert_agrees(name, &r);
    let (p, i) = (r.params_total, r.inputs_total);
    let r = check_layer(&mut layer, &rand_tensor::<[X; B]>(seed + 3), &rand_tensor(seed + 4), &cfg);
    assert_agrees(&format!("{name}, batch of {B}"), &r);
    assert_eq!(r.inputs_total, B * i);
    (p, i)
}

#[test]
fn conv2d_sizes_strides_padding() {
    type Same = layers![input [5, 6, 2] => Conv2d(3, 3, padding = 1)];
    assert_eq!(check_both::<Same, [[[f32; 2]; 6]; 5], 3>("Conv2d 5x6x2 k3 p1", 10), (3 * 9 * 2 + 3, 60));
    type Strided = layers![input [7, 5, 3] => Conv2d(2, 3, stride = 2)];
    check_both::<Strided, [[[f32; 3]; 5]; 7], 3>("Conv2d 7x5x3 k3 s2", 20);
    type StridedPadded = layers![input [6, 7, 1] => Conv2d(4, 2, stride = 3, padding = 1)];
    check_both::<StridedPadded, [[[f32; 1]; 7]; 6], 3>("Conv2d 6x7x1 k2 s3 p1", 30);
    type Pointwise = layers![input [3, 4, 5] => Conv2d(3, 1)];
    check_both::<Pointwise, [[[f32; 5]; 4]; 3], 3>("Conv2d 1x1", 40);
    type Wide = layers![input [4, 4, 3] => Conv2d(2, 4, padding = 2)];
    check_both::<Wide, [[[f32; 3]; 4]; 4], 3>("Conv2d k4 p2", 50);
}

#[test]
fn conv2d_larger_than_one_patch_chunk() {
    // 3·3·64 = 576 values per patch: 7 pixels per 4096-float chunk, so the
    // 9×9 output runs in 12 chunks. Weights of ±1/24 keep the outputs (and
    // so the f32 rounding of the objective) of order 1.
    type Deep = layers![input [9, 9, 64] => Conv2d(2, 3, padding = 1)];
    let cfg = GradCheck::default();
    let mut layer: Deep = rand_params_in(60, 1.0 / 24.0);
    let r = check_layer(&mut layer, &rand_tensor::<[[[f32; 64]; 9]; 9]>(61), &rand_tensor(62), &cfg);
    assert_agrees("Conv2d 9x9x64", &r);
}

#[test]
fn depthwise_sizes_strides_padding() {
    type Same = layers![input [5, 4, 3] => DepthwiseConv2d(3, padding = 1)];
    assert_eq!(check_both::<Same, [[[f32; 3]; 4]; 5], 2>("DepthwiseConv2d k3 p1", 70), (9 * 3 + 3, 60));
    type Strided = layers![input [7, 6, 2] => DepthwiseConv2d(3, stride = 2)];
    check_both::<Strided, [[[f32; 2]; 6]; 7], 2>("DepthwiseConv2d k3 s2", 80);
    type Both = layers![input [6, 5, 4] => DepthwiseConv2d(2, stride = 2, padding = 1)];
    check_both::<Both, [[[f32; 4]; 5]; 6], 2>("DepthwiseConv2d k2 s2 p1", 90);
}

#[test]
fn conv1d_sizes_strides_padding() {
    type Same = layers![input [9, 3] => Conv1d(4, 3, padding = 1)];
    assert_eq!(check_both::<Same, [[f32; 3]; 9], 3>("Conv1d k3 p1", 100), (4 * 3 * 3 + 4, 27));
    type Strided = layers![input [11, 2] => Conv1d(3, 5, stride = 2, padding = 2)];
    check_both::<Strided, [[f32; 2]; 11], 3>("Conv1d k5 s2 p2", 110);
}

#[test]
fn pooling_and_flatten() {
    type Max = layers![input [6, 5, 3] => MaxPool2d(2)];
    assert_eq!(check_both::<Max, [[[f32; 3]; 5]; 6], 3>("MaxPool2d 2", 120), (0, 90));
    type MaxOverlap = layers![input [7, 7, 2] => MaxPool2d(3, stride = 2)];
    check_both::<MaxOverlap, [[[f32; 2]; 7]; 7], 3>("MaxPool2d 3 s2", 130);
    type Avg = layers![input [5, 6, 2] => AvgPool2d(2)];
    check_both::<Avg, [[[f32; 2]; 6]; 5], 3>("AvgPool2d 2", 140);
    type AvgOverlap = layers![input [5, 5, 2] => AvgPool2d(3, stride = 1)];
    check_both::<AvgOverlap, [[[f32; 2]; 5]; 5], 3>("AvgPool2d 3 s1", 150);
    type Gap = layers![input [3, 5, 4] => GlobalAvgPool];
    check_both::<Gap, [[[f32; 4]; 5]; 3], 3>("GlobalAvgPool2d", 160);
    type Flat = layers![input [3, 2, 5] => Flatten];
    check_both::<Flat, [[[f32; 5]; 2]; 3], 3>("Flatten", 170);
    type Max1 = layers![input [9, 2] => MaxPool1d(3, stride = 2)];
    check_both::<Max1, [[f32; 2]; 9], 3>("MaxPool1d 3 s2", 180);
    type Gap1 = layers![input [7, 3] => GlobalAvgPool];
    check_both::<Gap1, [[f32; 3]; 7], 3>("GlobalAvgPool1d", 190);
    type Flat1 = layers![input [4, 3] => Flatten];
    check_both::<Flat1, [[f32; 3]; 4], 3>("Flatten1d", 200);
}

/// A whole CNN through softmax cross-entropy: every parameter of every layer
/// and every input pixel.
#[test]
fn whole_cnns() {
    type Cnn = layers![input [9, 8, 2] =>
        Conv2d(4, 3, padding = 1), Relu, MaxPool2d(2),
        DepthwiseConv2d(3, padding = 1), Tanh, Conv2d(5, 1), Relu,
        AvgPool2d(2), Flatten, Dense(6), Tanh, Dense(3)];
    let cfg = GradCheck::default();
    let mut net = Cnn::zeros_params();
    init(&mut net, Init::He, &mut Pcg64::seed_from_u64(300));
    let x = rand_tensor::<[[[f32; 2]; 8]; 9]>(301);
    let r = check(&mut net, &x, &SoftmaxCrossEntropy, &1usize, &cfg);
    assert!(r.all_agree(), "CNN: {r}");
    assert_eq!(r.params_total, Cnn::PARAMS);
    assert_eq!(r.inputs_total, 9 * 8 * 2);
    let xs = rand_tensor::<[[[[f32; 2]; 8]; 9]; 3]>(302);
    let r = check(&mut net, &xs, &SoftmaxCrossEntropy, &[0usize, 2, 1], &cfg);
    assert!(r.all_agree(), "CNN, batch: {r}");

    type Seq = layers![input [12, 3] =>
        Conv1d(4, 3, padding = 1), Relu, MaxPool1d(2), Conv1d(5, 3, stride = 2), Tanh, GlobalAvgPool, Dense(3)];
    let mut net = Seq::zeros_params();
    init(&mut net, Init::He, &mut Pcg64::seed_from_u64(310));
    let r = check(&mut net, &rand_tensor::<[[f32; 3]; 12]>(311), &SoftmaxCrossEntropy, &2usize, &cfg);
    assert!(r.all_agree(), "1-D CNN: {r}");
    assert_eq!(r.params_total, Seq::PARAMS);
}

/// A batch's gradients are the samples' gradients added one sample after
/// the other, bit for bit, and each sample's input gradient is its own: so
/// how the im2col chunks cut the batch (16 KB on bare metal, 256 KB with
/// `std`) never changes a result.
#[test]
fn batch_gradients_are_the_samples_added_in_order() {
    fn same<M>(name: &str, seed: u64)
    where
        M: Backprop<[[[f32; 8]; 12]; 12]>
            + Backprop<[[[[f32; 8]; 12]; 12]; 3]>
            + Params
            + PartialEq
            + core::fmt::Debug,
        <M as constnet::Layer<[[[f32; 8]; 12]; 12]>>::Output: Tensor + Copy,
        <M as constnet::Layer<[[[[f32; 8]; 12]; 12]; 3]>>::Output: Tensor + PartialEq + core::fmt::Debug,
    {
        let layer: M = rand_params(seed);
        let xs: [[[[f32; 8]; 12]; 12]; 3] = rand_tensor(seed + 1);
        let dys: <M as constnet::Layer<[[[[f32; 8]; 12]; 12]; 3]>>::Output = rand_tensor(seed + 2);
        let (mut batch_grads, mut cache) =
            (M::zeros(), <<M as Backprop<[[[[f32; 8]; 12]; 12]; 3]>>::Cache as Zeros>::zeros());
        let y = layer.forward_train(&xs, &mut cache);
        assert_eq!(y, layer.forward(&xs), "{name}: forward_train");
        let dx: [[[[f32; 8]; 12]; 12]; 3] = layer.backward(&cache, &dys, &mut batch_grads);
        let mut grads = M::zeros();
        let per = <<M as constnet::Layer<[[[f32; 8]; 12]; 12]>>::Output as Tensor>::COLS;
        for (s, x) in xs.iter().enumerate() {
            let mut dy = <M as constnet::Layer<[[[f32; 8]; 12]; 12]>>::Output::zeros();
            dy.flat_mut().copy_from_slice(&dys.flat()[s * per..(s + 1) * per]);
            let mut c = <<M as Backprop<[[[f32; 8]; 12]; 12]>>::Cache as Zeros>::zeros();
            layer.forward_train(x, &mut c);
            let dxs: [[[f32; 8]; 12]; 12] = layer.backward(&c, &dy, &mut grads);
            assert_eq!(dxs, dx[s], "{name}: input gradient of sample {s}");
        }
        assert_eq!(grads, batch_grads, "{name}: parameter gradients");
    }
    // 3·3·8 = 72 values per patch: the batch's 3 × 144 pixels cut into
    // chunks of 56 (bare metal) or 910 (std) pixels, across samples.
    same::<layers![input [12, 12, 8] => Conv2d(5, 3, padding = 1)]>("Conv2d", 400);
    same::<layers![input [12, 12, 8] => DepthwiseConv2d(3, stride = 2, padding = 1)]>("DepthwiseConv2d", 410);
}
