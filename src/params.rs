//! Parameter visiting: every trainable value in a layer or network, as
//! numbered flat `f32` slices ("tensors").
//!
//! Optimizers, initialisers, gradient checks and the model format are plain
//! loops over `0..M::TENSORS`, with no per-layer code. Because gradients and
//! optimizer state are values of the model's own type, tensor `i` of the
//! model, of its gradient and of each moment line up by construction.
//!
//! ```
//! use constnet::{Dense, Params, Relu};
//! type Net = (Dense<2, 3>, Relu, Dense<3, 1>);
//! assert_eq!(Net::TENSORS, 4);               // W1, b1, W2, b2
//! assert_eq!(Net::PARAMS, 2 * 3 + 3 + 3 + 1);
//! let mut net = Net::zeros_params();
//! net.tensor_mut(2).fill(0.5);               // second layer's weights
//! assert_eq!(net.2.weight(), &[[0.5; 3]]);
//! ```

use crate::Zeros;

/// What a parameter tensor is for. Initialisers treat weights and biases
/// differently.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TensorKind {
    /// A weight matrix of `rows = fan_out` by `cols = fan_in`.
    Weight,
    /// A bias vector (`rows = 1`, `cols = len`).
    Bias,
}

/// The kind and shape of one parameter tensor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TensorShape {
    /// Weight or bias.
    pub kind: TensorKind,
    /// Rows (fan-out for a weight matrix, 1 for a bias).
    pub rows: usize,
    /// Columns (fan-in for a weight matrix, length for a bias).
    pub cols: usize,
}

impl TensorShape {
    /// Number of values, `rows * cols`.
    pub const fn len(&self) -> usize {
        self.rows * self.cols
    }
    /// True for a shape with no values.
    pub const fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A value whose trainable numbers can be visited as numbered flat slices.
///
/// Implemented by every layer (activations have zero tensors), by tuples of
/// them, and by networks made with [`network!`](crate::network!).
///
/// # Implementing this trait
/// Give `TENSORS`, `PARAMS` (the sum of the tensors' lengths), `shape(i)` and
/// the two accessors; `tensor(i)` for `i >= TENSORS` may return any slice
/// (tuples never ask for it). Every other method is provided.
pub trait Params: Zeros {
    /// Number of parameter tensors.
    const TENSORS: usize;
    /// Number of scalar parameters (sum of all tensor lengths).
    const PARAMS: usize;
    /// Bytes of parameters (`PARAMS * 4`); for a `Dense` stack this is also
    /// `size_of::<Self>()`.
    const PARAM_BYTES: usize = Self::PARAMS * core::mem::size_of::<f32>();
    /// A hash of the architecture — layer kinds and sizes, in order — computed
    /// at compile time with [`fingerprint`]. Two types with the same
    /// fingerprint have parameters of the same layout; the model format stores
    /// it to refuse weights made for another network.
    const FINGERPRINT: u64;

    /// Kind and shape of tensor `i` (`i < TENSORS`).
    fn shape(i: usize) -> TensorShape;
    /// Tensor `i` as a flat slice.
    fn tensor(&self, i: usize) -> &[f32];
    /// Tensor `i` as a mutable flat slice.
    fn tensor_mut(&mut self, i: usize) -> &mut [f32];

    /// A value with every parameter zero (same as [`Zeros::zeros`]); handy
    /// as a fresh gradient accumulator.
    fn zeros_params() -> Self {
        Self::zeros()
    }

    /// Sets every parameter to zero, e.g. to reset accumulated gradients.
    fn set_zero(&mut self) {
        for i in 0..Self::TENSORS {
            self.tensor_mut(i).fill(0.0);
        }
    }

    /// Multiplies every parameter by `s`.
    fn scale(&mut self, s: f32) {
        for i in 0..Self::TENSORS {
            self.tensor_mut(i).iter_mut().for_each(|v| *v *= s);
        }
    }

    /// True when no parameter is NaN or infinite.
    fn all_finite(&self) -> bool {
        (0..Self::TENSORS).all(|i| crate::math::all_finite(self.tensor(i)))
    }

    /// Copies every parameter from `other`.
    fn copy_params_from(&mut self, other: &Self) {
        for i in 0..Self::TENSORS {
            self.tensor_mut(i).copy_from_slice(other.tensor(i));
        }
    }

    /// Parameter number `k` in visiting order (`k < PARAMS`), if it exists.
    fn param(&self, mut k: usize) -> Option<f32> {
        for i in 0..Self::TENSORS {
            let t = self.tensor(i);
            if k < t.len() {
                return Some(t[k]);
            }
            k -= t.len();
        }
        None
    }
}

/// Const-fn FNV-1a helpers for [`Params::FINGERPRINT`].
///
/// ```
/// use constnet::{params::fingerprint, Dense, Params, Relu};
/// assert_ne!(<(Dense<2, 3>, Relu)>::FINGERPRINT, <(Dense<3, 2>, Relu)>::FINGERPRINT);
/// assert_eq!(fingerprint::str("Dense"), fingerprint::str("Dense"));
/// ```
pub mod fingerprint {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;

    /// FNV-1a of a byte string.
    pub const fn str(s: &str) -> u64 {
        let b = s.as_bytes();
        let mut h = OFFSET;
        let mut i = 0;
        while i < b.len() {
            h = (h ^ b[i] as u64).wrapping_mul(PRIME);
            i += 1;
        }
        h
    }

    /// Mixes `v` into hash `h` (FNV-1a over its eight little-endian bytes).
    pub const fn mix(mut h: u64, v: u64) -> u64 {
        let mut i = 0;
        while i < 8 {
            h = (h ^ ((v >> (8 * i)) & 0xff)).wrapping_mul(PRIME);
            i += 1;
        }
        h
    }
}
