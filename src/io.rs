//! The model format: versioned, checksummed little-endian bytes, read at run
//! time into any [`Params`] type or at compile time into a `static`.
//!
//! # Layout (version 1)
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 4 | magic `b"CNET"` |
//! | 4 | 4 | format version, `u32` ([`VERSION`]) |
//! | 8 | 8 | architecture fingerprint, `u64` ([`Params::FINGERPRINT`]) |
//! | 16 | 4 | parameter count, `u32` ([`Params::PARAMS`]) |
//! | 20 | 4 · count | the parameters as `f32`, tensor after tensor in [`Params`] order |
//! | 20 + 4 · count | 4 | CRC-32 (IEEE, as zlib/PNG) of every byte before it |
//!
//! All integers and floats are little-endian, so a file is the same on every
//! machine; the parameters start at offset 20, a multiple of 4. The size of a model's
//! file is known at compile time: [`encoded_len::<M>()`](encoded_len).
//! Only parameters are stored: an activation's settings (a
//! [`LeakyRelu`](crate::LeakyRelu)'s slope) belong to the type you load into,
//! see [`read_into`].
//!
//! ```
//! use constnet::{io, Dense, Params, Relu};
//! type Net = (Dense<2, 3>, Relu, Dense<3, 1>);
//! let mut net = Net::zeros_params();
//! net.tensor_mut(0).fill(0.5);
//! let mut buf = [0u8; io::encoded_len::<Net>()];
//! assert_eq!(io::to_bytes(&net, &mut buf), Ok(buf.len()));
//! let back: Net = io::from_bytes(&buf).unwrap();
//! assert_eq!(back, net);
//! // Weights made for another network are refused:
//! assert!(matches!(io::from_bytes::<(Dense<3, 2>, Relu, Dense<2, 1>)>(&buf), Err(io::Error::Fingerprint { .. })));
//! ```
//!
//! # Weights in flash
//! [`load_static!`](crate::load_static!) builds a network from
//! `include_bytes!` at compile time. The header, fingerprint, length and
//! checksum are checked by the compiler, so a file made for a different
//! network is a build error, and the `static` lives in flash: inference reads
//! the weights from there, nothing is copied to RAM.

use crate::{Conv1d, Conv2d, Dense, DepthwiseConv2d, Params};
use core::fmt;

pub mod int8;

/// The four bytes every model file starts with.
pub const MAGIC: [u8; 4] = *b"CNET";
/// The format version this crate writes and reads.
pub const VERSION: u32 = 1;
/// Bytes before the parameters: magic, version, fingerprint, parameter count.
pub const HEADER_LEN: usize = 20;
/// Bytes of the trailing checksum.
pub const CHECKSUM_LEN: usize = 4;

/// Length in bytes of the file for a model of type `M`:
/// `HEADER_LEN + 4 · M::PARAMS + CHECKSUM_LEN`. A `const fn`, so it can size
/// a buffer: `[0u8; encoded_len::<Net>()]`.
///
/// ```
/// use constnet::{io, Dense, Relu};
/// assert_eq!(io::encoded_len::<(Dense<1, 16>, Relu, Dense<16, 1>)>(), 20 + 4 * 49 + 4);
/// ```
pub const fn encoded_len<M: Params>() -> usize {
    HEADER_LEN + 4 * M::PARAMS + CHECKSUM_LEN
}

/// Why bytes could not be written or read as a model.
///
/// Non-exhaustive: a later format version may add checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// [`to_bytes`]: the output buffer is shorter than the encoding.
    BufferTooSmall {
        /// Bytes the encoding needs.
        needed: usize,
        /// Bytes the buffer has.
        got: usize,
    },
    /// The bytes do not start with [`MAGIC`]: not a constnet model.
    Magic {
        /// The first four bytes found.
        found: [u8; 4],
    },
    /// A format version this crate does not read.
    Version {
        /// The version in the file.
        found: u32,
    },
    /// The file was made for a network of a different architecture.
    Fingerprint {
        /// The fingerprint of the type being loaded.
        expected: u64,
        /// The fingerprint in the file.
        found: u64,
    },
    /// The header's parameter count is not the model's.
    ParamCount {
        /// Parameters of the type being loaded.
        expected: usize,
        /// Parameters the file says it holds.
        found: usize,
    },
    /// The input is shorter or longer than a model of this type needs
    /// (truncated, or trailing bytes).
    Length {
        /// [`encoded_len`] of the type being loaded.
        expected: usize,
        /// Bytes given.
        found: usize,
    },
    /// The CRC-32 does not match the contents: the bytes are corrupted.
    Checksum {
        /// The checksum stored in the file.
        stored: u32,
        /// The checksum of the bytes read.
        computed: u32,
    },
    /// An int8 model's header gives a body length other than the network's.
    BodyLength {
        /// Body bytes of the type being loaded.
        expected: usize,
        /// Body bytes the file says it holds.
        found: usize,
    },
    /// An int8 model holds a value its layer does not accept (the checksum
    /// matched, so the file was written that way).
    Parameter {
        /// Index of the layer, counting every layer from 0 in network order.
        layer: usize,
        /// What is wrong with it.
        problem: ParamProblem,
    },
}

/// What is wrong with an int8 layer's stored parameters ([`Error::Parameter`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParamProblem {
    /// A scale that is not finite and positive.
    Scale,
    /// A requantization multiplier outside TFLite's range (mantissa 0 or in
    /// `[2^30, 2^31)`, shift in `[−31, 30]`).
    Multiplier {
        /// The output channel.
        output: usize,
    },
    /// A clamp whose minimum is above its maximum.
    Clamp,
}

impl fmt::Display for ParamProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            ParamProblem::Scale => write!(f, "a scale is not finite and positive"),
            ParamProblem::Multiplier { output } => write!(
                f,
                "the multiplier of output {output} is outside TFLite's range \
                 (mantissa 0 or in [2^30, 2^31), shift in [-31, 30])"
            ),
            ParamProblem::Clamp => write!(f, "the activation clamp's minimum is above its maximum"),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Error::BufferTooSmall { needed, got } => {
                write!(f, "buffer too small for the model: need {needed} bytes, have {got}")
            }
            Error::Magic { found } => {
                write!(f, "not a constnet model: starts with {found:02x?}, expected {MAGIC:02x?} (\"CNET\")")
            }
            Error::Version { found } => {
                write!(f, "unsupported model format version {found} (this build reads version {VERSION})")
            }
            Error::Fingerprint { expected, found } => write!(
                f,
                "model was made for a different network: architecture fingerprint {found:#018x}, \
                 expected {expected:#018x}"
            ),
            Error::ParamCount { expected, found } => {
                write!(f, "model holds {found} parameters, the network has {expected}")
            }
            Error::Length { expected, found } => {
                write!(f, "model is {found} bytes long, expected {expected} (truncated or padded)")
            }
            Error::Checksum { stored, computed } => write!(
                f,
                "model is corrupted: checksum {computed:#010x} does not match the stored {stored:#010x}"
            ),
            Error::BodyLength { expected, found } => {
                write!(f, "int8 model holds {found} bytes of layers, the network has {expected}")
            }
            Error::Parameter { layer, problem } => write!(f, "int8 model, layer {layer}: {problem}"),
        }
    }
}

impl core::error::Error for Error {}

/// CRC-32 (IEEE 802.3, reflected, as zlib, PNG and `cksum -o 3`) of `bytes`.
/// A `const fn`: the compiler checks the checksum of a
/// [`load_static!`](crate::load_static!) model. Detects every single-bit and
/// every burst error up to 32 bits.
///
/// ```
/// assert_eq!(constnet::io::crc32(b"123456789"), 0xcbf4_3926);
/// ```
pub const fn crc32(bytes: &[u8]) -> u32 {
    crc32_update(!0, bytes, 0, bytes.len()) ^ !0
}

const CRC_TABLE: [u32; 256] = {
    let mut t = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 { 0xedb8_8320 ^ (c >> 1) } else { c >> 1 };
            k += 1;
        }
        t[i] = c;
        i += 1;
    }
    t
};

const fn crc32_update(mut crc: u32, bytes: &[u8], mut from: usize, to: usize) -> u32 {
    while from < to {
        crc = CRC_TABLE[((crc ^ bytes[from] as u32) & 0xff) as usize] ^ (crc >> 8);
        from += 1;
    }
    crc
}

const fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

const fn u64_at(b: &[u8], at: usize) -> u64 {
    (u32_at(b, at) as u64) | ((u32_at(b, at + 4) as u64) << 32)
}

/// Checks `bytes` against a model with the given fingerprint and parameter
/// count: magic, version, fingerprint, count, length and checksum, in that
/// order. Never reads out of bounds. A `const fn`; [`check_const`] is its
/// compile-time twin.
///
/// ```
/// use constnet::{io, Dense, Params};
/// let mut buf = [0u8; io::encoded_len::<Dense<1, 1>>()];
/// io::to_bytes(&Dense::<1, 1>::new([[2.0]], [1.0]), &mut buf).unwrap();
/// assert_eq!(io::check(&buf, Dense::<1, 1>::FINGERPRINT, 2), Ok(()));
/// assert_eq!(io::check(&buf[..9], Dense::<1, 1>::FINGERPRINT, 2), Err(io::Error::Length { expected: 32, found: 9 }));
/// ```
pub const fn check(bytes: &[u8], fingerprint: u64, params: usize) -> Result<(), Error> {
    // Saturating: no file can be `usize::MAX` bytes long, so a huge count
    // is still refused (as a length mismatch), never an overflow.
    let expected_len = params.saturating_mul(4).saturating_add(HEADER_LEN + CHECKSUM_LEN);
    check_layout(bytes, Layout { magic: MAGIC, version: VERSION, fingerprint, count: params, expected_len })
}

/// What a file of one format and network must hold: the header's fields and
/// the total length ([`check`] and [`int8::check`] share the checks).
pub(crate) struct Layout {
    pub(crate) magic: [u8; 4],
    pub(crate) version: u32,
    pub(crate) fingerprint: u64,
    /// The header's count field: parameters (f32) or body bytes (int8).
    pub(crate) count: usize,
    pub(crate) expected_len: usize,
}

/// Magic, version, fingerprint, count, length and checksum, in that order,
/// never reading out of bounds. A count mismatch is [`Error::ParamCount`]
/// for the f32 format and [`Error::BodyLength`] for the int8 one.
pub(crate) const fn check_layout(bytes: &[u8], want: Layout) -> Result<(), Error> {
    let len = bytes.len();
    if len < 4 {
        return Err(Error::Length { expected: want.expected_len, found: len });
    }
    let magic = [bytes[0], bytes[1], bytes[2], bytes[3]];
    if u32::from_le_bytes(magic) != u32::from_le_bytes(want.magic) {
        return Err(Error::Magic { found: magic });
    }
    if len < HEADER_LEN {
        return Err(Error::Length { expected: want.expected_len, found: len });
    }
    let version = u32_at(bytes, 4);
    if version != want.version {
        return Err(Error::Version { found: version });
    }
    let found = u64_at(bytes, 8);
    if found != want.fingerprint {
        return Err(Error::Fingerprint { expected: want.fingerprint, found });
    }
    let count = u32_at(bytes, 16) as usize;
    if count != want.count {
        return Err(if u32::from_le_bytes(want.magic) == u32::from_le_bytes(MAGIC) {
            Error::ParamCount { expected: want.count, found: count }
        } else {
            Error::BodyLength { expected: want.count, found: count }
        });
    }
    if len != want.expected_len {
        return Err(Error::Length { expected: want.expected_len, found: len });
    }
    let body = len - CHECKSUM_LEN;
    let stored = u32_at(bytes, body);
    let computed = crc32_update(!0, bytes, 0, body) ^ !0;
    if stored != computed {
        return Err(Error::Checksum { stored, computed });
    }
    Ok(())
}

/// [`check`] for constant bytes: panics — at compile time, when called in a
/// `const` or `static` initializer — with a message naming the problem.
///
/// [`load_static!`](crate::load_static!) calls it; call it directly to check
/// a model file in a `const` item:
///
/// ```
/// use constnet::{io, Dense, Params};
/// // A `Dense<1, 1>` with weight 2 and bias 1, as `io::to_bytes` writes it
/// // (usually `include_bytes!("model.bin")`).
/// const MODEL: &[u8] = &[
///     67, 78, 69, 84, 1, 0, 0, 0, 208, 222, 187, 62, 84, 106, 202, 155, 2, 0, 0, 0, 0, 0, 0,
///     64, 0, 0, 128, 63, 138, 146, 19, 246,
/// ];
/// const _: () = io::check_const(MODEL, <Dense<1, 1> as Params>::FINGERPRINT, <Dense<1, 1> as Params>::PARAMS);
/// ```
///
/// The same bytes checked against another network fail to compile:
///
/// ```compile_fail
/// # use constnet::{io, Dense, Params};
/// # const MODEL: &[u8] = &[
/// #     67, 78, 69, 84, 1, 0, 0, 0, 208, 222, 187, 62, 84, 106, 202, 155, 2, 0, 0, 0, 0, 0, 0,
/// #     64, 0, 0, 128, 63, 138, 146, 19, 246,
/// # ];
/// const _: () = io::check_const(MODEL, <Dense<1, 2> as Params>::FINGERPRINT, <Dense<1, 2> as Params>::PARAMS);
/// ```
#[track_caller]
pub const fn check_const(bytes: &[u8], fingerprint: u64, params: usize) {
    match check(bytes, fingerprint, params) {
        Ok(()) => {}
        Err(Error::BufferTooSmall { .. }) => unreachable!(),
        Err(Error::Magic { .. }) => panic!("constnet: the bytes are not a constnet model (wrong magic)"),
        Err(Error::Version { .. }) => panic!("constnet: the model file has an unsupported format version"),
        Err(Error::Fingerprint { .. }) => panic!(
            "constnet: the model file was made for a different network \
             (architecture fingerprint mismatch): re-export it from the network type you load it into"
        ),
        Err(Error::ParamCount { .. }) => {
            panic!("constnet: the model file holds a different number of parameters than the network")
        }
        Err(Error::Length { .. }) => {
            panic!("constnet: the model file has the wrong length (truncated or padded)")
        }
        Err(Error::Checksum { .. }) => panic!("constnet: the model file is corrupted (checksum mismatch)"),
        Err(Error::BodyLength { .. } | Error::Parameter { .. }) => unreachable!(),
    }
}

/// [`check_const`] with the fingerprint and size taken from the type of
/// `model` (which is only used for its type). [`load_static!`](crate::load_static!)
/// calls it on the value it builds.
#[track_caller]
pub const fn check_static<M: Params>(bytes: &[u8], model: &M) {
    let _ = model;
    check_const(bytes, M::FINGERPRINT, M::PARAMS);
}

/// Writes `model` into `out` in the model format; returns the number of
/// bytes written ([`encoded_len::<M>()`](encoded_len)).
///
/// # Errors
/// [`Error::BufferTooSmall`] if `out` is shorter than the encoding; `out` is
/// then left unchanged.
pub fn to_bytes<M: Params>(model: &M, out: &mut [u8]) -> Result<usize, Error> {
    let n = encoded_len::<M>();
    let Some(out) = out.get_mut(..n) else {
        return Err(Error::BufferTooSmall { needed: n, got: out.len() });
    };
    out[..4].copy_from_slice(&MAGIC);
    out[4..8].copy_from_slice(&VERSION.to_le_bytes());
    out[8..16].copy_from_slice(&M::FINGERPRINT.to_le_bytes());
    out[16..20].copy_from_slice(&(M::PARAMS as u32).to_le_bytes());
    let mut at = HEADER_LEN;
    for i in 0..M::TENSORS {
        for v in model.tensor(i) {
            out[at..at + 4].copy_from_slice(&v.to_le_bytes());
            at += 4;
        }
    }
    debug_assert_eq!(at, n - CHECKSUM_LEN);
    let crc = crc32(&out[..at]);
    out[at..].copy_from_slice(&crc.to_le_bytes());
    Ok(n)
}

/// Reads a model of type `M` from `bytes`, starting from
/// [`M::zeros()`](crate::Zeros::zeros) and filling in every parameter.
///
/// Activations take their `Zeros` settings (a [`LeakyRelu`](crate::LeakyRelu)
/// gets slope 0.01); use [`read_into`] to keep the settings of a network you
/// built.
///
/// # Errors
/// Each way the bytes can be wrong has its own [`Error`] variant; see
/// [`check`]. Never panics, whatever the bytes.
pub fn from_bytes<M: Params>(bytes: &[u8]) -> Result<M, Error> {
    let mut model = M::zeros();
    read_into(bytes, &mut model)?;
    Ok(model)
}

/// Overwrites the parameters of `model` with the ones in `bytes`, keeping
/// everything else (activation settings). The bytes are checked completely
/// first: on error `model` is unchanged.
///
/// ```
/// use constnet::{io, Dense, LeakyRelu, Params};
/// type Net = (Dense<2, 2>, LeakyRelu);
/// let trained: Net = (Dense::new([[1.0, 2.0], [3.0, 4.0]], [0.0; 2]), LeakyRelu::new(0.1));
/// let mut buf = [0u8; io::encoded_len::<Net>()];
/// io::to_bytes(&trained, &mut buf).unwrap();
/// let mut net: Net = (Dense::zeros(), LeakyRelu::new(0.1));
/// io::read_into(&buf, &mut net).unwrap();
/// assert_eq!(net, trained);
/// ```
///
/// # Errors
/// As [`from_bytes`].
pub fn read_into<M: Params>(bytes: &[u8], model: &mut M) -> Result<(), Error> {
    check(bytes, M::FINGERPRINT, M::PARAMS)?;
    let mut chunks = bytes[HEADER_LEN..bytes.len() - CHECKSUM_LEN].chunks_exact(4);
    for i in 0..M::TENSORS {
        for (v, c) in model.tensor_mut(i).iter_mut().zip(&mut chunks) {
            *v = f32::from_le_bytes([c[0], c[1], c[2], c[3]]);
        }
    }
    Ok(())
}

/// Reads parameters out of constant model bytes in `const` context, one
/// layer at a time; what [`load_static!`](crate::load_static!) expands to.
///
/// Reads past the end give zeros instead of a panic, so that a file of the
/// wrong size reaches [`check_static`] and its clear message.
#[derive(Clone, Copy, Debug)]
pub struct ConstReader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> ConstReader<'a> {
    /// A reader positioned at the first parameter of `bytes`.
    pub const fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, at: HEADER_LEN }
    }

    /// Byte offset of the next parameter.
    pub const fn position(&self) -> usize {
        self.at
    }

    /// The next parameter (0.0 past the end of the bytes).
    pub const fn f32(&mut self) -> f32 {
        let b = self.bytes;
        let v = if self.at + 4 <= b.len() {
            f32::from_le_bytes([b[self.at], b[self.at + 1], b[self.at + 2], b[self.at + 3]])
        } else {
            0.0
        };
        self.at += 4;
        v
    }

    /// The next [`Dense`] layer: its weight rows, then its bias, as
    /// [`Params`] visits them.
    pub const fn dense<const IN: usize, const OUT: usize>(&mut self) -> Dense<IN, OUT> {
        let mut weight = [[0.0f32; IN]; OUT];
        let mut bias = [0.0f32; OUT];
        let mut o = 0;
        while o < OUT {
            let mut i = 0;
            while i < IN {
                weight[o][i] = self.f32();
                i += 1;
            }
            o += 1;
        }
        let mut o = 0;
        while o < OUT {
            bias[o] = self.f32();
            o += 1;
        }
        Dense::new(weight, bias)
    }

    /// `N` values in order.
    const fn values<const N: usize>(&mut self) -> [f32; N] {
        let mut v = [0.0f32; N];
        let mut i = 0;
        while i < N {
            v[i] = self.f32();
            i += 1;
        }
        v
    }

    /// The next [`Conv2d`] layer: its filters `[o][ky][kx][c]`, then its
    /// biases, as [`Params`] visits them.
    #[allow(clippy::type_complexity)]
    pub const fn conv2d<
        const H: usize,
        const W: usize,
        const CI: usize,
        const CO: usize,
        const K: usize,
        const S: usize,
        const P: usize,
        const OH: usize,
        const OW: usize,
    >(
        &mut self,
    ) -> Conv2d<H, W, CI, CO, K, S, P, OH, OW> {
        let mut weight = [[[[0.0f32; CI]; K]; K]; CO];
        let mut o = 0;
        while o < CO {
            let mut ky = 0;
            while ky < K {
                let mut kx = 0;
                while kx < K {
                    weight[o][ky][kx] = self.values();
                    kx += 1;
                }
                ky += 1;
            }
            o += 1;
        }
        Conv2d::new(weight, self.values())
    }

    /// The next [`DepthwiseConv2d`] layer: filters `[ky][kx][c]`, then biases.
    pub const fn depthwise_conv2d<
        const H: usize,
        const W: usize,
        const C: usize,
        const K: usize,
        const S: usize,
        const P: usize,
        const OH: usize,
        const OW: usize,
    >(
        &mut self,
    ) -> DepthwiseConv2d<H, W, C, K, S, P, OH, OW> {
        let mut weight = [[[0.0f32; C]; K]; K];
        let mut ky = 0;
        while ky < K {
            let mut kx = 0;
            while kx < K {
                weight[ky][kx] = self.values();
                kx += 1;
            }
            ky += 1;
        }
        DepthwiseConv2d::new(weight, self.values())
    }

    /// The next [`Conv1d`] layer: filters `[o][k][c]`, then biases.
    pub const fn conv1d<
        const L: usize,
        const CI: usize,
        const CO: usize,
        const K: usize,
        const S: usize,
        const P: usize,
        const OL: usize,
    >(
        &mut self,
    ) -> Conv1d<L, CI, CO, K, S, P, OL> {
        let mut weight = [[[0.0f32; CI]; K]; CO];
        let mut o = 0;
        while o < CO {
            let mut k = 0;
            while k < K {
                weight[o][k] = self.values();
                k += 1;
            }
            o += 1;
        }
        Conv1d::new(weight, self.values())
    }
}

/// Builds a network from constant model bytes at compile time, for a
/// `static` in flash.
///
/// Write the network's layers in order: `Dense`, `Conv2d`, `DepthwiseConv2d`
/// or `Conv1d` for each layer with parameters (read from the bytes, sizes
/// inferred from the type) and the value of every other layer (`Relu`,
/// `LeakyRelu::new(0.1)`, `MaxPool2d`, `Flatten`, …; the shaped ones are unit
/// structs whose sizes are inferred too). A [`layers!`](crate::layers!) type
/// of more than 8 layers nests its 8th onwards: `(A, B, C, D, E, F, G, (H, …))`. Wrap them in
/// the name of a [`network!`](crate::network!) type, or in plain parentheses
/// for a tuple network; nested tuples nest the same way:
/// `load_static!(BYTES => (Dense, (Relu, Dense)))`.
///
/// The compiler checks magic, version, the architecture fingerprint, the
/// length and the CRC-32: bytes made for another network do not compile
/// ("the model file was made for a different network"). The result is a
/// plain value, so in a `static` it stays in flash and inference reads the
/// weights from there.
///
/// ```
/// use constnet::{io, load_static, network, Dense, Layer, Relu};
/// network! {
///     pub struct Net((Dense<1, 2>, Relu, Dense<2, 1>));
/// }
/// // Usually `include_bytes!("model.bin")`; here a model written by `io::to_bytes`.
/// const BYTES: &[u8] = &[
///     67, 78, 69, 84, 1, 0, 0, 0, 40, 30, 88, 23, 74, 229, 118, 72, 7, 0, 0, 0, 0, 0, 128,
///     63, 0, 0, 128, 191, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 128, 63, 0, 0, 0, 0,
///     130, 247, 197, 189,
/// ];
/// static NET: Net = load_static!(BYTES => Net(Dense, Relu, Dense));
/// assert_eq!(NET.forward(&[-3.0]), [3.0]); // |x| = relu(x) + relu(-x)
///
/// let mut buf = [0u8; io::encoded_len::<Net>()];
/// io::to_bytes(&NET, &mut buf).unwrap();
/// assert_eq!(&buf[..], BYTES);
/// ```
///
/// A model made for another network is a compile error:
///
/// ```compile_fail
/// # use constnet::{load_static, Dense, Relu};
/// # const BYTES: &[u8] = &[
/// #     67, 78, 69, 84, 1, 0, 0, 0, 40, 30, 88, 23, 74, 229, 118, 72, 7, 0, 0, 0, 0, 0, 128,
/// #     63, 0, 0, 128, 191, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 128, 63, 0, 0, 0, 0,
/// #     130, 247, 197, 189,
/// # ];
/// static NET: (Dense<1, 2>, Relu, Dense<2, 2>) = load_static!(BYTES => (Dense, Relu, Dense));
/// ```
#[macro_export]
macro_rules! load_static {
    ($bytes:expr => $net:ident ( $($layers:tt)* )) => {{
        const __CONSTNET_BYTES: &[u8] = $bytes;
        let mut __constnet_reader = $crate::io::ConstReader::new(__CONSTNET_BYTES);
        let __constnet_model = $net($crate::load_static!(@layers __constnet_reader; []; $($layers)*));
        $crate::io::check_static(__CONSTNET_BYTES, &__constnet_model);
        __constnet_model
    }};
    ($bytes:expr => ( $($layers:tt)* )) => {{
        const __CONSTNET_BYTES: &[u8] = $bytes;
        let mut __constnet_reader = $crate::io::ConstReader::new(__CONSTNET_BYTES);
        let __constnet_model = $crate::load_static!(@layers __constnet_reader; []; $($layers)*);
        $crate::io::check_static(__CONSTNET_BYTES, &__constnet_model);
        __constnet_model
    }};
    (@layers $r:ident; [$($done:expr),*]; ) => {
        ($($done,)*)
    };
    (@layers $r:ident; [$($done:expr),*]; Dense $(, $($rest:tt)*)?) => {
        $crate::load_static!(@layers $r; [$($done,)* $r.dense()]; $($($rest)*)?)
    };
    (@layers $r:ident; [$($done:expr),*]; Conv2d $(, $($rest:tt)*)?) => {
        $crate::load_static!(@layers $r; [$($done,)* $r.conv2d()]; $($($rest)*)?)
    };
    (@layers $r:ident; [$($done:expr),*]; DepthwiseConv2d $(, $($rest:tt)*)?) => {
        $crate::load_static!(@layers $r; [$($done,)* $r.depthwise_conv2d()]; $($($rest)*)?)
    };
    (@layers $r:ident; [$($done:expr),*]; Conv1d $(, $($rest:tt)*)?) => {
        $crate::load_static!(@layers $r; [$($done,)* $r.conv1d()]; $($($rest)*)?)
    };
    (@layers $r:ident; [$($done:expr),*]; ( $($inner:tt)* ) $(, $($rest:tt)*)?) => {
        $crate::load_static!(
            @layers $r; [$($done,)* $crate::load_static!(@layers $r; []; $($inner)*)]; $($($rest)*)?
        )
    };
    (@layers $r:ident; [$($done:expr),*]; $layer:expr $(, $($rest:tt)*)?) => {
        $crate::load_static!(@layers $r; [$($done,)* $layer]; $($($rest)*)?)
    };
}

/// Writes `model` to the file at `path` in the model format.
///
/// ```no_run
/// use constnet::{io, Dense, Params};
/// let net = Dense::<2, 1>::zeros_params();
/// io::save(&net, "model.bin")?;
/// let back: Dense<2, 1> = io::load("model.bin")?;
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
/// Any error creating or writing the file.
#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
pub fn save<M: Params, P: AsRef<std::path::Path>>(model: &M, path: P) -> std::io::Result<()> {
    let mut buf = std::vec![0u8; encoded_len::<M>()];
    to_bytes(model, &mut buf).map_err(std::io::Error::other)?;
    std::fs::write(path, buf)
}

/// Reads a model of type `M` from the file at `path` (see [`from_bytes`]).
///
/// # Errors
/// Any error reading the file; a file that is not a valid model for `M`
/// gives [`std::io::ErrorKind::InvalidData`] wrapping the [`Error`].
#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
pub fn load<M: Params, P: AsRef<std::path::Path>>(path: P) -> std::io::Result<M> {
    let bytes = std::fs::read(path)?;
    from_bytes(&bytes).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}

/// [`load`] into an existing model, keeping its activation settings (see
/// [`read_into`]).
///
/// # Errors
/// As [`load`]; on error `model` is unchanged.
#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
pub fn load_into<M: Params, P: AsRef<std::path::Path>>(path: P, model: &mut M) -> std::io::Result<()> {
    let bytes = std::fs::read(path)?;
    read_into(&bytes, model).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Relu, Zeros};

    #[test]
    fn crc_matches_reference_values() {
        assert_eq!(crc32(b""), 0);
        assert_eq!(crc32(b"a"), 0xe8b7_be43);
        assert_eq!(crc32(b"The quick brown fox jumps over the lazy dog"), 0x414f_a339);
    }

    #[test]
    fn reader_past_the_end_gives_zeros() {
        let mut r = ConstReader::new(&[0u8; 22]);
        assert_eq!(r.f32(), 0.0);
        assert_eq!(r.position(), 24);
        let d: Dense<2, 1> = r.dense();
        assert_eq!(d, Dense::zeros());
    }

    #[test]
    fn header_fields_are_where_the_docs_say() {
        type Net = (Dense<3, 2>, Relu);
        let mut net = Net::zeros();
        net.0.bias_mut()[1] = -1.5;
        let mut buf = [0u8; encoded_len::<Net>()];
        to_bytes(&net, &mut buf).unwrap();
        assert_eq!(&buf[..4], b"CNET");
        assert_eq!(buf[4..8], 1u32.to_le_bytes());
        assert_eq!(buf[8..16], <Net as Params>::FINGERPRINT.to_le_bytes());
        assert_eq!(buf[16..20], 8u32.to_le_bytes());
        assert_eq!(buf[20 + 4 * 7..20 + 4 * 8], (-1.5f32).to_le_bytes());
        assert_eq!(buf[buf.len() - 4..], crc32(&buf[..buf.len() - 4]).to_le_bytes());
    }
}
