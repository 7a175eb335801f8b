// A named network whose layers do not chain: the error names the model.
use constnet::{Dense, Layer, Relu, Zeros, network};

network! {
    struct Classifier((Dense<4, 8>, Relu, Dense<6, 2>));
}

fn classify<N: Layer<[f32; 4], Output = [f32; 2]>>(net: &N) -> [f32; 2] {
    net.forward(&[0.0; 4])
}

fn main() {
    classify(&Classifier::zeros());
}
