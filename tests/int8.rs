//! The int8 arithmetic against TensorFlow Lite's definitions, worked by hand.
//!
//! TFLite's reference int8 FULLY_CONNECTED computes, per output `o`,
//!
//! ```text
//! acc  = bias[o] + Σ_i w[o][i] · (x[i] − zp_in)                  (int32)
//! acc' = MultiplyByQuantizedMultiplier(acc, M0[o], shift[o]) + zp_out
//! y    = clamp(acc', act_min, act_max)
//! ```
//!
//! with the default ("double") rounding
//!
//! ```text
//! MBQM(x, M0, shift) = RDBP(SRDHM(x · 2^left, M0), right),  left = max(shift, 0), right = max(−shift, 0)
//! SRDHM(a, b) = (a·b + nudge) / 2^31  (C++ `/`, truncating), nudge = 2^30 if a·b ≥ 0 else 1 − 2^30
//!             = round(a·b / 2^31), ties toward +∞; SRDHM(i32::MIN, i32::MIN) = i32::MAX
//! RDBP(x, e)  = (x >> e) + (x & mask > (mask >> 1) + [x < 0]),  mask = 2^e − 1
//!             = round(x / 2^e), ties away from zero
//! ```
//!
//! and `QuantizeMultiplier(m)`: `(q, shift) = frexp(m)`, `M0 = round(q · 2^31)`,
//! `M0 == 2^31 → M0 = 2^30, shift + 1`, `shift < −31 → (0, 0)`.
//!
//! Every expected value below is worked out from those definitions in the
//! comment next to it; the property tests compare the kernels with the
//! reference loop and `requantize` with an i128 re-implementation of the
//! formulas written here.

use constnet::Layer;
use constnet::math::int8::{
    self, Requant, argmax, dense_forward, dense_forward_portable, dense_forward_reference, requantize,
};
use constnet::quant::requant::{
    QuantizedMultiplier, multiply_by_quantized_multiplier as mbqm, quantize_multiplier,
    rounding_divide_by_pot as rdbp, saturating_rounding_doubling_high_mul as srdhm,
};
use constnet::quant::{QDense, QLut, QRelu, QuantError, QuantParams};
use proptest::prelude::*;

const HALF: i32 = 1 << 30; // M0 for 0.5
const THREE_QUARTERS: i32 = 3 << 29; // M0 for 0.75

/// `requantize` with no zero point and no clamp other than int8's.
fn rq(acc: i32, m: i32, shift: i32) -> i8 {
    requantize(acc, m, shift, 0, -128, 127)
}

// ---------------------------------------------------------------------------
// An independent model of TFLite's formulas in i128.

/// `x · 2^left` as TFLite writes it, `x * (1 << left)` in int32: a signed
/// overflow there is undefined in C++ and compiles to a wrapping multiply
/// on every target, which is what constnet documents; modelled here as the
/// exact product reduced modulo 2^32.
fn ref_shift_left(x: i32, left: u32) -> i128 {
    (((x as i128) << left) as u32 as i32) as i128
}

/// SRDHM as "round half up": `floor((a·b + 2^30) / 2^31)`. For a negative
/// product gemmlowp's `(ab + 1 − 2^30) / 2^31` truncates toward zero, i.e.
/// `ceil((ab + 1 − 2^30) / 2^31) = floor((ab + 2^30) / 2^31)`: the same number.
fn ref_srdhm(a: i128, b: i128) -> i128 {
    if a == i32::MIN as i128 && b == i32::MIN as i128 {
        return i32::MAX as i128;
    }
    (a * b + (1 << 30)).div_euclid(1 << 31)
}

/// RDBP as "round half away from zero" of `x / 2^e`.
fn ref_rdbp(x: i128, e: u32) -> i128 {
    if e == 0 {
        return x;
    }
    let d = 1i128 << e;
    if x >= 0 { (x + d / 2).div_euclid(d) } else { -((-x + d / 2).div_euclid(d)) }
}

fn ref_mbqm(x: i32, m: i32, shift: i32) -> i128 {
    let left = shift.max(0) as u32;
    let right = (-shift).max(0) as u32;
    ref_rdbp(ref_srdhm(ref_shift_left(x, left), m as i128), right)
}

/// `clamp(MBQM + zp_out, min, max)` (lower clamp first, as the crate and
/// TFLite's `std::max(std::min(...))` do for `min ≤ max`), as int8.
fn ref_requantize(acc: i32, m: i32, shift: i32, zp: i32, min: i32, max: i32) -> i8 {
    let v = ref_mbqm(acc, m, shift) + zp as i128;
    let v = v.max(min as i128).min(max as i128);
    v.clamp(-128, 127) as i8
}

/// TFLite's FULLY_CONNECTED for one sample, from the unfolded bias, all in
/// i128 and reduced to int32 (the C++ accumulates in int32) before requantizing.
#[allow(clippy::too_many_arguments)]
fn ref_dense(
    w: &[i8],
    bias: &[i32],
    x: &[i8],
    zp_in: i32,
    ins: usize,
    m: &[i32],
    s: &[i8],
    zp: i32,
    lo: i32,
    hi: i32,
) -> Vec<i8> {
    (0..bias.len())
        .map(|o| {
            let mut acc = bias[o] as i128;
            for i in 0..ins {
                acc += w[o * ins + i] as i128 * (x[i] as i128 - zp_in as i128);
            }
            let acc = acc as u32 as i32; // modulo 2^32
            ref_requantize(acc, m[o], s[o] as i32, zp, lo, hi)
        })
        .collect()
}

// ---------------------------------------------------------------------------
// SRDHM and RDBP on their own.

#[test]
fn srdhm_ties_go_toward_plus_infinity() {
    // 3 · 2^30 / 2^31 = 1.5: (3·2^30 + 2^30) / 2^31 = 2.
    assert_eq!(srdhm(3, HALF), 2);
    // −1.5: (−3·2^30 + 1 − 2^30) / 2^31 = (−2^32 + 1) / 2^31 = −1.99… → truncates to −1.
    assert_eq!(srdhm(-3, HALF), -1);
    // ±0.5 → 1 and 0.
    assert_eq!(srdhm(1, HALF), 1);
    assert_eq!(srdhm(-1, HALF), 0);
    // Not ties: −1.25 (−5 · 2^29) → −1, −1.75 → −2.
    assert_eq!(srdhm(-5, 1 << 29), -1);
    assert_eq!(srdhm(-7, 1 << 29), -2);
    // The only overflowing product saturates.
    assert_eq!(srdhm(i32::MIN, i32::MIN), i32::MAX);
    // i32::MIN · 2^30 / 2^31 = −2^30 exactly; i32::MAX · 2^30 / 2^31 = 2^30 − 0.5 → 2^30.
    assert_eq!(srdhm(i32::MIN, HALF), -(1 << 30));
    assert_eq!(srdhm(i32::MAX, HALF), 1 << 30);
    // (2^31 − 1)^2 / 2^31 = 2^31 − 2 + 2^−31 → 2^31 − 2.
    assert_eq!(srdhm(i32::MAX, i32::MAX), i32::MAX - 1);
}

#[test]
fn rdbp_ties_go_away_from_zero() {
    // 5 / 2 = 2.5 → 3: 5 >> 1 = 2, remainder 1 > threshold 0.
    assert_eq!(rdbp(5, 1), 3);
    // −5 / 2 = −2.5 → −3: −5 >> 1 = −3, remainder 1, threshold 0 + 1: not greater.
    assert_eq!(rdbp(-5, 1), -3);
    // −6 / 4 = −1.5 → −2; 6 / 4 → 2; −2 / 4 = −0.5 → −1; 2 / 4 → 1.
    assert_eq!(rdbp(-6, 2), -2);
    assert_eq!(rdbp(6, 2), 2);
    assert_eq!(rdbp(-2, 2), -1);
    assert_eq!(rdbp(2, 2), 1);
    // Not ties: −0.25 → 0, −0.75 → −1, 1.25 → 1.
    assert_eq!(rdbp(-1, 2), 0);
    assert_eq!(rdbp(-3, 2), -1);
    assert_eq!(rdbp(5, 2), 1);
    // Exponent 31, the largest TFLite allows: ±2^30 / 2^31 = ±0.5 → ±1.
    assert_eq!(rdbp(1 << 30, 31), 1);
    assert_eq!(rdbp(-(1 << 30), 31), -1);
    assert_eq!(rdbp((1 << 30) - 1, 31), 0);
    assert_eq!(rdbp(i32::MIN, 31), -1);
    assert_eq!(rdbp(i32::MAX, 31), 1);
    // Exponent 0 is the identity.
    assert_eq!(rdbp(-7, 0), -7);
}

// ---------------------------------------------------------------------------
// MultiplyByQuantizedMultiplier and requantize.

#[test]
fn first_rounding_ties_toward_plus_infinity() {
    // m = 0.5 (M0 = 2^30, shift 0): no right shift, only SRDHM rounds.
    assert_eq!(rq(7, HALF, 0), 4); // 3.5 → 4
    assert_eq!(rq(-7, HALF, 0), -3); // −3.5 → −3 (not −4)
    assert_eq!(rq(-1, HALF, 0), 0); // −0.5 → 0
    // m = 0.75: 10 · 0.75 = 7.5 → 8, −7.5 → −7.
    assert_eq!(rq(10, THREE_QUARTERS, 0), 8);
    assert_eq!(rq(-10, THREE_QUARTERS, 0), -7);
}

#[test]
fn second_rounding_ties_away_from_zero() {
    // m = 0.25 = 0.5 · 2^−1: SRDHM(±6, 2^30) = ±3 exactly, then RDBP(±3, 1) = ±1.5 → ±2.
    assert_eq!(rq(6, HALF, -1), 2);
    assert_eq!(rq(-6, HALF, -1), -2);
    // m = 0.125: SRDHM(±20, 2^30) = ±10, RDBP(±10, 2) = ±2.5 → ±3.
    assert_eq!(rq(20, HALF, -2), 3);
    assert_eq!(rq(-20, HALF, -2), -3);
}

#[test]
fn double_rounding_is_not_single_rounding() {
    // 5 · 0.25 = 1.25 exactly, but SRDHM(5, 2^30) = 2.5 → 3, then RDBP(3, 1) = 1.5 → 2.
    assert_eq!(rq(5, HALF, -1), 2);
    // −5 · 0.25 = −1.25: SRDHM = −2.5 → −2, RDBP(−2, 1) = −1.
    assert_eq!(rq(-5, HALF, -1), -1);
    // −7 · 0.25 = −1.75: SRDHM = −3.5 → −3, RDBP(−3, 1) = −1.5 → −2.
    assert_eq!(rq(-7, HALF, -1), -2);
    // −3 · 0.25 = −0.75: SRDHM = −1.5 → −1, RDBP(−1, 1) = −0.5 → −1.
    assert_eq!(rq(-3, HALF, -1), -1);
    // 1 · 0.25: SRDHM(1, 2^30) = 0.5 → 1, RDBP(1, 1) = 0.5 → 1 (the real value is 0.25).
    assert_eq!(rq(1, HALF, -1), 1);
    // Single rounding would give round(1.25) = 1 and round(0.25) = 0.
    use constnet::quant::requant::multiply_by_quantized_multiplier_single_rounding as single;
    assert_eq!((single(5, HALF, -1), single(1, HALF, -1)), (1, 0));
}

#[test]
fn positive_shifts_multiply_first() {
    // m = 3.0 = 0.75 · 2^2: 7 · 4 = 28, SRDHM(28, 0.75) = 21.
    assert_eq!(rq(7, THREE_QUARTERS, 2), 21);
    assert_eq!(rq(-5, THREE_QUARTERS, 2), -15);
    // m = 1.5 = 0.75 · 2^1: 3 · 2 = 6, 6 · 0.75 = 4.5 → 5; −4.5 → −4 (SRDHM's tie rule).
    assert_eq!(rq(3, THREE_QUARTERS, 1), 5);
    assert_eq!(rq(-3, THREE_QUARTERS, 1), -4);
    // m = 1.0 = 0.5 · 2^1 is exact.
    for x in -128..=127 {
        assert_eq!(rq(x, HALF, 1), x as i8);
    }
    // m = 2^29 (M0 2^30, shift 30): 1 · 2^30 · 0.5 = 2^29, saturates to 127.
    assert_eq!(rq(1, HALF, 30), 127);
    assert_eq!(rq(0, HALF, 30), 0);
    // 2 · 2^30 = 2^31 overflows int32: wraps to i32::MIN (what the C++ compiles to),
    // SRDHM(i32::MIN, 2^30) = −2^30 → −128.
    assert_eq!(mbqm(2, HALF, 30), -(1 << 30));
    assert_eq!(rq(2, HALF, 30), -128);
}

#[test]
fn largest_right_shift() {
    // m = 0.5 · 2^−31 = 2^−32: SRDHM(i32::MAX, 2^30) = 2^30 (2^30 − 0.5 → up), RDBP(2^30, 31) = 0.5 → 1.
    assert_eq!(rq(i32::MAX, HALF, -31), 1);
    // SRDHM(i32::MIN, 2^30) = −2^30, RDBP(−2^30, 31) = −0.5 → −1.
    assert_eq!(rq(i32::MIN, HALF, -31), -1);
    // Anything smaller in magnitude than 2^31 · ½ rounds to 0.
    assert_eq!(rq(1 << 30, HALF, -31), 0); // 2^29 / 2^31 = 0.25
    assert_eq!(rq(-(1 << 30), HALF, -31), 0);
}

#[test]
fn negative_accumulators_and_saturation() {
    // m = 0.5, zp 0: the int8 edges. 254 → 127, 255 → 127.5 → 128 → 127, 256 → 128 → 127.
    assert_eq!(rq(254, HALF, 0), 127);
    assert_eq!(rq(255, HALF, 0), 127);
    assert_eq!(rq(256, HALF, 0), 127);
    assert_eq!(rq(253, HALF, 0), 127); // 126.5 → 127
    assert_eq!(rq(251, HALF, 0), 126); // 125.5 → 126
    // −256 → −128; −257 → −128.5 → −128 (toward +∞); −258 → −129 → −128; −255 → −127.5 → −127.
    assert_eq!(rq(-256, HALF, 0), -128);
    assert_eq!(rq(-257, HALF, 0), -128);
    assert_eq!(rq(-258, HALF, 0), -128);
    assert_eq!(rq(-255, HALF, 0), -127);
    // Large accumulators saturate.
    assert_eq!(rq(-100_000, HALF, 0), -128);
    assert_eq!(rq(1_000_000, HALF, 0), 127);
    assert_eq!(rq(i32::MAX, i32::MAX, 0), 127);
    assert_eq!(rq(i32::MIN, i32::MAX, 0), -128);
    // The output zero point is added after scaling, before the clamp:
    // −40 · 0.5 = −20, + 100 = 80; 100 · 0.5 + 100 = 150 → 127; −600 · 0.5 − 100 = −400 → −128.
    assert_eq!(requantize(-40, HALF, 0, 100, -128, 127), 80);
    assert_eq!(requantize(100, HALF, 0, 100, -128, 127), 127);
    assert_eq!(requantize(-600, HALF, 0, -100, -128, 127), -128);
    // (2^31 − 2) + 127 overflows int32: the mathematical value is > 127 → 127.
    assert_eq!(requantize(i32::MAX, i32::MAX, 0, 127, -128, 127), 127);
}

#[test]
fn fused_relu_and_relu6_clamps() {
    // Output quantization scale 0.05, zero point −20: ReLU clamps at the zero point,
    // ReLU6 at quantize(6.0) = round(6 / 0.05) − 20 = 100.
    let out = QuantParams::new(0.05, -20);
    let six = out.quantize(6.0);
    assert_eq!(six, 100);
    let relu = |acc| requantize(acc, HALF, 0, -20, -20, 127);
    let relu6 = |acc| requantize(acc, HALF, 0, -20, -20, six as i32);
    // −40 · 0.5 − 20 = −40 → −20 (real −1.0 → 0).
    assert_eq!(relu(-40), -20);
    assert_eq!(relu6(-40), -20);
    // 60 · 0.5 − 20 = 10 (real 1.5), inside both.
    assert_eq!(relu(60), 10);
    assert_eq!(relu6(60), 10);
    // 300 · 0.5 − 20 = 130 → 127 (ReLU), → 100 (ReLU6: real 6.0).
    assert_eq!(relu(300), 127);
    assert_eq!(relu6(300), 100);
    // 240 · 0.5 − 20 = 100 exactly: both keep it; 242 → 101 → ReLU6 clamps.
    assert_eq!(relu6(240), 100);
    assert_eq!(relu(242), 101);
    assert_eq!(relu6(242), 100);
}

// ---------------------------------------------------------------------------
// QuantizeMultiplier.

fn qm(real: f64) -> (i32, i8) {
    let m = quantize_multiplier(real);
    (m.mantissa, m.shift)
}

#[test]
fn quantize_multiplier_exact_powers_of_two() {
    // frexp(2^k) = (0.5, k + 1): M0 = 2^30, shift k + 1.
    assert_eq!(qm(0.5), (1 << 30, 0));
    assert_eq!(qm(0.25), (1 << 30, -1));
    assert_eq!(qm(1.0), (1 << 30, 1));
    assert_eq!(qm(2.0), (1 << 30, 2));
    assert_eq!(qm(libm::exp2(29.0)), (1 << 30, 30));
    assert_eq!(qm(libm::exp2(-31.0)), (1 << 30, -30));
    assert_eq!(qm(libm::exp2(-32.0)), (1 << 30, -31)); // the smallest shift
    // frexp(2^−33) = (0.5, −32): shift < −31 → the zero multiplier.
    assert_eq!(qm(libm::exp2(-33.0)), (0, 0));
    for k in -32..=29 {
        let m = quantize_multiplier(libm::exp2(k as f64));
        assert_eq!((m.mantissa, m.shift as i32), (1 << 30, k + 1), "2^{k}");
        assert!(m.is_valid());
        assert_eq!(m.to_f64(), libm::exp2(k as f64));
    }
}

#[test]
fn quantize_multiplier_rounds_the_mantissa() {
    // 1/3 = 0.666… · 2^−1: 0.666… · 2^31 = 1431655765.33 → 1431655765.
    assert_eq!(qm(1.0 / 3.0), (1_431_655_765, -1));
    // 0.75 · 2^2 = 3.0 → (3 · 2^29, 2); 0.1 = 0.8 · 2^−3: 0.8 · 2^31 = 1717986918.4 → 1717986918.
    assert_eq!(qm(3.0), (3 << 29, 2));
    assert_eq!(qm(0.1), (1_717_986_918, -3));
    // A tie in the mantissa: q = 0.5 + 2^−32, q · 2^31 = 2^30 + 0.5 → 2^30 + 1 (half away from zero).
    assert_eq!(qm(0.5 + libm::exp2(-32.0)), ((1 << 30) + 1, 0));
    // q = 1 − 2^−31: q · 2^31 = 2^31 − 1, the largest mantissa, no carry.
    assert_eq!(qm(1.0 - libm::exp2(-31.0)), (i32::MAX, 0));
}

#[test]
fn quantize_multiplier_mantissa_rounding_to_2_pow_31() {
    // q = 1 − 2^−32: q · 2^31 = 2^31 − 0.5 → rounds (away from zero) to 2^31:
    // halved to 2^30 and the shift incremented, 0 → 1. The value is still ≈ 1.
    assert_eq!(qm(1.0 - libm::exp2(-32.0)), (1 << 30, 1));
    // q = 1 − 2^−33: 2^31 − 0.25 → 2^31 as well.
    assert_eq!(qm(1.0 - libm::exp2(-33.0)), (1 << 30, 1));
    // The same just below 2^−32: frexp gives shift −32 (too small), the carry
    // brings it back to −31, and TFLite checks the shift after the carry.
    assert_eq!(qm((1.0 - libm::exp2(-40.0)) * libm::exp2(-32.0)), (1 << 30, -31));
    // And just below 2^30: (1 − 2^−40) · 2^30 → frexp shift 30, carry → 31: above
    // TFLite's range; constnet saturates at the largest multiplier.
    assert_eq!(qm((1.0 - libm::exp2(-40.0)) * libm::exp2(30.0)), (i32::MAX, 30));
}

#[test]
fn quantize_multiplier_tiny_zero_negative_and_huge() {
    // 1e−12 ≈ 0.55 · 2^−39: shift −39 < −31 → zero.
    assert_eq!(qm(1e-12), (0, 0));
    // 0.75 · 2^−32: frexp shift −31 − 1 = −32 → zero.
    assert_eq!(qm(0.75 * libm::exp2(-32.0)), (0, 0));
    // 0.75 · 2^−31: frexp (0.75, −31), the smallest shift TFLite keeps.
    assert_eq!(qm(0.75 * libm::exp2(-31.0)), (3 << 29, -31));
    assert_eq!(qm(0.0), (0, 0));
    assert_eq!(qm(-0.5), (0, 0));
    assert_eq!(qm(f64::NAN), (0, 0));
    assert_eq!(qm(1e12), (i32::MAX, 30));
    assert_eq!(qm(f64::MAX), (i32::MAX, 30));
    // The zero multiplier maps every accumulator to the zero point.
    for acc in [i32::MIN, -1, 0, 1, i32::MAX] {
        assert_eq!(requantize(acc, 0, 0, -7, -128, 127), -7);
    }
}

#[test]
fn quantize_multiplier_saturates_infinity() {
    // Documented: "multipliers of 2^31 or more saturate at the largest representable one".
    let m = quantize_multiplier(f64::INFINITY);
    assert!(m.is_valid(), "{m:?}");
    assert_eq!((m.mantissa, m.shift), (i32::MAX, 30));
}

#[test]
fn quantized_multipliers_apply_their_real_value() {
    // MBQM(x, QuantizeMultiplier(m)) is within one unit (two roundings of at most ½) of x · m.
    for &m in &[0.001, 0.0173, 0.1, 1.0 / 3.0, 0.5, 0.7, 0.999, 1.0, 1.7, 3.0, 12.5] {
        let q = quantize_multiplier(m);
        assert!(q.is_valid());
        for x in [-100_000, -12_345, -1000, -77, -1, 0, 1, 3, 999, 54_321] {
            let got = mbqm(x, q.mantissa, q.shift as i32) as f64;
            assert!((got - x as f64 * m).abs() <= 1.0, "{x} · {m}: {got}");
        }
    }
}

#[test]
fn multiplier_validity() {
    assert!(QuantizedMultiplier { mantissa: 0, shift: 0 }.is_valid());
    assert!(QuantizedMultiplier { mantissa: 1 << 30, shift: -31 }.is_valid());
    assert!(QuantizedMultiplier { mantissa: i32::MAX, shift: 30 }.is_valid());
    assert!(!QuantizedMultiplier { mantissa: (1 << 30) - 1, shift: 0 }.is_valid());
    assert!(!QuantizedMultiplier { mantissa: -(1 << 30), shift: 0 }.is_valid());
    assert!(!QuantizedMultiplier { mantissa: 1 << 30, shift: -32 }.is_valid());
    assert!(!QuantizedMultiplier { mantissa: 1 << 30, shift: 31 }.is_valid());
    // QDense refuses them, naming the output.
    let bad = QDense::<1, 2>::try_new([[1], [1]], [0, 0], [HALF, HALF], [0, 31], 0, 0, -128, 127);
    assert_eq!(bad, Err(QuantError::Multiplier { output: 1, mantissa: HALF, shift: 31 }));
    let bad = QDense::<1, 1>::try_new([[1]], [0], [HALF], [0], 0, 0, 10, 9);
    assert_eq!(bad, Err(QuantError::Clamp { min: 10, max: 9 }));
}

// ---------------------------------------------------------------------------
// QDense.

/// W (4×3), bias, per-output multipliers worked by hand below.
const W: [[i8; 3]; 4] = [[1, 2, 3], [-4, 5, -6], [7, -8, 9], [10, 10, 10]];
const BIAS: [i32; 4] = [5, -7, 100, -1000];
/// 0.5, 0.1875 (0.75 · 2^−2), 1/16 (0.5 · 2^−3), 1.0 (0.5 · 2^1).
const MULT: [i32; 4] = [HALF, THREE_QUARTERS, HALF, HALF];
const SHIFT: [i8; 4] = [0, -2, -3, 1];
const X: [i8; 3] = [10, -20, 30];

#[test]
fn per_channel_multipliers_differ_per_output() {
    let layer = QDense::<3, 4>::new(W, BIAS, MULT, SHIFT, 0, 3, -128, 127);
    // acc0 = 5 + 10 − 40 + 90 = 65;        · 0.5 = 32.5 → 33 (SRDHM tie up), + 3 = 36
    // acc1 = −7 − 40 − 100 − 180 = −327;  SRDHM(−327, 0.75) = −245.25 → −245, RDBP(−245, 2) = −61.25 → −61, + 3 = −58
    // acc2 = 100 + 70 + 160 + 270 = 600;  SRDHM(600, 0.5) = 300, RDBP(300, 3) = 37.5 → 38, + 3 = 41
    // acc3 = −1000 + 100 − 200 + 300 = −800; · 2 → −1600, SRDHM(−1600, 0.5) = −800, + 3 → −128
    assert_eq!(layer.forward(&X), [36, -58, 41, -128]);
}

#[test]
fn input_zero_point_is_folded_into_the_bias() {
    // zp_in = −5: TFLite computes Σ w·(x + 5), i.e. acc gains 5 · Σw = 5 · [6, −5, 8, 30].
    let layer = QDense::<3, 4>::new(W, BIAS, MULT, SHIFT, -5, 3, -128, 127);
    // acc0 = 65 + 30 = 95;    · 0.5 = 47.5 → 48, + 3 = 51
    // acc1 = −327 − 25 = −352; · 0.75 = −264, RDBP(−264, 2) = −66, + 3 = −63
    // acc2 = 600 + 40 = 640;   · 0.5 = 320, RDBP(320, 3) = 40, + 3 = 43
    // acc3 = −800 + 150 = −650: · 1.0 = −650 → −128
    assert_eq!(layer.forward(&X), [51, -63, 43, -128]);
    // The folded bias the kernels start from, and the reference loop on the unfolded one.
    assert_eq!(layer.kernel_bias(), &[5 + 5 * 6, -7 + 5 * -5, 100 + 5 * 8, -1000 + 5 * 30]);
    assert_eq!(int8::fold_bias(&W, &BIAS, -5), *layer.kernel_bias());
    let r = Requant { multiplier: &MULT, shift: &SHIFT, output_zero_point: 3, min: -128, max: 127 };
    let mut y = [0i8; 4];
    dense_forward_reference(W.as_flattened(), &BIAS, &X, -5, &mut y, 3, 4, &r);
    assert_eq!(y, [51, -63, 43, -128]);
}

#[test]
fn fused_clamps_in_the_layer() {
    // The layer above with zero point −20: outputs 33 − 20 = 13, −61 − 20 = −81, 38 − 20 = 18, −820.
    let none = QDense::<3, 4>::new(W, BIAS, MULT, SHIFT, 0, -20, -128, 127);
    assert_eq!(none.forward(&X), [13, -81, 18, -128]);
    // Fused ReLU: clamp at the zero point.
    let relu = QDense::<3, 4>::new(W, BIAS, MULT, SHIFT, 0, -20, -20, 127);
    assert_eq!(relu.forward(&X), [13, -20, 18, -20]);
    // Fused ReLU6 with an upper clamp of 15.
    let relu6 = QDense::<3, 4>::new(W, BIAS, MULT, SHIFT, 0, -20, -20, 15);
    assert_eq!(relu6.forward(&X), [13, -20, 15, -20]);
    assert_eq!((relu6.act_min(), relu6.act_max()), (-20, 15));
}

#[test]
fn bias_round_trips_through_the_fold() {
    let layer = QDense::<3, 4>::new(W, BIAS, MULT, SHIFT, -5, 3, -128, 127);
    assert_eq!(layer.bias(), BIAS);
    // Even where the fold wraps: zp −128, Σw = 3 · 127, bias near i32::MIN.
    let w = [[127i8; 3]; 2];
    let b = [i32::MIN, i32::MAX];
    let l = QDense::<3, 2>::new(w, b, [HALF; 2], [0; 2], -128, 0, -128, 127);
    assert_eq!(l.kernel_bias(), &[i32::MIN.wrapping_add(128 * 381), i32::MAX.wrapping_add(128 * 381)]);
    assert_eq!(l.bias(), b);
    assert_eq!(l.weight(), &w);
    assert_eq!((l.multiplier(), l.shift()), (&[HALF; 2], &[0i8; 2]));
    assert_eq!((l.input_zero_point(), l.output_zero_point()), (-128, 0));
}

#[test]
fn qdense_in_a_static_and_its_size() {
    static LAYER: QDense<3, 4> = QDense::new(W, BIAS, MULT, SHIFT, -5, 3, -128, 127);
    assert_eq!(LAYER.forward(&X), [51, -63, 43, -128]);
    // 12 weight bytes, 4 + 4 + 1 per output, 4 bytes of zero points and clamps.
    assert_eq!(core::mem::size_of::<QDense<3, 4>>(), 12 + 9 * 4 + 4);
}

#[test]
fn qdense_folds_its_bias_at_compile_time() {
    // `new` is a `const fn`: the folded bias of a `const` layer is a constant.
    const LAYER: QDense<3, 4> = QDense::new(W, BIAS, MULT, SHIFT, -5, 3, -128, 127);
    const FOLDED: [i32; 4] = *LAYER.kernel_bias();
    assert_eq!(FOLDED, [35, -32, 140, -850]);
}

#[test]
#[should_panic(expected = "QDense: a multiplier is outside TFLite's range")]
fn qdense_new_panics_on_a_bad_multiplier() {
    let _ = QDense::<1, 1>::new([[1]], [0], [12345], [0], 0, 0, -128, 127);
}

#[test]
#[should_panic(expected = "QDense: act_min is greater than act_max")]
fn qdense_new_panics_on_an_empty_clamp() {
    let _ = QDense::<1, 1>::new([[1]], [0], [HALF], [0], 0, 0, 1, 0);
}

#[test]
fn quant_errors_display() {
    assert_eq!(QuantError::NoCalibrationData.to_string(), "no calibration samples were given");
    assert_eq!(QuantError::EmptyRange.to_string(), "a layer produced no finite output during calibration");
    assert_eq!(
        QuantError::Multiplier { output: 2, mantissa: 5, shift: -3 }.to_string(),
        "output 2: multiplier 5 · 2^-3 is outside TFLite's range (mantissa 0 or in [2^30, 2^31), shift in [-31, 30])"
    );
    assert_eq!(QuantError::Clamp { min: 3, max: -3 }.to_string(), "activation clamp [3, -3] is empty");
}

#[test]
fn batches_equal_per_sample_results() {
    let mut s = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s >> 32) as u32
    };
    let w: [[i8; 37]; 13] = core::array::from_fn(|_| core::array::from_fn(|_| next() as i8));
    let b: [i32; 13] = core::array::from_fn(|_| (next() as i32) >> 12);
    let m: [i32; 13] = core::array::from_fn(|_| (1 << 30) | (next() as i32 & ((1 << 30) - 1)));
    let sh: [i8; 13] = core::array::from_fn(|_| (next() % 6) as i8 - 15);
    let layer = QDense::<37, 13>::new(w, b, m, sh, -7, 11, -128, 127);
    let xs: [[i8; 37]; 5] = core::array::from_fn(|_| core::array::from_fn(|_| next() as i8));
    let batch = layer.forward(&xs);
    for (x, y) in xs.iter().zip(&batch) {
        assert_eq!(&layer.forward(x), y);
        let want = ref_dense(w.as_flattened(), &b, x, -7, 37, &m, &sh, 11, -128, 127);
        assert_eq!(y.as_slice(), want.as_slice());
    }
    // The outputs are not all saturated (the test would be weak otherwise).
    assert!(batch.as_flattened().iter().filter(|&&v| v != 127 && v != -128).count() > 20);
    // A batch through QRelu and QLut is element-wise too.
    let relu = QRelu::relu(11);
    let r = relu.forward(&batch);
    for (y, ry) in batch.iter().zip(&r) {
        assert_eq!(&relu.forward(y), ry);
    }
}

// ---------------------------------------------------------------------------
// QRelu and QLut.

#[test]
fn qrelu_clamps() {
    let relu = QRelu::relu(-20);
    assert_eq!((relu.min(), relu.max()), (-20, 127));
    assert_eq!(relu.forward(&[-128, -21, -20, -19, 127]), [-20, -20, -20, -19, 127]);
    let relu6 = QRelu::new(-20, 100);
    assert_eq!(relu6.forward(&[-128, 0, 100, 101, 127]), [-20, 0, 100, 100, 100]);
    // An empty range is raised to one value.
    assert_eq!(QRelu::new(5, -5).forward(&[-128, 127]), [5, 5]);
}

/// `round(f64 f(x) / s_out) + zp_out`, clamped, unless `f(x) / s_out` is within
/// 1e−3 of a tie (where f32 `tanh`/`exp` may round either way): then `None`.
fn lut_expected(input: QuantParams, output: QuantParams, f: fn(f64) -> f64, q: i32) -> Option<i8> {
    let x = (input.scale * (q - input.zero_point as i32) as f32) as f64;
    let v = f(x) / output.scale as f64;
    if (v - v.floor() - 0.5).abs() < 1e-3 {
        return None;
    }
    Some((v.round() as i32 + output.zero_point as i32).clamp(-128, 127) as i8)
}

#[test]
fn tanh_table() {
    // TFLite's int8 TANH: output scale 1/128, zero point 0.
    let (input, output) = (QuantParams::new(0.05, 0), QuantParams::new(1.0 / 128.0, 0));
    let lut = QLut::from_fn(input, output, libm::tanhf);
    // q = 10 → x = 0.5, tanh = 0.462117 · 128 = 59.15 → 59.
    // q = 20 → x = 1.0, tanh = 0.761594 · 128 = 97.48 → 97.
    // q = −20 → −97; q = 0 → 0.
    // q = 127 → x = 6.35, tanh · 128 = 127.9996 → 128 → clamped to 127.
    // q = −128 → x = −6.4 → −128.
    assert_eq!(lut.forward(&[10, 20, -20, 0, 127, -128]), [59, 97, -97, 0, 127, -128]);
    // The table is indexed by `q as u8`: −1 lives at 255 (x = −0.05: −0.04996 · 128 = −6.39 → −6).
    assert_eq!(lut.table()[255], -6);
    assert_eq!(lut.table()[1], 6);
    // With an input zero point of 10: q = 20 is x = 0.5.
    let shifted = QLut::from_fn(QuantParams::new(0.05, 10), output, libm::tanhf);
    assert_eq!(shifted.forward(&[20, 10, 0]), [59, 0, -59]);
    for q in -128..=127 {
        if let Some(want) = lut_expected(input, output, f64::tanh, q) {
            assert_eq!(lut.table()[q as u8 as usize], want, "tanh q = {q}");
        }
    }
}

#[test]
fn sigmoid_table() {
    // TFLite's int8 LOGISTIC: output scale 1/256, zero point −128.
    let (input, output) = (QuantParams::new(0.1, 0), QuantParams::new(1.0 / 256.0, -128));
    let lut = QLut::from_fn(input, output, |x| 1.0 / (1.0 + libm::expf(-x)));
    // q = 0 → 0.5 · 256 = 128, − 128 = 0.
    // q = 10 → x = 1: 0.731059 · 256 = 187.15 → 187 − 128 = 59.
    // q = −10 → 0.268941 · 256 = 68.85 → 69 − 128 = −59.
    // q = 127 → x = 12.7: 0.999997 · 256 = 255.9992 → 256 − 128 = 128 → 127.
    // q = −128 → x = −12.8: 2.8e−6 · 256 = 0.0007 → 0 − 128 = −128.
    assert_eq!(lut.forward(&[0, 10, -10, 127, -128]), [0, 59, -59, 127, -128]);
    let sigmoid = |x: f64| 1.0 / (1.0 + (-x).exp());
    for q in -128..=127 {
        if let Some(want) = lut_expected(input, output, sigmoid, q) {
            assert_eq!(lut.table()[q as u8 as usize], want, "sigmoid q = {q}");
        }
    }
    // Batches look up every value.
    assert_eq!(lut.forward(&[[0, 10], [-10, 127]]), [[0, 59], [-59, 127]]);
}

/// TFLite's int8 LEAKY_RELU reference kernel (`reference_ops::QuantizeLeakyRelu`,
/// multipliers from `LeakyReluPrepare`): no table, two requantizations,
///
/// ```text
/// x = q − zp_in
/// y = clamp(zp_out + MBQM(x, x ≥ 0 ? M_identity : M_alpha))
/// M_identity = QuantizeMultiplier(s_in / s_out), M_alpha = QuantizeMultiplier(s_in · alpha / s_out)
/// ```
///
/// (the ratios computed in C++ `float`, then widened to `double`).
fn tflite_leaky_relu(q: i8, input: QuantParams, output: QuantParams, alpha: f32) -> i8 {
    let identity = quantize_multiplier((input.scale / output.scale) as f64);
    let alpha = quantize_multiplier((input.scale * alpha / output.scale) as f64);
    let x = q as i32 - input.zero_point as i32;
    let m = if x >= 0 { identity } else { alpha };
    (output.zero_point as i32 + mbqm(x, m.mantissa, m.shift as i32)).clamp(-128, 127) as i8
}

#[test]
fn leaky_relu_table_is_tflites_leaky_relu() {
    let (input, output, alpha) = (QuantParams::new(0.05, 10), QuantParams::new(0.04, -100), 0.1f32);
    // q = −121: x = −131. M_alpha = QuantizeMultiplier(f32 0.05 · 0.1 / 0.04 = 0.125000015)
    // = (2^30 + 128, −2). SRDHM(−131, 2^30 + 128) = −65.5000078 → −66, RDBP(−66, 2) = −16.5 → −17:
    // TFLite gives −100 − 17 = −117, where round(−16.375) − 100 = −116 is the table's entry.
    assert_eq!(tflite_leaky_relu(-121, input, output, alpha), -117);
    let lut = QLut::leaky_relu(input, output, alpha);
    let differ: Vec<i32> = (-128..=127)
        .filter(|&q| lut.table()[q as u8 as usize] != tflite_leaky_relu(q as i8, input, output, alpha))
        .collect();
    assert!(differ.is_empty(), "{} entries differ from TFLite: q = {differ:?}", differ.len());
}

#[test]
fn lut_from_table() {
    let table: [i8; 256] = core::array::from_fn(|i| (i as u8 as i8).wrapping_neg());
    let lut = QLut::new(table);
    assert_eq!(lut.forward(&[0, 1, -1, 127, -128]), [0, -1, 1, -127, -128]);
}

#[test]
fn quantize_and_dequantize_params() {
    // QUANTIZE: round(x / scale) + zp, half away from zero, clamped.
    let p = QuantParams::new(0.1, 3);
    assert_eq!(p.quantize(0.25), 6); // 2.5 → 3, + 3
    assert_eq!(p.quantize(-0.25), 0); // −2.5 → −3, + 3
    assert_eq!(p.quantize(100.0), 127);
    assert_eq!(p.quantize(-100.0), -128);
    assert_eq!(p.quantize(f32::NAN), 3);
    assert_eq!(p.quantize(f32::INFINITY), 127);
    // DEQUANTIZE: (q − zp) · scale.
    assert_eq!(QuantParams::new(0.5, -1).dequantize(3), 2.0);
    assert_eq!(QuantParams::new(0.5, -1).dequantize(-128), -63.5);
}

#[test]
fn from_range_of_a_huge_finite_range() {
    let p = QuantParams::from_range(constnet::quant::Range::new(-2e38, 2e38));
    let want = 2e38f32 / 255.0 * 2.0;
    assert!((p.scale / want - 1.0).abs() < 1e-6, "{p:?}");
}

#[test]
fn argmax_picks_the_first_largest() {
    assert_eq!(argmax(&[-5, 7, 7, 3]), 1);
    assert_eq!(argmax(&[-128, -127]), 1);
    assert_eq!(argmax(&[-128, -128, -128]), 0);
    assert_eq!(argmax(&[0, 1, 2, 127]), 3);
    assert_eq!(argmax(&[127, 127]), 0);
    assert_eq!(argmax(&[]), 0);
}

// ---------------------------------------------------------------------------
// Property tests: every kernel equals the reference loop, and the reference
// loop and `requantize` equal the i128 model.

fn accumulator() -> impl Strategy<Value = i32> {
    prop_oneof![Just(i32::MIN), Just(i32::MAX), Just(0), -70_000i32..70_000, any::<i32>(),]
}

fn mantissa() -> impl Strategy<Value = i32> {
    prop_oneof![Just(1 << 30), Just(i32::MAX), Just(0), (1i32 << 30)..=i32::MAX,]
}

fn shift() -> impl Strategy<Value = i8> {
    prop_oneof![Just(-31i8), Just(30i8), Just(0i8), -31i8..=30, -20i8..=-6, -12i8..=2]
}

/// An int8 clamp `min ≤ max`.
fn clamp() -> impl Strategy<Value = (i8, i8)> {
    prop_oneof![Just((-128i8, 127i8)), any::<(i8, i8)>().prop_map(|(a, b)| (a.min(b), a.max(b))),]
}

#[derive(Debug, Clone)]
struct Case {
    ins: usize,
    outs: usize,
    w: Vec<i8>,
    bias: Vec<i32>,
    x: Vec<i8>,
    zp_in: i8,
    m: Vec<i32>,
    s: Vec<i8>,
    zp_out: i8,
    clamp: (i8, i8),
}

fn case() -> impl Strategy<Value = Case> {
    (1usize..80, 1usize..40).prop_flat_map(|(ins, outs)| {
        (
            proptest::collection::vec(any::<i8>(), ins * outs),
            proptest::collection::vec(prop_oneof![accumulator(), -100_000i32..100_000], outs),
            proptest::collection::vec(any::<i8>(), ins),
            any::<i8>(),
            proptest::collection::vec(mantissa(), outs),
            proptest::collection::vec(shift(), outs),
            any::<i8>(),
            clamp(),
        )
            .prop_map(move |(w, bias, x, zp_in, m, s, zp_out, clamp)| Case {
                ins,
                outs,
                w,
                bias,
                x,
                zp_in,
                m,
                s,
                zp_out,
                clamp,
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn kernels_equal_the_reference_bit_for_bit(c in case()) {
        let rq = Requant {
            multiplier: &c.m,
            shift: &c.s,
            output_zero_point: c.zp_out as i32,
            min: c.clamp.0 as i32,
            max: c.clamp.1 as i32,
        };
        // The kernels take the folded bias: bias − zp_in · Σw (mod 2^32).
        let folded: Vec<i32> = (0..c.outs)
            .map(|o| {
                let sum: i32 = c.w[o * c.ins..(o + 1) * c.ins].iter().map(|&w| w as i32).sum();
                c.bias[o].wrapping_sub(sum.wrapping_mul(c.zp_in as i32))
            })
            .collect();
        let mut want = vec![0i8; c.outs];
        dense_forward_reference(&c.w, &c.bias, &c.x, c.zp_in as i32, &mut want, c.ins, c.outs, &rq);
        let mut fast = vec![0i8; c.outs];
        dense_forward(&c.w, &folded, &c.x, &mut fast, c.ins, c.outs, &rq);
        prop_assert_eq!(&fast, &want);
        let mut portable = vec![0i8; c.outs];
        dense_forward_portable(&c.w, &folded, &c.x, &mut portable, c.ins, c.outs, &rq);
        prop_assert_eq!(&portable, &want);
        // And the reference loop is TFLite's formula, modelled in i128.
        let model = ref_dense(&c.w, &c.bias, &c.x, c.zp_in as i32, c.ins, &c.m, &c.s, c.zp_out as i32, c.clamp.0 as i32, c.clamp.1 as i32);
        prop_assert_eq!(&want, &model);
    }

    #[test]
    fn requantize_equals_the_i128_model(
        acc in accumulator(),
        m in mantissa(),
        s in shift(),
        zp in any::<i8>(),
        (lo, hi) in clamp(),
    ) {
        let (s, zp, lo, hi) = (s as i32, zp as i32, lo as i32, hi as i32);
        prop_assert_eq!(requantize(acc, m, s, zp, lo, hi), ref_requantize(acc, m, s, zp, lo, hi));
        prop_assert_eq!(mbqm(acc, m, s) as i128, ref_mbqm(acc, m, s));
    }

    #[test]
    fn requantize_never_panics_and_matches_the_model_for_any_mantissa(
        acc in any::<i32>(),
        m in any::<i32>(),
        s in -31i32..=30,
        far in -200i32..200,
        zp in any::<i32>(),
        (lo, hi) in clamp(),
    ) {
        // Any mantissa (negative, below 2^30) inside the shift range: still TFLite's formula.
        prop_assert_eq!(requantize(acc, m, s, 0, lo as i32, hi as i32), ref_requantize(acc, m, s, 0, lo as i32, hi as i32));
        // Shifts and zero points far outside the valid ranges: no panic, an int8 result.
        let _ = requantize(acc, m, far, zp, lo as i32, hi as i32);
        let _ = mbqm(acc, m, far);
    }

    #[test]
    fn srdhm_and_rdbp_equal_the_i128_model(a in accumulator(), b in prop_oneof![mantissa(), any::<i32>(), Just(i32::MIN)], e in 0u32..=31) {
        prop_assert_eq!(srdhm(a, b) as i128, ref_srdhm(a as i128, b as i128));
        prop_assert_eq!(rdbp(a, e as i32) as i128, ref_rdbp(a as i128, e));
    }

    #[test]
    fn quantize_multiplier_is_frexp_and_round(real in prop_oneof![1e-12f64..1e-6, 1e-6f64..1.0, 1.0f64..1e6]) {
        let m = quantize_multiplier(real);
        prop_assert!(m.is_valid());
        // Independent: q = real / 2^e with e = ⌊log2 real⌋ + 1 (q in [0.5, 1)), M0 = round(q · 2^31).
        let mut e = libm::floor(libm::log2(real)) as i32 + 1;
        let mut q = real / libm::exp2(e as f64);
        if q >= 1.0 { q /= 2.0; e += 1; }
        if q < 0.5 { q *= 2.0; e -= 1; }
        let mut fixed = libm::round(q * libm::exp2(31.0)) as i64;
        if fixed == 1 << 31 { fixed /= 2; e += 1; }
        if e < -31 { fixed = 0; e = 0; }
        prop_assert_eq!((m.mantissa as i64, m.shift as i32), (fixed, e));
    }

    #[test]
    fn qdense_bias_round_trips_and_matches_the_reference(
        w in proptest::collection::vec(any::<i8>(), 9 * 6),
        bias in proptest::collection::vec(accumulator(), 6),
        x in proptest::collection::vec(any::<i8>(), 9),
        zp_in in any::<i8>(),
        zp_out in any::<i8>(),
        m in proptest::collection::vec(mantissa(), 6),
        s in proptest::collection::vec(shift(), 6),
    ) {
        let wa: [[i8; 9]; 6] = core::array::from_fn(|o| core::array::from_fn(|i| w[o * 9 + i]));
        let (b, ma, sa): ([i32; 6], [i32; 6], [i8; 6]) = (
            bias.clone().try_into().unwrap(),
            m.clone().try_into().unwrap(),
            s.clone().try_into().unwrap(),
        );
        let xa: [i8; 9] = x.clone().try_into().unwrap();
        let layer = QDense::<9, 6>::new(wa, b, ma, sa, zp_in, zp_out, -128, 127);
        prop_assert_eq!(layer.bias(), b);
        prop_assert_eq!(*layer.kernel_bias(), int8::fold_bias(&wa, &b, zp_in));
        let want = ref_dense(&w, &bias, &x, zp_in as i32, 9, &m, &s, zp_out as i32, -128, 127);
        let got = layer.forward(&xa);
        prop_assert_eq!(got.as_slice(), want.as_slice());
    }
}
