//! [`Dense<IN, OUT>`]: a fully connected layer `y = W·x + b`.

use crate::math;
use crate::params::fingerprint;
use crate::{Backprop, Layer, Params, TensorKind, TensorShape, Zeros};

/// A fully connected layer with `IN` inputs and `OUT` outputs: `y = W·x + b`.
///
/// Weights are stored as `[[f32; IN]; OUT]`, one row per output. That is the
/// layout the single-sample forward pass wants (each output is one contiguous
/// dot product) and the one NumPy/PyTorch use (`nn.Linear.weight` is
/// `out × in`), so trained weights map over without a transpose.
///
/// Memory: exactly `4 · (IN·OUT + OUT)` bytes, no padding or heap, so a
/// trained layer can live in a `static` (flash on a microcontroller):
///
/// ```
/// use constnet::{Dense, Layer};
/// static LAYER: Dense<2, 2> = Dense::new([[1.0, 2.0], [3.0, 4.0]], [0.5, -0.5]);
/// assert_eq!(LAYER.forward(&[1.0, 1.0]), [3.5, 6.5]);
/// assert_eq!(core::mem::size_of::<Dense<4, 8>>(), 4 * (4 * 8 + 8));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Dense<const IN: usize, const OUT: usize> {
    weight: [[f32; IN]; OUT],
    bias: [f32; OUT],
}

impl<const IN: usize, const OUT: usize> Dense<IN, OUT> {
    /// Builds a layer from its weight rows (`weight[o][i]` connects input `i`
    /// to output `o`) and bias. Usable in `const` and `static` items.
    pub const fn new(weight: [[f32; IN]; OUT], bias: [f32; OUT]) -> Self {
        Self { weight, bias }
    }

    /// A layer with all weights and biases zero (also a fresh gradient).
    pub const fn zeros() -> Self {
        Self { weight: [[0.0; IN]; OUT], bias: [0.0; OUT] }
    }

    /// The weight matrix, one row per output.
    pub const fn weight(&self) -> &[[f32; IN]; OUT] {
        &self.weight
    }

    /// The weight matrix, mutable.
    pub fn weight_mut(&mut self) -> &mut [[f32; IN]; OUT] {
        &mut self.weight
    }

    /// The bias vector.
    pub const fn bias(&self) -> &[f32; OUT] {
        &self.bias
    }

    /// The bias vector, mutable.
    pub fn bias_mut(&mut self) -> &mut [f32; OUT] {
        &mut self.bias
    }

    #[inline(always)]
    fn forward_rows(&self, x: &[f32], y: &mut [f32]) {
        let w = self.weight.as_flattened();
        if IN * OUT <= math::INLINE_WEIGHTS {
            math::dense_forward_inline(w, &self.bias, x, y, IN, OUT);
        } else {
            math::dense_forward(w, &self.bias, x, y, IN, OUT);
        }
    }

    #[inline(always)]
    fn backward_rows(&self, x: &[f32], dy: &[f32], grads: &mut Self, dx: Option<&mut [f32]>) {
        let (w, dw, db) = (self.weight.as_flattened(), grads.weight.as_flattened_mut(), &mut grads.bias);
        if IN * OUT <= math::INLINE_WEIGHTS {
            math::dense_backward_inline(w, x, dy, dw, db, dx, IN, OUT);
        } else {
            math::dense_backward(w, x, dy, dw, db, dx, IN, OUT);
        }
    }
}

impl<const IN: usize, const OUT: usize> Zeros for Dense<IN, OUT> {
    fn zeros() -> Self {
        Dense::zeros()
    }
}

impl<const IN: usize, const OUT: usize> Default for Dense<IN, OUT> {
    /// Same as [`Dense::zeros`]; initialise with [`crate::init`] before training.
    fn default() -> Self {
        Dense::zeros()
    }
}

impl<const IN: usize, const OUT: usize> Layer<[f32; IN]> for Dense<IN, OUT> {
    type Output = [f32; OUT];
    #[inline]
    fn forward(&self, x: &[f32; IN]) -> [f32; OUT] {
        let mut y = [0.0; OUT];
        self.forward_rows(x, &mut y);
        y
    }
}

impl<const IN: usize, const OUT: usize, const B: usize> Layer<[[f32; IN]; B]> for Dense<IN, OUT> {
    type Output = [[f32; OUT]; B];
    #[inline]
    fn forward(&self, x: &[[f32; IN]; B]) -> [[f32; OUT]; B] {
        let mut y = [[0.0; OUT]; B];
        self.forward_rows(x.as_flattened(), y.as_flattened_mut());
        y
    }
}

impl<const IN: usize, const OUT: usize> Backprop<[f32; IN]> for Dense<IN, OUT> {
    /// The input, needed for dL/dW.
    type Cache = [f32; IN];
    #[inline]
    fn forward_train(&self, x: &[f32; IN], cache: &mut [f32; IN]) -> [f32; OUT] {
        *cache = *x;
        self.forward(x)
    }
    #[inline]
    fn backward(&self, cache: &[f32; IN], d_out: &[f32; OUT], grads: &mut Self) -> [f32; IN] {
        let mut dx = [0.0; IN];
        self.backward_rows(cache, d_out, grads, Some(&mut dx));
        dx
    }
    /// Skips the `W`ᵀ·dy product.
    #[inline]
    fn backward_params(&self, cache: &[f32; IN], d_out: &[f32; OUT], grads: &mut Self) {
        self.backward_rows(cache, d_out, grads, None);
    }
}

impl<const IN: usize, const OUT: usize, const B: usize> Backprop<[[f32; IN]; B]> for Dense<IN, OUT> {
    /// The input batch, needed for dL/dW.
    type Cache = [[f32; IN]; B];
    #[inline]
    fn forward_train(&self, x: &[[f32; IN]; B], cache: &mut [[f32; IN]; B]) -> [[f32; OUT]; B] {
        *cache = *x;
        self.forward(x)
    }
    #[inline]
    fn backward(&self, cache: &[[f32; IN]; B], d_out: &[[f32; OUT]; B], grads: &mut Self) -> [[f32; IN]; B] {
        let mut dx = [[0.0; IN]; B];
        self.backward_rows(cache.as_flattened(), d_out.as_flattened(), grads, Some(dx.as_flattened_mut()));
        dx
    }
    /// Skips the `dy`·`W` product.
    #[inline]
    fn backward_params(&self, cache: &[[f32; IN]; B], d_out: &[[f32; OUT]; B], grads: &mut Self) {
        self.backward_rows(cache.as_flattened(), d_out.as_flattened(), grads, None);
    }
}

impl<const IN: usize, const OUT: usize> Params for Dense<IN, OUT> {
    const TENSORS: usize = 2;
    const PARAMS: usize = IN * OUT + OUT;
    const FINGERPRINT: u64 =
        fingerprint::mix(fingerprint::mix(fingerprint::str("Dense"), IN as u64), OUT as u64);
    fn shape(i: usize) -> TensorShape {
        match i {
            0 => TensorShape { kind: TensorKind::Weight, rows: OUT, cols: IN },
            _ => TensorShape { kind: TensorKind::Bias, rows: 1, cols: OUT },
        }
    }
    #[inline]
    fn tensor(&self, i: usize) -> &[f32] {
        match i {
            0 => self.weight.as_flattened(),
            _ => &self.bias,
        }
    }
    #[inline]
    fn tensor_mut(&mut self, i: usize) -> &mut [f32] {
        match i {
            0 => self.weight.as_flattened_mut(),
            _ => &mut self.bias,
        }
    }
}
