// A 3-value sample fed to a layer that takes 2 inputs.
use constnet::{Dense, Layer};

fn main() {
    let layer = Dense::<2, 3>::zeros();
    layer.forward(&[1.0f32, 2.0, 3.0]);
}
