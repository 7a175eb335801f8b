// A hand-written Conv2d type whose output size is wrong: 28×28 with a 3×3
// kernel and no padding gives 26×26, not 28×28. A post-monomorphization
// const assertion: `cargo build` reports it, `cargo check` does not.
use constnet::{Conv2d, Layer};

fn main() {
    let conv = Conv2d::<28, 28, 1, 8, 3, 1, 0, 28, 28>::zeros();
    let _ = conv.forward(&[[[0.0; 1]; 28]; 28]);
}
