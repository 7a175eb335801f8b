// Gradients must have the network's own type: a gradient of another network
// is rejected.
use constnet::{Backprop, Dense, Relu, Zeros};

fn main() {
    let net = (Dense::<2, 3>::zeros(), Relu, Dense::<3, 1>::zeros());
    let mut cache = Zeros::zeros();
    let y = net.forward_train(&[1.0, 2.0], &mut cache);
    let mut other_grads = (Dense::<2, 4>::zeros(), Relu, Dense::<4, 1>::zeros());
    let _dx: [f32; 2] = net.backward(&cache, &y, &mut other_grads);
}
