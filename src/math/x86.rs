//! Run-time selection of AVX-512 and AVX2 copies of the blocked kernels
//! (x86-64 with the `std` feature).
//!
//! Each backward copy is the same generic code from `blocked.rs`, compiled inside a
//! `#[target_feature]` function with a block shape that fits that
//! instruction set's registers. Rust never contracts `a * b + c` into a fused
//! multiply-add (even where FMA is enabled) and the blocking never changes
//! the order of a sum, so every exact copy gives the portable build's bits.
//! The opt-in fused copies (`super::set_fused`) are the same code with
//! `blocked::Fused`, whose `f32::mul_add` is one `vfmadd` under these
//! target features.
//!
//! The forward kernels are the exception: LLVM vectorises the generic code
//! only for a 4 × 4 tile with AVX-512 and a 1 × 1 tile with AVX2, so
//! `x86/forward_tiles.rs` writes 8 × 2 (AVX-512) and 2 × 2 (AVX2) tiles with
//! `core::arch` intrinsics — the same operations in the same order. Measured
//! on Zen 4 at 784 × 128 × 32: AVX-512 80 → 96 GFLOP/s exact and 88 → 102
//! fused, AVX2 32 → 66 exact and 39 → 75 fused.
//!
//! The `unsafe` in the crate is all here and in `x86/forward_tiles.rs`, of
//! two kinds. Calling `#[target_feature]` code (including the intrinsics)
//! from code compiled without those features: the caller must know the CPU
//! has them, which `is_x86_feature_detected!` (a cached load after the first
//! call) checks right before each call. And the vector loads in
//! `forward_tiles.rs`, from slices whose bounds are checked before each
//! tile. Miri cannot run this code; `tests/kernels.rs` runs every path on
//! random shapes (every tile edge and tail) and on signed zeros against the
//! reference loops, bit for bit.
#![allow(unsafe_code)]

use core::arch::x86_64::__m512;
use core::sync::atomic::AtomicBool;

use super::blocked::{self, Blocks, Fused, Separate};

mod forward_tiles;

/// Set by `super::set_fused`: run the fused copies when the CPU has FMA.
pub(crate) static FUSED: AtomicBool = AtomicBool::new(false);

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
backward_copy!(backward_avx512_fma, "avx512f,fma", AVX512, Fused);
backward_copy!(backward_avx2_fma, "avx2,fma", AVX2, Fused);

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
            forward_avx512_fma(w, b, x, y, ins, outs)
        },
        // SAFETY: `detect_fused()` is `Some` only with AVX2 and FMA present.
        KernelPath::Avx2Fma if detect_fused().is_some() => unsafe { forward_avx2_fma(w, b, x, y, ins, outs) },
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
            backward_avx512_fma(w, x, dy, dw, db, dx, ins, outs)
        },
        // SAFETY: `detect_fused()` is `Some` only with AVX2 and FMA present.
        KernelPath::Avx2Fma if detect_fused().is_some() => unsafe {
            backward_avx2_fma(w, x, dy, dw, db, dx, ins, outs)
        },
        _ => return false,
    }
    true
}
