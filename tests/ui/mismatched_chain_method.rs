// The same mismatched chain, used through a method call.
use constnet::{Dense, Layer, Relu};

fn main() {
    let net = (Dense::<2, 3>::zeros(), Relu, Dense::<2, 1>::zeros());
    net.forward(&[1.0, 2.0]);
}
