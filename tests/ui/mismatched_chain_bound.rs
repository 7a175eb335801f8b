// A 3-output layer wired into a 2-input layer, used through a trait bound.
use constnet::{Dense, Layer, Relu};

fn run<N: Layer<[f32; 2]>>(net: &N, x: [f32; 2]) {
    net.forward(&x);
}

fn main() {
    let net = (Dense::<2, 3>::zeros(), Relu, Dense::<2, 1>::zeros());
    run(&net, [1.0, 2.0]);
}
