//! Sine regression with a 1-16-16-1 ReLU MLP — the model TensorFlow Lite
//! Micro's "hello world" and microflow-rs publish microcontroller figures for.
//!
//! Trains on `y = sin(x)`, `x` uniform in `[0, 2π)`, with MSE and per-sample
//! SGD (PyTorch-default init, lr 0.01 halved every 500k steps), reports the test error, and with `--save PATH` writes the model in the
//! `constnet::io` format for the firmware example (`examples/firmware`,
//! `src/bin/sine.rs`), which runs it from flash on a Cortex-M4F.
//!
//! ```text
//! cargo run --release --example sine -- --save examples/firmware/models/sine.bin
//! ```

use constnet::prelude::*;
use rand_core::SeedableRng;
use rand_pcg::Pcg64;

network! {
    /// 1 → 16 → 16 → 1, ReLU hidden layers, linear output.
    #[derive(Clone, Debug, PartialEq)]
    struct Sine((Dense<1, 16>, Relu, Dense<16, 16>, Relu, Dense<16, 1>));
}

const TAU: f32 = core::f32::consts::TAU;

fn mse_on_grid(net: &Sine, n: usize) -> f32 {
    let sum: f32 = (0..n)
        .map(|k| {
            let x = TAU * (k as f32 + 0.5) / n as f32;
            let e = net.forward(&[x])[0] - x.sin();
            e * e
        })
        .sum();
    sum / n as f32
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let save = args.iter().position(|a| a == "--save").map(|i| args.get(i + 1).expect("--save PATH").clone());
    let steps: usize = args
        .iter()
        .position(|a| a == "--steps")
        .map_or(2_000_000, |i| args[i + 1].parse().expect("--steps N"));

    let mut rng = Pcg64::seed_from_u64(2);
    let mut net = Sine::zeros();
    init(&mut net, Init::PytorchDefault, &mut rng);
    let mut trainer = Trainer::new();
    let mut sgd = Sgd::new(0.01);
    println!("before training: test MSE {:.5}", mse_on_grid(&net, 1000));
    let chunk = steps / 4;
    for round in 0..4 {
        sgd.lr = 0.01 / (1 << round) as f32;
        for _ in 0..chunk {
            let x = constnet::random::uniform(&mut rng, 0.0, TAU);
            trainer.step(&mut net, &mut sgd, &Mse::MEAN, &[x], &[x.sin()]).expect("finite loss");
        }
        println!(
            "after {} steps (lr {}): test MSE {:.5}",
            (round + 1) * chunk,
            sgd.lr,
            mse_on_grid(&net, 1000)
        );
    }
    if let Some(path) = save {
        let mut buf = vec![0u8; constnet::io::encoded_len::<Sine>()];
        constnet::io::to_bytes(&net, &mut buf).expect("buffer sized by encoded_len");
        std::fs::write(&path, &buf).expect("cannot write the model");
        println!("saved {} bytes to {path}", buf.len());
    }
}
