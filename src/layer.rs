//! The two traits every layer and every network implements.
//!
//! * [`Layer<X>`] — inference: `forward(&X) -> Output`. It is generic over the
//!   input, so one [`Relu`](crate::Relu) serves every width, and a batch
//!   `[[f32; N]; B]` is just another input type (dfdx's `Module<Input>` idea).
//! * [`Backprop<X>`] — training: `forward_train` keeps what `backward` needs in
//!   a [`Cache`](Backprop::Cache) whose type (and so size) is known at compile
//!   time; `backward` adds dL/dθ into a gradient value **of the layer's own
//!   type** and returns dL/dx. Optimizer state is more values of that type.
//!
//! Tuples of layers are layers (see [`crate::network`]), so everything here
//! holds for whole networks too.

use crate::Zeros;

/// A function from `X` to [`Output`](Layer::Output): a layer, or a network of
/// layers.
///
/// # Implementing this trait
/// Implement it for every input type the layer accepts (a single sample
/// `[f32; N]` and a batch `[[f32; N]; B]`), and implement [`Backprop`] and
/// [`Params`](crate::Params) to make the layer trainable.
///
/// ```
/// use constnet::{Dense, Layer, Relu};
/// let net = (Dense::<2, 2>::new([[1.0, 0.0], [0.0, -1.0]], [0.0; 2]), Relu);
/// assert_eq!(net.forward(&[3.0, 4.0]), [3.0, 0.0]);
/// // The same network takes a batch.
/// assert_eq!(net.forward(&[[3.0, 4.0], [-1.0, -2.0]]), [[3.0, 0.0], [0.0, 2.0]]);
/// ```
#[diagnostic::on_unimplemented(
    message = "layer `{Self}` cannot take `{X}` as input",
    label = "`{Self}` does not accept `{X}`",
    note = "in a network each layer's output must be the next layer's input: check the sizes of neighbouring layers"
)]
pub trait Layer<X> {
    /// What the layer produces for input `X`.
    type Output;
    /// Runs the layer on `x`.
    fn forward(&self, x: &X) -> Self::Output;
}

/// A [`Layer`] that can be trained by backpropagation without a heap.
///
/// # Implementing this trait
/// `forward_train` must return exactly what `forward` returns and store in
/// `cache` whatever `backward` needs (a [`Dense`](crate::Dense) stores its
/// input). `backward` receives dL/d(output), **adds** dL/dθ into `grads` (so a
/// batch or several calls accumulate) and returns dL/d(input).
///
/// ```
/// use constnet::{Backprop, Dense};
/// let layer = Dense::<2, 1>::new([[2.0, 3.0]], [1.0]);
/// let mut cache = [0.0; 2]; // Dense keeps its input
/// let y = layer.forward_train(&[1.0, 1.0], &mut cache);
/// assert_eq!(y, [6.0]);
/// let mut grads = Dense::<2, 1>::zeros();
/// let dx: [f32; 2] = layer.backward(&cache, &[1.0], &mut grads);
/// assert_eq!(dx, [2.0, 3.0]);              // dL/dx = Wᵀ·dy
/// assert_eq!(grads.weight(), &[[1.0, 1.0]]); // dL/dW = dy·xᵀ
/// assert_eq!(grads.bias(), &[1.0]);
/// ```
#[diagnostic::on_unimplemented(
    message = "layer `{Self}` cannot be trained on `{X}` as input",
    note = "in a network each layer's output must be the next layer's input: check the sizes of neighbouring layers"
)]
pub trait Backprop<X>: Layer<X> + Sized {
    /// What the training forward pass keeps for the backward pass.
    type Cache: Zeros;
    /// Forward pass that also fills `cache`.
    fn forward_train(&self, x: &X, cache: &mut Self::Cache) -> Self::Output;
    /// Adds dL/dθ into `grads` and returns dL/dx, given dL/d(output).
    fn backward(&self, cache: &Self::Cache, d_out: &Self::Output, grads: &mut Self) -> X;

    /// Adds dL/dθ into `grads` exactly as [`backward`](Backprop::backward)
    /// does, but skips dL/dx: a network's first layer has no one to pass it
    /// to (PyTorch skips it too). For a `Dense` layer that saves a third of
    /// its backward work. The default calls `backward` and drops the result;
    /// override it when the input gradient costs work.
    ///
    /// ```
    /// use constnet::{Backprop, Dense};
    /// let layer = Dense::<2, 1>::new([[2.0, 3.0]], [1.0]);
    /// let mut grads = Dense::<2, 1>::zeros();
    /// Backprop::<[f32; 2]>::backward_params(&layer, &[1.0, 1.0], &[1.0], &mut grads);
    /// assert_eq!((grads.weight(), grads.bias()), (&[[1.0, 1.0]], &[1.0]));
    /// ```
    #[inline]
    fn backward_params(&self, cache: &Self::Cache, d_out: &Self::Output, grads: &mut Self) {
        let _ = self.backward(cache, d_out, grads);
    }
}
