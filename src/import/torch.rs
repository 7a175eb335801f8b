//! PyTorch `state_dict`s saved as safetensors, in and out.
//!
//! A constnet tuple network maps onto a `torch.nn.Sequential` of the same
//! layers: the layer at position `i` of the tuple is module `i`, so a
//! [`Dense<IN, OUT>`](crate::Dense) there owns `"{i}.weight"` (`[OUT, IN]`,
//! as `nn.Linear` stores it, the same row-major order as `Dense`) and
//! `"{i}.bias"` (`[OUT]`), and an activation takes an index but holds
//! nothing, exactly as in `nn.Sequential(...).state_dict()`. Nested tuples
//! count as one flat `Sequential` (their layers are numbered on).
//!
//! [`read_into`] is strict, like torch's `load_state_dict(strict=True)`:
//! every tensor the network needs must be there, as `F32` with its shape,
//! finite, and no other tensor may be; each problem is its own
//! [`TorchError`] naming the tensor. Malformed files (truncated, a header
//! length beyond the file, offsets out of range or overlapping) are refused
//! by the `safetensors` crate's checks and reported as
//! [`TorchError::Format`]. Nothing panics, whatever the bytes.
//!
//! ```
//! use constnet::import::torch;
//! use constnet::{Dense, Params, Relu, Sigmoid};
//! type Net = (Dense<4, 16>, Relu, Dense<16, 1>, Sigmoid);
//! let mut net = Net::zeros_params();
//! net.0.weight_mut()[2][3] = 0.5;
//! let bytes = torch::to_safetensors(&net)?;          // what torch.load_file reads
//! let back: Net = torch::from_safetensors(&bytes)?;  // what safetensors.torch.save_file wrote
//! assert_eq!(back, net);
//! assert_eq!(torch::names::<Net>(), ["0.weight", "0.bias", "2.weight", "2.bias"]);
//! # Ok::<(), torch::TorchError>(())
//! ```

#[allow(unused_imports)]
use std::{format, prelude::rust_2024::*, vec};

use crate::{Dense, Identity, LeakyRelu, Params, Relu, Sigmoid, Softmax, Tanh, TensorKind};
use core::fmt;
use safetensors::{Dtype, SafeTensors, tensor::TensorView};

/// A network whose parameters have `torch.nn.Sequential` names.
///
/// Implemented for [`Dense`], the activations and tuples of them (up to 8,
/// nested freely; nesting does not start a new numbering).
/// Networks made with [`network!`](crate::network!) forward to their tuple.
///
/// ```
/// use constnet::import::torch::{self, Sequential};
/// use constnet::{network, Dense, Relu, Sigmoid};
///
/// network! {
///     #[derive(Debug, PartialEq)]
///     struct Net((Dense<4, 16>, (Relu, Dense<16, 1>), Sigmoid));
/// }
/// assert_eq!(Net::MODULES, 4);
/// assert_eq!(Net::module(2), 2); // Dense<16, 1>'s weight
/// assert_eq!(torch::names::<Net>(), ["0.weight", "0.bias", "2.weight", "2.bias"]);
/// let net = Net((Dense::zeros(), (Relu, Dense::new([[0.5; 16]], [1.0])), Sigmoid));
/// assert_eq!(torch::from_safetensors::<Net>(&torch::to_safetensors(&net)?)?, net);
/// # Ok::<(), torch::TorchError>(())
/// ```
pub trait Sequential: Params {
    /// How many `nn.Sequential` modules the network is (every layer counts,
    /// parameter-free ones too).
    const MODULES: usize;
    /// The module that owns parameter tensor `i` (`i < TENSORS`).
    fn module(i: usize) -> usize;
}

macro_rules! leaf_module {
    ($($t:ty),*) => {$(
        impl Sequential for $t {
            const MODULES: usize = 1;
            fn module(_: usize) -> usize {
                0
            }
        }
    )*};
}
leaf_module!(Relu, LeakyRelu, Sigmoid, Tanh, Identity, Softmax);

impl<const IN: usize, const OUT: usize> Sequential for Dense<IN, OUT> {
    const MODULES: usize = 1;
    fn module(_: usize) -> usize {
        0
    }
}

macro_rules! tuple_module {
    ($($T:ident),+) => {
        impl<$($T: Sequential),+> Sequential for ($($T,)+) {
            const MODULES: usize = 0 $(+ $T::MODULES)+;
            fn module(i: usize) -> usize {
                let (mut i, mut first) = (i, 0);
                $(
                    if i < $T::TENSORS {
                        return first + $T::module(i);
                    }
                    i -= $T::TENSORS;
                    first += $T::MODULES;
                )+
                let _ = (i, first);
                0
            }
        }
    };
}
tuple_module!(A, B);
tuple_module!(A, B, C);
tuple_module!(A, B, C, D);
tuple_module!(A, B, C, D, E);
tuple_module!(A, B, C, D, E, F);
tuple_module!(A, B, C, D, E, F, G);
tuple_module!(A, B, C, D, E, F, G, H);

/// The `state_dict` name of parameter tensor `i` of `N`.
fn name<N: Sequential>(i: usize) -> String {
    let kind = match N::shape(i).kind {
        TensorKind::Weight => "weight",
        TensorKind::Bias => "bias",
    };
    format!("{}.{kind}", N::module(i))
}

/// The shape torch gives tensor `i`: `[rows, cols]` for a weight, `[cols]`
/// for a bias.
fn torch_shape<N: Sequential>(i: usize) -> Vec<usize> {
    let s = N::shape(i);
    match s.kind {
        TensorKind::Weight => vec![s.rows, s.cols],
        TensorKind::Bias => vec![s.rows * s.cols],
    }
}

/// The `state_dict` names of `N`'s parameters, in [`Params`] order.
///
/// ```
/// use constnet::import::torch::names;
/// use constnet::{Dense, Tanh};
/// assert_eq!(names::<(Dense<2, 3>, (Tanh, Dense<3, 1>))>(), ["0.weight", "0.bias", "2.weight", "2.bias"]);
/// ```
pub fn names<N: Sequential>() -> Vec<String> {
    (0..N::TENSORS).map(name::<N>).collect()
}

/// Why a safetensors file could not be read into (or written from) a
/// network.
///
/// Non-exhaustive: later versions may add checks.
///
/// ```
/// use constnet::import::torch::{self, TorchError};
/// use constnet::Dense;
/// let err = torch::from_safetensors::<Dense<2, 2>>(b"not safetensors").unwrap_err();
/// assert!(matches!(err, TorchError::Format(_)));
/// assert!(err.to_string().starts_with("not a valid safetensors file: "));
/// let e: &dyn std::error::Error = &err; // Display + Error
/// # let _ = e;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TorchError {
    /// Not a valid safetensors file (truncated, bad header, offsets out of
    /// range or overlapping, …): the `safetensors` crate's message.
    Format(String),
    /// A tensor the network needs is not in the file.
    Missing {
        /// Its `state_dict` name.
        name: String,
    },
    /// The file holds a tensor the network has no place for.
    Unexpected {
        /// Its name.
        name: String,
    },
    /// A tensor is not `F32`.
    DType {
        /// Its name.
        name: String,
        /// The dtype in the file (`F16`, `BF16`, `F64`, …).
        found: String,
    },
    /// A tensor has another shape than the network's.
    Shape {
        /// Its name.
        name: String,
        /// The shape the network needs.
        expected: Vec<usize>,
        /// The shape in the file.
        found: Vec<usize>,
    },
    /// A tensor holds a NaN or an infinity.
    NonFinite {
        /// Its name.
        name: String,
    },
}

impl fmt::Display for TorchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TorchError::Format(e) => write!(f, "not a valid safetensors file: {e}"),
            TorchError::Missing { name } => write!(f, "tensor `{name}` is missing from the file"),
            TorchError::Unexpected { name } => {
                write!(f, "the file holds tensor `{name}`, which the network does not have")
            }
            TorchError::DType { name, found } => write!(f, "tensor `{name}` is {found}; constnet reads F32"),
            TorchError::Shape { name, expected, found } => {
                write!(f, "tensor `{name}` has shape {found:?}; the network needs {expected:?}")
            }
            TorchError::NonFinite { name } => write!(f, "tensor `{name}` holds a NaN or an infinity"),
        }
    }
}

impl std::error::Error for TorchError {}

fn format_error(e: safetensors::SafeTensorError) -> TorchError {
    TorchError::Format(e.to_string())
}

/// Reads a `state_dict` in safetensors form into `net`'s parameters,
/// keeping its activations' settings (a [`LeakyRelu`]'s slope). `net` is
/// unchanged on error.
///
/// ```
/// use constnet::import::torch::{self, TorchError};
/// use constnet::{Dense, Params, Relu};
/// let bytes = torch::to_safetensors(&(Dense::<2, 2>::zeros_params(), Relu))?;
/// let mut wrong = (Dense::<2, 3>::zeros_params(), Relu);
/// let err = torch::read_into(&mut wrong, &bytes).unwrap_err();
/// assert_eq!(err, TorchError::Shape { name: "0.weight".into(), expected: vec![3, 2], found: vec![2, 2] });
/// assert!(matches!(torch::read_into(&mut wrong, &bytes[..10]), Err(TorchError::Format(_))));
/// # Ok::<(), TorchError>(())
/// ```
///
/// # Errors
/// [`TorchError`]: a malformed file, or a missing, unexpected, non-`F32`,
/// misshapen or non-finite tensor.
pub fn read_into<N: Sequential>(net: &mut N, bytes: &[u8]) -> Result<(), TorchError> {
    let file = SafeTensors::deserialize(bytes).map_err(format_error)?;
    let wanted = names::<N>();
    let mut found: Vec<&str> = file.names();
    found.sort_unstable();
    if let Some(extra) = found.iter().find(|n| !wanted.iter().any(|w| w == *n)) {
        return Err(TorchError::Unexpected { name: (*extra).to_string() });
    }
    let mut views = Vec::with_capacity(N::TENSORS);
    for (i, name) in wanted.iter().enumerate() {
        let view = match file.tensor(name) {
            Ok(v) => v,
            Err(safetensors::SafeTensorError::TensorNotFound(_)) => {
                return Err(TorchError::Missing { name: name.clone() });
            }
            Err(e) => return Err(format_error(e)),
        };
        if view.dtype() != Dtype::F32 {
            return Err(TorchError::DType { name: name.clone(), found: format!("{:?}", view.dtype()) });
        }
        let expected = torch_shape::<N>(i);
        if view.shape() != expected.as_slice() {
            return Err(TorchError::Shape { name: name.clone(), expected, found: view.shape().to_vec() });
        }
        let values: Vec<f32> =
            view.data().chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
        if values.len() != net.tensor(i).len() {
            return Err(TorchError::Format(format!("tensor `{name}` holds {} bytes", view.data().len())));
        }
        if values.iter().any(|v| !v.is_finite()) {
            return Err(TorchError::NonFinite { name: name.clone() });
        }
        views.push(values);
    }
    for (i, values) in views.into_iter().enumerate() {
        net.tensor_mut(i).copy_from_slice(&values);
    }
    Ok(())
}

/// Reads a `state_dict` in safetensors form into a new network of type `N`
/// (activations at their [`Zeros`](crate::Zeros) settings; use [`read_into`]
/// to keep others).
///
/// ```
/// use constnet::import::torch;
/// use constnet::{Dense, Tanh};
/// let bytes = torch::to_safetensors(&(Dense::new([[2.0]], [1.0]), Tanh))?;
/// let (dense, _): (Dense<1, 1>, Tanh) = torch::from_safetensors(&bytes)?;
/// assert_eq!((dense.weight(), dense.bias()), (&[[2.0]], &[1.0]));
/// # Ok::<(), torch::TorchError>(())
/// ```
///
/// # Errors
/// As [`read_into`].
pub fn from_safetensors<N: Sequential>(bytes: &[u8]) -> Result<N, TorchError> {
    let mut net = N::zeros_params();
    read_into(&mut net, bytes)?;
    Ok(net)
}

/// Writes `net`'s parameters as a safetensors `state_dict` that
/// `safetensors.torch.load_file` returns and `nn.Sequential.load_state_dict`
/// takes.
///
/// ```
/// use constnet::import::torch;
/// use constnet::Dense;
/// let net = Dense::<2, 1>::new([[1.0, 2.0]], [3.0]);
/// let bytes = torch::to_safetensors(&net)?;
/// assert_eq!(bytes, torch::to_safetensors(&net)?); // deterministic
/// let header_len = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
/// assert_eq!(bytes.len(), 8 + header_len + 4 * 3); // header, then 3 f32
/// # Ok::<(), torch::TorchError>(())
/// ```
///
/// # Errors
/// [`TorchError::Format`] if the `safetensors` crate refuses to serialize
/// (it does not for any constnet network).
pub fn to_safetensors<N: Sequential>(net: &N) -> Result<Vec<u8>, TorchError> {
    let bytes: Vec<Vec<u8>> =
        (0..N::TENSORS).map(|i| net.tensor(i).iter().flat_map(|v| v.to_le_bytes()).collect()).collect();
    let mut views = Vec::with_capacity(N::TENSORS);
    for (i, b) in bytes.iter().enumerate() {
        views
            .push((name::<N>(i), TensorView::new(Dtype::F32, torch_shape::<N>(i), b).map_err(format_error)?));
    }
    safetensors::serialize(views, None).map_err(format_error)
}

/// [`from_safetensors`] from a file.
///
/// ```
/// use constnet::import::torch;
/// use constnet::{Dense, Relu};
/// let path = std::env::temp_dir().join("constnet-doc-torch-load.safetensors");
/// torch::save(&(Dense::<3, 2>::new([[0.5; 3]; 2], [1.0; 2]), Relu), &path)?;
/// let net: (Dense<3, 2>, Relu) = torch::load(&path)?;
/// assert_eq!(net.0.bias(), &[1.0; 2]);
/// let wrong = torch::load::<(Dense<3, 4>, Relu), _>(&path).unwrap_err();
/// assert_eq!(wrong.kind(), std::io::ErrorKind::InvalidData);
/// # std::fs::remove_file(&path).ok();
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
/// Any error reading the file; a file that is not a valid `state_dict` for
/// `N` gives [`std::io::ErrorKind::InvalidData`] wrapping the [`TorchError`].
pub fn load<N: Sequential, P: AsRef<std::path::Path>>(path: P) -> std::io::Result<N> {
    let bytes = std::fs::read(path)?;
    from_safetensors(&bytes).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}

/// [`to_safetensors`] into a file.
///
/// ```
/// use constnet::import::torch;
/// use constnet::Dense;
/// let path = std::env::temp_dir().join("constnet-doc-torch-save.safetensors");
/// let net = Dense::<1, 2>::new([[1.0], [2.0]], [0.5, -0.5]);
/// torch::save(&net, &path)?;
/// assert_eq!(std::fs::read(&path)?, torch::to_safetensors(&net).unwrap());
/// # std::fs::remove_file(&path).ok();
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
/// Any error writing the file.
pub fn save<N: Sequential, P: AsRef<std::path::Path>>(net: &N, path: P) -> std::io::Result<()> {
    let bytes = to_safetensors(net).map_err(std::io::Error::other)?;
    std::fs::write(path, bytes)
}
