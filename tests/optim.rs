//! Every optimizer against reference values, within 1e-6 relative.
//!
//! Two kinds of reference:
//! * hand-computed: a single parameter with a fixed gradient, a few steps
//!   worked out on paper (the arithmetic is in the comments);
//! * a tiny network `Dense<2,2> → ReLU → Dense<2,1>` trained on a batch of
//!   two samples with MSE for five steps, against an independent `f64`
//!   implementation of the forward pass, the backward pass and the
//!   `torch.optim` update formulas (from the PyTorch documentation's
//!   pseudocode) written out below, one parameter at a time.

use constnet::optim::{AdaGrad, Adam, Optimizer, RmsProp, Sgd, SgdMomentum};
use constnet::prelude::*;
use constnet::train::Trainer;

const REL_TOL: f64 = 1e-6;

fn assert_close(got: f32, want: f64, what: &str) {
    let err = (got as f64 - want).abs();
    assert!(
        err <= REL_TOL * want.abs(),
        "{what}: got {got}, want {want} (relative error {:e})",
        err / want.abs()
    );
}

/// Runs `opt` on one parameter θ = 1 with the gradient sequence `grads`,
/// checking θ after each step.
fn one_param<O: Optimizer<Dense<1, 1>>>(mut opt: O, grads: &[f32], want: &[f64], name: &str) {
    let mut layer = Dense::<1, 1>::new([[1.0]], [0.0]);
    for (k, (&g, &w)) in grads.iter().zip(want).enumerate() {
        opt.step(&mut layer, &Dense::new([[g]], [0.0]));
        assert_close(layer.weight()[0][0], w, &format!("{name} step {k}"));
    }
}

#[test]
fn sgd_with_decay_and_weight_decay_by_hand() {
    // lr_k = 0.1/(1 + 0.5k); g' = 0.5 + 0.1·θ
    // k=0: θ = 1 − 0.1·0.6 = 0.94
    // k=1: θ = 0.94 − (0.1/1.5)·0.594 = 0.9004
    // k=2: θ = 0.9004 − 0.05·0.59004 = 0.870898
    let sgd = Sgd::new(0.1).decay(0.5).weight_decay(0.1);
    one_param(sgd, &[0.5; 3], &[0.94, 0.9004, 0.870898], "sgd");
    // Without options it is plain θ − lr·g.
    one_param(Sgd::new(0.25), &[2.0, -4.0], &[0.5, 1.5], "plain sgd");
}

#[test]
fn momentum_by_hand() {
    // Nesterov, μ = 0.9, lr 0.1, g = 0.5:
    // k=0: b = g = 0.5,            d = g + μb = 0.95,   θ = 0.905
    // k=1: b = 0.45 + 0.5 = 0.95,  d = 0.5 + 0.855,     θ = 0.905 − 0.1355 = 0.7695
    // k=2: b = 0.855 + 0.5 = 1.355, d = 0.5 + 1.2195,   θ = 0.7695 − 0.17195 = 0.59755
    let nesterov = SgdMomentum::<Dense<1, 1>>::new(0.1, 0.9).nesterov(true);
    one_param(nesterov, &[0.5; 3], &[0.905, 0.7695, 0.59755], "nesterov");
    // Heavy ball with dampening 0.5: the first step takes b = g undamped (as PyTorch).
    // k=0: b = 0.5, θ = 0.95; k=1: b = 0.45 + 0.25 = 0.7, θ = 0.88; k=2: b = 0.63 + 0.25 = 0.88, θ = 0.792
    let damped = SgdMomentum::<Dense<1, 1>>::new(0.1, 0.9).dampening(0.5);
    one_param(damped, &[0.5; 3], &[0.95, 0.88, 0.792], "dampened momentum");
}

#[test]
fn adagrad_by_hand() {
    // s = 0.25, 0.5, 0.75; θ −= 0.1·0.5/(√s + 1e-10)
    // θ = 1 − 0.1 = 0.9; 0.9 − 0.05/√0.5 = 0.829289321911; − 0.05/√0.75 → 0.771554294999
    let want = [0.90000000002, 0.8292893219113453, 0.7715542949990494];
    one_param(AdaGrad::<Dense<1, 1>>::new(0.1), &[0.5; 3], &want, "adagrad");
}

#[test]
fn rmsprop_by_hand() {
    // v = 0.0025, 0.004975, 0.00742525; θ −= 0.01·0.5/(√v + 1e-8)
    // θ = 1 − 0.005/0.05 = 0.9; 0.9 − 0.005/0.0705336 = 0.829111909549; → 0.771087007807
    let want = [0.900000019999996, 0.8291119095494123, 0.7710870078067141];
    one_param(RmsProp::<Dense<1, 1>>::new(0.01), &[0.5; 3], &want, "rmsprop");
}

#[test]
fn adam_by_hand() {
    // A constant gradient: after bias correction m̂ = g and v̂ = g² exactly,
    // so each step moves θ by lr·g/(|g| + 1e-8) ≈ 0.1.
    let want = [0.900000002, 0.800000004, 0.700000006];
    one_param(Adam::<Dense<1, 1>>::new(0.1), &[0.5; 3], &want, "adam");
    // Changing gradients 0.5, −0.25, 1.0 with weight decay 0.01:
    // t=1: g' = 0.51, m = 0.051, v = 0.00026010, θ = 1 − 0.1·0.51/(0.51 + 1e-8) = 0.900000002
    // t=2: g' = −0.241, m = 0.0218, v = 0.000317893…, θ = 0.871229347623
    // t=3: g' = 1.00871…, m = 0.120490…, v = 0.00133435…, θ = 0.804614334217
    let want = [0.9000000019607842, 0.8712293476231742, 0.8046143342173857];
    one_param(Adam::<Dense<1, 1>>::new(0.1).weight_decay(0.01), &[0.5, -0.25, 1.0], &want, "adam wd");
}

// ---------------------------------------------------------------------------
// The tiny network and its f64 reference.

type Net = (Dense<2, 2>, Relu, Dense<2, 1>);

const X: [[f32; 2]; 2] = [[0.5, -1.0], [1.5, 0.25]];
const T: [[f32; 1]; 2] = [[1.0], [-0.5]];

fn net() -> Net {
    // Both hidden units stay active on both samples for the steps below.
    (Dense::new([[0.6, -0.4], [0.3, 0.8]], [0.5, 0.7]), Relu, Dense::new([[0.9, -0.7]], [0.2]))
}

/// Parameters in visiting order: W1 (row-major), b1, W2, b2.
fn flat(n: &Net) -> Vec<f64> {
    (0..Net::TENSORS).flat_map(|i| n.tensor(i).to_vec()).map(f64::from).collect()
}

/// dL/dθ of the batch-mean MSE, by hand in f64.
fn reference_grad(p: &[f64]) -> Vec<f64> {
    let (w1, b1, w2, b2) = (&p[0..4], &p[4..6], &p[6..8], p[8]);
    let mut g = vec![0.0; 9];
    for (x, t) in X.iter().zip(&T) {
        let x = [x[0] as f64, x[1] as f64];
        let h = [w1[0] * x[0] + w1[1] * x[1] + b1[0], w1[2] * x[0] + w1[3] * x[1] + b1[1]];
        let a = [h[0].max(0.0), h[1].max(0.0)];
        let y = w2[0] * a[0] + w2[1] * a[1] + b2;
        let dy = 2.0 * (y - t[0] as f64) / X.len() as f64;
        g[6] += dy * a[0];
        g[7] += dy * a[1];
        g[8] += dy;
        for o in 0..2 {
            let dh = if h[o] > 0.0 { dy * w2[o] } else { 0.0 };
            g[2 * o] += dh * x[0];
            g[2 * o + 1] += dh * x[1];
            g[4 + o] += dh;
        }
    }
    g
}

/// The `torch.optim` update rules on a flat f64 parameter vector.
enum Reference {
    Sgd { lr: f64, decay: f64, wd: f64 },
    Momentum { lr: f64, mu: f64, damp: f64, nesterov: bool, wd: f64, b: Vec<f64> },
    AdaGrad { lr: f64, lr_decay: f64, eps: f64, wd: f64, sum: Vec<f64> },
    RmsProp { lr: f64, alpha: f64, eps: f64, wd: f64, decay: f64, v: Vec<f64> },
    Adam { lr: f64, b1: f64, b2: f64, eps: f64, wd: f64, decay: f64, m: Vec<f64>, v: Vec<f64> },
}

impl Reference {
    /// Step `k` (from 0).
    fn step(&mut self, p: &mut [f64], g: &[f64], k: usize) {
        let kf = k as f64;
        for j in 0..p.len() {
            match self {
                Reference::Sgd { lr, decay, wd } => {
                    let gj = g[j] + *wd * p[j];
                    p[j] -= *lr / (1.0 + *decay * kf) * gj;
                }
                Reference::Momentum { lr, mu, damp, nesterov, wd, b } => {
                    let gj = g[j] + *wd * p[j];
                    b[j] = if k == 0 { gj } else { *mu * b[j] + (1.0 - *damp) * gj };
                    let d = if *nesterov { gj + *mu * b[j] } else { b[j] };
                    p[j] -= *lr * d;
                }
                Reference::AdaGrad { lr, lr_decay, eps, wd, sum } => {
                    let clr = *lr / (1.0 + kf * *lr_decay);
                    let gj = g[j] + *wd * p[j];
                    sum[j] += gj * gj;
                    p[j] -= clr * gj / (sum[j].sqrt() + *eps);
                }
                Reference::RmsProp { lr, alpha, eps, wd, decay, v } => {
                    let gj = g[j] + *wd * p[j];
                    v[j] = *alpha * v[j] + (1.0 - *alpha) * gj * gj;
                    p[j] -= *lr / (1.0 + *decay * kf) * gj / (v[j].sqrt() + *eps);
                }
                Reference::Adam { lr, b1, b2, eps, wd, decay, m, v } => {
                    let t = kf + 1.0;
                    let gj = g[j] + *wd * p[j];
                    m[j] = *b1 * m[j] + (1.0 - *b1) * gj;
                    v[j] = *b2 * v[j] + (1.0 - *b2) * gj * gj;
                    let m_hat = m[j] / (1.0 - b1.powf(t));
                    let v_hat = v[j] / (1.0 - b2.powf(t));
                    p[j] -= *lr / (1.0 + *decay * kf) * m_hat / (v_hat.sqrt() + *eps);
                }
            }
        }
    }
}

/// Five steps of `opt` on the tiny network against `reference`.
fn against_reference<O: Optimizer<Net>>(mut opt: O, mut reference: Reference, name: &str) {
    let mut model = net();
    let mut p = flat(&model);
    let mut trainer = Trainer::<Net, [[f32; 2]; 2]>::new();
    for k in 0..5 {
        trainer.step(&mut model, &mut opt, &Mse::MEAN, &X, &T).unwrap();
        // constnet's f32 gradient agrees with the hand-written f64 backward
        // pass (to f32 precision: some entries are differences of terms ~1)…
        let g = flat(&trainer.grads);
        for (j, (got, want)) in g.iter().zip(reference_grad(&p)).enumerate() {
            let tol = 1e-6 * want.abs().max(1.0);
            assert!((got - want).abs() <= tol, "{name}: gradient {j} at step {k}: {got} vs {want}");
        }
        // …and the reference update is driven by that same gradient, so what
        // is compared below is the optimizer's update formula alone.
        reference.step(&mut p, &g, k);
        for (j, &want) in p.iter().enumerate() {
            assert_close(
                model.param(j).unwrap(),
                want,
                &format!("{name}: parameter {j} after step {}", k + 1),
            );
        }
    }
}

fn zeros() -> Vec<f64> {
    vec![0.0; 9]
}

#[test]
fn sgd_matches_reference() {
    against_reference(Sgd::new(0.1), Reference::Sgd { lr: 0.1, decay: 0.0, wd: 0.0 }, "sgd");
    against_reference(
        Sgd::new(0.2).decay(0.1).weight_decay(0.05),
        Reference::Sgd { lr: 0.2, decay: 0.1, wd: 0.05 },
        "sgd decay wd",
    );
}

#[test]
fn momentum_matches_reference() {
    let r = |mu, damp, nesterov, wd| Reference::Momentum { lr: 0.05, mu, damp, nesterov, wd, b: zeros() };
    against_reference(SgdMomentum::new(0.05, 0.9), r(0.9, 0.0, false, 0.0), "momentum");
    against_reference(SgdMomentum::new(0.05, 0.9).nesterov(true), r(0.9, 0.0, true, 0.0), "nesterov");
    against_reference(
        SgdMomentum::new(0.05, 0.8).dampening(0.3).weight_decay(0.01),
        r(0.8, 0.3, false, 0.01),
        "momentum dampening wd",
    );
}

#[test]
fn adagrad_matches_reference() {
    let r = |lr_decay, eps, wd| Reference::AdaGrad { lr: 0.1, lr_decay, eps, wd, sum: zeros() };
    against_reference(AdaGrad::new(0.1), r(0.0, 1e-10, 0.0), "adagrad");
    against_reference(
        AdaGrad::new(0.1).decay(0.2).eps(1e-7).weight_decay(0.01),
        r(0.2, 1e-7, 0.01),
        "adagrad decay eps wd",
    );
}

#[test]
fn rmsprop_matches_reference() {
    let r = |alpha, decay, wd| Reference::RmsProp { lr: 0.01, alpha, eps: 1e-8, wd, decay, v: zeros() };
    against_reference(RmsProp::new(0.01), r(0.99, 0.0, 0.0), "rmsprop");
    against_reference(
        RmsProp::new(0.01).alpha(0.9).decay(1e-3).weight_decay(0.02),
        r(0.9, 1e-3, 0.02),
        "rmsprop nnfs rho decay wd",
    );
}

#[test]
fn adam_matches_reference() {
    let r = |lr, decay, wd| Reference::Adam {
        lr,
        b1: 0.9,
        b2: 0.999,
        eps: 1e-8,
        wd,
        decay,
        m: zeros(),
        v: zeros(),
    };
    against_reference(Adam::new(0.01), r(0.01, 0.0, 0.0), "adam");
    against_reference(Adam::new(0.05).decay(5e-7), r(0.05, 5e-7, 0.0), "adam nnfs ch10");
    against_reference(Adam::new(0.02).decay(0.1).weight_decay(0.01), r(0.02, 0.1, 0.01), "adam decay wd");
    let mut custom = r(0.01, 0.0, 0.0);
    if let Reference::Adam { b1, b2, eps, .. } = &mut custom {
        (*b1, *b2, *eps) = (0.8, 0.99, 1e-7);
    }
    against_reference(Adam::new(0.01).betas(0.8, 0.99).eps(1e-7), custom, "adam betas eps");
}

#[test]
fn state_mirrors_the_model_and_resets() {
    let mut model = net();
    let mut adam = Adam::<Net>::new(0.01);
    let mut trainer = Trainer::<Net, [[f32; 2]; 2]>::new();
    trainer.step(&mut model, &mut adam, &Mse::MEAN, &X, &T).unwrap();
    // After one step m = (1 − β₁)·g and v = (1 − β₂)·g² (β in f32), tensor by tensor.
    for i in 0..Net::TENSORS {
        for ((m, v), g) in adam
            .first_moment()
            .tensor(i)
            .iter()
            .zip(adam.second_moment().tensor(i))
            .zip(trainer.grads.tensor(i))
        {
            assert!((m - (1.0 - 0.9f32) * g).abs() <= 1e-6 * g.abs());
            assert!((v - (1.0 - 0.999f32) * (g * g)).abs() <= 1e-6 * g * g);
        }
    }
    assert_eq!(Adam::<Net>::STATE_BYTES, 2 * std::mem::size_of::<Net>());
    adam.reset();
    assert_eq!(adam.iterations(), 0);
    assert!(adam.first_moment().tensor(0).iter().all(|&v| v == 0.0));
    // The decayed learning rate NNFS prints.
    let mut sgd = Sgd::new(1.0).decay(1e-3);
    for _ in 0..1000 {
        Optimizer::<Net>::step(&mut sgd, &mut model, &Net::zeros());
    }
    assert_eq!(sgd.iterations(), 1000);
    assert!((sgd.current_lr() - 0.5).abs() < 1e-7);
}

/// The square-root optimizers run in blocks of 64; on a model of 231
/// parameters (three full blocks of the weight tensor, partial blocks, a bias
/// shorter than a block) they equal a fused per-element `f32` loop bit for
/// bit, step after step.
#[test]
fn blocked_kernels_equal_the_fused_loop_bit_for_bit() {
    type Wide = Dense<20, 11>;
    let mut rng = <rand_pcg::Pcg64 as rand_core::SeedableRng>::seed_from_u64(3);
    let mut model = Wide::zeros();
    init(&mut model, Init::Uniform(-1.0, 1.0), &mut rng);
    let grads: Vec<Wide> = (0..4)
        .map(|_| {
            let mut g = Wide::zeros();
            init(&mut g, Init::Normal(0.5), &mut rng);
            g
        })
        .collect();
    let flat = |m: &Wide| (0..2).flat_map(|i| m.tensor(i).to_vec()).collect::<Vec<f32>>();

    // Adam (lr 0.01, decay 0.1, wd 0.01), fused.
    let (mut adam, mut p, mut a, mut b) =
        (Adam::<Wide>::new(0.01).decay(0.1).weight_decay(0.01), model.clone(), Vec::new(), Vec::new());
    let (mut q, mut m, mut v) = (flat(&model), vec![0.0f32; 231], vec![0.0f32; 231]);
    for (k, g) in grads.iter().enumerate() {
        adam.step(&mut p, g);
        let t = k as f64 + 1.0;
        let lr = (0.01f32 as f64 / (1.0 + 0.1f32 as f64 * k as f64)) as f32;
        let step_size = (lr as f64 / (1.0 - (0.9f32 as f64).powf(t))) as f32;
        let bias2_sqrt = (1.0 - (0.999f32 as f64).powf(t)).sqrt() as f32;
        for (j, &gj) in flat(g).iter().enumerate() {
            let gj = gj + 0.01 * q[j];
            m[j] = 0.9 * m[j] + (1.0 - 0.9f32) * gj;
            v[j] = 0.999 * v[j] + (1.0 - 0.999f32) * (gj * gj);
            q[j] -= step_size * (m[j] / (v[j].sqrt() / bias2_sqrt + 1e-8));
        }
        a.push(flat(&p));
        b.push(q.clone());
    }
    assert!(a == b, "adam: blocked and fused results differ");

    // RMSProp (lr 0.01, alpha 0.9, wd 0.02) and AdaGrad (lr 0.1, wd 0.02), fused.
    let (mut rms, mut ada) = (
        RmsProp::<Wide>::new(0.01).alpha(0.9).weight_decay(0.02),
        AdaGrad::<Wide>::new(0.1).weight_decay(0.02),
    );
    let (mut p_r, mut p_a) = (model.clone(), model.clone());
    let (mut q_r, mut q_a, mut sq, mut sum) =
        (flat(&model), flat(&model), vec![0.0f32; 231], vec![0.0f32; 231]);
    for g in &grads {
        rms.step(&mut p_r, g);
        ada.step(&mut p_a, g);
        for (j, &gj) in flat(g).iter().enumerate() {
            let gr = gj + 0.02 * q_r[j];
            sq[j] = 0.9 * sq[j] + (1.0 - 0.9f32) * (gr * gr);
            q_r[j] -= 0.01 * (gr / (sq[j].sqrt() + 1e-8));
            let ga = gj + 0.02 * q_a[j];
            sum[j] += ga * ga;
            q_a[j] -= 0.1 * (ga / (sum[j].sqrt() + 1e-10));
        }
        assert!(flat(&p_r) == q_r, "rmsprop: blocked and fused results differ");
        assert!(flat(&p_a) == q_a, "adagrad: blocked and fused results differ");
    }
}
