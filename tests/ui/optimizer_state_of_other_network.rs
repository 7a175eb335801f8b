// Adam's moments are values of the network's own type: state created for one
// network cannot update another.
use constnet::optim::{Adam, Optimizer};
use constnet::{Dense, Relu, Zeros};

type Small = (Dense<2, 3>, Relu, Dense<3, 1>);
type Big = (Dense<2, 8>, Relu, Dense<8, 1>);

fn main() {
    let mut adam = Adam::<Small>::new(0.001);
    let mut big: Big = Zeros::zeros();
    let grads: Big = Zeros::zeros();
    adam.step(&mut big, &grads);
}
