//! The convolution and pooling forward passes against naive f64 loops
//! written from the definitions (the gradient checks only show that each
//! backward pass matches its own forward pass).

use constnet::{Layer, Params, Tensor, layers, random};
use rand_core::SeedableRng;
use rand_pcg::Pcg64;

fn fill<X: Tensor>(seed: u64) -> X {
    let mut r = Pcg64::seed_from_u64(seed);
    let mut x = X::zeros();
    x.flat_mut().iter_mut().for_each(|v| *v = random::uniform(&mut r, -1.0, 1.0));
    x
}

fn fill_params<M: Params>(seed: u64) -> M {
    let mut m = M::zeros_params();
    let mut r = Pcg64::seed_from_u64(seed);
    for i in 0..M::TENSORS {
        m.tensor_mut(i).iter_mut().for_each(|v| *v = random::uniform(&mut r, -1.0, 1.0));
    }
    m
}

/// Input value at (y, x, c) of an h×w×c image, or 0 in the padding.
fn at(x: &[f32], (h, w, c): (usize, usize, usize), iy: isize, ix: isize, ch: usize) -> Option<f64> {
    (iy >= 0 && ix >= 0 && (iy as usize) < h && (ix as usize) < w)
        .then(|| x[(iy as usize * w + ix as usize) * c + ch] as f64)
}

fn close(name: &str, got: &[f32], want: &[f64]) {
    assert_eq!(got.len(), want.len(), "{name}: length");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!((*g as f64 - w).abs() <= 1e-5 * (1.0 + w.abs()), "{name}: output {i}: {g} vs {w}");
    }
}

macro_rules! conv2d_case {
    ($name:literal, [$h:literal, $w:literal, $ci:literal], $co:literal, $k:literal, $s:literal, $p:literal, $seed:literal) => {{
    type L = layers![input [$h, $w, $ci] => Conv2d($co, $k, stride = $s, padding = $p)];
        let layer: L = fill_params($seed);
        let x: [[[f32; $ci]; $w]; $h] = fill($seed + 1);
        let y = layer.forward(&x);
        let (oh, ow) = (y.len(), y[0].len());
        assert_eq!((oh, ow), (($h + 2 * $p - $k) / $s + 1, ($w + 2 * $p - $k) / $s + 1));
        let (wt, b, xf) = (layer.tensor(0), layer.tensor(1), x.flat());
        let mut want = vec![];
        for oy in 0..oh {
            for ox in 0..ow {
                for o in 0..$co {
                    let mut acc = b[o] as f64;
                    for ky in 0..$k {
                        for kx in 0..$k {
                            for c in 0..$ci {
                                let (iy, ix) = ((oy * $s + ky) as isize - $p, (ox * $s + kx) as isize - $p);
                                if let Some(v) = at(xf, ($h, $w, $ci), iy, ix, c) {
                                    acc += v * wt[((o * $k + ky) * $k + kx) * $ci + c] as f64;
                                }
                            }
                        }
                    }
                    want.push(acc);
                }
            }
        }
        close($name, y.flat(), &want);
        // A batch gives each sample's single-sample output, bit for bit.
        let xs = [x, fill($seed + 2), x];
        let ys = layer.forward(&xs);
        assert_eq!(ys[0], y, "{}: batch", $name);
        assert_eq!(ys[2], y, "{}: batch", $name);
    }};
}

#[test]
fn conv2d_matches_the_definition() {
    conv2d_case!("k3 p1", [6, 5, 3], 4, 3, 1, 1, 1);
    conv2d_case!("k3 s2", [7, 8, 2], 3, 3, 2, 0, 10);
    conv2d_case!("k2 s3 p1", [8, 7, 1], 2, 2, 3, 1, 20);
    conv2d_case!("k5 p2", [5, 5, 2], 3, 5, 1, 2, 30);
    conv2d_case!("1x1", [4, 3, 6], 5, 1, 1, 0, 40);
    conv2d_case!("3x3x100, chunked", [6, 6, 100], 3, 3, 1, 1, 50);
}

#[test]
fn depthwise_and_conv1d_match_the_definition() {
    type D = layers![input [7, 6, 3] => DepthwiseConv2d(3, stride = 2, padding = 1)];
    let layer: D = fill_params(60);
    let x: [[[f32; 3]; 6]; 7] = fill(61);
    let y = layer.forward(&x);
    let (wt, b) = (layer.tensor(0), layer.tensor(1));
    let mut want = vec![];
    for oy in 0..4 {
        for ox in 0..3 {
            for c in 0..3 {
                let mut acc = b[c] as f64;
                for ky in 0..3 {
                    for kx in 0..3 {
                        if let Some(v) =
                            at(x.flat(), (7, 6, 3), (oy * 2 + ky) as isize - 1, (ox * 2 + kx) as isize - 1, c)
                        {
                            acc += v * wt[(ky * 3 + kx) * 3 + c] as f64;
                        }
                    }
                }
                want.push(acc);
            }
        }
    }
    close("DepthwiseConv2d", y.flat(), &want);

    type C1 = layers![input [10, 2] => Conv1d(3, 4, stride = 2, padding = 1)];
    let layer: C1 = fill_params(70);
    let x: [[f32; 2]; 10] = fill(71);
    let y = layer.forward(&x);
    assert_eq!(y.len(), (10 + 2 - 4) / 2 + 1);
    let (wt, b) = (layer.tensor(0), layer.tensor(1));
    let mut want = vec![];
    for t in 0..y.len() {
        for o in 0..3 {
            let mut acc = b[o] as f64;
            for k in 0..4 {
                for c in 0..2 {
                    if let Some(v) = at(x.flat(), (1, 10, 2), 0, (t * 2 + k) as isize - 1, c) {
                        acc += v * wt[(o * 4 + k) * 2 + c] as f64;
                    }
                }
            }
            want.push(acc);
        }
    }
    close("Conv1d", y.flat(), &want);
}

#[test]
fn pooling_matches_the_definition() {
    type M = layers![input [7, 7, 2] => MaxPool2d(3, stride = 2)];
    type A = layers![input [7, 7, 2] => AvgPool2d(3, stride = 2)];
    let x: [[[f32; 2]; 7]; 7] = fill(80);
    let (ym, ya) = (M::default().forward(&x), A::default().forward(&x));
    let (mut wm, mut wa) = (vec![], vec![]);
    for oy in 0..3 {
        for ox in 0..3 {
            for c in 0..2 {
                let taps: Vec<f64> = (0..9)
                    .map(|t| {
                        at(x.flat(), (7, 7, 2), (oy * 2 + t / 3) as isize, (ox * 2 + t % 3) as isize, c)
                            .unwrap()
                    })
                    .collect();
                wm.push(taps.iter().cloned().fold(f64::NEG_INFINITY, f64::max));
                wa.push(taps.iter().sum::<f64>() / 9.0);
            }
        }
    }
    close("MaxPool2d", ym.flat(), &wm);
    close("AvgPool2d", ya.flat(), &wa);
    type G = layers![input [7, 7, 2] => GlobalAvgPool];
    let g = G::default().forward(&x);
    for c in 0..2 {
        let mean = (0..49).map(|p| x.flat()[p * 2 + c] as f64).sum::<f64>() / 49.0;
        close("GlobalAvgPool2d", &g[c..c + 1], &[mean]);
    }
}
