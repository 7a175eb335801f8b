//! The IDX reader against good, truncated, mislabelled and wrong-shaped
//! files, raw and gzip'd, written to a temporary folder.
#![cfg(feature = "std")]

use constnet::data::idx::{self, ErrorKind, MNIST_FILES, Scale};
use std::io::Write;
use std::path::{Path, PathBuf};

/// A fresh folder under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let p = std::env::temp_dir().join(format!("constnet-idx-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
    fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.0.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

/// `n` 28×28 images whose pixel `k` of image `i` is `(i + k) mod 256`.
fn images(n: usize) -> Vec<u8> {
    let px: Vec<u8> = (0..n * 784).map(|j| ((j / 784 + j % 784) % 256) as u8).collect();
    idx::encode_images(28, 28, &px)
}

fn labels(n: usize) -> Vec<u8> {
    idx::encode_labels(&(0..n).map(|i| (i % 10) as u8).collect::<Vec<_>>())
}

fn load(dir: &TempDir, img: &[u8], lbl: &[u8]) -> Result<idx::LabeledSet<784>, idx::Error> {
    let (i, l) = (dir.write("img", img), dir.write("lbl", lbl));
    idx::load_pair::<784>(&i, &l, Scale::ZeroOne, 10)
}

#[test]
fn reads_good_files_raw_and_gzipped_with_either_scale() {
    let dir = TempDir::new("good");
    let set = load(&dir, &images(5), &labels(5)).unwrap();
    assert_eq!(set.len(), 5);
    assert_eq!(set.labels, [0, 1, 2, 3, 4]);
    assert_eq!(set.images[2][0], 2.0 / 255.0);
    assert_eq!(set.images[0][255], 1.0);
    let gz = load(&dir, &gzip(&images(5)), &gzip(&labels(5))).unwrap();
    assert_eq!(gz, set);
    let centered = idx::read_images::<784>(&dir.write("c", &images(1)), Scale::Centered).unwrap();
    assert_eq!(centered[0][0], -0.5);
    assert_eq!(centered[0][255], 0.5);
}

#[test]
fn load_dir_finds_raw_and_gz_names() {
    let dir = TempDir::new("dir");
    dir.write(&format!("{}.gz", MNIST_FILES[0]), &gzip(&images(6)));
    dir.write(MNIST_FILES[1], &labels(6));
    dir.write(MNIST_FILES[2], &images(2));
    dir.write(&format!("{}.gz", MNIST_FILES[3]), &gzip(&labels(2)));
    let m = idx::load_dir(&dir.0, Scale::ZeroOne).unwrap();
    assert_eq!((m.train.len(), m.test.len()), (6, 2));
    assert_eq!(m.test.labels, [0, 1]);
    std::fs::remove_file(dir.0.join(MNIST_FILES[2])).unwrap();
    let e = idx::load_dir(&dir.0, Scale::ZeroOne).unwrap_err();
    assert!(matches!(e.kind, ErrorKind::NotFound), "{e}");
    assert!(e.to_string().contains("t10k-images-idx3-ubyte"), "{e}");
}

#[test]
fn truncated_files_are_errors() {
    let dir = TempDir::new("trunc");
    let img = images(3);
    // Cut in the data, in the header, and in the magic.
    for cut in [img.len() - 1, img.len() - 784, 10, 3, 0] {
        let e = load(&dir, &img[..cut], &labels(3)).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::Truncated { found, .. } if found == cut), "cut {cut}: {e}");
        assert!(e.to_string().contains("truncated"), "{e}");
    }
    let e = load(&dir, &img, &labels(3)[..9]).unwrap_err();
    assert!(matches!(e.kind, ErrorKind::Truncated { expected: 11, found: 9 }), "{e}");
    assert!(e.path.ends_with("lbl"));
}

#[test]
fn truncated_or_corrupt_gzip_is_an_error() {
    let dir = TempDir::new("gz");
    let gz = gzip(&images(3));
    for cut in [gz.len() - 1, gz.len() - 8, gz.len() / 2, 12] {
        let e = load(&dir, &gz[..cut], &labels(3)).unwrap_err();
        assert!(
            matches!(e.kind, ErrorKind::Io(_) | ErrorKind::Truncated { .. }),
            "cut {cut}: expected an error, got {e}"
        );
    }
    let mut bad = gz.clone();
    let n = bad.len();
    bad[n - 6] ^= 0xff; // the CRC-32 in the trailer
    let e = load(&dir, &bad, &labels(3)).unwrap_err();
    assert!(matches!(e.kind, ErrorKind::Io(_)), "{e}");
}

#[test]
fn wrong_magic_is_an_error() {
    let dir = TempDir::new("magic");
    // Label file given as images, image file given as labels.
    let e = load(&dir, &labels(3), &labels(3)).unwrap_err();
    assert!(matches!(e.kind, ErrorKind::Magic { found: [0, 0, 8, 1], ndim: 3 }), "{e}");
    let e = load(&dir, &images(3), &images(3)).unwrap_err();
    assert!(matches!(e.kind, ErrorKind::Magic { found: [0, 0, 8, 3], ndim: 1 }), "{e}");
    assert!(e.to_string().contains("magic"), "{e}");
    // Element type other than unsigned bytes (0x0D = f32).
    let mut img = images(3);
    img[2] = 0x0d;
    let e = load(&dir, &img, &labels(3)).unwrap_err();
    assert!(matches!(e.kind, ErrorKind::Magic { found: [0, 0, 0x0d, 3], .. }), "{e}");
    // Not IDX at all.
    let e = load(&dir, b"P5\n28 28\n255\n", &labels(3)).unwrap_err();
    assert!(matches!(e.kind, ErrorKind::Magic { .. }), "{e}");
}

#[test]
fn wrong_counts_are_errors() {
    let dir = TempDir::new("count");
    // Header says 4 images, data holds 3: truncated.
    let mut img = images(3);
    img[4..8].copy_from_slice(&4u32.to_be_bytes());
    let e = load(&dir, &img, &labels(3)).unwrap_err();
    assert!(matches!(e.kind, ErrorKind::Truncated { expected, .. } if expected == 16 + 4 * 784), "{e}");
    // Header says 2 images, data holds 3: trailing bytes, not a silent short read.
    img[4..8].copy_from_slice(&2u32.to_be_bytes());
    let e = load(&dir, &img, &labels(3)).unwrap_err();
    assert!(matches!(e.kind, ErrorKind::TrailingBytes { found, .. } if found == 16 + 3 * 784), "{e}");
    // Label header count wrong.
    let mut lbl = labels(3);
    lbl[7] = 5;
    let e = load(&dir, &images(3), &lbl).unwrap_err();
    assert!(matches!(e.kind, ErrorKind::Truncated { expected: 13, found: 11 }), "{e}");
    // Each file consistent, but 3 images and 4 labels.
    let e = load(&dir, &images(3), &labels(4)).unwrap_err();
    assert!(matches!(e.kind, ErrorKind::CountMismatch { images: 3, labels: 4 }), "{e}");
    assert_eq!(e.to_string(), format!("{}: 4 labels for 3 images", dir.0.join("lbl").display()));
    // Absurd header sizes are caught before any allocation.
    let mut huge = idx::encode_images(u32::MAX, u32::MAX, &[]);
    huge[4..8].copy_from_slice(&u32::MAX.to_be_bytes());
    let e = idx::parse(Path::new("huge"), &huge, 3).unwrap_err();
    assert!(matches!(e.kind, ErrorKind::Overflow | ErrorKind::Truncated { .. }), "{e}");
}

#[test]
fn wrong_shape_and_bad_labels_are_errors() {
    let dir = TempDir::new("shape");
    let img = idx::encode_images(32, 32, &vec![0; 2 * 1024]);
    let e = load(&dir, &img, &labels(2)).unwrap_err();
    assert!(matches!(e.kind, ErrorKind::ImageSize { expected: 784, rows: 32, cols: 32 }), "{e}");
    let e = load(&dir, &images(3), &idx::encode_labels(&[1, 10, 2])).unwrap_err();
    assert!(matches!(e.kind, ErrorKind::Label { index: 1, value: 10, classes: 10 }), "{e}");
}
