//! Post-training quantization end to end: trained f32 networks become int8
//! networks that classify as well (quadrants, a tanh and a ReLU net), track
//! the f32 outputs (the sine regressor), are exactly the composition of
//! their int8 parts, and carry the parameters TFLite's int8 scheme
//! prescribes (per-channel weights at ±127, int32 bias at `s_in · s_w`,
//! multipliers `s_in · s_w / s_out`, a ReLU fused into the Dense before it).
//! Kept small so that it runs in a few seconds in debug builds.

use constnet::data::quadrants;
use constnet::math::int8::{Requant, argmax, dense_forward_reference};
use constnet::metrics::predict;
use constnet::prelude::*;
use constnet::quant::requant::quantize_multiplier;
use constnet::quant::{self, Int8, QDense, QLut, QRelu, QuantError, QuantParams, Range};
use constnet::train::{Dataset, Epochs};
use core::ops::ControlFlow;
use rand_core::SeedableRng;
use rand_pcg::Pcg64;

type TanhNet = (Dense<2, 16>, Tanh, Dense<16, 16>, Tanh, Dense<16, 2>);
type ReluNet = (Dense<2, 16>, Relu, Dense<16, 2>);

const TRAIN: usize = 1000;
const HELD_OUT: usize = 1000;
const CALIBRATION: usize = 300;

struct Data {
    x: Vec<[f32; 2]>,
    y: Vec<usize>,
}

fn quadrants_data() -> (Data, Pcg64) {
    let mut rng = Pcg64::seed_from_u64(11);
    let (mut x, mut y) = (vec![[0.0; 2]; TRAIN + HELD_OUT], vec![0; TRAIN + HELD_OUT]);
    quadrants::fill(&mut x, &mut y, &mut rng);
    (Data { x, y }, rng)
}

/// Trains a fresh `$net` on the first `TRAIN` points with Adam (batch 32).
macro_rules! train {
    ($net:ty, $epochs:expr) => {{
        let (data, mut rng) = quadrants_data();
        let mut net: $net = Zeros::zeros();
        init(&mut net, Init::GlorotUniform, &mut rng);
        let mut trainer = Box::new(Trainer::<$net, [[f32; 2]; 32]>::new());
        let mut adam = Adam::new(0.02);
        let mut order = vec![0usize; TRAIN];
        let plan = Epochs::new(Dataset::new(&data.x[..TRAIN], &data.y[..TRAIN]), $epochs)
            .shuffle(&mut order, &mut rng);
        trainer.fit(&mut net, &mut adam, &SoftmaxCrossEntropy, plan, |_| ControlFlow::Continue(())).unwrap();
        (net, data)
    }};
}

/// Held-out accuracy of a network classifying `[f32; 2]` into 2 classes.
fn accuracy(f: impl Fn(&[f32; 2]) -> [f32; 2], data: &Data) -> f64 {
    let held = TRAIN..TRAIN + HELD_OUT;
    let correct =
        data.x[held.clone()].iter().zip(&data.y[held]).filter(|(x, y)| predict(&f(x)) == **y).count();
    correct as f64 / HELD_OUT as f64
}

fn range_of<const N: usize>(values: impl Iterator<Item = [f32; N]>) -> Range {
    let mut r = Range::EMPTY;
    for v in values {
        r.observe(&v);
    }
    r
}

/// Checks one QDense against the f32 Dense it came from, TFLite's int8 scheme
/// and the quantization of its input and output:
/// * per output row `o`, `s_w[o] = max|w[o]| / 127` and `q = round(w / s_w[o])`,
///   so the row's largest |w| is ±127 (with its sign);
/// * `bias[o] = round(b[o] / (s_in · s_w[o]))`;
/// * `multiplier[o] = QuantizeMultiplier(s_in · s_w[o] / s_out)` (in f64);
/// * the zero points are the input's and the output's.
fn check_dense<const IN: usize, const OUT: usize>(
    f: &Dense<IN, OUT>,
    q: &QDense<IN, OUT>,
    input: QuantParams,
    output: QuantParams,
) {
    assert_eq!(q.input_zero_point(), input.zero_point);
    assert_eq!(q.output_zero_point(), output.zero_point);
    for o in 0..OUT {
        let row = &f.weight()[o];
        let max = row.iter().fold(0.0f32, |m, w| m.max(w.abs()));
        let qrow = &q.weight()[o];
        // An all-zero row gets scale 1 (any scale would do).
        let s_w = if max > 0.0 { max / 127.0 } else { 1.0 };
        if max > 0.0 {
            let k = (0..IN).max_by(|&a, &b| row[a].abs().total_cmp(&row[b].abs())).unwrap();
            assert_eq!(qrow[k], if row[k] > 0.0 { 127 } else { -127 }, "row {o}: {qrow:?}");
        }
        assert!(qrow.iter().all(|&v| (-127..=127).contains(&v)));
        for i in 0..IN {
            assert_eq!(qrow[i], libm::roundf(row[i] / s_w) as i8, "w[{o}][{i}]");
        }
        let bias_scale = input.scale as f64 * s_w as f64;
        assert_eq!(q.bias()[o], libm::round(f.bias()[o] as f64 / bias_scale) as i32, "bias {o}");
        let m = quantize_multiplier(bias_scale / output.scale as f64);
        assert_eq!((q.multiplier()[o], q.shift()[o]), (m.mantissa, m.shift), "multiplier {o}");
    }
}

/// TFLite's FULLY_CONNECTED on the layer's own parameters (unfolded bias).
fn reference<const IN: usize, const OUT: usize>(q: &QDense<IN, OUT>, x: &[i8; IN]) -> [i8; OUT] {
    let rq = Requant {
        multiplier: q.multiplier(),
        shift: q.shift(),
        output_zero_point: q.output_zero_point() as i32,
        min: q.act_min() as i32,
        max: q.act_max() as i32,
    };
    let mut y = [0i8; OUT];
    dense_forward_reference(
        q.weight().as_flattened(),
        &q.bias(),
        x,
        q.input_zero_point() as i32,
        &mut y,
        IN,
        OUT,
        &rq,
    );
    y
}

// ---------------------------------------------------------------------------
// Quadrants: a tanh net and a ReLU net, int8 accuracy against f32.

#[test]
fn tanh_net_int8_accuracy_and_parts() {
    let (net, data) = train!(TanhNet, 25);
    let calibration = &data.x[..CALIBRATION];
    let int8: Int8<TanhNet, 2> = quant::quantize(&net, calibration).unwrap();

    let f32_acc = accuracy(|x| net.forward(x), &data);
    let int8_acc = accuracy(|x| int8.forward(x), &data);
    println!("tanh 2-16-16-2: f32 held-out accuracy {f32_acc:.3}, int8 {int8_acc:.3}");
    assert!(f32_acc >= 0.95, "training failed: {f32_acc}");
    assert!(int8_acc >= f32_acc - 0.005, "int8 {int8_acc} vs f32 {f32_acc}");

    // The parameters, recomputed from the calibration data layer by layer.
    let (d0, d2, d4) = (&net.0, &net.2, &net.4);
    let p_in = QuantParams::from_range(range_of(calibration.iter().copied()));
    let h1: Vec<[f32; 16]> = calibration.iter().map(|x| d0.forward(x)).collect();
    let p1 = QuantParams::from_range(range_of(h1.iter().copied()));
    let t = QuantParams::new(1.0 / 128.0, 0); // TFLite's fixed tanh output
    let h3: Vec<[f32; 16]> = h1.iter().map(|h| d2.forward(&Tanh.forward(h))).collect();
    let p3 = QuantParams::from_range(range_of(h3.iter().copied()));
    let h5 = h3.iter().map(|h| d4.forward(&Tanh.forward(h)));
    let p5 = QuantParams::from_range(range_of(h5));
    assert_eq!(int8.0.params(), p_in);
    check_dense(d0, &int8.1.0, p_in, p1);
    assert_eq!(int8.1.1, QLut::from_fn(p1, t, constnet::scalar::tanh));
    check_dense(d2, &int8.1.2, t, p3);
    assert_eq!(int8.1.3, QLut::from_fn(p3, t, constnet::scalar::tanh));
    check_dense(d4, &int8.1.4, t, p5);
    assert_eq!(int8.2.params(), p5);
    // No fused activation anywhere: full int8 clamps.
    for (lo, hi) in [(int8.1.0.act_min(), int8.1.0.act_max()), (int8.1.4.act_min(), int8.1.4.act_max())] {
        assert_eq!((lo, hi), (-128, 127));
    }

    // The network is its parts run one after the other, and every QDense is
    // TFLite's FULLY_CONNECTED on its parameters.
    for x in &data.x[TRAIN..TRAIN + 200] {
        let q = int8.0.forward(x);
        assert_eq!(q, x.map(|v| p_in.quantize(v)));
        let a = int8.1.0.forward(&q);
        assert_eq!(a, reference(&int8.1.0, &q));
        let b = int8.1.1.forward(&a);
        assert_eq!(b, a.map(|v| int8.1.1.table()[v as u8 as usize]));
        let c = int8.1.2.forward(&b);
        assert_eq!(c, reference(&int8.1.2, &b));
        let d = int8.1.3.forward(&c);
        let e = int8.1.4.forward(&d);
        assert_eq!(e, reference(&int8.1.4, &d));
        let y = int8.2.forward(&e);
        assert_eq!(y, e.map(|v| p5.dequantize(v)));
        assert_eq!(int8.forward(x).map(f32::to_bits), y.map(f32::to_bits));
        assert_eq!(int8.1.forward(&q), e);
        // The class without leaving integers.
        assert_eq!(argmax(&e), predict(&y));
    }

    // Batches give the per-sample results.
    let xs: [[f32; 2]; 8] = core::array::from_fn(|k| data.x[TRAIN + k]);
    let ys = int8.forward(&xs);
    for (x, y) in xs.iter().zip(&ys) {
        assert_eq!(&int8.forward(x), y);
    }
}

#[test]
fn relu_net_int8_accuracy_and_fused_relu() {
    let (net, data) = train!(ReluNet, 25);
    let calibration = &data.x[..CALIBRATION];
    let int8: Int8<ReluNet, 2> = quant::quantize(&net, calibration).unwrap();

    let f32_acc = accuracy(|x| net.forward(x), &data);
    let int8_acc = accuracy(|x| int8.forward(x), &data);
    println!("relu 2-16-2: f32 held-out accuracy {f32_acc:.3}, int8 {int8_acc:.3}");
    assert!(f32_acc >= 0.93, "training failed: {f32_acc}");
    assert!(int8_acc >= f32_acc - 0.005, "int8 {int8_acc} vs f32 {f32_acc}");

    // TFLite fuses the ReLU into the Dense: the Dense's output quantization is
    // the ReLU's (range [0, max] → zero point −128, scale max / 255) and its
    // clamp starts at that zero point; the QRelu repeats the clamp.
    let p_in = QuantParams::from_range(range_of(calibration.iter().copied()));
    let pre: Vec<[f32; 16]> = calibration.iter().map(|x| net.0.forward(x)).collect();
    let relu_range = range_of(pre.iter().map(|h| Relu.forward(h)));
    let p1 = QuantParams::from_range(relu_range);
    assert_eq!(p1.zero_point, -128);
    assert_eq!(p1.scale, relu_range.max / 255.0);
    // (Not the pre-activation range, which is wider.)
    assert_ne!(QuantParams::from_range(range_of(pre.iter().copied())), p1);
    check_dense(&net.0, &int8.1.0, p_in, p1);
    assert_eq!((int8.1.0.act_min(), int8.1.0.act_max()), (-128, 127));
    assert_eq!(int8.1.0.act_min(), int8.1.0.output_zero_point());
    assert_eq!(int8.1.1, QRelu::relu(-128));
    let p2 = QuantParams::from_range(range_of(pre.iter().map(|h| net.2.forward(&Relu.forward(h)))));
    check_dense(&net.2, &int8.1.2, p1, p2);
    assert_eq!((int8.1.2.act_min(), int8.1.2.act_max()), (-128, 127)); // no ReLU after the last layer
    assert_eq!(int8.2.params(), p2);

    for x in &data.x[TRAIN..TRAIN + 200] {
        let q = int8.0.forward(x);
        let a = int8.1.0.forward(&q);
        assert_eq!(a, reference(&int8.1.0, &q));
        // The fused clamp already did the ReLU.
        assert_eq!(int8.1.1.forward(&a), a);
        let c = int8.1.2.forward(&a);
        assert_eq!(c, reference(&int8.1.2, &a));
        assert_eq!(int8.forward(x), int8.2.forward(&c));
    }
}

// ---------------------------------------------------------------------------
// Fusing a ReLU on an explicit network: the clamp is the zero point.

#[test]
fn dense_followed_by_relu_clamps_at_its_zero_point() {
    // y0 = x, y1 = −x, y2 = x − 1 on inputs in [−1, 1]; then ReLU, then a sum.
    let net = (
        Dense::<1, 3>::new([[1.0], [-1.0], [1.0]], [0.0, 0.0, -1.0]),
        Relu,
        Dense::<3, 1>::new([[1.0, 1.0, 1.0]], [0.0]),
    );
    let calibration: Vec<[f32; 1]> = (0..=20).map(|k| [k as f32 / 10.0 - 1.0]).collect();
    let int8 = quant::quantize(&net, &calibration).unwrap();
    // The ReLU's range is [0, 1] (pre-activation [−2, 1]): scale 1/255, zero point −128.
    assert_eq!(int8.1.0.output_zero_point(), -128);
    assert_eq!(int8.1.0.act_min(), -128);
    assert_eq!(int8.1.1, QRelu::relu(-128));
    // Every negative pre-activation becomes the zero point, i.e. real 0.
    let h = int8.1.0.forward(&int8.0.forward(&[0.5]));
    assert_eq!(h[1], -128); // −0.5 → 0
    assert_eq!(h[2], -128); // −0.5 → 0
    assert!((QuantParams::new(1.0 / 255.0, -128).dequantize(h[0]) - 0.5).abs() <= 2.0 / 255.0);
    // |x| through the int8 net, within two output steps.
    for x in [-1.0f32, -0.7, -0.2, 0.0, 0.3, 0.9] {
        let y = int8.forward(&[x])[0];
        assert!((y - x.abs()).abs() < 0.02, "{x}: {y}");
    }
}

#[test]
fn relu_after_a_nested_tuple_is_fused_too() {
    // A ReLU that follows a nested tuple ending in a Dense fuses into that Dense.
    let inner = (
        Dense::<1, 2>::new([[1.0], [-1.0]], [0.0, 0.0]),
        Tanh,
        Dense::<2, 2>::new([[1.0, 0.0], [0.0, 1.0]], [0.0, 0.0]),
    );
    let net = (inner, Relu, Dense::<2, 1>::new([[1.0, 1.0]], [0.0]));
    let calibration: Vec<[f32; 1]> = (0..=20).map(|k| [k as f32 / 10.0 - 1.0]).collect();
    let int8 = quant::quantize(&net, &calibration).unwrap();
    let last_inner = &int8.1.0.2;
    assert_eq!(last_inner.output_zero_point(), -128);
    assert_eq!(last_inner.act_min(), -128);
}

/// `(Dense, (Relu, Dense))` and its flat form `(Dense, Relu, Dense)` are the
/// same network and must quantize to the same int8 layers.
#[test]
fn nested_tuples_quantize_like_flat_ones() {
    let (net, data) = train!(ReluNet, 5);
    let nested = (net.0.clone(), (Relu, net.2.clone()));
    let calibration = &data.x[..CALIBRATION];
    let flat = quant::quantize(&net, calibration).unwrap();
    let nest = quant::quantize(&nested, calibration).unwrap();
    assert_eq!(flat.0, nest.0);
    assert_eq!(flat.1.0, nest.1.0, "first QDense");
    assert_eq!(flat.1.1, nest.1.1.0);
    assert_eq!(flat.1.2, nest.1.1.1);
    assert_eq!(flat.2, nest.2);
}

constnet::network! {
    /// The ReLU classifier as a named network.
    #[derive(Clone, Debug)]
    struct NamedRelu((Dense<2, 16>, Relu, Dense<16, 2>));
}

#[test]
fn named_networks_quantize_like_their_tuples() {
    let (net, data) = train!(ReluNet, 3);
    let named = NamedRelu(net.clone());
    let calibration = &data.x[..CALIBRATION];
    let a = quant::quantize(&net, calibration).unwrap();
    let b: Int8<NamedRelu, 2> = quant::quantize(&named, calibration).unwrap();
    assert_eq!((a.0, &a.1.0, a.1.1, &a.1.2, a.2), (b.0, &b.1.0, b.1.1, &b.1.2, b.2));
}

// ---------------------------------------------------------------------------
// Per-channel weight scales.

#[test]
fn per_channel_scales_put_each_row_maximum_at_127() {
    // Rows with very different magnitudes: each gets its own scale.
    let d = Dense::<3, 4>::new(
        [[0.5, -0.3, 0.1], [-40.0, 3.0, 21.0], [0.0, 0.0, 0.0], [1e-3, 2e-3, -3e-3]],
        [0.1, -2.0, 0.5, 0.0],
    );
    let calibration = [[1.0f32, -1.0, 0.5], [-0.5, 0.25, 1.0], [0.0, 1.0, -1.0]];
    let int8 = quant::quantize(&d, &calibration).unwrap();
    let q = &int8.1;
    // round(w / (max|w| / 127)): 0.5 → 127, −0.3 → −76.2 → −76, 0.1 → 25.4 → 25.
    assert_eq!(q.weight()[0], [127, -76, 25]);
    // −40 → −127, 3 → 9.525 → 10, 21 → 66.675 → 67.
    assert_eq!(q.weight()[1], [-127, 10, 67]);
    // An all-zero row stays zero (scale 1).
    assert_eq!(q.weight()[2], [0, 0, 0]);
    // 1e−3 → 42.33 → 42, 2e−3 → 84.67 → 85, −3e−3 → −127.
    assert_eq!(q.weight()[3], [42, 85, -127]);
    let p_in = int8.0.params();
    let p_out = int8.2.params();
    check_dense(&d, q, p_in, p_out);
    // The multipliers differ per output, as the weight scales do.
    assert_ne!(
        q.multiplier()[0] as i64 + ((q.shift()[0] as i64) << 32),
        q.multiplier()[1] as i64 + ((q.shift()[1] as i64) << 32)
    );
    // And the int8 outputs track the f32 ones to a couple of output steps.
    for x in &calibration {
        let (y, want) = (int8.forward(x), d.forward(x));
        for o in 0..4 {
            assert!((y[o] - want[o]).abs() <= 2.0 * p_out.scale, "{x:?}: {y:?} vs {want:?}");
        }
    }
}

// ---------------------------------------------------------------------------
// The sine regressor (1-16-16-1, ReLU): int8 close to f32.

constnet::network! {
    /// 1 → 16 → 16 → 1, ReLU hidden layers: the firmware example's model.
    #[derive(Clone, Debug)]
    struct Sine((Dense<1, 16>, Relu, Dense<16, 16>, Relu, Dense<16, 1>));
}

#[test]
fn sine_int8_tracks_f32() {
    // The model `examples/sine.rs` trained (2M SGD steps) and the firmware runs.
    let net: Sine = constnet::io::from_bytes(include_bytes!("../examples/firmware/models/sine.bin")).unwrap();
    let tau = core::f32::consts::TAU;
    let calibration: Vec<[f32; 1]> = (0..256).map(|k| [tau * (k as f32 + 0.5) / 256.0]).collect();
    let int8: Int8<Sine, 1> = quant::quantize(&net, &calibration).unwrap();
    let out = int8.2.params();
    // The output range is about [−1, 1]: one output step is ≈ 2 / 255.
    assert!(out.scale < 0.01, "{out:?}");
    // Both hidden Dense layers are fused with their ReLU.
    let core = &int8.1;
    assert_eq!((core.0.output_zero_point(), core.0.act_min()), (-128, -128));
    assert_eq!((core.2.output_zero_point(), core.2.act_min()), (-128, -128));
    assert_eq!((core.1, core.3), (QRelu::relu(-128), QRelu::relu(-128)));

    // On 1,000 held-out points of [0, 2π): the largest error is at most 6
    // output steps (≈ 0.05) and the mean error under 1.5 steps (≈ 0.012).
    let (mut max, mut sum) = (0.0f32, 0.0f32);
    for k in 0..1000 {
        let x = [tau * (k as f32 + 0.25) / 1000.0];
        let e = (int8.forward(&x)[0] - net.forward(&x)[0]).abs();
        max = max.max(e);
        sum += e;
    }
    let mean = sum / 1000.0;
    println!(
        "sine int8 vs f32: max |error| {max:.4} ({:.1} steps), mean {mean:.4} ({:.2} steps)",
        max / out.scale,
        mean / out.scale
    );
    assert!(max <= 6.0 * out.scale, "max error {max} ({} steps)", max / out.scale);
    assert!(mean <= 1.5 * out.scale, "mean error {mean} ({} steps)", mean / out.scale);
    // Still a sine: within 0.1 of sin(x) everywhere on the grid.
    for k in 0..100 {
        let x = tau * (k as f32 + 0.5) / 100.0;
        assert!((int8.forward(&[x])[0] - x.sin()).abs() < 0.1, "{x}");
    }
    // Flash: 16 + 256 + 16 weight bytes plus 9 bytes per output of bias, multiplier and shift.
    assert!(core::mem::size_of::<Int8<Sine, 1>>() < 1000);
}

// ---------------------------------------------------------------------------
// The other activations.

#[test]
fn sigmoid_and_leaky_relu_become_tables() {
    let net = (
        Dense::<2, 4>::new([[1.0, -0.5], [0.25, 1.0], [-1.0, -1.0], [0.5, 0.5]], [0.0, 0.1, -0.2, 0.3]),
        Sigmoid,
        Dense::<4, 3>::new(
            [[1.0, -1.0, 0.5, 0.0], [0.3, 0.3, -0.3, 1.0], [-2.0, 1.0, 0.0, 0.5]],
            [0.0, -0.5, 0.2],
        ),
        LeakyRelu::new(0.1),
        Dense::<3, 2>::new([[1.0, 0.5, -0.5], [-1.0, 1.0, 0.25]], [0.05, -0.05]),
    );
    let calibration: Vec<[f32; 2]> =
        (0..100).map(|k| [(k % 10) as f32 / 2.5 - 2.0, (k / 10) as f32 / 2.5 - 2.0]).collect();
    let int8 = quant::quantize(&net, &calibration).unwrap();
    let p1 = QuantParams::from_range(range_of(calibration.iter().map(|x| net.0.forward(x))));
    // TFLite's fixed LOGISTIC output: scale 1/256, zero point −128.
    let s = QuantParams::new(1.0 / 256.0, -128);
    assert_eq!(int8.1.1, QLut::from_fn(p1, s, |x| 1.0 / (1.0 + constnet::scalar::exp(-x))));
    assert_eq!(int8.1.2.input_zero_point(), -128);
    let h2: Vec<[f32; 3]> =
        calibration.iter().map(|x| net.2.forward(&Sigmoid.forward(&net.0.forward(x)))).collect();
    let p2 = QuantParams::from_range(range_of(h2.iter().copied()));
    let p3 = QuantParams::from_range(range_of(h2.iter().map(|h| LeakyRelu::new(0.1).forward(h))));
    // TFLite's integer LEAKY_RELU, tabulated.
    assert_eq!(int8.1.3, QLut::leaky_relu(p2, p3, 0.1));
    assert_eq!(int8.1.4.input_zero_point(), p3.zero_point);
    for x in &calibration {
        let (y, want) = (int8.forward(x), net.forward(x));
        for o in 0..2 {
            assert!((y[o] - want[o]).abs() < 0.05, "{x:?}: {y:?} vs {want:?}");
        }
    }
}

// ---------------------------------------------------------------------------
// Errors.

#[test]
fn no_calibration_data() {
    let net: ReluNet = Zeros::zeros();
    let none: &[[f32; 2]] = &[];
    assert_eq!(quant::quantize(&net, none).err(), Some(QuantError::NoCalibrationData));
}

#[test]
fn non_finite_calibration_names_the_sample() {
    let net: ReluNet = Zeros::zeros();
    let mut samples = [[0.5f32, -0.5]; 6];
    samples[3][1] = f32::NAN;
    assert_eq!(quant::quantize(&net, &samples).err(), Some(QuantError::NonFiniteCalibration { sample: 3 }));
    samples[0][0] = f32::INFINITY;
    assert_eq!(quant::quantize(&net, &samples).err(), Some(QuantError::NonFiniteCalibration { sample: 0 }));
    samples = [[0.5, -0.5]; 6];
    samples[5][0] = f32::NEG_INFINITY;
    assert_eq!(quant::quantize(&net, &samples).err(), Some(QuantError::NonFiniteCalibration { sample: 5 }));
    assert_eq!(
        QuantError::NonFiniteCalibration { sample: 5 }.to_string(),
        "calibration sample 5 holds a NaN or an infinity"
    );
}

#[test]
fn overflowing_layers_have_an_empty_range() {
    // 1e30 · 1e30 overflows f32: the layer's outputs are never finite.
    let net = (Dense::<1, 1>::new([[1e30]], [0.0]), Relu, Dense::<1, 1>::new([[1.0]], [0.0]));
    assert_eq!(quant::quantize(&net, &[[1e30f32]]).err(), Some(QuantError::EmptyRange));
}

#[test]
fn all_zero_network_quantizes() {
    // Zero weights and a zero range: every scale falls back to 1, outputs are 0.
    let net: ReluNet = Zeros::zeros();
    let int8 = quant::quantize(&net, &[[0.0f32, 0.0]]).unwrap();
    assert_eq!(int8.forward(&[0.3, -0.7]), [0.0, 0.0]);
}
