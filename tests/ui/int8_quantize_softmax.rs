// Softmax has no int8 form, so a network ending in it cannot be quantized.
use constnet::quant;
use constnet::{Dense, Softmax};

fn main() {
    let net = (Dense::<2, 3>::zeros(), Softmax);
    let _ = quant::quantize(&net, &[[0.0f32, 1.0]]);
}
