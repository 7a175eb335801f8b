//! PyTorch `state_dict`s saved as safetensors, read into and written from
//! constnet networks.
//!
//! A network's tensors are named as in a `torch.nn.Sequential` of the same
//! layers (see [`StateDict`]): `Dense<IN, OUT>` is `nn.Linear(IN, OUT)`, whose
//! `weight` is `[OUT, IN]` — the layout `Dense` stores — so nothing is
//! transposed. Loading is strict, like `load_state_dict(strict=True)`: every
//! key must be present, no other key may be, and every shape must match.
//!
//! ```
//! use constnet::import::torch;
//! use constnet::{Dense, Layer, Relu, Sigmoid};
//!
//! type Net = (Dense<2, 3>, Relu, Dense<3, 1>, Sigmoid);
//! let net: Net = (Dense::new([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], [0.0; 3]), Relu,
//!                 Dense::new([[1.0, -1.0, 0.5]], [0.25]), Sigmoid);
//! // What `safetensors.torch.save_file(model.state_dict(), …)` writes for
//! // nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1), nn.Sigmoid()):
//! let bytes = torch::to_safetensors(&net);
//! let back: Net = torch::from_safetensors(&bytes)?;
//! assert_eq!(back, net);
//! assert_eq!(back.forward(&[0.5, 2.0]), net.forward(&[0.5, 2.0]));
//!
//! // Weights for another network are refused, naming the tensor.
//! let err = torch::from_safetensors::<(Dense<2, 4>, Relu, Dense<4, 1>)>(&bytes).unwrap_err();
//! assert_eq!(err.to_string(), "size mismatch for 0.weight: the file has shape [3, 2], \
//!                              the network expects [4, 2]");
//! # Ok::<(), torch::TorchError>(())
//! ```
//!
//! Accuracy: `F32` tensors are copied bit for bit. `F64`, `F16` and `BF16`
//! tensors are converted, as `load_state_dict` does (`F64` rounds to the
//! nearest `f32`; `F16` and `BF16` convert exactly); any other dtype is an
//! [`TorchError::UnsupportedDtype`]. Files are always written as `F32`.
//!
//! Hostile input: every reader returns an `Err` — never panics — for
//! truncated, oversized or inconsistent bytes (the header is checked by the
//! `safetensors` crate, names, dtypes and shapes here). Tensor data need not
//! be aligned in memory.

use std::boxed::Box;
use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};
use std::string::String;
use std::vec::Vec;

use safetensors::{Dtype, SafeTensors};

mod state_dict;
pub use state_dict::StateDict;

/// Why a `state_dict` could not be read or written.
///
/// ```
/// use constnet::import::torch::{self, TorchError};
/// use constnet::Dense;
/// let err = torch::from_safetensors::<Dense<2, 2>>(b"not safetensors").unwrap_err();
/// assert!(matches!(err, TorchError::Malformed(_)));
/// assert!(err.to_string().starts_with("not a valid safetensors file: "));
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum TorchError {
    /// The bytes are not a valid safetensors file (truncated, header length
    /// out of range, header not JSON, data offsets out of range or
    /// overlapping, …); the cause is the `safetensors` crate's error, also
    /// given by [`source`](std::error::Error::source).
    Malformed(Box<dyn std::error::Error + Send + Sync + 'static>),
    /// The network has a tensor the file lacks (`strict=True`'s "Missing key").
    MissingKey {
        /// The `state_dict` key, e.g. `"4.bias"`.
        name: String,
    },
    /// The file has a tensor the network lacks (`strict=True`'s "Unexpected key").
    UnexpectedKey {
        /// The `state_dict` key found in the file.
        name: String,
    },
    /// A tensor's shape differs from the network's.
    ShapeMismatch {
        /// The `state_dict` key.
        name: String,
        /// Shape in the network (PyTorch order, `[OUT, IN]` for a weight).
        expected: Vec<usize>,
        /// Shape in the file.
        found: Vec<usize>,
    },
    /// A tensor's dtype is not `F32`, `F64`, `F16` or `BF16`.
    UnsupportedDtype {
        /// The `state_dict` key.
        name: String,
        /// The dtype as safetensors spells it, e.g. `"I64"`.
        dtype: String,
    },
    /// Reading or writing a file failed.
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
}

impl fmt::Display for TorchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed(e) => write!(f, "not a valid safetensors file: {e}"),
            Self::MissingKey { name } => write!(f, "missing key in state_dict: {name}"),
            Self::UnexpectedKey { name } => write!(f, "unexpected key in state_dict: {name}"),
            Self::ShapeMismatch { name, expected, found } => write!(
                f,
                "size mismatch for {name}: the file has shape {found:?}, the network expects {expected:?}"
            ),
            Self::UnsupportedDtype { name, dtype } => {
                write!(f, "tensor {name} has dtype {dtype}; only F32, F64, F16 and BF16 can be loaded")
            }
            Self::Io { path, source } => write!(f, "{}: {source}", path.display()),
        }
    }
}

impl std::error::Error for TorchError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Malformed(e) => Some(&**e),
            Self::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// The `state_dict` keys of network `N`, in tensor order.
///
/// ```
/// use constnet::import::torch;
/// use constnet::{Dense, Relu};
/// assert_eq!(torch::keys::<(Dense<4, 8>, Relu, Dense<8, 1>)>(),
///            ["0.weight", "0.bias", "2.weight", "2.bias"]);
/// ```
pub fn keys<N: StateDict>() -> Vec<String> {
    (0..N::TENSORS).map(N::key).collect()
}

/// Reads a network from safetensors bytes, strictly (every key present, no
/// extra key, every shape equal).
///
/// Layers without tensors come from [`Zeros`](crate::Zeros): a `LeakyRelu`
/// gets PyTorch's default slope 0.01; to keep another slope, build the
/// network and use [`read_into`].
///
/// ```
/// use constnet::import::torch;
/// use constnet::{Dense, Tanh};
/// let bytes = torch::to_safetensors(&(Dense::new([[2.0]], [1.0]), Tanh));
/// let (dense, _): (Dense<1, 1>, Tanh) = torch::from_safetensors(&bytes)?;
/// assert_eq!((dense.weight(), dense.bias()), (&[[2.0]], &[1.0]));
/// # Ok::<(), torch::TorchError>(())
/// ```
pub fn from_safetensors<N: StateDict>(bytes: &[u8]) -> Result<N, TorchError> {
    let mut net = N::zeros();
    read_into(&mut net, bytes)?;
    Ok(net)
}

/// Reads safetensors bytes into an existing network. Everything is checked
/// before anything is written: on `Err`, `net` is unchanged.
///
/// ```
/// use constnet::import::torch;
/// use constnet::{Dense, LeakyRelu};
/// let bytes = torch::to_safetensors(&Dense::<1, 1>::new([[3.0]], [0.0]));
/// let mut net = (Dense::<1, 1>::zeros(), LeakyRelu::new(0.1));
/// torch::read_into(&mut net.0, &bytes)?;
/// assert_eq!(net.0.weight(), &[[3.0]]);
/// assert!(torch::read_into(&mut net, &bytes).is_err()); // "0.weight" vs one more position
/// # Ok::<(), torch::TorchError>(())
/// ```
pub fn read_into<N: StateDict>(net: &mut N, bytes: &[u8]) -> Result<(), TorchError> {
    let file = SafeTensors::deserialize(bytes).map_err(|e| TorchError::Malformed(Box::new(e)))?;
    let keys = keys::<N>();
    let mut views = Vec::with_capacity(keys.len());
    for key in &keys {
        match file.tensor(key) {
            Ok(view) => views.push(view),
            Err(_) => return Err(TorchError::MissingKey { name: key.clone() }),
        }
    }
    let expected: BTreeSet<&str> = keys.iter().map(String::as_str).collect();
    let found: BTreeSet<&str> = file.names().into_iter().collect();
    if let Some(extra) = found.difference(&expected).next() {
        return Err(TorchError::UnexpectedKey { name: String::from(*extra) });
    }
    for (i, (key, view)) in keys.iter().zip(&views).enumerate() {
        let size = match view.dtype() {
            Dtype::F32 => 4,
            Dtype::F64 => 8,
            Dtype::F16 | Dtype::BF16 => 2,
            other => return Err(TorchError::UnsupportedDtype { name: key.clone(), dtype: other.to_string() }),
        };
        let shape = N::torch_shape(i);
        // The data length check also guards a `StateDict` impl whose
        // `torch_shape` disagrees with its tensor's length.
        if view.shape() != shape.as_slice() || view.data().len() != N::shape(i).len().saturating_mul(size) {
            return Err(TorchError::ShapeMismatch {
                name: key.clone(),
                expected: shape,
                found: view.shape().to_vec(),
            });
        }
    }
    for (i, view) in views.iter().enumerate() {
        decode(view.dtype(), view.data(), net.tensor_mut(i));
    }
    Ok(())
}

/// Converts little-endian `data` of `dtype` into `out` (lengths checked by
/// the caller; a short input leaves the rest of `out` untouched).
fn decode(dtype: Dtype, data: &[u8], out: &mut [f32]) {
    match dtype {
        Dtype::F64 => {
            for (o, b) in out.iter_mut().zip(data.chunks_exact(8)) {
                let mut a = [0; 8];
                a.copy_from_slice(b);
                *o = f64::from_le_bytes(a) as f32;
            }
        }
        Dtype::F16 => {
            for (o, b) in out.iter_mut().zip(data.chunks_exact(2)) {
                *o = f16_to_f32(u16::from_le_bytes([b[0], b[1]]));
            }
        }
        Dtype::BF16 => {
            for (o, b) in out.iter_mut().zip(data.chunks_exact(2)) {
                *o = f32::from_bits(u32::from(u16::from_le_bytes([b[0], b[1]])) << 16);
            }
        }
        _ => {
            for (o, b) in out.iter_mut().zip(data.chunks_exact(4)) {
                *o = f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
            }
        }
    }
}

/// IEEE half to single precision, exactly (NaN payloads kept, quiet bit set).
fn f16_to_f32(h: u16) -> f32 {
    let sign = u32::from(h >> 15) << 31;
    let exp = u32::from((h >> 10) & 0x1f);
    let man = u32::from(h & 0x3ff);
    let bits = match (exp, man) {
        (0, 0) => sign,
        // Subnormal: man · 2^-24, exact in f32.
        (0, m) => return f32::from_bits(sign) + f32::from_bits(sign | (m as f32 * 2f32.powi(-24)).to_bits()),
        (0x1f, 0) => sign | 0x7f80_0000,
        (0x1f, m) => sign | 0x7fc0_0000 | (m << 13),
        (e, m) => sign | ((e + 127 - 15) << 23) | (m << 13),
    };
    f32::from_bits(bits)
}

/// Writes a network as safetensors bytes that
/// `model.load_state_dict(safetensors.torch.load_file(path))` accepts for the
/// matching `nn.Sequential`.
///
/// Every tensor is `F32`, in the network's tensor order; the header carries
/// `{"__metadata__": {"format": "pt"}}` and is padded with spaces to a
/// multiple of 8 bytes, so the data is aligned. The output depends only on the
/// parameters: the same network gives the same bytes.
///
/// ```
/// use constnet::import::torch;
/// use constnet::Dense;
/// let bytes = torch::to_safetensors(&Dense::<2, 1>::new([[1.0, 2.0]], [3.0]));
/// let header_len = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
/// assert_eq!(header_len % 8, 0);
/// assert_eq!(bytes.len(), 8 + header_len + 4 * 3);
/// assert!(std::str::from_utf8(&bytes[8..8 + header_len]).unwrap()
///     .contains(r#""0.weight":{"dtype":"F32","shape":[1,2],"data_offsets":[0,8]}"#));
/// ```
pub fn to_safetensors<N: StateDict>(net: &N) -> Vec<u8> {
    let mut header = String::from(r#"{"__metadata__":{"format":"pt"}"#);
    let mut offset = 0usize;
    for i in 0..N::TENSORS {
        let end = offset + 4 * net.tensor(i).len();
        let shape: Vec<String> = N::torch_shape(i).iter().map(usize::to_string).collect();
        header.push_str(&std::format!(
            r#","{}":{{"dtype":"F32","shape":[{}],"data_offsets":[{offset},{end}]}}"#,
            json_escape(&N::key(i)),
            shape.join(",")
        ));
        offset = end;
    }
    header.push('}');
    while header.len() % 8 != 0 {
        header.push(' ');
    }
    let mut out = Vec::with_capacity(8 + header.len() + offset);
    out.extend_from_slice(&(header.len() as u64).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    for i in 0..N::TENSORS {
        for v in net.tensor(i) {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
    out
}

fn json_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => out.push_str(&std::format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out
}

/// Reads a network from a `.safetensors` file (see [`from_safetensors`]).
///
/// ```
/// use constnet::import::torch;
/// use constnet::{Dense, Relu};
/// let path = std::env::temp_dir().join("constnet-doc-torch-load.safetensors");
/// torch::save(&(Dense::<3, 2>::zeros(), Relu), &path)?;
/// let net: (Dense<3, 2>, Relu) = torch::load(&path)?;
/// assert_eq!(net.0, Dense::zeros());
/// assert!(matches!(torch::load::<Dense<3, 2>>("/nonexistent/x.safetensors"),
///                  Err(torch::TorchError::Io { .. })));
/// # std::fs::remove_file(&path).ok();
/// # Ok::<(), torch::TorchError>(())
/// ```
pub fn load<N: StateDict>(path: impl AsRef<Path>) -> Result<N, TorchError> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|source| TorchError::Io { path: path.into(), source })?;
    from_safetensors(&bytes)
}

/// Writes a network to a `.safetensors` file (see [`to_safetensors`]).
///
/// ```
/// use constnet::import::torch;
/// use constnet::Dense;
/// let path = std::env::temp_dir().join("constnet-doc-torch-save.safetensors");
/// let net = Dense::<1, 2>::new([[1.0], [2.0]], [0.5, -0.5]);
/// torch::save(&net, &path)?;
/// assert_eq!(std::fs::read(&path).unwrap(), torch::to_safetensors(&net));
/// # std::fs::remove_file(&path).ok();
/// # Ok::<(), torch::TorchError>(())
/// ```
pub fn save<N: StateDict>(net: &N, path: impl AsRef<Path>) -> Result<(), TorchError> {
    let path = path.as_ref();
    std::fs::write(path, to_safetensors(net)).map_err(|source| TorchError::Io { path: path.into(), source })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f16_reference_values() {
        let table: [(u16, f32); 9] = [
            (0x0000, 0.0),
            (0x3c00, 1.0),
            (0xc000, -2.0),
            (0x3555, 0.333_251_95),
            (0x7bff, 65504.0),
            (0x0001, 5.960_464_5e-8),
            (0x03ff, 6.097_555e-5),
            (0x0400, 6.103_515_6e-5),
            (0x7c00, f32::INFINITY),
        ];
        for (h, want) in table {
            assert_eq!(f16_to_f32(h), want, "{h:#06x}");
        }
        assert!(f16_to_f32(0x8000).is_sign_negative() && f16_to_f32(0x8000) == 0.0);
        assert_eq!(f16_to_f32(0x8001), -5.960_464_5e-8);
        assert_eq!(f16_to_f32(0xfc00), f32::NEG_INFINITY);
        assert!(f16_to_f32(0x7e00).is_nan());
    }

    #[test]
    fn json_escape_quotes_and_controls() {
        assert_eq!(json_escape("a\"b\\c\n"), "a\\\"b\\\\c\\u000a");
    }
}
