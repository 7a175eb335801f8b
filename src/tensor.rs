//! Fixed-size values flowing between layers: one sample `[f32; N]` or a batch
//! `[[f32; N]; B]`.
//!
//! [`Tensor`] gives any of them a flat `&[f32]` view plus its row shape, so
//! element-wise layers and losses are written once for single samples and
//! batches. [`Zeros`] builds an all-zero value of any size (core's `Default`
//! stops at 32-element arrays).

/// A value that can be created filled with zeros: samples, batches, caches,
/// parameters, gradients and optimizer state.
///
/// ```
/// use constnet::Zeros;
/// let x: [[f32; 40]; 3] = Zeros::zeros();
/// assert!(x.iter().flatten().all(|&v| v == 0.0));
/// ```
pub trait Zeros: Sized {
    /// A value with every number set to zero.
    fn zeros() -> Self;
}

impl Zeros for f32 {
    #[inline]
    fn zeros() -> Self {
        0.0
    }
}

impl Zeros for () {
    #[inline]
    fn zeros() -> Self {}
}

impl<T: Zeros, const N: usize> Zeros for [T; N] {
    #[inline]
    fn zeros() -> Self {
        core::array::from_fn(|_| T::zeros())
    }
}

/// One sample (`[f32; N]`, one row) or a batch of samples (`[[f32; N]; B]`,
/// `B` rows), seen as a flat row-major slice.
///
/// ```
/// use constnet::Tensor;
/// let batch = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]];
/// assert_eq!(<[[f32; 3]; 2] as Tensor>::ROWS, 2);
/// assert_eq!(<[[f32; 3]; 2] as Tensor>::COLS, 3);
/// assert_eq!(batch.flat(), &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
/// ```
pub trait Tensor: Zeros + Clone {
    /// Number of samples (1 for a single sample).
    const ROWS: usize;
    /// Values per sample.
    const COLS: usize;
    /// All values, sample after sample.
    fn flat(&self) -> &[f32];
    /// All values, mutable.
    fn flat_mut(&mut self) -> &mut [f32];
}

impl<const N: usize> Tensor for [f32; N] {
    const ROWS: usize = 1;
    const COLS: usize = N;
    #[inline]
    fn flat(&self) -> &[f32] {
        self
    }
    #[inline]
    fn flat_mut(&mut self) -> &mut [f32] {
        self
    }
}

impl<const N: usize, const B: usize> Tensor for [[f32; N]; B] {
    const ROWS: usize = B;
    const COLS: usize = N;
    #[inline]
    fn flat(&self) -> &[f32] {
        self.as_flattened()
    }
    #[inline]
    fn flat_mut(&mut self) -> &mut [f32] {
        self.as_flattened_mut()
    }
}

/// One image `[[[f32; C]; W]; H]` — height × width × channels, channels last
/// (TFLite's NHWC without the N) — seen as one row of `H·W·C` values. A
/// batch of 1-D sequences `[[[f32; C]; L]; B]` has the same type; only
/// element-wise layers look at it through this trait, and they do not care.
///
/// ```
/// use constnet::Tensor;
/// let image = [[[1.0, 2.0], [3.0, 4.0]]]; // 1 × 2 pixels, 2 channels
/// assert_eq!(<[[[f32; 2]; 2]; 1] as Tensor>::COLS, 4);
/// assert_eq!(image.flat(), &[1.0, 2.0, 3.0, 4.0]);
/// ```
impl<const C: usize, const W: usize, const H: usize> Tensor for [[[f32; C]; W]; H] {
    const ROWS: usize = 1;
    const COLS: usize = H * W * C;
    #[inline]
    fn flat(&self) -> &[f32] {
        self.as_flattened().as_flattened()
    }
    #[inline]
    fn flat_mut(&mut self) -> &mut [f32] {
        self.as_flattened_mut().as_flattened_mut()
    }
}

/// A batch of `B` images `[[[[f32; C]; W]; H]; B]`: `B` rows of `H·W·C`.
///
/// ```
/// use constnet::Tensor;
/// let batch = [[[[1.0]]], [[[2.0]]]]; // two 1 × 1 × 1 images
/// assert_eq!(<[[[[f32; 1]; 1]; 1]; 2] as Tensor>::ROWS, 2);
/// assert_eq!(batch.flat(), &[1.0, 2.0]);
/// ```
impl<const C: usize, const W: usize, const H: usize, const B: usize> Tensor for [[[[f32; C]; W]; H]; B] {
    const ROWS: usize = B;
    const COLS: usize = H * W * C;
    #[inline]
    fn flat(&self) -> &[f32] {
        self.as_flattened().as_flattened().as_flattened()
    }
    #[inline]
    fn flat_mut(&mut self) -> &mut [f32] {
        self.as_flattened_mut().as_flattened_mut().as_flattened_mut()
    }
}
