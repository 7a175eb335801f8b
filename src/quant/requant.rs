//! TensorFlow Lite's fixed-point requantization: a real multiplier
//! `m = s_in · s_w / s_out` as a Q31 mantissa and a power-of-two shift, and
//! the integer-only rounding that applies it to an `i32` accumulator.
//!
//! Every function here is a `const fn` over integers only (except
//! [`quantize_multiplier`], which runs once, when a model is quantized),
//! never panics and never overflows: where TFLite's C++ would overflow
//! (`x · 2^left` in `i32`), the arithmetic wraps, which is what the C++
//! compiles to on every target TFLite runs on.
//!
//! ```
//! use constnet::quant::requant::{multiply_by_quantized_multiplier, quantize_multiplier};
//! let m = quantize_multiplier(0.25);
//! assert_eq!((m.mantissa, m.shift), (1 << 30, -1)); // 0.25 = 0.5 · 2^-1
//! assert_eq!(multiply_by_quantized_multiplier(1000, m.mantissa, m.shift as i32), 250);
//! assert_eq!(multiply_by_quantized_multiplier(-6, m.mantissa, m.shift as i32), -2); // -1.5 rounds away from zero
//! ```

/// A real multiplier in TFLite's fixed-point form: `mantissa / 2^31 · 2^shift`,
/// `mantissa` in `[2^30, 2^31)` (or 0 for a zero multiplier), `shift` in
/// `[-31, 30]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct QuantizedMultiplier {
    /// The Q31 mantissa, `round(q · 2^31)` for `m = q · 2^shift`, `q` in `[0.5, 1)`.
    pub mantissa: i32,
    /// The power of two; positive shifts left.
    pub shift: i8,
}

impl QuantizedMultiplier {
    /// True when the fields are in the ranges TFLite produces and the
    /// kernels accept: `mantissa` 0 or in `[2^30, 2^31)`, `shift` in `[-31, 30]`.
    ///
    /// ```
    /// use constnet::quant::requant::QuantizedMultiplier;
    /// assert!(QuantizedMultiplier { mantissa: 1 << 30, shift: -3 }.is_valid());
    /// assert!(!QuantizedMultiplier { mantissa: 12345, shift: 0 }.is_valid());
    /// ```
    pub const fn is_valid(&self) -> bool {
        (self.mantissa == 0 || self.mantissa >= 1 << 30) && self.shift >= -31 && self.shift <= 30
    }

    /// The real value this stands for, `mantissa · 2^(shift − 31)`.
    ///
    /// ```
    /// use constnet::quant::requant::quantize_multiplier;
    /// assert_eq!(quantize_multiplier(0.375).to_f64(), 0.375);
    /// ```
    pub fn to_f64(&self) -> f64 {
        self.mantissa as f64 * libm::exp2(self.shift as f64 - 31.0)
    }
}

/// TFLite's `QuantizeMultiplier`: `m = q · 2^shift` with `q` in `[0.5, 1)`
/// (`frexp`), `mantissa = round(q · 2^31)` (ties away from zero); a mantissa
/// that rounds up to `2^31` is halved and the shift incremented; a shift
/// below −31 gives the zero multiplier. Negative, NaN and zero inputs give
/// the zero multiplier (a multiplier is a ratio of scales, never negative);
/// multipliers of `2^31` or more saturate at the largest representable one.
///
/// ```
/// use constnet::quant::requant::quantize_multiplier;
/// let m = quantize_multiplier(1.0 / 3.0);
/// assert_eq!((m.mantissa, m.shift), (1_431_655_765, -1));
/// assert_eq!(quantize_multiplier(0.0).mantissa, 0);
/// ```
pub fn quantize_multiplier(real: f64) -> QuantizedMultiplier {
    if real.is_nan() || real <= 0.0 {
        return QuantizedMultiplier { mantissa: 0, shift: 0 };
    }
    if real.is_infinite() {
        return QuantizedMultiplier { mantissa: i32::MAX, shift: 30 };
    }
    let (q, mut shift) = libm::frexp(real);
    let mut fixed = libm::round(q * (1u64 << 31) as f64) as i64;
    if fixed == 1 << 31 {
        fixed /= 2;
        shift += 1;
    }
    if shift < -31 {
        return QuantizedMultiplier { mantissa: 0, shift: 0 };
    }
    if shift > 30 {
        return QuantizedMultiplier { mantissa: i32::MAX, shift: 30 };
    }
    QuantizedMultiplier { mantissa: fixed as i32, shift: shift as i8 }
}

/// gemmlowp's `SaturatingRoundingDoublingHighMul`: `a · b / 2^31` rounded
/// to nearest, saturating the one overflowing case (`a = b = i32::MIN`) at
/// `i32::MAX`. Its nudge is `2^30` for a non-negative product and
/// `1 − 2^30` for a negative one before a division that truncates toward
/// zero, so ties go toward +∞ (`1.5 → 2`, `−1.5 → −1`).
///
/// ```
/// use constnet::quant::requant::saturating_rounding_doubling_high_mul as srdhm;
/// assert_eq!(srdhm(1 << 30, 1 << 30), 1 << 29);
/// assert_eq!(srdhm(3, 1 << 30), 2);   //  1.5 →  2
/// assert_eq!(srdhm(-3, 1 << 30), -1); // -1.5 → -1
/// assert_eq!(srdhm(i32::MIN, i32::MIN), i32::MAX);
/// ```
#[inline(always)]
pub const fn saturating_rounding_doubling_high_mul(a: i32, b: i32) -> i32 {
    if a == i32::MIN && b == i32::MIN {
        return i32::MAX;
    }
    let ab = a as i64 * b as i64;
    let nudge = if ab >= 0 { 1 << 30 } else { 1 - (1 << 30) };
    // C++ `/` truncates toward zero, as Rust's does.
    ((ab + nudge) / (1 << 31)) as i32
}

/// gemmlowp's `RoundingDivideByPOT`: `round(x / 2^exponent)`, ties away from
/// zero, for `exponent` in `[0, 31]` (larger exponents are treated as 31).
///
/// ```
/// use constnet::quant::requant::rounding_divide_by_pot as rdbp;
/// assert_eq!(rdbp(5, 1), 3);   //  2.5 →  3
/// assert_eq!(rdbp(-5, 1), -3); // -2.5 → -3
/// assert_eq!(rdbp(-4, 2), -1);
/// assert_eq!(rdbp(7, 0), 7);
/// ```
#[inline(always)]
pub const fn rounding_divide_by_pot(x: i32, exponent: i32) -> i32 {
    let e = if exponent < 0 {
        0
    } else if exponent > 31 {
        31
    } else {
        exponent
    };
    let mask = ((1i64 << e) - 1) as i32;
    let remainder = x & mask;
    let threshold = (mask >> 1) + if x < 0 { 1 } else { 0 };
    (x >> e) + if remainder > threshold { 1 } else { 0 }
}

/// TFLite's `MultiplyByQuantizedMultiplier` with its default ("double")
/// rounding: `RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x · 2^left, mantissa), right)`
/// with `left = max(shift, 0)`, `right = max(−shift, 0)`. This is what
/// TensorFlow Lite Micro's reference int8 kernels compute (and TFLite's
/// `reference_integer_ops`), unless built with `TFLITE_SINGLE_ROUNDING`.
///
/// The interpreters on PyPI differ from it at ties (measured with
/// `ai-edge-litert` 2.3.0 on hand-made FULLY_CONNECTED models whose
/// accumulators hit ties): its `BUILTIN_REF` kernels requantize in double
/// precision (`round(acc · (f64)s_in·s_w/s_out)`, no Q31 multiplier), its
/// optimized kernels (ruy) use this two-step Q31 form with both roundings
/// half up, and XNNPACK rounds `acc · scale` in f32, ties to even. On
/// realistic layers they agree with each other on all but a few outputs in
/// ten thousand.
///
/// ```
/// use constnet::quant::requant::multiply_by_quantized_multiplier as mbqm;
/// // 0.75 = (3·2^29 / 2^31) · 2^0
/// assert_eq!(mbqm(10, 3 << 29, 0), 8);   // 7.5 → 8
/// assert_eq!(mbqm(-10, 3 << 29, 0), -7); // -7.5 → -7 (ties toward +∞ in the high multiply)
/// // 0.25 = 0.5 · 2^-1: two roundings, the second half away from zero
/// assert_eq!(mbqm(5, 1 << 30, -1), 2); // 5 · 0.5 = 2.5 → 3, then 3 / 2 = 1.5 → 2
/// // 3.0 = 0.75 · 2^2: the accumulator is shifted left first
/// assert_eq!(mbqm(7, 3 << 29, 2), 21);
/// ```
#[inline(always)]
pub const fn multiply_by_quantized_multiplier(x: i32, mantissa: i32, shift: i32) -> i32 {
    let left = if shift > 0 { shift } else { 0 };
    let right = if shift > 0 { 0 } else { -shift };
    let shifted = if left >= 31 { 0 } else { x.wrapping_mul(1 << left) };
    rounding_divide_by_pot(saturating_rounding_doubling_high_mul(shifted, mantissa), right)
}

/// TFLite's `MultiplyByQuantizedMultiplier` as built with
/// `TFLITE_SINGLE_ROUNDING`: one rounding, `(x · mantissa + 2^(30 − shift)) >> (31 − shift)`
/// in 64 bits. Kept to compare with interpreters built that way; constnet's
/// kernels use [`multiply_by_quantized_multiplier`]. Shifts outside
/// `[-31, 30]` are clamped into it.
///
/// ```
/// use constnet::quant::requant::multiply_by_quantized_multiplier_single_rounding as single;
/// assert_eq!(single(10, 3 << 29, 0), 8);
/// assert_eq!(single(5, 1 << 30, -1), 1); // 5 · 0.25 = 1.25 → 1 (double rounding gives 2)
/// ```
#[inline(always)]
pub const fn multiply_by_quantized_multiplier_single_rounding(x: i32, mantissa: i32, shift: i32) -> i32 {
    let shift = if shift < -31 {
        -31
    } else if shift > 30 {
        30
    } else {
        shift
    };
    let total = (31 - shift) as u32;
    let round = 1i64 << (total - 1);
    ((x as i64 * mantissa as i64 + round) >> total) as i32
}

/// LiteRT's reference int8 requantization (TensorFlow Lite's desktop
/// interpreter, `BUILTIN_REF` kernels): `round(acc · scale)` in `f64`,
/// ties away from zero, then the zero point and the clamp:
///
/// ```text
/// y = clamp(i32(round(f64(acc) · scale)) + zero_point, min, max)
/// ```
///
/// `scale` is the layer's `f64(s_in) · f64(s_w) / f64(s_out)`. No Q31
/// mantissa in between, so it differs from
/// [`multiply_by_quantized_multiplier`] wherever the 31-bit mantissa rounds
/// a product across a half. The product and `round` are IEEE operations
/// (software `f64` on cores without a double FPU), so every target gives
/// the same bits. A product beyond the `i32` range (which TFLite leaves
/// undefined) saturates. Never panics.
///
/// ```
/// use constnet::quant::requant::requantize_f64;
/// assert_eq!(requantize_f64(5, 0.5, 0, -128, 127), 3); // 2.5 rounds away from zero
/// assert_eq!(requantize_f64(-5, 0.5, 0, -128, 127), -3);
/// assert_eq!(requantize_f64(1000, 0.5, 10, -128, 127), 127);
/// ```
#[inline]
pub fn requantize_f64(acc: i32, scale: f64, zero_point: i32, min: i32, max: i32) -> i8 {
    let v = libm::round(acc as f64 * scale) as i32;
    let v = v.saturating_add(zero_point);
    (if v < min {
        min
    } else if v > max {
        max
    } else {
        v
    }) as i8
}

#[cfg(test)]
mod tests {
    use super::*;

    /// gemmlowp's definitions written as directly as possible, in i128.
    fn srdhm_ref(a: i32, b: i32) -> i32 {
        if a == i32::MIN && b == i32::MIN {
            return i32::MAX;
        }
        let ab = a as i128 * b as i128;
        let nudge: i128 = if ab >= 0 { 1 << 30 } else { 1 - (1 << 30) };
        let n = ab + nudge;
        let q = n / (1i128 << 31);
        q as i32
    }

    #[test]
    fn srdhm_matches_reference_on_edges() {
        let vals = [i32::MIN, i32::MIN + 1, -(1 << 30), -3, -1, 0, 1, 3, 1 << 30, i32::MAX - 1, i32::MAX];
        for &a in &vals {
            for &b in &vals {
                assert_eq!(saturating_rounding_doubling_high_mul(a, b), srdhm_ref(a, b), "{a} {b}");
            }
        }
    }

    #[test]
    fn rdbp_rounds_half_away_from_zero() {
        for e in 1..=10 {
            let half = 1 << (e - 1);
            assert_eq!(rounding_divide_by_pot(half, e), 1);
            assert_eq!(rounding_divide_by_pot(half - 1, e), 0);
            assert_eq!(rounding_divide_by_pot(-half, e), -1);
            assert_eq!(rounding_divide_by_pot(-half + 1, e), 0);
        }
        assert_eq!(rounding_divide_by_pot(i32::MIN, 31), -1);
        assert_eq!(rounding_divide_by_pot(i32::MAX, 31), 1);
        assert_eq!(rounding_divide_by_pot(i32::MAX, 40), 1);
    }

    #[test]
    fn quantize_multiplier_round_trips() {
        for &m in &[1e-9, 0.001, 0.1, 0.3333, 0.5, 0.75, 0.999_999_999_9, 1.0, 1.5, 3.0, 1000.0] {
            let q = quantize_multiplier(m);
            assert!(q.is_valid(), "{m}: {q:?}");
            assert!((q.to_f64() - m).abs() <= m * 1e-9, "{m}: {}", q.to_f64());
        }
        // q just below 1 rounds to 2^31: halved, shift incremented.
        let q = quantize_multiplier(1.0 - 1e-12);
        assert_eq!((q.mantissa, q.shift), (1 << 30, 1));
        // Tiny multipliers vanish, huge ones saturate.
        assert_eq!(quantize_multiplier(1e-12), QuantizedMultiplier { mantissa: 0, shift: 0 });
        assert_eq!(quantize_multiplier(1e12), QuantizedMultiplier { mantissa: i32::MAX, shift: 30 });
        assert_eq!(quantize_multiplier(-1.0).mantissa, 0);
        assert_eq!(quantize_multiplier(f64::NAN).mantissa, 0);
    }

    #[test]
    fn double_rounding_differs_from_single_rounding() {
        // Without a right shift both round once, ties toward +∞.
        let m = 1 << 30; // 0.5
        for x in -9..=9 {
            assert_eq!(
                multiply_by_quantized_multiplier(x, m, 0),
                multiply_by_quantized_multiplier_single_rounding(x, m, 0)
            );
        }
        assert_eq!(multiply_by_quantized_multiplier(-3, m, 0), -1);
        // With one (0.25): the second rounding is half away from zero.
        assert_eq!(
            (
                multiply_by_quantized_multiplier(5, m, -1),
                multiply_by_quantized_multiplier_single_rounding(5, m, -1)
            ),
            (2, 1)
        );
        assert_eq!(
            (
                multiply_by_quantized_multiplier(-2, m, -1),
                multiply_by_quantized_multiplier_single_rounding(-2, m, -1)
            ),
            (-1, 0)
        );
        assert_eq!(
            (
                multiply_by_quantized_multiplier(6, m, -1),
                multiply_by_quantized_multiplier_single_rounding(6, m, -1)
            ),
            (2, 2)
        );
    }

    #[test]
    fn extreme_shifts_do_not_panic() {
        for &x in &[i32::MIN, -1, 0, 1, i32::MAX] {
            for shift in -40..40 {
                let _ = multiply_by_quantized_multiplier(x, i32::MAX, shift);
                let _ = multiply_by_quantized_multiplier_single_rounding(x, i32::MAX, shift);
            }
        }
    }
}
