//! [`Flatten`] and [`Flatten1d`]: images and sequences to flat vectors.

use super::impls::{no_weights, shaped_layer};

macro_rules! copy_through {
    ($name:literal, $n:expr, $len:expr) => {
        const CHECK: () = assert!($n == $len, concat!($name, ": N must be the number of input values"));

        #[inline]
        fn run(&self, x: &[f32], y: &mut [f32]) {
            let () = Self::CHECK;
            y.copy_from_slice(x);
        }

        #[inline]
        fn grad(&self, _: &[f32], dy: &[f32], _: &mut Self, dx: Option<&mut [f32]>) {
            if let Some(dx) = dx {
                dx.copy_from_slice(dy);
            }
        }
    };
}

/// Flattens an `H`×`W`×`C` image into `[f32; N]`, `N = H·W·C`, in memory
/// order (row, column, channel — TFLite's and Keras's order; PyTorch flattens
/// channel-first, so its first `Linear` after a convolution needs its columns
/// permuted). A copy: activations are always contiguous, so it moves no
/// value. Write the type with [`layers!`](crate::layers!); a hand-written `N`
/// that is not `H·W·C` fails `cargo build` (a post-monomorphization `const`
/// assertion).
///
/// ```
/// use constnet::{layers::Flatten, Layer};
/// let y = Flatten::<1, 2, 2, 4>.forward(&[[[1.0, 2.0], [3.0, 4.0]]]);
/// assert_eq!(y, [1.0, 2.0, 3.0, 4.0]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Flatten<const H: usize, const W: usize, const C: usize, const N: usize>;

impl<const H: usize, const W: usize, const C: usize, const N: usize> Flatten<H, W, C, N> {
    copy_through!("Flatten<H, W, C, N>", N, H * W * C);
}

shaped_layer!(Flatten<const H, const W, const C, const N>, input = [[[f32; C]; W]; H], output = [f32; N], cache = none);
no_weights!(Flatten<const H, const W, const C, const N>, H, W, C);

/// Flattens an `L`×`C` sequence into `[f32; N]`, `N = L·C`, step after step.
///
/// ```
/// use constnet::{layers::Flatten1d, Layer};
/// assert_eq!(Flatten1d::<2, 2, 4>.forward(&[[1.0, 2.0], [3.0, 4.0]]), [1.0, 2.0, 3.0, 4.0]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Flatten1d<const L: usize, const C: usize, const N: usize>;

impl<const L: usize, const C: usize, const N: usize> Flatten1d<L, C, N> {
    copy_through!("Flatten1d<L, C, N>", N, L * C);
}

shaped_layer!(Flatten1d<const L, const C, const N>, input = [[f32; C]; L], output = [f32; N], cache = none);
no_weights!(Flatten1d<const L, const C, const N>, L, C);

/// Reshapes a flat `[f32; N]` into an `H`×`W`×`C` image, `N = H·W·C` (a
/// copy; the memory order is the same). Lets a CNN take the flat vectors that
/// data loaders produce, as MNIST's `[f32; 784]`: `layers![input [784] =>
/// Unflatten(28, 28, 1), Conv2d(…), …]`. A hand-written `N` that is not
/// `H·W·C` fails `cargo build`.
///
/// ```
/// use constnet::{layers::Unflatten, Layer};
/// let y = Unflatten::<1, 2, 2, 4>.forward(&[1.0, 2.0, 3.0, 4.0]);
/// assert_eq!(y, [[[1.0, 2.0], [3.0, 4.0]]]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Unflatten<const H: usize, const W: usize, const C: usize, const N: usize>;

impl<const H: usize, const W: usize, const C: usize, const N: usize> Unflatten<H, W, C, N> {
    copy_through!("Unflatten<H, W, C, N>", N, H * W * C);
}

shaped_layer!(Unflatten<const H, const W, const C, const N>, input = [f32; N], output = [[[f32; C]; W]; H], cache = none);
no_weights!(Unflatten<const H, const W, const C, const N>, H, W, C);
