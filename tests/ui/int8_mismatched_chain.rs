// An int8 chain that does not fit: the first QDense gives 3 values, the second takes 2.
use constnet::Layer;
use constnet::quant::{QDense, QRelu};

fn main() {
    let first = QDense::<2, 3>::new([[1, 1]; 3], [0; 3], [1 << 30; 3], [0; 3], 0, 0, -128, 127);
    let last = QDense::<2, 1>::new([[1, 1]], [0], [1 << 30], [0], 0, 0, -128, 127);
    let net = (first, QRelu::relu(0), last);
    net.forward(&[1i8, 2]);
}
