//! One macro writes `Layer` and `Backprop` for a single sample and for a
//! batch of every shaped layer, from the layer's two slice methods:
//!
//! * `run(&self, x: &[f32], y: &mut [f32])` — forward over any number of
//!   samples laid end to end;
//! * `grad(&self, x: &[f32], dy: &[f32], grads: &mut Self, dx: Option<&mut [f32]>)`
//!   — adds dL/dθ into `grads` and, if asked, overwrites `dx`.
//!
//! `cache = input` keeps the input for `grad` (convolutions, max pooling);
//! `cache = none` keeps nothing (`grad` then sees an empty `x`).

macro_rules! shaped_layer {
    (
        $name:ident < $(const $p:ident),* >,
        input = $x:ty,
        output = $y:ty,
        cache = $cache:ident $(,)?
    ) => {
        impl<$(const $p: usize),*> $crate::Layer<$x> for $name<$($p),*> {
            type Output = $y;
            #[inline]
            fn forward(&self, x: &$x) -> $y {
                let mut y: $y = $crate::Zeros::zeros();
                self.run($crate::Tensor::flat(x), $crate::Tensor::flat_mut(&mut y));
                y
            }
        }

        impl<$(const $p: usize,)* const B: usize> $crate::Layer<[$x; B]> for $name<$($p),*> {
            type Output = [$y; B];
            #[inline]
            fn forward(&self, x: &[$x; B]) -> [$y; B] {
                let mut y: [$y; B] = $crate::Zeros::zeros();
                self.run($crate::Tensor::flat(x), $crate::Tensor::flat_mut(&mut y));
                y
            }
        }

        $crate::layers::conv::impls::shaped_layer!(@backprop $cache, [$(const $p: usize),*], $name<$($p),*>, $x, $y);
        $crate::layers::conv::impls::shaped_layer!(
            @backprop $cache, [$(const $p: usize,)* const B: usize], $name<$($p),*>, [$x; B], [$y; B]
        );
    };
    (@backprop input, [$($g:tt)*], $ty:ty, $x:ty, $y:ty) => {
        impl<$($g)*> $crate::Backprop<$x> for $ty {
            /// The input.
            type Cache = $x;
            #[inline]
            fn forward_train(&self, x: &$x, cache: &mut $x) -> $y {
                cache.clone_from(x);
                $crate::Layer::forward(self, x)
            }
            #[inline]
            fn backward(&self, cache: &$x, d_out: &$y, grads: &mut Self) -> $x {
                let mut dx: $x = $crate::Zeros::zeros();
                self.grad(
                    $crate::Tensor::flat(cache),
                    $crate::Tensor::flat(d_out),
                    grads,
                    Some($crate::Tensor::flat_mut(&mut dx)),
                );
                dx
            }
            #[inline]
            fn backward_params(&self, cache: &$x, d_out: &$y, grads: &mut Self) {
                self.grad($crate::Tensor::flat(cache), $crate::Tensor::flat(d_out), grads, None);
            }
        }
    };
    (@backprop none, [$($g:tt)*], $ty:ty, $x:ty, $y:ty) => {
        impl<$($g)*> $crate::Backprop<$x> for $ty {
            /// Nothing: the backward pass needs only the output gradient.
            type Cache = ();
            #[inline]
            fn forward_train(&self, x: &$x, _: &mut ()) -> $y {
                $crate::Layer::forward(self, x)
            }
            #[inline]
            fn backward(&self, _: &(), d_out: &$y, grads: &mut Self) -> $x {
                let mut dx: $x = $crate::Zeros::zeros();
                self.grad(&[], $crate::Tensor::flat(d_out), grads, Some($crate::Tensor::flat_mut(&mut dx)));
                dx
            }
            #[inline]
            fn backward_params(&self, _: &(), _: &$y, _: &mut Self) {}
        }
    };
}
pub(crate) use shaped_layer;

/// `Zeros`, `Default` and parameter-free `Params` for a shaped layer without
/// weights (pooling, flattening).
macro_rules! no_weights {
    ($name:ident < $(const $p:ident),* >, $($fp:expr),*) => {
        impl<$(const $p: usize),*> $crate::Zeros for $name<$($p),*> {
            fn zeros() -> Self {
                $name
            }
        }
        impl<$(const $p: usize),*> Default for $name<$($p),*> {
            fn default() -> Self {
                $name
            }
        }
        impl<$(const $p: usize),*> $crate::Params for $name<$($p),*> {
            const TENSORS: usize = 0;
            const PARAMS: usize = 0;
            const FINGERPRINT: u64 = $crate::layers::conv::impls::fingerprint(stringify!($name), &[$($fp as u64),*]);
            fn shape(_: usize) -> $crate::TensorShape {
                $crate::TensorShape { kind: $crate::TensorKind::Bias, rows: 0, cols: 0 }
            }
            fn tensor(&self, _: usize) -> &[f32] {
                &[]
            }
            fn tensor_mut(&mut self, _: usize) -> &mut [f32] {
                &mut []
            }
        }
    };
}
pub(crate) use no_weights;

/// The architecture hash of a layer: its name, then its sizes.
pub(crate) const fn fingerprint(name: &str, sizes: &[u64]) -> u64 {
    use crate::params::fingerprint::{mix, str};
    let mut h = str(name);
    let mut i = 0;
    while i < sizes.len() {
        h = mix(h, sizes[i]);
        i += 1;
    }
    h
}

/// `Zeros`, `Default` and `Params` for a shaped layer with a weight tensor of
/// `rows` × `cols` (fan-out × fan-in) and a bias of `rows`; the layer
/// provides `zeros()`, `flat_weight()` and `flat_weight_mut()`.
macro_rules! weighted {
    (
        $name:ident < $(const $p:ident),* >,
        rows = $rows:expr,
        cols = $cols:expr,
        sizes = [$($fp:expr),*] $(,)?
    ) => {
        impl<$(const $p: usize),*> $crate::Zeros for $name<$($p),*> {
            fn zeros() -> Self {
                Self::zeros()
            }
        }

        impl<$(const $p: usize),*> Default for $name<$($p),*> {
            #[doc = concat!("Same as [`", stringify!($name), "::zeros`]; initialise with [`crate::init`] before training.")]
            fn default() -> Self {
                Self::zeros()
            }
        }

        /// Tensor 0 is the weights as fan-out rows of fan-in values (the shape
        /// initialisers read), tensor 1 the biases.
        impl<$(const $p: usize),*> $crate::Params for $name<$($p),*> {
            const TENSORS: usize = 2;
            const PARAMS: usize = $rows * $cols + $rows;
            const FINGERPRINT: u64 =
                $crate::layers::conv::impls::fingerprint(stringify!($name), &[$($fp as u64),*]);
            fn shape(i: usize) -> $crate::TensorShape {
                match i {
                    0 => $crate::TensorShape { kind: $crate::TensorKind::Weight, rows: $rows, cols: $cols },
                    _ => $crate::TensorShape { kind: $crate::TensorKind::Bias, rows: 1, cols: $rows },
                }
            }
            #[inline]
            fn tensor(&self, i: usize) -> &[f32] {
                match i {
                    0 => self.flat_weight(),
                    _ => &self.bias,
                }
            }
            #[inline]
            fn tensor_mut(&mut self, i: usize) -> &mut [f32] {
                match i {
                    0 => self.flat_weight_mut(),
                    _ => &mut self.bias,
                }
            }
        }
    };
}
pub(crate) use weighted;
