//! IDX files — the format of MNIST and Fashion-MNIST — read and checked into
//! `Vec<[f32; N]>` samples and `usize` labels (`std` only).
//!
//! A folder holding the four standard files (`train-images-idx3-ubyte`,
//! `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte`,
//! `t10k-labels-idx1-ubyte`), each raw or gzip'd (`.gz`), loads with
//! [`load_dir`]. Everything is validated before a single sample is returned:
//! the magic number (element type `u8`, number of dimensions), the image size,
//! the file length against the header (truncated or trailing bytes), the
//! gzip stream's own checksum, equal image and label counts, and labels below
//! the number of classes. Each problem is an [`Error`] naming the file and
//! what is wrong; nothing panics and nothing is read partially.
//!
//! Pixels (bytes 0–255) become floats by the [`Scale`] you choose: `[0, 1]`
//! by default, or `[-0.5, 0.5]` as the Cretan MNIST tutorial does.
//!
//! ```
//! use constnet::data::idx::{self, Scale};
//! # let dir = std::env::temp_dir().join(format!("constnet-idx-doc-{}", std::process::id()));
//! # std::fs::create_dir_all(&dir).unwrap();
//! // Two 2×2 images and their labels, in IDX form.
//! let images = idx::encode_images(2, 2, &[0, 255, 51, 102, 255, 255, 0, 0]);
//! let labels = idx::encode_labels(&[7, 1]);
//! std::fs::write(dir.join("images"), &images).unwrap();
//! std::fs::write(dir.join("labels"), &labels).unwrap();
//!
//! let set = idx::load_pair::<4>(&dir.join("images"), &dir.join("labels"), Scale::ZeroOne, 10).unwrap();
//! assert_eq!(set.labels, [7, 1]);
//! assert_eq!(set.images[0], [0.0, 1.0, 0.2, 0.4]);
//!
//! // A truncated file is an error that says so, never a short data set.
//! std::fs::write(dir.join("labels"), &labels[..labels.len() - 1]).unwrap();
//! let err = idx::load_pair::<4>(&dir.join("images"), &dir.join("labels"), Scale::ZeroOne, 10).unwrap_err();
//! assert!(matches!(err.kind, idx::ErrorKind::Truncated { expected: 10, found: 9 }), "{err}");
//! # std::fs::remove_dir_all(&dir).unwrap();
//! ```

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::vec::Vec;

/// Width × height of an MNIST / Fashion-MNIST image.
pub const MNIST_PIXELS: usize = 28 * 28;
/// Classes in MNIST and Fashion-MNIST.
pub const MNIST_CLASSES: usize = 10;
/// The standard file names, without `.gz`: training images, training labels,
/// test images, test labels.
pub const MNIST_FILES: [&str; 4] = [
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
];

/// IDX type code of unsigned bytes, the only element type this reader takes.
pub const UBYTE: u8 = 0x08;

/// How pixel bytes become floats.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Scale {
    /// `p / 255`, in `[0, 1]` (the usual choice).
    #[default]
    ZeroOne,
    /// `p / 255 − 0.5`, in `[-0.5, 0.5]` (the Cretan MNIST tutorial).
    Centered,
}

impl Scale {
    /// The float for pixel byte `p`.
    ///
    /// ```
    /// use constnet::data::idx::Scale;
    /// assert_eq!(Scale::ZeroOne.apply(255), 1.0);
    /// assert_eq!(Scale::Centered.apply(0), -0.5);
    /// ```
    #[inline]
    pub fn apply(self, p: u8) -> f32 {
        let v = p as f32 / 255.0;
        match self {
            Scale::ZeroOne => v,
            Scale::Centered => v - 0.5,
        }
    }
}

/// An IDX file or pair of files that could not be read, and which file.
#[derive(Debug)]
pub struct Error {
    /// The file the problem is in (for [`ErrorKind::CountMismatch`], the
    /// label file).
    pub path: PathBuf,
    /// What is wrong.
    pub kind: ErrorKind,
}

/// What is wrong with an IDX file.
#[derive(Debug)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The file could not be opened or read, or its gzip stream is corrupt.
    Io(std::io::Error),
    /// The first four bytes are not `00 00 08 <ndim>` with the expected
    /// number of dimensions.
    Magic {
        /// The four bytes found (fewer if the file is shorter).
        found: [u8; 4],
        /// The number of dimensions expected (3 for images, 1 for labels).
        ndim: u8,
    },
    /// The file ends before the header or the data it announces.
    Truncated {
        /// Bytes the header announces (header included).
        expected: usize,
        /// Bytes present.
        found: usize,
    },
    /// The file has more bytes than the header announces.
    TrailingBytes {
        /// Bytes the header announces (header included).
        expected: usize,
        /// Bytes present.
        found: usize,
    },
    /// The images are not `rows × cols = N` pixels, as the caller asked.
    ImageSize {
        /// Pixels per image the caller expects (`N`).
        expected: usize,
        /// Rows in the file.
        rows: usize,
        /// Columns in the file.
        cols: usize,
    },
    /// The header's dimensions multiply to more bytes than can exist.
    Overflow,
    /// The image file and the label file hold different numbers of items.
    CountMismatch {
        /// Images in the image file.
        images: usize,
        /// Labels in the label file.
        labels: usize,
    },
    /// A label is not below the number of classes.
    Label {
        /// Position of the label in the file.
        index: usize,
        /// The label found.
        value: u8,
        /// The number of classes expected.
        classes: usize,
    },
    /// Neither `name` nor `name.gz` exists in the folder.
    NotFound,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = self.path.display();
        match &self.kind {
            ErrorKind::Io(e) => write!(f, "{p}: {e}"),
            ErrorKind::Magic { found, ndim } => write!(
                f,
                "{p}: not an IDX file of unsigned bytes with {ndim} dimension(s): magic {found:02x?}, \
                 expected [00, 00, 08, {ndim:02x}]"
            ),
            ErrorKind::Truncated { expected, found } => {
                write!(f, "{p}: truncated: the header announces {expected} bytes, the file has {found}")
            }
            ErrorKind::TrailingBytes { expected, found } => write!(
                f,
                "{p}: {} trailing bytes: the header announces {expected} bytes, the file has {found}",
                found - expected
            ),
            ErrorKind::ImageSize { expected, rows, cols } => write!(
                f,
                "{p}: images are {rows}×{cols} = {} pixels, expected {expected}",
                rows.saturating_mul(*cols)
            ),
            ErrorKind::Overflow => write!(f, "{p}: header dimensions are too large to be real"),
            ErrorKind::CountMismatch { images, labels } => {
                write!(f, "{p}: {labels} labels for {images} images")
            }
            ErrorKind::Label { index, value, classes } => {
                write!(f, "{p}: label {index} is {value}, expected a class below {classes}")
            }
            ErrorKind::NotFound => write!(f, "{p}: not found (nor with or without .gz)"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            ErrorKind::Io(e) => Some(e),
            _ => None,
        }
    }
}

fn err(path: &Path, kind: ErrorKind) -> Error {
    Error { path: path.to_path_buf(), kind }
}

/// The bytes of a file, gunzipped when it starts with the gzip magic
/// (`1f 8b`), whatever its name. A gzip stream that is cut short or fails
/// its CRC is an [`ErrorKind::Io`] error.
pub fn read_file(path: &Path) -> Result<Vec<u8>, Error> {
    let raw = std::fs::read(path).map_err(|e| err(path, ErrorKind::Io(e)))?;
    if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .map_err(|e| err(path, ErrorKind::Io(e)))?;
        Ok(out)
    } else {
        Ok(raw)
    }
}

/// Checks an IDX header of `ndim` dimensions of unsigned bytes and the total
/// length; returns the dimensions and the data after the header.
pub fn parse<'a>(path: &Path, bytes: &'a [u8], ndim: u8) -> Result<(Vec<usize>, &'a [u8]), Error> {
    let mut found = [0u8; 4];
    let n = bytes.len().min(4);
    found[..n].copy_from_slice(&bytes[..n]);
    if n < 4 {
        return Err(err(path, ErrorKind::Truncated { expected: 4, found: bytes.len() }));
    }
    if found != [0, 0, UBYTE, ndim] {
        return Err(err(path, ErrorKind::Magic { found, ndim }));
    }
    let header = 4 + 4 * ndim as usize;
    if bytes.len() < header {
        return Err(err(path, ErrorKind::Truncated { expected: header, found: bytes.len() }));
    }
    let dims: Vec<usize> = bytes[4..header]
        .chunks_exact(4)
        .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]) as usize)
        .collect();
    let expected = dims
        .iter()
        .try_fold(1usize, |a, &d| a.checked_mul(d))
        .and_then(|body| body.checked_add(header))
        .ok_or_else(|| err(path, ErrorKind::Overflow))?;
    match bytes.len() {
        len if len < expected => Err(err(path, ErrorKind::Truncated { expected, found: len })),
        len if len > expected => Err(err(path, ErrorKind::TrailingBytes { expected, found: len })),
        _ => Ok((dims, &bytes[header..])),
    }
}

/// Reads an image file (3 dimensions: count, rows, columns) of `N`-pixel
/// images, scaled by `scale`.
pub fn read_images<const N: usize>(path: &Path, scale: Scale) -> Result<Vec<[f32; N]>, Error> {
    let bytes = read_file(path)?;
    let (dims, data) = parse(path, &bytes, 3)?;
    let (rows, cols) = (dims[1], dims[2]);
    if rows.checked_mul(cols) != Some(N) {
        return Err(err(path, ErrorKind::ImageSize { expected: N, rows, cols }));
    }
    if N == 0 {
        return Ok(std::vec![[0.0; N]; dims[0]]);
    }
    Ok(data.chunks_exact(N).map(|img| core::array::from_fn(|i| scale.apply(img[i]))).collect())
}

/// Reads a label file (1 dimension) whose labels must be below `classes`.
pub fn read_labels(path: &Path, classes: usize) -> Result<Vec<usize>, Error> {
    let bytes = read_file(path)?;
    let (_, data) = parse(path, &bytes, 1)?;
    if let Some((index, &value)) = data.iter().enumerate().find(|&(_, &v)| v as usize >= classes) {
        return Err(err(path, ErrorKind::Label { index, value, classes }));
    }
    Ok(data.iter().map(|&v| v as usize).collect())
}

/// Images with their labels.
#[derive(Clone, Debug, PartialEq)]
pub struct LabeledSet<const N: usize> {
    /// One `[f32; N]` per image.
    pub images: Vec<[f32; N]>,
    /// One class per image.
    pub labels: Vec<usize>,
}

impl<const N: usize> LabeledSet<N> {
    /// Number of samples.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// True when there are no samples.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }
}

/// Reads an image file and its label file and checks that they hold the
/// same number of items.
pub fn load_pair<const N: usize>(
    images: &Path,
    labels: &Path,
    scale: Scale,
    classes: usize,
) -> Result<LabeledSet<N>, Error> {
    let x = read_images::<N>(images, scale)?;
    let y = read_labels(labels, classes)?;
    if x.len() != y.len() {
        return Err(err(labels, ErrorKind::CountMismatch { images: x.len(), labels: y.len() }));
    }
    Ok(LabeledSet { images: x, labels: y })
}

/// A training set and a test set of 28×28 images in 10 classes.
#[derive(Clone, Debug, PartialEq)]
pub struct Mnist {
    /// The training set (`train-*` files).
    pub train: LabeledSet<MNIST_PIXELS>,
    /// The test set (`t10k-*` files).
    pub test: LabeledSet<MNIST_PIXELS>,
}

/// `dir/name`, or `dir/name.gz` if only that exists.
pub fn find(dir: &Path, name: &str) -> Result<PathBuf, Error> {
    let raw = dir.join(name);
    if raw.is_file() {
        return Ok(raw);
    }
    let gz = dir.join(std::format!("{name}.gz"));
    if gz.is_file() {
        return Ok(gz);
    }
    Err(err(&raw, ErrorKind::NotFound))
}

/// Loads MNIST, Fashion-MNIST or any folder with the four standard file
/// names ([`MNIST_FILES`], each raw or `.gz`): 28×28 images, labels 0–9.
pub fn load_dir(dir: &Path, scale: Scale) -> Result<Mnist, Error> {
    let [tri, trl, tei, tel] = MNIST_FILES.map(|n| find(dir, n));
    let train = load_pair(&tri?, &trl?, scale, MNIST_CLASSES)?;
    let test = load_pair(&tei?, &tel?, scale, MNIST_CLASSES)?;
    Ok(Mnist { train, test })
}

/// The IDX bytes of `pixels.len() / (rows·cols)` images of `rows × cols`
/// bytes (the inverse of [`read_images`] before scaling); for tests and
/// converters.
pub fn encode_images(rows: u32, cols: u32, pixels: &[u8]) -> Vec<u8> {
    let per = (rows as usize * cols as usize).max(1);
    let mut out = Vec::with_capacity(16 + pixels.len());
    out.extend_from_slice(&[0, 0, UBYTE, 3]);
    out.extend_from_slice(&((pixels.len() / per) as u32).to_be_bytes());
    out.extend_from_slice(&rows.to_be_bytes());
    out.extend_from_slice(&cols.to_be_bytes());
    out.extend_from_slice(pixels);
    out
}

/// The IDX bytes of a label file.
pub fn encode_labels(labels: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + labels.len());
    out.extend_from_slice(&[0, 0, UBYTE, 1]);
    out.extend_from_slice(&(labels.len() as u32).to_be_bytes());
    out.extend_from_slice(labels);
    out
}
