//! The int8 model format: int8 networks ([`crate::quant`]) saved, loaded and
//! checked like f32 ones, with their own magic so neither kind is mistaken
//! for the other.
//!
//! # Layout (version 1)
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 4 | magic `b"CNQ8"` ([`MAGIC`]) |
//! | 4 | 4 | format version, `u32` ([`VERSION`]) |
//! | 8 | 8 | architecture fingerprint, `u64` ([`Int8Params::FINGERPRINT`]) |
//! | 16 | 4 | body length in bytes, `u32` ([`Int8Params::BODY_LEN`]) |
//! | 20 | body | the layers in network order, packed, no padding |
//! | 20 + body | 4 | CRC-32 (IEEE) of every byte before it |
//!
//! Each layer's bytes (all little-endian):
//!
//! | layer | bytes |
//! |---|---|
//! | [`Quantize`], [`Dequantize`] | scale `f32`, zero point `i8` (5) |
//! | [`QRelu`] | min `i8`, max `i8` (2) |
//! | [`QLut`] | the 256 table entries, indexed by `q as u8` (256) |
//! | [`QDense<IN, OUT>`] | input zero point, output zero point, clamp min, clamp max (4 × `i8`); the weights `OUT × IN` `i8` row after row; the TFLite bias `OUT × i32` (before the input zero point is folded in); the multiplier mantissas `OUT × i32`; the shifts `OUT × i8` |
//!
//! | [`QConv2d`] | input zero point, output zero point, clamp min, clamp max (4 × `i8`); the filters `CO × K × K × CI` `i8` (OHWI); the TFLite bias `CO × i32`; the multiplier mantissas `CO × i32`; the shifts `CO × i8` |
//! | [`QDepthwiseConv2d`] | the same four `i8`; the filters `K × K × C` `i8`; the bias `C × i32`; the mantissas `C × i32`; the shifts `C × i8` |
//! | [`QGlobalAvgPool2d`] | clamp min, clamp max (2 × `i8`) |
//! | [`QMaxPool2d`], [`QFlatten`], [`QUnflatten`] | nothing (0) |
//! | [`QDenseLiteRt<IN, OUT>`] | input zero point, output zero point, clamp min, clamp max (4 × `i8`); the weights `OUT × IN` `i8`; the TFLite bias `OUT × i32`; the scales `OUT × f64` |
//!
//! A `QDense` is stored the way a `.tflite` file holds the same layer, so
//! importing one is a copy. After the header, length and checksum, every
//! value is checked against what its layer accepts (finite positive scales,
//! TFLite's multiplier range, non-empty clamps): a file whose checksum
//! matches but whose values are not a valid layer is refused with
//! [`Error::Parameter`] naming the layer.
//!
//! ```
//! use constnet::io::{self, int8};
//! use constnet::quant::{Dequantize, QDense, QRelu, QuantParams, Quantize};
//! type Net = (Quantize, (QDense<2, 1>, QRelu), Dequantize);
//! let net: Net = (
//!     Quantize::new(QuantParams::new(0.1, 0)),
//!     (QDense::new([[64, -64]], [5], [1 << 30], [0], 0, -128, -128, 127), QRelu::relu(-128)),
//!     Dequantize::new(QuantParams::new(0.05, -128)),
//! );
//! let mut buf = [0u8; int8::encoded_len::<Net>()];
//! assert_eq!(int8::to_bytes(&net, &mut buf), Ok(buf.len()));
//! let back: Net = int8::from_bytes(&buf).unwrap();
//! assert_eq!(back, net);
//! buf[30] ^= 1;
//! assert!(matches!(int8::from_bytes::<Net>(&buf), Err(io::Error::Checksum { .. })));
//! ```

use super::{CHECKSUM_LEN, Error, HEADER_LEN, Layout, ParamProblem, check_layout, crc32};
use crate::params::fingerprint;
use crate::quant::{
    Dequantize, QConv2d, QDense, QDenseLiteRt, QDepthwiseConv2d, QFlatten, QGlobalAvgPool2d, QLut,
    QMaxPool2d, QRelu, QUnflatten, QuantParams, Quantize,
};

/// The four bytes every int8 model file starts with.
pub const MAGIC: [u8; 4] = *b"CNQ8";
/// The int8 format version this crate writes and reads.
pub const VERSION: u32 = 1;

/// An int8 layer or network that the int8 model format can store.
///
/// Implemented by every layer of [`crate::quant`] and by tuples of them (up
/// to 8, nested freely).
pub trait Int8Params: Sized {
    /// A hash of the architecture — layer kinds and sizes, in order.
    const FINGERPRINT: u64;
    /// Bytes of this layer's (or network's) part of the body.
    const BODY_LEN: usize;
    /// Writes exactly [`BODY_LEN`](Self::BODY_LEN) bytes.
    fn write(&self, out: &mut Writer<'_>);
    /// Reads the layer; a value no layer accepts is recorded in the reader
    /// (see [`Reader::error`]) and replaced by a valid one.
    fn read(r: &mut Reader<'_>) -> Self;
}

/// Length in bytes of the file for an int8 model of type `M`. A `const fn`:
/// `[0u8; encoded_len::<Net>()]`.
///
/// ```
/// use constnet::io::int8;
/// use constnet::quant::{QDense, QRelu};
/// assert_eq!(int8::encoded_len::<(QDense<16, 16>, QRelu)>(), 20 + (4 + 256 + 9 * 16) + 2 + 4);
/// ```
pub const fn encoded_len<M: Int8Params>() -> usize {
    HEADER_LEN + M::BODY_LEN + CHECKSUM_LEN
}

/// Writes layer bytes into a buffer (the buffer is sized by
/// [`encoded_len`], so writes stay in bounds).
#[derive(Debug)]
pub struct Writer<'a> {
    out: &'a mut [u8],
    at: usize,
}

impl Writer<'_> {
    fn bytes(&mut self, b: &[u8]) {
        self.out[self.at..self.at + b.len()].copy_from_slice(b);
        self.at += b.len();
    }
    /// Writes one `i8`.
    pub fn i8(&mut self, v: i8) {
        self.bytes(&[v as u8]);
    }
    /// Writes `i8`s.
    pub fn i8s(&mut self, v: &[i8]) {
        for &x in v {
            self.i8(x);
        }
    }
    /// Writes `i32`s, little-endian.
    pub fn i32s(&mut self, v: &[i32]) {
        for &x in v {
            self.bytes(&x.to_le_bytes());
        }
    }
    /// Writes an `f32`, little-endian.
    pub fn f32(&mut self, v: f32) {
        self.bytes(&v.to_le_bytes());
    }
    /// Writes `f64`s, little-endian.
    pub fn f64s(&mut self, v: &[f64]) {
        for &x in v {
            self.bytes(&x.to_le_bytes());
        }
    }
}

/// Reads layer bytes, at run time ([`from_bytes`]) and at compile time
/// ([`load_static_int8!`](crate::load_static_int8!)): reads past the end give
/// zeros and invalid values are replaced by valid ones, with the first
/// problem kept in [`error`](Self::error), so reading never panics and the
/// checks that follow report the problem.
#[derive(Clone, Copy, Debug)]
pub struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    layer: usize,
    error: Option<Error>,
}

impl<'a> Reader<'a> {
    /// A reader at the first layer of the model file `bytes`.
    pub const fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, at: HEADER_LEN, layer: 0, error: None }
    }

    /// The first invalid value met, if any.
    pub const fn error(&self) -> Option<Error> {
        self.error
    }

    const fn fail(&mut self, problem: ParamProblem) {
        if self.error.is_none() {
            self.error = Some(Error::Parameter { layer: self.layer, problem });
        }
    }

    const fn byte(&mut self) -> u8 {
        let v = if self.at < self.bytes.len() { self.bytes[self.at] } else { 0 };
        self.at += 1;
        v
    }

    const fn i8(&mut self) -> i8 {
        self.byte() as i8
    }

    const fn u32(&mut self) -> u32 {
        let b = [self.byte(), self.byte(), self.byte(), self.byte()];
        u32::from_le_bytes(b)
    }

    const fn params(&mut self) -> QuantParams {
        let scale = f32::from_bits(self.u32());
        let zero_point = self.i8();
        if !(scale.is_finite() && scale > 0.0) {
            self.fail(ParamProblem::Scale);
            return QuantParams::new(1.0, zero_point);
        }
        QuantParams::new(scale, zero_point)
    }

    /// The next layer, a [`Quantize`].
    pub const fn quantize(&mut self) -> Quantize {
        let l = Quantize::new(self.params());
        self.layer += 1;
        l
    }

    /// The next layer, a [`Dequantize`].
    pub const fn dequantize(&mut self) -> Dequantize {
        let l = Dequantize::new(self.params());
        self.layer += 1;
        l
    }

    /// The next layer, a [`QRelu`].
    pub const fn qrelu(&mut self) -> QRelu {
        let (min, max) = (self.i8(), self.i8());
        if min > max {
            self.fail(ParamProblem::Clamp);
        }
        self.layer += 1;
        QRelu::new(min, max)
    }

    /// The next layer, a [`QLut`].
    pub const fn qlut(&mut self) -> QLut {
        let mut table = [0i8; 256];
        let mut i = 0;
        while i < 256 {
            table[i] = self.i8();
            i += 1;
        }
        self.layer += 1;
        QLut::new(table)
    }

    const fn u64(&mut self) -> u64 {
        let (lo, hi) = (self.u32() as u64, self.u32() as u64);
        lo | hi << 32
    }

    /// The zero points, clamp, weights and bias shared by both int8 dense
    /// layers.
    #[allow(clippy::type_complexity)]
    const fn dense_common<const IN: usize, const OUT: usize>(
        &mut self,
    ) -> (i8, i8, i8, i8, [[i8; IN]; OUT], [i32; OUT]) {
        let (zp_in, zp_out, mut act_min, act_max) = (self.i8(), self.i8(), self.i8(), self.i8());
        let mut weight = [[0i8; IN]; OUT];
        let mut o = 0;
        while o < OUT {
            let mut i = 0;
            while i < IN {
                weight[o][i] = self.i8();
                i += 1;
            }
            o += 1;
        }
        let mut bias = [0i32; OUT];
        let mut o = 0;
        while o < OUT {
            bias[o] = self.u32() as i32;
            o += 1;
        }
        if act_min > act_max {
            self.fail(ParamProblem::Clamp);
            act_min = act_max;
        }
        (zp_in, zp_out, act_min, act_max, weight, bias)
    }

    /// The next layer, a [`QDenseLiteRt`].
    pub const fn qdense_litert<const IN: usize, const OUT: usize>(&mut self) -> QDenseLiteRt<IN, OUT> {
        let (zp_in, zp_out, act_min, act_max, weight, bias) = self.dense_common::<IN, OUT>();
        let mut scale = [0f64; OUT];
        let mut o = 0;
        while o < OUT {
            let s = f64::from_bits(self.u64());
            scale[o] = if s.is_finite() && s > 0.0 {
                s
            } else {
                self.fail(ParamProblem::Scale);
                1.0
            };
            o += 1;
        }
        self.layer += 1;
        match QDenseLiteRt::try_new(weight, bias, scale, zp_in, zp_out, act_min, act_max) {
            Ok(l) => l,
            // Every value was made valid above.
            Err(_) => unreachable!(),
        }
    }

    /// The next layer, a [`QDense`].
    pub const fn qdense<const IN: usize, const OUT: usize>(&mut self) -> QDense<IN, OUT> {
        let (zp_in, zp_out, act_min, act_max, weight, bias) = self.dense_common::<IN, OUT>();
        let mut multiplier = [0i32; OUT];
        let mut shift = [0i8; OUT];
        let mut o = 0;
        while o < OUT {
            multiplier[o] = self.u32() as i32;
            o += 1;
        }
        let mut o = 0;
        while o < OUT {
            shift[o] = self.i8();
            o += 1;
        }
        let mut o = 0;
        while o < OUT {
            let m = crate::quant::requant::QuantizedMultiplier { mantissa: multiplier[o], shift: shift[o] };
            if !m.is_valid() {
                self.fail(ParamProblem::Multiplier { output: o });
                multiplier[o] = 0;
                shift[o] = 0;
            }
            o += 1;
        }
        self.layer += 1;
        match QDense::try_new(weight, bias, multiplier, shift, zp_in, zp_out, act_min, act_max) {
            Ok(l) => l,
            // Every value was made valid above.
            Err(_) => unreachable!(),
        }
    }
}

impl Reader<'_> {
    /// Zero points and clamp (4 × `i8`), the clamp made valid.
    const fn zero_points_and_clamp(&mut self) -> (i8, i8, i8, i8) {
        let (zp_in, zp_out, mut act_min, act_max) = (self.i8(), self.i8(), self.i8(), self.i8());
        if act_min > act_max {
            self.fail(ParamProblem::Clamp);
            act_min = act_max;
        }
        (zp_in, zp_out, act_min, act_max)
    }

    /// `N` int32 biases, `N` mantissas and `N` shifts, the multipliers made valid.
    #[allow(clippy::type_complexity)]
    const fn per_channel<const N: usize>(&mut self) -> ([i32; N], [i32; N], [i8; N]) {
        let (mut bias, mut multiplier, mut shift) = ([0i32; N], [0i32; N], [0i8; N]);
        let mut o = 0;
        while o < N {
            bias[o] = self.u32() as i32;
            o += 1;
        }
        let mut o = 0;
        while o < N {
            multiplier[o] = self.u32() as i32;
            o += 1;
        }
        let mut o = 0;
        while o < N {
            shift[o] = self.i8();
            let m = crate::quant::requant::QuantizedMultiplier { mantissa: multiplier[o], shift: shift[o] };
            if !m.is_valid() {
                self.fail(ParamProblem::Multiplier { output: o });
                (multiplier[o], shift[o]) = (0, 0);
            }
            o += 1;
        }
        (bias, multiplier, shift)
    }

    /// The next layer, a [`QConv2d`].
    #[allow(clippy::type_complexity)]
    pub const fn qconv2d<
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
    ) -> QConv2d<H, W, CI, CO, K, S, P, OH, OW> {
        let (zp_in, zp_out, act_min, act_max) = self.zero_points_and_clamp();
        let mut weight = [[[[0i8; CI]; K]; K]; CO];
        let (mut o, mut ky, mut kx, mut c) = (0, 0, 0, 0);
        while o < CO {
            while ky < K {
                while kx < K {
                    while c < CI {
                        weight[o][ky][kx][c] = self.i8();
                        c += 1;
                    }
                    (c, kx) = (0, kx + 1);
                }
                (kx, ky) = (0, ky + 1);
            }
            (ky, o) = (0, o + 1);
        }
        let (bias, multiplier, shift) = self.per_channel::<CO>();
        self.layer += 1;
        match QConv2d::try_new(weight, bias, multiplier, shift, zp_in, zp_out, act_min, act_max) {
            Ok(l) => l,
            // Every value was made valid above.
            Err(_) => unreachable!(),
        }
    }

    /// The next layer, a [`QDepthwiseConv2d`].
    pub const fn qdepthwise_conv2d<
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
    ) -> QDepthwiseConv2d<H, W, C, K, S, P, OH, OW> {
        let (zp_in, zp_out, act_min, act_max) = self.zero_points_and_clamp();
        let mut weight = [[[0i8; C]; K]; K];
        let (mut ky, mut kx, mut c) = (0, 0, 0);
        while ky < K {
            while kx < K {
                while c < C {
                    weight[ky][kx][c] = self.i8();
                    c += 1;
                }
                (c, kx) = (0, kx + 1);
            }
            (kx, ky) = (0, ky + 1);
        }
        let (bias, multiplier, shift) = self.per_channel::<C>();
        self.layer += 1;
        match QDepthwiseConv2d::try_new(weight, bias, multiplier, shift, zp_in, zp_out, act_min, act_max) {
            Ok(l) => l,
            // Every value was made valid above.
            Err(_) => unreachable!(),
        }
    }

    /// The next layer, a [`QGlobalAvgPool2d`].
    pub const fn qglobal_avg_pool2d<const H: usize, const W: usize, const C: usize>(
        &mut self,
    ) -> QGlobalAvgPool2d<H, W, C> {
        let (mut min, max) = (self.i8(), self.i8());
        if min > max {
            self.fail(ParamProblem::Clamp);
            min = max;
        }
        self.layer += 1;
        QGlobalAvgPool2d::new(min, max)
    }

    /// The next layer, one without parameters ([`QMaxPool2d`], [`QFlatten`],
    /// [`QUnflatten`]): `value`, counted.
    pub const fn unit<T: Copy>(&mut self, value: T) -> T {
        self.layer += 1;
        value
    }
}

/// Checks the header, length and checksum of `bytes` against an int8 model
/// with this fingerprint and body length, in the order magic, version,
/// fingerprint, body length, file length, checksum. Never reads out of
/// bounds. A `const fn`.
///
/// # Errors
/// The first check that fails, as its [`Error`] variant.
pub const fn check(bytes: &[u8], fingerprint: u64, body_len: usize) -> Result<(), Error> {
    // Saturating: a huge body length is refused as a length mismatch.
    let expected_len = body_len.saturating_add(HEADER_LEN + CHECKSUM_LEN);
    check_layout(bytes, Layout { magic: MAGIC, version: VERSION, fingerprint, count: body_len, expected_len })
}

/// Writes `model` into `out`; returns the number of bytes written
/// ([`encoded_len::<M>()`](encoded_len)).
///
/// # Errors
/// [`Error::BufferTooSmall`] if `out` is shorter than the encoding; `out` is
/// then left unchanged.
pub fn to_bytes<M: Int8Params>(model: &M, out: &mut [u8]) -> Result<usize, Error> {
    let n = encoded_len::<M>();
    let Some(out) = out.get_mut(..n) else {
        return Err(Error::BufferTooSmall { needed: n, got: out.len() });
    };
    out[..4].copy_from_slice(&MAGIC);
    out[4..8].copy_from_slice(&VERSION.to_le_bytes());
    out[8..16].copy_from_slice(&M::FINGERPRINT.to_le_bytes());
    out[16..20].copy_from_slice(&(M::BODY_LEN as u32).to_le_bytes());
    let mut w = Writer { out: &mut out[..n - CHECKSUM_LEN], at: HEADER_LEN };
    model.write(&mut w);
    debug_assert_eq!(w.at, n - CHECKSUM_LEN);
    let crc = crc32(&out[..n - CHECKSUM_LEN]);
    out[n - CHECKSUM_LEN..].copy_from_slice(&crc.to_le_bytes());
    Ok(n)
}

/// Reads an int8 model of type `M` from `bytes`.
///
/// # Errors
/// Each way the bytes can be wrong has its own [`Error`] variant: see
/// [`check`]; after those, [`Error::Parameter`] for a value no layer
/// accepts. Never panics, whatever the bytes.
pub fn from_bytes<M: Int8Params>(bytes: &[u8]) -> Result<M, Error> {
    check(bytes, M::FINGERPRINT, M::BODY_LEN)?;
    let mut r = Reader::new(bytes);
    let model = M::read(&mut r);
    match r.error {
        Some(e) => Err(e),
        None => Ok(model),
    }
}

/// [`check`] for constant bytes, then the reader's first parameter error:
/// panics — at compile time in a `static` — with a message naming the
/// problem. What [`load_static_int8!`](crate::load_static_int8!) calls.
#[track_caller]
pub const fn check_static<M: Int8Params>(bytes: &[u8], model: &M, reader: &Reader<'_>) {
    let _ = model;
    match check(bytes, M::FINGERPRINT, M::BODY_LEN) {
        Ok(()) => {}
        Err(Error::Magic { .. }) => panic!("constnet: the bytes are not a constnet int8 model (wrong magic)"),
        Err(Error::Version { .. }) => {
            panic!("constnet: the int8 model file has an unsupported format version")
        }
        Err(Error::Fingerprint { .. }) => panic!(
            "constnet: the int8 model file was made for a different network \
             (architecture fingerprint mismatch): re-export it from the network type you load it into"
        ),
        Err(Error::BodyLength { .. }) => {
            panic!("constnet: the int8 model file holds a different number of bytes than the network")
        }
        Err(Error::Length { .. }) => {
            panic!("constnet: the int8 model file has the wrong length (truncated or padded)")
        }
        Err(Error::Checksum { .. }) => {
            panic!("constnet: the int8 model file is corrupted (checksum mismatch)")
        }
        Err(_) => panic!("constnet: the int8 model file is invalid"),
    }
    if reader.error.is_some() {
        panic!("constnet: the int8 model file holds a parameter no int8 layer accepts");
    }
}

/// Builds an int8 network from constant model bytes at compile time, for a
/// `static` in flash: [`load_static!`](crate::load_static!) for int8 models.
///
/// Name every layer's kind in order — `Quantize`, `Dequantize`, `QDense`,
/// `QDenseLiteRt`, `QRelu`, `QLut` — nested in parentheses as in the type (sizes come from
/// the type); every int8 layer has parameters, so all are read from the
/// bytes. The compiler checks magic, version, fingerprint, length, CRC-32
/// and every value.
///
/// ```
/// use constnet::{load_static_int8, Layer};
/// use constnet::io::int8;
/// use constnet::quant::{QDense, QRelu};
/// type Net = (QDense<2, 1>, QRelu);
/// // Usually `include_bytes!("model.q8")`; here a model written by `int8::to_bytes`.
/// const BYTES: &[u8] = &[
///     67, 78, 81, 56, 1, 0, 0, 0, 93, 197, 44, 52, 40, 163, 216, 37, 17, 0, 0, 0, 0, 0, 128,
///     127, 64, 192, 5, 0, 0, 0, 0, 0, 0, 64, 0, 0, 127, 191, 94, 83, 244,
/// ];
/// static NET: Net = load_static_int8!(BYTES => (QDense, QRelu));
/// assert_eq!(NET.forward(&[10, 2]), [127]); // (64·10 − 64·2 + 5) · 0.5 = 258.5 → saturates
/// # let mut buf = [0u8; int8::encoded_len::<Net>()];
/// # int8::to_bytes(&NET, &mut buf).unwrap();
/// # assert_eq!(&buf[..], BYTES);
/// ```
///
/// Bytes made for another network do not compile:
///
/// ```compile_fail
/// # use constnet::load_static_int8;
/// # use constnet::quant::{QDense, QRelu};
/// # const BYTES: &[u8] = &[
/// #     67, 78, 81, 56, 1, 0, 0, 0, 93, 197, 44, 52, 40, 163, 216, 37, 17, 0, 0, 0, 0, 0, 128,
/// #     127, 64, 192, 5, 0, 0, 0, 0, 0, 0, 64, 0, 0, 127, 191, 94, 83, 244,
/// # ];
/// static NET: (QDense<1, 2>, QRelu) = load_static_int8!(BYTES => (QDense, QRelu));
/// ```
#[macro_export]
macro_rules! load_static_int8 {
    ($bytes:expr => ( $($layers:tt)* )) => {{
        const __CONSTNET_BYTES: &[u8] = $bytes;
        let mut __constnet_reader = $crate::io::int8::Reader::new(__CONSTNET_BYTES);
        let __constnet_model = $crate::load_static_int8!(@layers __constnet_reader; []; $($layers)*);
        $crate::io::int8::check_static(__CONSTNET_BYTES, &__constnet_model, &__constnet_reader);
        __constnet_model
    }};
    (@layers $r:ident; [$($done:expr),*]; ) => {
        ($($done,)*)
    };
    (@layers $r:ident; [$($done:expr),*]; ( $($inner:tt)* ) $(, $($rest:tt)*)?) => {
        $crate::load_static_int8!(
            @layers $r; [$($done,)* $crate::load_static_int8!(@layers $r; []; $($inner)*)]; $($($rest)*)?
        )
    };
    (@layers $r:ident; [$($done:expr),*]; Quantize $(, $($rest:tt)*)?) => {
        $crate::load_static_int8!(@layers $r; [$($done,)* $r.quantize()]; $($($rest)*)?)
    };
    (@layers $r:ident; [$($done:expr),*]; Dequantize $(, $($rest:tt)*)?) => {
        $crate::load_static_int8!(@layers $r; [$($done,)* $r.dequantize()]; $($($rest)*)?)
    };
    (@layers $r:ident; [$($done:expr),*]; QDense $(, $($rest:tt)*)?) => {
        $crate::load_static_int8!(@layers $r; [$($done,)* $r.qdense()]; $($($rest)*)?)
    };
    (@layers $r:ident; [$($done:expr),*]; QDenseLiteRt $(, $($rest:tt)*)?) => {
        $crate::load_static_int8!(@layers $r; [$($done,)* $r.qdense_litert()]; $($($rest)*)?)
    };
    (@layers $r:ident; [$($done:expr),*]; QRelu $(, $($rest:tt)*)?) => {
        $crate::load_static_int8!(@layers $r; [$($done,)* $r.qrelu()]; $($($rest)*)?)
    };
    (@layers $r:ident; [$($done:expr),*]; QLut $(, $($rest:tt)*)?) => {
        $crate::load_static_int8!(@layers $r; [$($done,)* $r.qlut()]; $($($rest)*)?)
    };
    (@layers $r:ident; [$($done:expr),*]; QConv2d $(, $($rest:tt)*)?) => {
        $crate::load_static_int8!(@layers $r; [$($done,)* $r.qconv2d()]; $($($rest)*)?)
    };
    (@layers $r:ident; [$($done:expr),*]; QDepthwiseConv2d $(, $($rest:tt)*)?) => {
        $crate::load_static_int8!(@layers $r; [$($done,)* $r.qdepthwise_conv2d()]; $($($rest)*)?)
    };
    (@layers $r:ident; [$($done:expr),*]; QGlobalAvgPool2d $(, $($rest:tt)*)?) => {
        $crate::load_static_int8!(@layers $r; [$($done,)* $r.qglobal_avg_pool2d()]; $($($rest)*)?)
    };
    (@layers $r:ident; [$($done:expr),*]; QMaxPool2d $(, $($rest:tt)*)?) => {
        $crate::load_static_int8!(@layers $r; [$($done,)* $r.unit($crate::quant::QMaxPool2d)]; $($($rest)*)?)
    };
    (@layers $r:ident; [$($done:expr),*]; QFlatten $(, $($rest:tt)*)?) => {
        $crate::load_static_int8!(@layers $r; [$($done,)* $r.unit($crate::quant::QFlatten)]; $($($rest)*)?)
    };
    (@layers $r:ident; [$($done:expr),*]; QUnflatten $(, $($rest:tt)*)?) => {
        $crate::load_static_int8!(@layers $r; [$($done,)* $r.unit($crate::quant::QUnflatten)]; $($($rest)*)?)
    };
}

impl Int8Params for Quantize {
    const FINGERPRINT: u64 = fingerprint::str("Quantize");
    const BODY_LEN: usize = 5;
    fn write(&self, out: &mut Writer<'_>) {
        out.f32(self.params().scale);
        out.i8(self.params().zero_point);
    }
    fn read(r: &mut Reader<'_>) -> Self {
        r.quantize()
    }
}

impl Int8Params for Dequantize {
    const FINGERPRINT: u64 = fingerprint::str("Dequantize");
    const BODY_LEN: usize = 5;
    fn write(&self, out: &mut Writer<'_>) {
        out.f32(self.params().scale);
        out.i8(self.params().zero_point);
    }
    fn read(r: &mut Reader<'_>) -> Self {
        r.dequantize()
    }
}

impl Int8Params for QRelu {
    const FINGERPRINT: u64 = fingerprint::str("QRelu");
    const BODY_LEN: usize = 2;
    fn write(&self, out: &mut Writer<'_>) {
        out.i8(self.min());
        out.i8(self.max());
    }
    fn read(r: &mut Reader<'_>) -> Self {
        r.qrelu()
    }
}

impl Int8Params for QLut {
    const FINGERPRINT: u64 = fingerprint::str("QLut");
    const BODY_LEN: usize = 256;
    fn write(&self, out: &mut Writer<'_>) {
        out.i8s(self.table());
    }
    fn read(r: &mut Reader<'_>) -> Self {
        r.qlut()
    }
}

impl<const IN: usize, const OUT: usize> Int8Params for QDense<IN, OUT> {
    const FINGERPRINT: u64 =
        fingerprint::mix(fingerprint::mix(fingerprint::str("QDense"), IN as u64), OUT as u64);
    const BODY_LEN: usize = 4 + IN * OUT + 9 * OUT;
    fn write(&self, out: &mut Writer<'_>) {
        out.i8s(&[self.input_zero_point(), self.output_zero_point(), self.act_min(), self.act_max()]);
        out.i8s(self.weight().as_flattened());
        out.i32s(&self.bias());
        out.i32s(self.multiplier());
        out.i8s(self.shift());
    }
    fn read(r: &mut Reader<'_>) -> Self {
        r.qdense()
    }
}

impl<
    const H: usize,
    const W: usize,
    const CI: usize,
    const CO: usize,
    const K: usize,
    const S: usize,
    const P: usize,
    const OH: usize,
    const OW: usize,
> Int8Params for QConv2d<H, W, CI, CO, K, S, P, OH, OW>
{
    const FINGERPRINT: u64 = crate::layers::conv::impls::fingerprint(
        "QConv2d",
        &[H as u64, W as u64, CI as u64, CO as u64, K as u64, S as u64, P as u64],
    );
    const BODY_LEN: usize = 4 + CO * K * K * CI + 9 * CO;
    fn write(&self, out: &mut Writer<'_>) {
        let ((zi, zo), (min, max)) = (self.zero_points(), self.clamp());
        out.i8s(&[zi, zo, min, max]);
        out.i8s(self.weight().as_flattened().as_flattened().as_flattened());
        out.i32s(&self.bias());
        out.i32s(self.multiplier());
        out.i8s(self.shift());
    }
    fn read(r: &mut Reader<'_>) -> Self {
        r.qconv2d()
    }
}

impl<
    const H: usize,
    const W: usize,
    const C: usize,
    const K: usize,
    const S: usize,
    const P: usize,
    const OH: usize,
    const OW: usize,
> Int8Params for QDepthwiseConv2d<H, W, C, K, S, P, OH, OW>
{
    const FINGERPRINT: u64 = crate::layers::conv::impls::fingerprint(
        "QDepthwiseConv2d",
        &[H as u64, W as u64, C as u64, K as u64, S as u64, P as u64],
    );
    const BODY_LEN: usize = 4 + K * K * C + 9 * C;
    fn write(&self, out: &mut Writer<'_>) {
        let ((zi, zo), (min, max)) = (self.zero_points(), self.clamp());
        out.i8s(&[zi, zo, min, max]);
        out.i8s(self.weight().as_flattened().as_flattened());
        out.i32s(self.bias());
        out.i32s(self.multiplier());
        out.i8s(self.shift());
    }
    fn read(r: &mut Reader<'_>) -> Self {
        r.qdepthwise_conv2d()
    }
}

impl<const H: usize, const W: usize, const C: usize> Int8Params for QGlobalAvgPool2d<H, W, C> {
    const FINGERPRINT: u64 =
        crate::layers::conv::impls::fingerprint("QGlobalAvgPool2d", &[H as u64, W as u64, C as u64]);
    const BODY_LEN: usize = 2;
    fn write(&self, out: &mut Writer<'_>) {
        let (min, max) = self.clamp();
        out.i8s(&[min, max]);
    }
    fn read(r: &mut Reader<'_>) -> Self {
        r.qglobal_avg_pool2d()
    }
}

impl<
    const H: usize,
    const W: usize,
    const C: usize,
    const K: usize,
    const S: usize,
    const OH: usize,
    const OW: usize,
> Int8Params for QMaxPool2d<H, W, C, K, S, OH, OW>
{
    const FINGERPRINT: u64 = crate::layers::conv::impls::fingerprint(
        "QMaxPool2d",
        &[H as u64, W as u64, C as u64, K as u64, S as u64],
    );
    const BODY_LEN: usize = 0;
    fn write(&self, _: &mut Writer<'_>) {}
    fn read(r: &mut Reader<'_>) -> Self {
        r.unit(QMaxPool2d)
    }
}

impl<const H: usize, const W: usize, const C: usize, const N: usize> Int8Params for QFlatten<H, W, C, N> {
    const FINGERPRINT: u64 =
        crate::layers::conv::impls::fingerprint("QFlatten", &[H as u64, W as u64, C as u64]);
    const BODY_LEN: usize = 0;
    fn write(&self, _: &mut Writer<'_>) {}
    fn read(r: &mut Reader<'_>) -> Self {
        r.unit(QFlatten)
    }
}

impl<const H: usize, const W: usize, const C: usize, const N: usize> Int8Params for QUnflatten<H, W, C, N> {
    const FINGERPRINT: u64 =
        crate::layers::conv::impls::fingerprint("QUnflatten", &[H as u64, W as u64, C as u64]);
    const BODY_LEN: usize = 0;
    fn write(&self, _: &mut Writer<'_>) {}
    fn read(r: &mut Reader<'_>) -> Self {
        r.unit(QUnflatten)
    }
}

impl<const IN: usize, const OUT: usize> Int8Params for QDenseLiteRt<IN, OUT> {
    const FINGERPRINT: u64 =
        fingerprint::mix(fingerprint::mix(fingerprint::str("QDenseLiteRt"), IN as u64), OUT as u64);
    const BODY_LEN: usize = 4 + IN * OUT + 12 * OUT;
    fn write(&self, out: &mut Writer<'_>) {
        out.i8s(&[self.input_zero_point(), self.output_zero_point(), self.act_min(), self.act_max()]);
        out.i8s(self.weight().as_flattened());
        out.i32s(&self.bias());
        out.f64s(self.scale());
    }
    fn read(r: &mut Reader<'_>) -> Self {
        r.qdense_litert()
    }
}

macro_rules! tuple_int8_params {
    ($($T:ident $i:tt),+) => {
        impl<$($T: Int8Params),+> Int8Params for ($($T,)+) {
            const FINGERPRINT: u64 = {
                let h = fingerprint::str("(");
                $(let h = fingerprint::mix(h, $T::FINGERPRINT);)+
                fingerprint::mix(h, fingerprint::str(")"))
            };
            const BODY_LEN: usize = 0 $(+ $T::BODY_LEN)+;
            fn write(&self, out: &mut Writer<'_>) {
                $(self.$i.write(out);)+
            }
            fn read(r: &mut Reader<'_>) -> Self {
                ($($T::read(r),)+)
            }
        }
    };
}

tuple_int8_params!(A 0, B 1);
tuple_int8_params!(A 0, B 1, C 2);
tuple_int8_params!(A 0, B 1, C 2, D 3);
tuple_int8_params!(A 0, B 1, C 2, D 3, E 4);
tuple_int8_params!(A 0, B 1, C 2, D 3, E 4, F 5);
tuple_int8_params!(A 0, B 1, C 2, D 3, E 4, F 5, G 6);
tuple_int8_params!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);

/// Writes the int8 model to the file at `path`.
///
/// # Errors
/// Any error creating or writing the file.
#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
pub fn save<M: Int8Params, P: AsRef<std::path::Path>>(model: &M, path: P) -> std::io::Result<()> {
    let mut buf = std::vec![0u8; encoded_len::<M>()];
    to_bytes(model, &mut buf).map_err(std::io::Error::other)?;
    std::fs::write(path, buf)
}

/// Reads an int8 model of type `M` from the file at `path` (see [`from_bytes`]).
///
/// ```no_run
/// use constnet::io::int8;
/// use constnet::quant::{QDense, QRelu};
/// let net: (QDense<4, 2>, QRelu) = int8::load("model.q8")?;
/// int8::save(&net, "copy.q8")?;
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
/// Any error reading the file; a file that is not a valid int8 model for
/// `M` gives [`std::io::ErrorKind::InvalidData`] wrapping the [`Error`].
#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
pub fn load<M: Int8Params, P: AsRef<std::path::Path>>(path: P) -> std::io::Result<M> {
    let bytes = std::fs::read(path)?;
    from_bytes(&bytes).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}
