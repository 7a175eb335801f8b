// Training buffers (cache and gradients) are built for one network type;
// stepping another network with them is rejected.
use constnet::prelude::*;

fn main() {
    let mut small = (Dense::<2, 3>::zeros(), Relu, Dense::<3, 1>::zeros());
    let mut big = (Dense::<2, 8>::zeros(), Relu, Dense::<8, 1>::zeros());
    let mut trainer = Trainer::new();
    trainer.step(&mut small, &mut Sgd::new(0.1), &Mse::MEAN, &[1.0, 2.0], &[0.5]).unwrap();
    trainer.step(&mut big, &mut Sgd::new(0.1), &Mse::MEAN, &[1.0, 2.0], &[0.5]).unwrap();
}
