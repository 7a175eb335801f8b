// A hand-written Flatten whose length is not H·W·C (7·7·8 = 392): a
// post-monomorphization const assertion, reported by `cargo build`.
use constnet::{Flatten, Layer};

fn main() {
    let _: [f32; 400] = Flatten::<7, 7, 8, 400>.forward(&[[[0.0; 8]; 7]; 7]);
}
