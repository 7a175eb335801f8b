// The quadrants model (2-16-16-2, tanh) loaded into a network of another
// architecture: the compiler checks the fingerprint and refuses to build.
use constnet::{Dense, Relu, load_static, network};

network! {
    pub struct Wrong((Dense<2, 16>, Relu, Dense<16, 16>, Relu, Dense<16, 2>));
}

static NET: Wrong = load_static!(
    include_bytes!("../../examples/firmware/models/quadrants.bin") => Wrong(Dense, Relu, Dense, Relu, Dense)
);

fn main() {
    let _ = &NET;
}
