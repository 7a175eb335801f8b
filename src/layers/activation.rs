//! Element-wise activations: [`Relu`], [`LeakyRelu`], [`Sigmoid`], [`Tanh`],
//! [`Identity`].
//!
//! Each works on any [`Tensor`] — a sample of any width or a batch — so its
//! width is never written down: `(Dense<2, 3>, Relu, Dense<3, 1>)`.
//! None has trainable parameters (`Params::TENSORS == 0`) and each is at most
//! 4 bytes, so they cost nothing in a `static` network.
//!
//! Derivatives at the kinks: `Relu'(0) = 0`, `LeakyRelu'(0) = slope`.

use crate::{Backprop, Layer, Tensor, Zeros, scalar};

/// Implements Layer/Backprop/Params/Zeros for an element-wise activation.
///
/// `$fwd(self, x) -> y` is the function; `$bwd(self, x, y, dy) -> dx` its
/// chain rule given the input `x` and output `y`; `$cache` says which of the
/// two the training pass keeps (`input` or `output`).
macro_rules! elementwise {
    ($name:ident, cache = $cache:ident, fwd = $fwd:expr, bwd = $bwd:expr) => {
        impl<X: Tensor> Layer<X> for $name {
            type Output = X;
            #[inline]
            fn forward(&self, x: &X) -> X {
                let mut y = x.clone();
                let f = $fwd;
                y.flat_mut().iter_mut().for_each(|v| *v = f(self, *v));
                y
            }
        }

        impl<X: Tensor> Backprop<X> for $name {
            type Cache = X;
            #[inline]
            fn forward_train(&self, x: &X, cache: &mut X) -> X {
                let y = self.forward(x);
                elementwise!(@store $cache, cache, x, y);
                y
            }
            #[inline]
            fn backward(&self, cache: &X, d_out: &X, _grads: &mut Self) -> X {
                let mut dx = d_out.clone();
                let b = $bwd;
                for (d, &c) in dx.flat_mut().iter_mut().zip(cache.flat()) {
                    *d = b(self, c, *d);
                }
                dx
            }
        }

        crate::layers::no_params!($name);
    };
    (@store input, $cache:ident, $x:ident, $y:ident) => {
        $cache.clone_from($x)
    };
    (@store output, $cache:ident, $x:ident, $y:ident) => {
        $cache.clone_from(&$y)
    };
}

/// Rectified linear unit, `max(0, x)`.
///
/// ```
/// use constnet::{Layer, Relu};
/// assert_eq!(Relu.forward(&[-1.0, 2.0]), [0.0, 2.0]);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Relu;

impl Zeros for Relu {
    fn zeros() -> Self {
        Relu
    }
}

elementwise!(
    Relu,
    cache = input,
    fwd = |_: &Relu, x: f32| if x > 0.0 { x } else { 0.0 },
    bwd = |_: &Relu, x: f32, d: f32| if x > 0.0 { d } else { 0.0 }
);

/// Leaky ReLU, `x` for `x > 0` and `slope · x` otherwise.
///
/// [`Default`] and [`Zeros`] give PyTorch's slope 0.01; the mathspp tutorial
/// uses `LeakyRelu::new(0.1)`. Only the slope is stored (4 bytes).
///
/// ```
/// use constnet::{Layer, LeakyRelu};
/// assert_eq!(LeakyRelu::new(0.1).forward(&[-2.0, 3.0]), [-0.2, 3.0]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LeakyRelu {
    slope: f32,
}

impl LeakyRelu {
    /// PyTorch's default negative slope.
    pub const DEFAULT_SLOPE: f32 = 0.01;

    /// A leaky ReLU with the given negative slope.
    pub const fn new(slope: f32) -> Self {
        Self { slope }
    }

    /// The negative slope.
    pub const fn slope(&self) -> f32 {
        self.slope
    }
}

impl Default for LeakyRelu {
    fn default() -> Self {
        Self::new(Self::DEFAULT_SLOPE)
    }
}

impl Zeros for LeakyRelu {
    /// A leaky ReLU with the default slope (it has no parameters to zero).
    fn zeros() -> Self {
        Self::default()
    }
}

elementwise!(
    LeakyRelu,
    cache = input,
    fwd = |s: &LeakyRelu, x: f32| if x > 0.0 { x } else { s.slope * x },
    bwd = |s: &LeakyRelu, x: f32, d: f32| if x > 0.0 { d } else { s.slope * d }
);

/// Logistic sigmoid, `1 / (1 + e^-x)`.
///
/// Accuracy: |error| ≤ 1e-6 with `libm`, ≤ 5e-3 relative with `fast-math`.
///
/// ```
/// use constnet::{Layer, Sigmoid};
/// assert_eq!(Sigmoid.forward(&[0.0]), [0.5]);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Sigmoid;

impl Zeros for Sigmoid {
    fn zeros() -> Self {
        Sigmoid
    }
}

elementwise!(
    Sigmoid,
    cache = output,
    fwd = |_: &Sigmoid, x: f32| scalar::sigmoid(x),
    bwd = |_: &Sigmoid, y: f32, d: f32| d * y * (1.0 - y)
);

/// Hyperbolic tangent.
///
/// ```
/// use constnet::{Layer, Tanh};
/// assert_eq!(Tanh.forward(&[0.0]), [0.0]);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Tanh;

impl Zeros for Tanh {
    fn zeros() -> Self {
        Tanh
    }
}

elementwise!(
    Tanh,
    cache = output,
    fwd = |_: &Tanh, x: f32| scalar::tanh(x),
    bwd = |_: &Tanh, y: f32, d: f32| d * (1.0 - y * y)
);

/// The identity: passes its input through (a linear output layer, or a
/// placeholder in a generic network).
///
/// ```
/// use constnet::{Identity, Layer};
/// assert_eq!(Identity.forward(&[1.0, -1.0]), [1.0, -1.0]);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Identity;

impl Zeros for Identity {
    fn zeros() -> Self {
        Identity
    }
}

impl<X: Tensor> Layer<X> for Identity {
    type Output = X;
    #[inline]
    fn forward(&self, x: &X) -> X {
        x.clone()
    }
}

impl<X: Tensor> Backprop<X> for Identity {
    type Cache = ();
    #[inline]
    fn forward_train(&self, x: &X, _: &mut ()) -> X {
        x.clone()
    }
    #[inline]
    fn backward(&self, _: &(), d_out: &X, _: &mut Self) -> X {
        d_out.clone()
    }
}

crate::layers::no_params!(Identity);
