// A convolution with 3 output channels wired into one that expects 2.
use constnet::{Conv2d, Layer, Relu};

fn main() {
    let net = (
        Conv2d::<8, 8, 1, 3, 3, 1, 1, 8, 8>::zeros(),
        Relu,
        Conv2d::<8, 8, 2, 4, 3, 1, 1, 8, 8>::zeros(),
    );
    let _ = net.forward(&[[[0.0; 1]; 8]; 8]);
}
