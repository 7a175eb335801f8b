// A 14×14 convolution after a layer whose output is 28×28 (the pooling
// layer between them was forgotten).
use constnet::{Conv2d, Layer, Relu};

fn main() {
    let net = (
        Conv2d::<28, 28, 1, 8, 3, 1, 1, 28, 28>::zeros(),
        Relu,
        Conv2d::<14, 14, 8, 16, 3, 1, 1, 14, 14>::zeros(),
    );
    let _ = net.forward(&[[[0.0; 1]; 28]; 28]);
}
