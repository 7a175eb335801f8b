//! Run-time selection of AVX-512 and AVX2 copies of the blocked kernels
//! (x86-64 with the `std` feature).
//!
//! Each backward copy is the same generic code from `blocked.rs`, compiled inside a
//! `#[target_feature]` function with a block shape that fits that
//! instruction set's registers. Rust never contracts `a * b + c` into a fused
//! multiply-add (even where FMA is enabled) and the blocking never changes
//! the order of a sum, so every exact copy gives the portable build's bits.
//! The opt-in fast paths (`super::set_fast`) are matrix micro-kernels
//! (`x86/gemm.rs`: broadcast-and-FMA register tiles, with the forward
//! pass's weights transposed into stack panels by `x86/pack.rs`); only
//! their forward pass for small batches, narrow layers and empty shapes
//! runs the dot-product tiles with `blocked::Fused`, whose `f32::mul_add`
//! is one `vfmadd` under these target features.
//!
//! The forward kernels are the exception: LLVM vectorises the generic code
//! only for a 4 × 4 tile with AVX-512 and a 1 × 1 tile with AVX2, so
//! `x86/forward_tiles.rs` writes 8 × 2 (AVX-512) and 2 × 2 (AVX2) tiles with
//! `core::arch` intrinsics — the same operations in the same order. Measured
//! on Zen 4 at 784 × 128 × 32: AVX-512 80 → 96 GFLOP/s exact and 88 → 102
//! fused, AVX2 32 → 66 exact and 39 → 75 fused.
//!
//! The `unsafe` in the crate is all here and in `x86/forward_tiles.rs`,
//! `x86/gemm.rs` and `x86/pack.rs`, of two kinds. Calling
//! `#[target_feature]` code (including the intrinsics) from code compiled
//! without those features: the caller must know the CPU has them, which
//! `is_x86_feature_detected!` (a cached load after the first call) checks
//! right before each call. And the vector and masked loads and stores in
//! the three kernel files, from slices whose bounds are checked before each
//! tile (`forward_tiles.rs`) or once per call for the whole product
//! (`gemm.rs`, whose tiles then stay inside them). Miri cannot run this
//! code; `tests/kernels.rs` runs every path on random shapes (every tile
//! edge and tail) and on signed zeros against the reference loops, bit for
//! bit, and `tests/fast_kernels.rs` runs the fast paths against f64 on
//! shapes several panels and tiles wide, with guard values around every
//! output slice.
#![allow(unsafe_code)]

use core::arch::x86_64::{__m256, __m512};
use core::sync::atomic::AtomicBool;

use super::blocked::{self, Blocks, Fused, Separate};

mod forward_tiles;
mod gemm;
mod pack;

/// Below this many samples the fast forward pass keeps the dot-product
/// tiles of `forward_tiles.rs` (the weights are streamed once, not packed).
const GEMM_MIN_ROWS: usize = super::FAST_GEMM_ROWS;

/// Set by `super::set_fast`: run the fast copies when the CPU has FMA.
pub(crate) static FAST: AtomicBool = AtomicBool::new(false);

/// 32 zmm registers: 4 × 64 gradient tiles (16 accumulators).
const AVX512: Blocks = Blocks { dw_o: 4, dw_l: 64, dx_s: 4, dx_l: 64 };
/// 16 ymm registers: 4 × 24 gradient tiles (12 accumulators).
const AVX2: Blocks = Blocks { dw_o: 4, dw_l: 24, dx_s: 4, dx_l: 24 };

use super::KernelPath;

/// The best copy for this CPU.
#[inline]
pub(crate) fn detect() -> KernelPath {
    // `#[target_feature(enable = "avx512f")]` also enables what Rust says it
    // implies (AVX2, FMA, F16C), so the AVX-512 copy needs all of them: check
    // each rather than trust that every CPU (or VM's CPUID) has them together.
    let avx2 = cfg!(target_feature = "avx2") || std::is_x86_feature_detected!("avx2");
    let avx512 = avx2
        && (cfg!(target_feature = "avx512f") || std::is_x86_feature_detected!("avx512f"))
        && std::is_x86_feature_detected!("fma")
        && std::is_x86_feature_detected!("f16c");
    if avx512 {
        KernelPath::Avx512
    } else if avx2 {
        KernelPath::Avx2
    } else {
        KernelPath::Portable
    }
}

/// The best fused copy for this CPU: AVX-512 (whose check includes FMA), or
/// AVX2 when FMA is there too.
#[inline]
pub(crate) fn detect_fused() -> Option<KernelPath> {
    match detect() {
        KernelPath::Avx512 => Some(KernelPath::Avx512Fma),
        KernelPath::Avx2 if std::is_x86_feature_detected!("fma") => Some(KernelPath::Avx2Fma),
        _ => None,
    }
}

/// A backward pass compiled for `$feature` with blocking `$b` and
/// multiply-add `$m`.
macro_rules! backward_copy {
    ($bwd:ident, $feature:literal, $b:ident, $m:ty) => {
        #[target_feature(enable = $feature)]
        #[allow(clippy::too_many_arguments)]
        pub(crate) fn $bwd(
            w: &[f32],
            x: &[f32],
            dy: &[f32],
            dw: &mut [f32],
            db: &mut [f32],
            dx: Option<&mut [f32]>,
            ins: usize,
            outs: usize,
        ) {
            blocked::backward::<$m, { $b.dw_o }, { $b.dw_l }, { $b.dx_s }, { $b.dx_l }>(
                w, x, dy, dw, db, dx, ins, outs,
            )
        }
    };
}

backward_copy!(backward_avx512, "avx512f", AVX512, Separate);
backward_copy!(backward_avx2, "avx2", AVX2, Separate);

// The forward passes: intrinsic tiles (`forward_tiles.rs`). Each copy
// enables the features its `Lanes16` type and, for the fused ones, FMA need.
// SAFETY (all four): the function's own target features are the ones
// `forward_tiles::forward` requires.

/// AVX-512: 8 × 2 tiles; single samples in 1 × 4 tiles of ymm pairs, which
/// stream the weights from L2 faster than zmm loads here (51 against 46
/// GFLOP/s at 784 × 128, measured).
#[target_feature(enable = "avx512f")]
pub(crate) fn forward_avx512(w: &[f32], b: &[f32], x: &[f32], y: &mut [f32], ins: usize, outs: usize) {
    unsafe {
        forward_tiles::forward::<Separate, __m512, forward_tiles::Ymm2, false, 8, 2, 4>(w, b, x, y, ins, outs)
    }
}

/// [`forward_avx512`] with fused multiply-adds.
#[target_feature(enable = "avx512f,fma")]
pub(crate) fn forward_avx512_fma(w: &[f32], b: &[f32], x: &[f32], y: &mut [f32], ins: usize, outs: usize) {
    unsafe {
        forward_tiles::forward::<Fused, __m512, forward_tiles::Ymm2, true, 8, 2, 4>(w, b, x, y, ins, outs)
    }
}

/// AVX2: 2 × 2 tiles of ymm pairs, single samples in 1 × 4.
#[target_feature(enable = "avx2")]
pub(crate) fn forward_avx2(w: &[f32], b: &[f32], x: &[f32], y: &mut [f32], ins: usize, outs: usize) {
    unsafe {
        forward_tiles::forward::<Separate, forward_tiles::Ymm2, forward_tiles::Ymm2, false, 2, 2, 4>(
            w, b, x, y, ins, outs,
        )
    }
}

/// [`forward_avx2`] with fused multiply-adds.
#[target_feature(enable = "avx2,fma")]
pub(crate) fn forward_avx2_fma(w: &[f32], b: &[f32], x: &[f32], y: &mut [f32], ins: usize, outs: usize) {
    unsafe {
        forward_tiles::forward::<Fused, forward_tiles::Ymm2, forward_tiles::Ymm2, true, 2, 2, 4>(
            w, b, x, y, ins, outs,
        )
    }
}

// The fast paths' matrix kernels (`gemm.rs`). SAFETY (all four): the
// function's own target features are the ones `gemm`'s `Vector` type and
// `pack.rs` need.

/// Fast forward pass of `rows` samples (AVX-512): `gemm::forward`.
#[target_feature(enable = "avx512f,fma")]
fn fast_forward_avx512(w: &[f32], b: &[f32], x: &[f32], y: &mut [f32], ins: usize, outs: usize, rows: usize) {
    unsafe { gemm::forward::<__m512>(w, b, x, y, ins, outs, rows) }
}

/// Fast forward pass of `rows` samples (AVX2): `gemm::forward`.
#[target_feature(enable = "avx2,fma")]
fn fast_forward_avx2(w: &[f32], b: &[f32], x: &[f32], y: &mut [f32], ins: usize, outs: usize, rows: usize) {
    unsafe { gemm::forward::<__m256>(w, b, x, y, ins, outs, rows) }
}

/// The fast backward pass's two products for one instruction set.
macro_rules! fast_backward_copy {
    ($name:ident, $feature:literal, $v:ty) => {
        #[target_feature(enable = $feature)]
        #[allow(clippy::too_many_arguments)]
        fn $name(
            w: &[f32],
            x: &[f32],
            dy: &[f32],
            dw: &mut [f32],
            dx: Option<&mut [f32]>,
            ins: usize,
            outs: usize,
            rows: usize,
        ) {
            unsafe { gemm::weight_gradient::<$v>(x, dy, dw, ins, outs, rows) };
            if let Some(dx) = dx {
                let rows = (dx.len() / ins).min(dy.len() / outs);
                unsafe { gemm::input_gradient::<$v>(w, dy, dx, ins, outs, rows) };
            }
        }
    };
}

fast_backward_copy!(fast_backward_avx512, "avx512f,fma", __m512);
fast_backward_copy!(fast_backward_avx2, "avx2,fma", __m256);

/// The fast (FMA, free order) forward pass on AVX-512 (`wide`) or AVX2:
/// matrix tiles from [`GEMM_MIN_ROWS`] samples and more than
/// `FAST_GEMM_MIN_OUTS` outputs on, the fused dot-product tiles otherwise
/// (and for empty shapes).
///
/// # Safety
/// The CPU has the chosen copy's features.
unsafe fn fast_forward(wide: bool, w: &[f32], b: &[f32], x: &[f32], y: &mut [f32], ins: usize, outs: usize) {
    let rows = if ins == 0 || outs == 0 { 0 } else { (x.len() / ins).min(y.len() / outs) };
    // SAFETY: the caller checked the CPU for the chosen copy.
    unsafe {
        match (wide, rows >= GEMM_MIN_ROWS && outs > super::FAST_GEMM_MIN_OUTS) {
            (true, true) => fast_forward_avx512(w, b, x, y, ins, outs, rows),
            (false, true) => fast_forward_avx2(w, b, x, y, ins, outs, rows),
            (true, false) => forward_avx512_fma(w, b, x, y, ins, outs),
            (false, false) => forward_avx2_fma(w, b, x, y, ins, outs),
        }
    }
}

/// The fast backward pass: `db` as the exact paths add it, `dW` and `dx`
/// by the matrix tiles (whose chains are the old fused copies' order).
///
/// # Safety
/// The CPU has the chosen copy's features.
#[allow(clippy::too_many_arguments)]
unsafe fn fast_backward(
    wide: bool,
    w: &[f32],
    x: &[f32],
    dy: &[f32],
    dw: &mut [f32],
    db: &mut [f32],
    dx: Option<&mut [f32]>,
    ins: usize,
    outs: usize,
) {
    // Empty shapes as every other path treats them: no dW, `dx = 0` when
    // there are no outputs, `db` for every sample when there are no inputs.
    if outs == 0 {
        if let Some(dx) = dx {
            dx.fill(0.0);
        }
        return;
    }
    let rows = blocked::bias_gradient(x, dy, db, ins, outs);
    if ins == 0 {
        return;
    }
    // SAFETY: as the caller checked.
    unsafe {
        if wide {
            fast_backward_avx512(w, x, dy, dw, dx, ins, outs, rows)
        } else {
            fast_backward_avx2(w, x, dy, dw, dx, ins, outs, rows)
        }
    }
}

/// Runs the forward pass on `path`'s copy; `false` if that is the portable one.
#[inline]
pub(crate) fn dense_forward_on(
    path: KernelPath,
    w: &[f32],
    b: &[f32],
    x: &[f32],
    y: &mut [f32],
    ins: usize,
    outs: usize,
) -> bool {
    match path {
        // SAFETY: `detect()` checked AVX-512F and the features it implies.
        KernelPath::Avx512 if detect() == KernelPath::Avx512 => unsafe {
            forward_avx512(w, b, x, y, ins, outs)
        },
        // SAFETY: `detect()` reports AVX2 or AVX-512 only when AVX2 is present.
        KernelPath::Avx2 if detect() != KernelPath::Portable => unsafe {
            forward_avx2(w, b, x, y, ins, outs)
        },
        // SAFETY: as for `Avx512`; FMA is part of that check.
        KernelPath::Avx512Fma if detect_fused() == Some(KernelPath::Avx512Fma) => unsafe {
            fast_forward(true, w, b, x, y, ins, outs)
        },
        // SAFETY: `detect_fused()` is `Some` only with AVX2 and FMA present.
        KernelPath::Avx2Fma if detect_fused().is_some() => unsafe {
            fast_forward(false, w, b, x, y, ins, outs)
        },
        _ => return false,
    }
    true
}

/// Runs the backward pass on `path`'s copy; `false` if that is the portable one.
#[inline]
#[allow(clippy::too_many_arguments)]
pub(crate) fn dense_backward_on(
    path: KernelPath,
    w: &[f32],
    x: &[f32],
    dy: &[f32],
    dw: &mut [f32],
    db: &mut [f32],
    dx: Option<&mut [f32]>,
    ins: usize,
    outs: usize,
) -> bool {
    match path {
        // SAFETY: `detect()` checked AVX-512F and the features it implies.
        KernelPath::Avx512 if detect() == KernelPath::Avx512 => unsafe {
            backward_avx512(w, x, dy, dw, db, dx, ins, outs)
        },
        // SAFETY: `detect()` reports AVX2 or AVX-512 only when AVX2 is present.
        KernelPath::Avx2 if detect() != KernelPath::Portable => unsafe {
            backward_avx2(w, x, dy, dw, db, dx, ins, outs)
        },
        // SAFETY: as for `Avx512`; FMA is part of that check.
        KernelPath::Avx512Fma if detect_fused() == Some(KernelPath::Avx512Fma) => unsafe {
            fast_backward(true, w, x, dy, dw, db, dx, ins, outs)
        },
        // SAFETY: `detect_fused()` is `Some` only with AVX2 and FMA present.
        KernelPath::Avx2Fma if detect_fused().is_some() => unsafe {
            fast_backward(false, w, x, dy, dw, db, dx, ins, outs)
        },
        _ => return false,
    }
    true
}
