//! How a real number maps to an int8 one: [`QuantParams`] (scale and zero
//! point) and the observed [`Range`] they are chosen from.

/// TFLite's affine int8 quantization of one tensor:
/// `real = (q − zero_point) · scale`, `q` in `[−128, 127]`.
///
/// ```
/// use constnet::quant::QuantParams;
/// let p = QuantParams::new(0.5, -10);
/// assert_eq!(p.quantize(1.0), -8);
/// assert_eq!(p.dequantize(-8), 1.0);
/// assert_eq!(p.quantize(1000.0), 127); // saturates
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct QuantParams {
    /// The real value of one integer step; finite and positive.
    pub scale: f32,
    /// The integer that stands for real 0.
    pub zero_point: i8,
}

impl QuantParams {
    /// Parameters from a scale and a zero point. Usable in `const` items.
    pub const fn new(scale: f32, zero_point: i8) -> Self {
        Self { scale, zero_point }
    }

    /// True when the scale is finite and positive (what every int8 layer
    /// requires of its quantization).
    ///
    /// ```
    /// use constnet::quant::QuantParams;
    /// assert!(QuantParams::new(0.1, 0).is_valid());
    /// assert!(!QuantParams::new(0.0, 0).is_valid());
    /// assert!(!QuantParams::new(f32::NAN, 0).is_valid());
    /// ```
    pub const fn is_valid(&self) -> bool {
        self.scale.is_finite() && self.scale > 0.0
    }

    /// Asymmetric int8 parameters covering `range` the way TFLite's
    /// converter chooses them: the range is widened to include 0 (so 0 is
    /// exact), `scale = (max − min) / 255`, and the zero point is
    /// `round(−128 − min / scale)`, clamped to int8. An empty or all-zero
    /// range gives scale 1 (any scale represents only zeros exactly).
    ///
    /// ```
    /// use constnet::quant::{QuantParams, Range};
    /// let p = QuantParams::from_range(Range::new(0.0, 2.55));
    /// assert_eq!(p.zero_point, -128); // a ReLU output uses the whole int8 range
    /// assert!((p.scale - 0.01).abs() < 1e-7);
    /// let s = QuantParams::from_range(Range::new(-1.0, 1.0));
    /// assert_eq!(s.zero_point, -1); // round(-128 + 127.5), ties away from zero
    /// ```
    pub fn from_range(range: Range) -> Self {
        // In f64: a finite f32 range can be wider than f32::MAX.
        let lo = if range.min < 0.0 { range.min as f64 } else { 0.0 };
        let hi = if range.max > 0.0 { range.max as f64 } else { 0.0 };
        let width = hi - lo;
        if width <= 0.0 || !width.is_finite() {
            return Self { scale: 1.0, zero_point: 0 };
        }
        let scale = (width / 255.0) as f32;
        let zp = libm::round(-128.0 - lo / scale as f64);
        Self { scale, zero_point: zp.clamp(-128.0, 127.0) as i8 }
    }

    /// Symmetric parameters for a weight tensor as TFLite's int8 spec wants
    /// them: zero point 0, `scale = max|w| / 127`, so the weights land in
    /// `[−127, 127]`. All-zero weights get scale 1.
    ///
    /// ```
    /// use constnet::quant::QuantParams;
    /// let p = QuantParams::symmetric(&[0.5, -1.27, 1.0]);
    /// assert_eq!(p.zero_point, 0);
    /// assert!((p.scale - 0.01).abs() < 1e-8);
    /// ```
    pub fn symmetric(values: &[f32]) -> Self {
        let max = values.iter().fold(0.0f32, |m, v| if v.abs() > m { v.abs() } else { m });
        if max <= 0.0 || !max.is_finite() {
            return Self { scale: 1.0, zero_point: 0 };
        }
        Self { scale: max / 127.0, zero_point: 0 }
    }

    /// `clamp(round(x / scale) + zero_point, −128, 127)`: TFLite's QUANTIZE
    /// (division in f32, rounding half away from zero). NaN maps to the zero
    /// point.
    #[inline]
    pub fn quantize(&self, x: f32) -> i8 {
        let q = libm::roundf(x / self.scale);
        // `as` saturates and maps NaN to 0.
        let q = (q as i32).saturating_add(self.zero_point as i32);
        q.clamp(-128, 127) as i8
    }

    /// `(q − zero_point) · scale`: TFLite's DEQUANTIZE.
    #[inline]
    pub fn dequantize(&self, q: i8) -> f32 {
        (q as i32 - self.zero_point as i32) as f32 * self.scale
    }
}

/// The smallest and largest value seen in a tensor during calibration.
///
/// ```
/// use constnet::quant::Range;
/// let mut r = Range::EMPTY;
/// r.observe(&[0.5, -2.0, 1.0]);
/// assert_eq!(r, Range::new(-2.0, 1.0));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Range {
    /// The smallest value seen.
    pub min: f32,
    /// The largest value seen.
    pub max: f32,
}

impl Range {
    /// Nothing seen yet: `min = +∞`, `max = −∞`.
    pub const EMPTY: Range = Range { min: f32::INFINITY, max: f32::NEG_INFINITY };

    /// A range from its ends.
    pub const fn new(min: f32, max: f32) -> Self {
        Self { min, max }
    }

    /// Widens the range to cover every value of `values` (NaNs are skipped).
    #[inline]
    pub fn observe(&mut self, values: &[f32]) {
        for &v in values {
            if v < self.min {
                self.min = v;
            }
            if v > self.max {
                self.max = v;
            }
        }
    }

    /// True when nothing has been observed.
    pub fn is_empty(&self) -> bool {
        !matches!(
            self.min.partial_cmp(&self.max),
            Some(core::cmp::Ordering::Less | core::cmp::Ordering::Equal)
        )
    }
}
