//! int8 convolutions against TFLite's reference int8 per-channel loops,
//! written here from the definitions (reference_integer_ops::ConvPerChannel,
//! DepthwiseConvPerChannel, AveragePool), bit for bit, on random parameters,
//! strides and padding; and a quantized convolution against the f32 one.

#![allow(clippy::needless_range_loop)] // the reference loops index as TFLite's do

use constnet::math::int8::requantize;
use constnet::quant::{QConv2d, QDepthwiseConv2d, QGlobalAvgPool2d};
use constnet::{Layer, layers, random};
use rand_core::SeedableRng;
use rand_pcg::Pcg64;

fn i8s<const N: usize>(r: &mut Pcg64) -> [i8; N] {
    core::array::from_fn(|_| random::index(r, 256) as i32 as i8 ^ -128)
}

/// Random per-channel multipliers in TFLite's range, with shifts in −8..=0.
fn multipliers<const N: usize>(r: &mut Pcg64) -> ([i32; N], [i8; N]) {
    let m = core::array::from_fn(|_| (1 << 30) + random::index(r, 1 << 30) as i32);
    let s = core::array::from_fn(|_| -(random::index(r, 9) as i8));
    (m, s)
}

macro_rules! conv_case {
    ($h:literal, $w:literal, $ci:literal, $co:literal, $k:literal, $s:literal, $p:literal, $seed:literal) => {{
        type F = layers![input [$h, $w, $ci] => Conv2d($co, $k, stride = $s, padding = $p)];
        const OH: usize = ($h + 2 * $p - $k) / $s + 1;
        const OW: usize = ($w + 2 * $p - $k) / $s + 1;
        let _: Option<F> = None; // the f32 twin has the same sizes
        let mut r = Pcg64::seed_from_u64($seed);
        let w: [[[[i8; $ci]; $k]; $k]; $co] = core::array::from_fn(|_| core::array::from_fn(|_| core::array::from_fn(|_| i8s(&mut r))));
        let bias: [i32; $co] = core::array::from_fn(|_| random::index(&mut r, 20001) as i32 - 10000);
        let (m, sh) = multipliers::<$co>(&mut r);
        let (izp, ozp) = (random::index(&mut r, 256) as i32 as i8 ^ -128, random::index(&mut r, 50) as i8 - 25);
        let layer = QConv2d::<$h, $w, $ci, $co, $k, $s, $p, OH, OW>::new(w, bias, m, sh, izp, ozp, ozp, 127);
        let x: [[[i8; $ci]; $w]; $h] = core::array::from_fn(|_| core::array::from_fn(|_| i8s(&mut r)));
        let y = layer.forward(&x);
        for oy in 0..OH {
            for ox in 0..OW {
                for o in 0..$co {
                    let mut acc = bias[o];
                    for ky in 0..$k {
                        for kx in 0..$k {
                            let (iy, ix) = ((oy * $s + ky) as isize - $p, (ox * $s + kx) as isize - $p);
                            if iy < 0 || ix < 0 || iy >= $h || ix >= $w {
                                continue;
                            }
                            for c in 0..$ci {
                                acc += w[o][ky][kx][c] as i32 * (x[iy as usize][ix as usize][c] as i32 - izp as i32);
                            }
                        }
                    }
                    let want = requantize(acc, m[o], sh[o] as i32, ozp as i32, ozp as i32, 127);
                    assert_eq!(y[oy][ox][o], want, "conv {}x{}x{} k{} s{} p{}: ({oy}, {ox}, {o})", $h, $w, $ci, $k, $s, $p);
                }
            }
        }
        let ys = layer.forward(&[x, x]);
        assert_eq!(ys, [y, y], "batch");
    }};
}

#[test]
fn qconv2d_is_tflite_reference_conv_per_channel() {
    conv_case!(6, 5, 3, 4, 3, 1, 1, 1);
    conv_case!(7, 8, 2, 3, 3, 2, 0, 2);
    conv_case!(9, 6, 1, 8, 5, 2, 2, 3);
    conv_case!(4, 4, 16, 12, 1, 1, 0, 4); // pointwise: no copy
    conv_case!(5, 5, 40, 5, 3, 1, 1, 5); // 360-value patches
}

#[test]
fn qdepthwise_is_tflite_reference_depthwise_per_channel() {
    const C: usize = 70; // more than one block of 64 channels
    let mut r = Pcg64::seed_from_u64(10);
    let w: [[[i8; C]; 3]; 3] = core::array::from_fn(|_| core::array::from_fn(|_| i8s(&mut r)));
    let bias: [i32; C] = core::array::from_fn(|_| random::index(&mut r, 2001) as i32 - 1000);
    let (m, sh) = multipliers::<C>(&mut r);
    let (izp, ozp) = (-7i8, 3i8);
    let layer = QDepthwiseConv2d::<7, 6, C, 3, 2, 1, 4, 3>::new(w, bias, m, sh, izp, ozp, -128, 127);
    let x: [[[i8; C]; 6]; 7] = core::array::from_fn(|_| core::array::from_fn(|_| i8s(&mut r)));
    let y = layer.forward(&x);
    for oy in 0..4 {
        for ox in 0..3 {
            for c in 0..C {
                let mut acc = bias[c];
                for ky in 0..3 {
                    for kx in 0..3 {
                        let (iy, ix) = ((oy * 2 + ky) as isize - 1, (ox * 2 + kx) as isize - 1);
                        if iy < 0 || ix < 0 || iy >= 7 || ix >= 6 {
                            continue;
                        }
                        acc += w[ky][kx][c] as i32 * (x[iy as usize][ix as usize][c] as i32 - izp as i32);
                    }
                }
                assert_eq!(
                    y[oy][ox][c],
                    requantize(acc, m[c], sh[c] as i32, ozp as i32, -128, 127),
                    "({oy}, {ox}, {c})"
                );
            }
        }
    }
}

#[test]
fn qglobal_avg_pool_rounds_half_away_from_zero() {
    let mut r = Pcg64::seed_from_u64(20);
    let x: [[[i8; 4]; 5]; 3] = core::array::from_fn(|_| core::array::from_fn(|_| i8s(&mut r)));
    let y = QGlobalAvgPool2d::<3, 5, 4>::new(-100, 100).forward(&x);
    for c in 0..4 {
        let sum: i32 = x.iter().flatten().map(|p| p[c] as i32).sum();
        let avg = if sum > 0 { (sum + 7) / 15 } else { (sum - 7) / 15 };
        assert_eq!(y[c] as i32, avg.clamp(-100, 100));
    }
}

/// A convolution quantized per channel (symmetric weights, the f32 biases at
/// scale s_in·s_w) gives the f32 convolution's outputs within two output
/// steps.
#[test]
fn quantized_conv_follows_the_f32_conv() {
    type F = layers![input [8, 8, 3] => Conv2d(4, 3, padding = 1)];
    let mut r = Pcg64::seed_from_u64(30);
    let mut f = F::zeros();
    for o in f.weight_mut() {
        o.iter_mut().flatten().flatten().for_each(|v| *v = random::uniform(&mut r, -0.5, 0.5));
    }
    f.bias_mut().iter_mut().for_each(|b| *b = random::uniform(&mut r, -0.2, 0.2));
    let x: [[[f32; 3]; 8]; 8] = core::array::from_fn(|_| {
        core::array::from_fn(|_| core::array::from_fn(|_| random::uniform(&mut r, -1.0, 1.0)))
    });
    let y = f.forward(&x);
    let (s_in, zp_in) = (2.0 / 255.0, -1i8); // [-1, 1] onto [-128, 127], about
    let s_out = y.iter().flatten().flatten().fold(0.0f32, |m, v| m.max(v.abs())) / 127.0;
    let mut w = [[[[0i8; 3]; 3]; 3]; 4];
    let (mut bias, mut m, mut sh) = ([0i32; 4], [0i32; 4], [0i8; 4]);
    for o in 0..4 {
        let s_w = f.weight()[o].iter().flatten().flatten().fold(0.0f32, |a, v| a.max(v.abs())) / 127.0;
        for ky in 0..3 {
            for kx in 0..3 {
                for c in 0..3 {
                    w[o][ky][kx][c] = (f.weight()[o][ky][kx][c] / s_w).round() as i8;
                }
            }
        }
        bias[o] = (f.bias()[o] / (s_in * s_w)).round() as i32;
        let qm = constnet::quant::requant::quantize_multiplier((s_in * s_w / s_out) as f64);
        (m[o], sh[o]) = (qm.mantissa, qm.shift);
    }
    let q = QConv2d::<8, 8, 3, 4, 3, 1, 1, 8, 8>::new(w, bias, m, sh, zp_in, 0, -128, 127);
    let xq = x
        .map(|row| row.map(|p| p.map(|v| ((v / s_in).round() as i32 + zp_in as i32).clamp(-128, 127) as i8)));
    let yq = q.forward(&xq);
    for (a, b) in y.iter().flatten().flatten().zip(yq.iter().flatten().flatten()) {
        assert!((a / s_out - *b as f32).abs() <= 2.0, "{a} vs {} · {s_out}", b);
    }
}

/// Post-training quantization of an f32 CNN (`quant::quantize`): the
/// mapping Unflatten → QUnflatten, Conv2d + Relu → QConv2d (fused),
/// DepthwiseConv2d + Relu → QDepthwiseConv2d, GlobalAvgPool → QGlobalAvgPool2d,
/// Dense → QDense; the int8 network follows the f32 one.
#[test]
fn quantize_maps_a_cnn_and_follows_it() {
    use constnet::init::{Init, init};
    use constnet::quant::{self, Int8};
    type Net = layers![input [64] =>
        Unflatten(8, 8, 1), Conv2d(8, 3, padding = 1), Relu, DepthwiseConv2d(3, padding = 1), Relu,
        Conv2d(8, 1), Relu, GlobalAvgPool, Dense(4)];
    let mut net = <Net as constnet::Zeros>::zeros();
    let mut r = Pcg64::seed_from_u64(40);
    init(&mut net, Init::He, &mut r);
    let sample = |r: &mut Pcg64| -> [f32; 64] { core::array::from_fn(|_| random::uniform(r, 0.0, 1.0)) };
    let calibration: Vec<[f32; 64]> = (0..200).map(|_| sample(&mut r)).collect();
    let q: Int8<Net, 64> = quant::quantize(&net, &calibration).unwrap();
    let (mut worst, mut scale, mut agree) = (0.0f32, 0.0f32, 0);
    for _ in 0..100 {
        let x = sample(&mut r);
        let (y, yq) = (net.forward(&x), q.forward(&x));
        scale = y.iter().fold(scale, |m, v| m.max(v.abs()));
        worst = y.iter().zip(&yq).fold(worst, |m, (a, b)| m.max((a - b).abs()));
        agree += (constnet::math::argmax(&y) == constnet::math::argmax(&yq)) as usize;
    }
    assert!(worst <= 0.05 * scale, "int8 CNN off by {worst} (outputs up to {scale})");
    assert!(agree >= 90, "argmax agrees on {agree} of 100");
}

/// An int8 CNN through the int8 model format (`io::int8`): round trip,
/// every truncation refused, and a bad multiplier refused naming the layer.
#[test]
fn int8_cnn_round_trips_through_the_model_format() {
    use constnet::init::{Init, init};
    use constnet::io::{self, int8};
    use constnet::quant::{self, Int8};
    type Net = layers![input [64] =>
        Unflatten(8, 8, 1), Conv2d(4, 3, padding = 1), Relu, MaxPool2d(2), DepthwiseConv2d(3, padding = 1), Relu,
        Dropout(10), Flatten, Dense(3)];
    let mut net = <Net as constnet::Zeros>::zeros();
    let mut r = Pcg64::seed_from_u64(50);
    init(&mut net, Init::He, &mut r);
    let calibration: Vec<[f32; 64]> =
        (0..50).map(|_| core::array::from_fn(|_| random::uniform(&mut r, 0.0, 1.0))).collect();
    let q: Int8<Net, 64> = quant::quantize(&net, &calibration).unwrap();
    let mut buf = vec![0u8; int8::encoded_len::<Int8<Net, 64>>()];
    int8::to_bytes(&q, &mut buf).unwrap();
    let back: Int8<Net, 64> = int8::from_bytes(&buf).unwrap();
    assert_eq!(back, q);
    let x = calibration[0];
    assert_eq!(back.forward(&x), q.forward(&x));
    for n in 0..buf.len() {
        assert!(int8::from_bytes::<Int8<Net, 64>>(&buf[..n]).is_err());
    }
    // The first convolution's first multiplier mantissa set to 5 (outside
    // TFLite's range), the checksum recomputed: refused as a bad parameter.
    // Body: Quantize (5), then QConv2d's 4 zero-point/clamp bytes, 36
    // weights and 4 biases.
    let at = 20 + 5 + 4 + 36 + 16;
    buf[at..at + 4].copy_from_slice(&5i32.to_le_bytes());
    let end = buf.len() - 4;
    let crc = io::crc32(&buf[..end]);
    buf[end..].copy_from_slice(&crc.to_le_bytes());
    assert!(matches!(int8::from_bytes::<Int8<Net, 64>>(&buf), Err(io::Error::Parameter { .. })));
}
