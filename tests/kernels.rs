//! The dense kernels against naive reference loops, on random shapes and
//! values: every exact code path (portable, and AVX2 / AVX-512 where this CPU
//! and build have them) must give the documented summation order **bit for
//! bit**, so desktop and firmware predictions and training steps agree
//! exactly; every opt-in fused path must give the same order with fused
//! multiply-adds, bit for bit; and both must be close to the exact (f64)
//! result.

use constnet::math::{self, KernelPath};
use constnet::prelude::*;
use proptest::prelude::*;

/// Small deterministic generator with a share of awkward values (signed
/// zeros, tiny, huge, exact integers) so summation-order bugs show.
struct Values(u64);

impl Values {
    fn next(&mut self) -> f32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        let u = (self.0 >> 40) as u32;
        match u % 16 {
            0 => 0.0,
            1 => -0.0,
            2 => 1e-30 * (u % 7) as f32,
            3 => 3e6 * if u & 64 == 0 { 1.0 } else { -1.0 },
            4 => (u % 9) as f32 - 4.0,
            _ => (u as f32 / (1u32 << 24) as f32) * 4.0 - 2.0,
        }
    }
    fn vec(&mut self, n: usize) -> Vec<f32> {
        (0..n).map(|_| self.next()).collect()
    }
}

/// `acc + a·b`, rounded twice (exact paths) or once (fused paths).
fn mac(fused: bool, a: f32, b: f32, acc: f32) -> f32 {
    if fused { a.mul_add(b, acc) } else { acc + a * b }
}

/// The documented order of `math::dot`: left to right below 16 products;
/// otherwise product `i` goes to lane `i % 16` (first product per lane
/// assigned, later ones added), lanes folded in halves.
fn ref_dot(a: &[f32], b: &[f32]) -> f32 {
    ref_dot_with(false, a, b)
}

fn ref_dot_with(fused: bool, a: &[f32], b: &[f32]) -> f32 {
    let n = a.len();
    if n < 16 {
        if n == 0 {
            return 0.0;
        }
        return (1..n).fold(a[0] * b[0], |s, i| mac(fused, a[i], b[i], s));
    }
    let mut l = [0.0f32; 16];
    for i in 0..n {
        if i < 16 { l[i] = a[i] * b[i] } else { l[i % 16] = mac(fused, a[i], b[i], l[i % 16]) }
    }
    let mut w = 16;
    while w > 1 {
        w /= 2;
        for k in 0..w {
            l[k] += l[k + w];
        }
    }
    l[0]
}

#[allow(clippy::too_many_arguments)]
fn ref_forward(
    fused: bool,
    w: &[f32],
    b: &[f32],
    x: &[f32],
    ins: usize,
    outs: usize,
    rows: usize,
) -> Vec<f32> {
    let mut y = vec![0.0; rows * outs];
    for s in 0..rows {
        for o in 0..outs {
            y[s * outs + o] = if ins == 0 {
                b[o]
            } else if fused && rows >= math::FAST_GEMM_ROWS && outs > math::FAST_GEMM_MIN_OUTS {
                // The fast path's matrix tiles: one fused chain from the bias.
                (0..ins).fold(b[o], |acc, i| w[o * ins + i].mul_add(x[s * ins + i], acc))
            } else {
                b[o] + ref_dot_with(fused, &w[o * ins..][..ins], &x[s * ins..][..ins])
            };
        }
    }
    y
}

/// `dW += dy[s][o]·x[s][i]`, `db += dy[s][o]` sample after sample;
/// `dx[s][i] = ((0 + dy[s][0]·W[0][i]) + dy[s][1]·W[1][i]) + …`.
#[allow(clippy::too_many_arguments)]
fn ref_backward(
    fused: bool,
    w: &[f32],
    x: &[f32],
    dy: &[f32],
    dw: &mut [f32],
    db: &mut [f32],
    dx: &mut [f32],
    ins: usize,
    outs: usize,
    rows: usize,
) {
    for s in 0..rows {
        for o in 0..outs {
            let g = dy[s * outs + o];
            db[o] += g;
            for i in 0..ins {
                dw[o * ins + i] = mac(fused, g, x[s * ins + i], dw[o * ins + i]);
            }
        }
        for i in 0..ins {
            let mut acc = 0.0f32;
            for o in 0..outs {
                acc = mac(fused, dy[s * outs + o], w[o * ins + i], acc);
            }
            dx[s * ins + i] = acc;
        }
    }
}

fn bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|f| f.to_bits()).collect()
}

fn paths() -> impl Iterator<Item = KernelPath> {
    KernelPath::ALL.into_iter().filter(|p| p.is_available())
}

/// Runs every kernel on every available path and checks the bits.
fn check_shape(ins: usize, outs: usize, rows: usize, seed: u64) {
    let mut g = Values(seed | 1);
    let (w, b, x, dy) = (g.vec(ins * outs), g.vec(outs), g.vec(ins * rows), g.vec(outs * rows));
    let (dw0, db0) = (g.vec(ins * outs), g.vec(outs));
    check_values(&w, &b, &x, &dy, &dw0, &db0, ins, outs, rows);
}

/// [`check_shape`] on given values.
#[allow(clippy::too_many_arguments)]
fn check_values(
    w: &[f32],
    b: &[f32],
    x: &[f32],
    dy: &[f32],
    dw0: &[f32],
    db0: &[f32],
    ins: usize,
    outs: usize,
    rows: usize,
) {
    let (w, b, x, dy, dw0, db0) =
        (w.to_vec(), b.to_vec(), x.to_vec(), dy.to_vec(), dw0.to_vec(), db0.to_vec());

    let y_ref = ref_forward(false, &w, &b, &x, ins, outs, rows);
    let y_fused = ref_forward(true, &w, &b, &x, ins, outs, rows);
    let mut y_inline = vec![f32::NAN; rows * outs];
    math::dense_forward_inline(&w, &b, &x, &mut y_inline, ins, outs);
    assert_eq!(bits(&y_inline), bits(&y_ref), "inline forward {ins}x{outs}x{rows}");

    let (mut dw_ref, mut db_ref, mut dx_ref) = (dw0.clone(), db0.clone(), vec![f32::NAN; rows * ins]);
    ref_backward(false, &w, &x, &dy, &mut dw_ref, &mut db_ref, &mut dx_ref, ins, outs, rows);
    let (mut dw_fused, mut db_fused, mut dx_fused) = (dw0.clone(), db0.clone(), vec![f32::NAN; rows * ins]);
    ref_backward(true, &w, &x, &dy, &mut dw_fused, &mut db_fused, &mut dx_fused, ins, outs, rows);
    let (mut dw_i, mut db_i, mut dx_i) = (dw0.clone(), db0.clone(), vec![f32::NAN; rows * ins]);
    math::dense_backward_inline(&w, &x, &dy, &mut dw_i, &mut db_i, Some(&mut dx_i), ins, outs);
    assert_eq!((bits(&dw_i), bits(&db_i), bits(&dx_i)), (bits(&dw_ref), bits(&db_ref), bits(&dx_ref)));

    for path in paths() {
        let (y_ref, dw_ref, db_ref, dx_ref) = if path.is_fused() {
            (&y_fused, &dw_fused, &db_fused, &dx_fused)
        } else {
            (&y_ref, &dw_ref, &db_ref, &dx_ref)
        };
        let mut y = vec![f32::NAN; rows * outs];
        assert_eq!(math::dense_forward_on(path, &w, &b, &x, &mut y, ins, outs), path);
        assert_eq!(bits(&y), bits(y_ref), "{path:?} forward {ins}x{outs}x{rows}");

        let (mut dw, mut db, mut dx) = (dw0.clone(), db0.clone(), vec![f32::NAN; rows * ins]);
        math::dense_backward_on(path, &w, &x, &dy, &mut dw, &mut db, Some(&mut dx), ins, outs);
        assert_eq!(bits(&dw), bits(dw_ref), "{path:?} dW {ins}x{outs}x{rows}");
        assert_eq!(bits(&db), bits(db_ref), "{path:?} db {ins}x{outs}x{rows}");
        assert_eq!(bits(&dx), bits(dx_ref), "{path:?} dx {ins}x{outs}x{rows}");

        // Without dx: the same parameter gradients.
        let (mut dw2, mut db2) = (dw0.clone(), db0.clone());
        math::dense_backward_on(path, &w, &x, &dy, &mut dw2, &mut db2, None, ins, outs);
        assert_eq!((bits(&dw2), bits(&db2)), (bits(dw_ref), bits(db_ref)));
    }
}

/// The documented order is a good order: close to the exact sum.
fn check_accuracy(ins: usize, outs: usize, rows: usize, seed: u64) {
    let mut g = Values(seed | 1);
    // Plain values (no 3e6 spikes) so a relative bound is meaningful.
    let mut v = |n: usize| -> Vec<f32> { g.vec(n).into_iter().map(|f| f.clamp(-4.0, 4.0)).collect() };
    let (w, b, x) = (v(ins * outs), v(outs), v(ins * rows));
    for path in paths() {
        let mut y = vec![0.0; rows * outs];
        math::dense_forward_on(path, &w, &b, &x, &mut y, ins, outs);
        for s in 0..rows {
            for o in 0..outs {
                let (mut exact, mut mag) = (b[o] as f64, b[o].abs() as f64);
                for i in 0..ins {
                    let p = w[o * ins + i] as f64 * x[s * ins + i] as f64;
                    exact += p;
                    mag += p.abs();
                }
                let err = (y[s * outs + o] as f64 - exact).abs();
                assert!(err <= 1e-6 * mag + 1e-30, "{path:?} {ins}x{outs}: {} vs {exact}", y[s * outs + o]);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn kernels_match_reference_bit_for_bit(ins in 0usize..80, outs in 0usize..75, rows in 0usize..14, seed: u64) {
        check_shape(ins, outs, rows, seed);
    }

    #[test]
    fn kernels_are_accurate(ins in 0usize..200, outs in 1usize..9, rows in 1usize..6, seed: u64) {
        check_accuracy(ins, outs, rows, seed);
    }

    #[test]
    fn dot_matches_reference(n in 0usize..300, seed: u64) {
        let mut g = Values(seed | 1);
        let (a, b) = (g.vec(n), g.vec(n));
        prop_assert_eq!(math::dot(&a, &b).to_bits(), ref_dot(&a, &b).to_bits());
    }
}

#[test]
fn mnist_shapes_on_every_path() {
    for (ins, outs, rows) in [
        (784, 128, 1),
        (784, 128, 9),
        (784, 50, 5),
        (128, 10, 7),
        (50, 10, 3),
        (785, 13, 6),
        (100, 3, 17),
        (16, 1, 8),
    ] {
        check_shape(ins, outs, rows, (ins * 31 + outs * 7 + rows) as u64);
    }
}

/// Lanes a kernel must leave alone (past the tail, or unused) keep their
/// signed zeros: with every product `-0` and the bias `-0`, the documented
/// order gives `-0`, and adding a `+0` anywhere would give `+0`.
#[test]
fn signed_zeros_survive_every_path() {
    for (ins, outs, rows) in [(20, 3, 9), (5, 2, 1), (784, 2, 8), (17, 9, 3), (16, 1, 1)] {
        let w = vec![-0.0f32; ins * outs];
        let b = vec![-0.0f32; outs];
        let x = vec![0.0f32; ins * rows];
        let dy = vec![-0.0f32; outs * rows];
        let (dw0, db0) = (vec![-0.0f32; ins * outs], vec![-0.0f32; outs]);
        check_values(&w, &b, &x, &dy, &dw0, &db0, ins, outs, rows);
        let mut y = vec![0.0f32; rows * outs];
        math::dense_forward(&w, &b, &x, &mut y, ins, outs);
        assert!(y.iter().all(|v| v.to_bits() == (-0.0f32).to_bits()), "{ins}x{outs}x{rows}: {y:?}");
    }
}

#[test]
fn the_dispatched_path_is_the_best_available() {
    let best = KernelPath::detected();
    assert!(best.is_available());
    assert!(!best.is_fused());
    // scripts/dispatch_cpus.sh runs this on emulated CPUs and names the
    // path each must select.
    if let Ok(expected) = std::env::var("CONSTNET_EXPECT_KERNELS") {
        assert_eq!(format!("{best:?}"), expected, "kernel path selected on this CPU");
    }
    // Nothing in this test binary calls `set_fast`: the exact path runs.
    assert_eq!(KernelPath::selected(), best);
    if let Some(fused) = KernelPath::detected_fused() {
        assert!(fused.is_fused() && fused.is_available());
    }
    if cfg!(all(feature = "std", target_arch = "x86_64")) && std::is_x86_feature_detected!("avx512f") {
        assert_eq!(best, KernelPath::Avx512);
    }
    if !cfg!(feature = "std") {
        assert_eq!(best, KernelPath::Portable);
    }
}

constnet::network! {
    /// A small MLP with a first layer large enough for the out-of-line kernels.
    #[derive(Clone, Debug, PartialEq)]
    struct Net((Dense<40, 24>, Relu, Dense<24, 5>));
}

/// A whole training step through `Trainer` (dispatched kernels, first layer
/// without dL/dx) equals the same step built from the portable kernels.
#[test]
fn training_step_equals_the_portable_step() {
    const B: usize = 6;
    let mut g = Values(99);
    let mut net = Net::zeros();
    for i in 0..Net::TENSORS {
        net.tensor_mut(i).iter_mut().for_each(|v| *v = g.next().clamp(-1.0, 1.0));
    }
    let x: [[f32; 40]; B] = core::array::from_fn(|_| core::array::from_fn(|_| g.next().clamp(-2.0, 2.0)));
    let labels: [usize; B] = core::array::from_fn(|s| s % 5);

    // By hand, portable kernels only.
    let mut manual = net.clone();
    let (l1, l2) = (&net.0.0, &net.0.2);
    let mut h = [[0.0f32; 24]; B];
    math::dense_forward_on(
        KernelPath::Portable,
        l1.weight().as_flattened(),
        l1.bias(),
        x.as_flattened(),
        h.as_flattened_mut(),
        40,
        24,
    );
    let a: [[f32; 24]; B] = Relu.forward(&h);
    let mut z = [[0.0f32; 5]; B];
    math::dense_forward_on(
        KernelPath::Portable,
        l2.weight().as_flattened(),
        l2.bias(),
        a.as_flattened(),
        z.as_flattened_mut(),
        24,
        5,
    );
    let (loss, dz) = SoftmaxCrossEntropy.loss_grad(&z, &labels);
    let (mut w2g, mut b2g, mut w1g, mut b1g) =
        ([[0.0f32; 24]; 5], [0.0f32; 5], [[0.0f32; 40]; 24], [0.0f32; 24]);
    let mut da = [[0.0f32; 24]; B];
    math::dense_backward_on(
        KernelPath::Portable,
        l2.weight().as_flattened(),
        a.as_flattened(),
        dz.as_flattened(),
        w2g.as_flattened_mut(),
        &mut b2g,
        Some(da.as_flattened_mut()),
        24,
        5,
    );
    let dh: [[f32; 24]; B] =
        core::array::from_fn(|s| core::array::from_fn(|i| if h[s][i] > 0.0 { da[s][i] } else { 0.0 }));
    math::dense_backward_on(
        KernelPath::Portable,
        l1.weight().as_flattened(),
        x.as_flattened(),
        dh.as_flattened(),
        w1g.as_flattened_mut(),
        &mut b1g,
        None,
        40,
        24,
    );
    let grads = Net((Dense::new(w1g, b1g), Relu, Dense::new(w2g, b2g)));
    Sgd::new(0.1).step(&mut manual, &grads);

    // Through the library.
    let mut trainer: Trainer<Net, [[f32; 40]; B]> = Trainer::new();
    let value = trainer.step(&mut net, &mut Sgd::new(0.1), &SoftmaxCrossEntropy, &x, &labels).unwrap();

    assert_eq!(value.to_bits(), loss.to_bits());
    for i in 0..Net::TENSORS {
        assert_eq!(bits(trainer.grads.tensor(i)), bits(grads.tensor(i)), "gradient tensor {i}");
        assert_eq!(bits(net.tensor(i)), bits(manual.tensor(i)), "parameter tensor {i}");
    }
}

/// `backward_params` leaves the same gradients as `backward`, for layers and
/// networks, single samples and batches.
#[test]
fn backward_params_equals_backward() {
    let mut g = Values(5);
    let mut net = Net::zeros();
    for i in 0..Net::TENSORS {
        net.tensor_mut(i).iter_mut().for_each(|v| *v = g.next().clamp(-1.0, 1.0));
    }
    let x: [[f32; 40]; 3] = core::array::from_fn(|_| core::array::from_fn(|_| g.next().clamp(-2.0, 2.0)));
    let d: [[f32; 5]; 3] = core::array::from_fn(|_| core::array::from_fn(|_| g.next().clamp(-2.0, 2.0)));
    let mut cache: <Net as Backprop<[[f32; 40]; 3]>>::Cache = Zeros::zeros();
    net.forward_train(&x, &mut cache);
    let (mut g1, mut g2) = (Net::zeros(), Net::zeros());
    let _: [[f32; 40]; 3] = net.backward(&cache, &d, &mut g1);
    Backprop::<[[f32; 40]; 3]>::backward_params(&net, &cache, &d, &mut g2);
    assert_eq!(g1, g2);

    let mut cache1: <Dense<40, 24> as Backprop<[f32; 40]>>::Cache = Zeros::zeros();
    let layer = &net.0.0;
    layer.forward_train(&x[0], &mut cache1);
    let dh: [f32; 24] = core::array::from_fn(|i| d[0][i % 5] * 0.5);
    let (mut h1, mut h2) = (Dense::<40, 24>::zeros(), Dense::<40, 24>::zeros());
    let _: [f32; 40] = layer.backward(&cache1, &dh, &mut h1);
    Backprop::<[f32; 40]>::backward_params(layer, &cache1, &dh, &mut h2);
    assert_eq!(h1, h2);
}

/// Bits, with every NaN the same (payloads aside).
fn bits_nan_as_one(v: &[f32]) -> Vec<u32> {
    v.iter().map(|f| if f.is_nan() { 0x7fc0_0000 } else { f.to_bits() }).collect()
}

/// The forward pass on every exact path with denormals, products that
/// overflow, infinities and NaNs, for every length through the 16-lane
/// tails, and the autoencoder's shapes (the firmware's `f32_kernel_check`
/// runs the same comparison on the Cortex-M4F's assembly kernel).
#[test]
fn forward_with_denormals_infinities_and_nans_on_every_path() {
    let mut s = 0x9e37_79b9_7f4a_7c15u64;
    let mut value = move |special: bool| {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        let u = (s >> 32) as u32;
        let sign = if u & (1 << 31) != 0 { -1.0 } else { 1.0 };
        match u % 32 {
            0 => 0.0,
            1 => -0.0,
            2 => sign * f32::from_bits(1 + (u >> 9) % 0x7f_ffff),
            3 => sign * f32::MIN_POSITIVE,
            4 => sign * 1.5e19,
            5 => (u % 9) as f32 - 4.0,
            6 if special => sign * f32::INFINITY,
            7 if special => f32::NAN,
            _ => ((u >> 8) as f32 / (1u32 << 24) as f32) * 4.0 - 2.0,
        }
    };
    let mut shapes: Vec<(usize, usize, usize)> =
        (0..=80).flat_map(|i| (1..=4).map(move |o| (i, o, 1 + (i + o) % 3))).collect();
    shapes.extend([(640, 16, 1), (128, 128, 1), (128, 8, 1), (8, 128, 1), (100, 50, 2)]);
    for (ins, outs, rows) in shapes {
        for special in [false, true] {
            let mut v = |n: usize| -> Vec<f32> { (0..n).map(|_| value(special)).collect() };
            let (w, b, x) = (v(ins * outs), v(outs), v(ins * rows));
            let y_ref = bits_nan_as_one(&ref_forward(false, &w, &b, &x, ins, outs, rows));
            let mut y = vec![0.0; rows * outs];
            math::dense_forward_inline(&w, &b, &x, &mut y, ins, outs);
            assert_eq!(bits_nan_as_one(&y), y_ref, "inline {ins}x{outs}x{rows}");
            for path in paths().filter(|p| !p.is_fused()) {
                let mut y = vec![0.0; rows * outs];
                math::dense_forward_on(path, &w, &b, &x, &mut y, ins, outs);
                assert_eq!(bits_nan_as_one(&y), y_ref, "{path:?} {ins}x{outs}x{rows}");
            }
        }
    }
}

/// Products are rounded before they are added on every exact path (the
/// Cortex-M4F kernel's `vmla.f32` too): lane 0 is `-(1 + 2^-11) +
/// (1 + 2^-12)^2`, whose product rounds (a tie, to even) to `1 + 2^-11`,
/// so the sum is 0; a fused multiply-add would give 2^-24.
#[test]
fn products_are_rounded_before_the_add() {
    let a = 1.0 + 1.0 / 4096.0;
    let (mut w, mut x) = ([0.0f32; 17], [0.0f32; 17]);
    (w[0], x[0], w[16], x[16]) = (-(1.0 + 1.0 / 2048.0), 1.0, a, a);
    assert_eq!(ref_dot(&w, &x), 0.0);
    assert_eq!(ref_dot_with(true, &w, &x), 1.0 / 16_777_216.0);
    for path in paths() {
        let mut y = [1.0f32];
        math::dense_forward_on(path, &w, &[0.0], &x, &mut y, 17, 1);
        let expected = if path.is_fused() { 1.0 / 16_777_216.0 } else { 0.0 };
        assert_eq!(y[0].to_bits(), f32::to_bits(expected), "{path:?}");
    }
}
