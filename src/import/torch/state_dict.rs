//! [`StateDict`]: the `torch.nn.Sequential` names of a network's tensors.

use crate::{Dense, Identity, LeakyRelu, Params, Relu, Sigmoid, Softmax, Tanh, TensorKind};
use std::string::String;
use std::vec::Vec;

/// A layer or network whose parameter tensors have `torch.nn.Sequential`
/// `state_dict` names.
///
/// Each layer takes [`MODULES`](Self::MODULES) positions of the `Sequential`
/// (one for every layer in this crate); a tuple numbers its elements one
/// after the other, so tensor `i` of `(Dense<4, 16>, Relu, Dense<16, 3>)` is
/// named like `nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3))`
/// names it: `0.weight` `[16, 4]`, `0.bias` `[16]`, `2.weight` `[3, 16]`,
/// `2.bias` `[3]`. Activations take a position but own no tensors, exactly as
/// in PyTorch.
///
/// **Nested tuples flatten** into one numbering: `(Dense<4, 16>, (Relu,
/// Dense<16, 3>))` has the same names as the flat tuple above (not the
/// `1.1.weight` a nested `Sequential` would give). Networks made with
/// [`network!`](crate::network!) forward to their tuple.
///
/// ```
/// use constnet::import::torch::StateDict;
/// use constnet::{Dense, Relu, Sigmoid};
///
/// type Net = (Dense<4, 16>, Relu, (Dense<16, 3>, Sigmoid));
/// assert_eq!(Net::MODULES, 4);
/// assert_eq!(Net::key(2), "2.weight");
/// assert_eq!(Net::torch_shape(2), [3, 16]);
/// assert_eq!(Net::torch_shape(3), [3]);
/// ```
///
/// # Implementing this trait
/// Give [`MODULES`](Self::MODULES) and [`tensor_key`](Self::tensor_key);
/// [`torch_shape`](Self::torch_shape) defaults to `[rows, cols]` for a
/// [`TensorKind::Weight`] and `[cols]` for a [`TensorKind::Bias`] (override it
/// for other layouts; its product must equal the tensor's length).
pub trait StateDict: Params {
    /// Number of `nn.Sequential` positions this value takes.
    const MODULES: usize;

    /// Position (counted from this value's first position) and attribute
    /// name (`"weight"`, `"bias"`) of tensor `i` (`i < TENSORS`).
    fn tensor_key(i: usize) -> (usize, &'static str);

    /// The `state_dict` key of tensor `i`, e.g. `"2.weight"`.
    ///
    /// ```
    /// use constnet::import::torch::StateDict;
    /// use constnet::{Dense, Tanh};
    /// assert_eq!(<(Tanh, Dense<2, 1>)>::key(1), "1.bias");
    /// ```
    fn key(i: usize) -> String {
        let (position, name) = Self::tensor_key(i);
        std::format!("{position}.{name}")
    }

    /// The PyTorch shape of tensor `i`: `[OUT, IN]` for a `Dense` weight
    /// (like `nn.Linear.weight`), `[OUT]` for its bias.
    ///
    /// ```
    /// use constnet::import::torch::StateDict;
    /// use constnet::Dense;
    /// assert_eq!(Dense::<4, 8>::torch_shape(0), [8, 4]);
    /// assert_eq!(Dense::<4, 8>::torch_shape(1), [8]);
    /// ```
    fn torch_shape(i: usize) -> Vec<usize> {
        let s = Self::shape(i);
        match s.kind {
            TensorKind::Weight => std::vec![s.rows, s.cols],
            TensorKind::Bias => std::vec![s.cols],
        }
    }
}

impl<const IN: usize, const OUT: usize> StateDict for Dense<IN, OUT> {
    const MODULES: usize = 1;
    fn tensor_key(i: usize) -> (usize, &'static str) {
        (0, if i == 0 { "weight" } else { "bias" })
    }
}

macro_rules! stateless {
    ($($name:ident),+) => {$(
        /// Takes one `nn.Sequential` position and holds no tensors.
        impl StateDict for $name {
            const MODULES: usize = 1;
            fn tensor_key(_: usize) -> (usize, &'static str) {
                (0, "")
            }
        }
    )+};
}
stateless!(Relu, LeakyRelu, Sigmoid, Tanh, Identity, Softmax);

// For (A, B): tensors of A keep A's positions; B's are shifted by A::MODULES.
macro_rules! tuple_state_dict {
    ($($T:ident),+) => {
        impl<$($T: StateDict),+> StateDict for ($($T,)+) {
            const MODULES: usize = 0 $(+ $T::MODULES)+;
            fn tensor_key(i: usize) -> (usize, &'static str) {
                let (mut i, mut first) = (i, 0);
                $(
                    if i < $T::TENSORS {
                        let (position, name) = $T::tensor_key(i);
                        return (first + position, name);
                    }
                    i -= $T::TENSORS;
                    first += $T::MODULES;
                )+
                let _ = i;
                (first, "")
            }
            fn torch_shape(i: usize) -> Vec<usize> {
                let mut i = i;
                $(
                    if i < $T::TENSORS {
                        return $T::torch_shape(i);
                    }
                    i -= $T::TENSORS;
                )+
                let _ = i;
                Vec::new()
            }
        }
    };
}
tuple_state_dict!(A, B);
tuple_state_dict!(A, B, C);
tuple_state_dict!(A, B, C, D);
tuple_state_dict!(A, B, C, D, E);
tuple_state_dict!(A, B, C, D, E, F);
tuple_state_dict!(A, B, C, D, E, F, G);
tuple_state_dict!(A, B, C, D, E, F, G, H);

#[cfg(test)]
mod tests {
    use super::*;

    fn keys<N: StateDict>() -> Vec<(String, Vec<usize>)> {
        (0..N::TENSORS).map(|i| (N::key(i), N::torch_shape(i))).collect()
    }

    #[test]
    fn nested_tuples_flatten() {
        type Flat = (Dense<4, 16>, Relu, Dense<16, 8>, Tanh, Dense<8, 3>, Sigmoid);
        type Nested = ((Dense<4, 16>, Relu), (Dense<16, 8>, (Tanh, Dense<8, 3>)), Sigmoid);
        assert_eq!(keys::<Flat>(), keys::<Nested>());
        assert_eq!(Flat::MODULES, 6);
        assert_eq!(Nested::MODULES, 6);
        assert_eq!(keys::<Flat>()[4], ("4.weight".into(), std::vec![3, 8]));
    }
}
