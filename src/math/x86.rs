//! Run-time selection of AVX-512 and AVX2 copies of the blocked kernels
//! (x86-64 with the `std` feature).
//!
//! Each copy is the same generic code from `blocked.rs`, compiled inside a
//! `#[target_feature]` function with a block shape that fits that
//! instruction set's registers. Rust never contracts `a * b + c` into a fused
//! multiply-add (even where FMA is enabled) and the blocking never changes
//! the order of a sum, so every exact copy gives the portable build's bits.
//! The opt-in fused copies (`super::set_fused`) are the same code with
//! `blocked::Fused`, whose `f32::mul_add` is one `vfmadd` under these
//! target features.
//!
//! Calling a `#[target_feature]` function from code compiled without those
//! features is `unsafe`: the caller must know the CPU has them. That check is
//! `is_x86_feature_detected!` (a cached load after the first call), right
//! before each call — the only `unsafe` in the crate.
#![allow(unsafe_code)]

use core::sync::atomic::AtomicBool;

use super::blocked::{self, Blocks, Fused, Separate};

/// Set by `super::set_fused`: run the fused copies when the CPU has FMA.
pub(crate) static FUSED: AtomicBool = AtomicBool::new(false);

/// 32 zmm registers of 16 lanes: 4 × 4 dot products of 16 lanes each.
const AVX512: Blocks = Blocks { fwd_s: 4, fwd_o: 4, dw_o: 4, dw_l: 64, dx_s: 4, dx_l: 64 };
/// 16 ymm registers of 8 lanes: 16 partial sums take two, and larger forward
/// blocks spill (measured: 1 × 1 runs at ~37 GFLOP/s, 1 × 2 at ~15).
const AVX2: Blocks = Blocks { fwd_s: 1, fwd_o: 1, dw_o: 4, dw_l: 24, dx_s: 4, dx_l: 24 };

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

macro_rules! copies {
    ($fwd:ident, $bwd:ident, $feature:literal, $b:ident, $m:ty) => {
        #[target_feature(enable = $feature)]
        pub(crate) fn $fwd(w: &[f32], b: &[f32], x: &[f32], y: &mut [f32], ins: usize, outs: usize) {
            blocked::forward::<$m, { $b.fwd_s }, { $b.fwd_o }>(w, b, x, y, ins, outs)
        }

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

copies!(forward_avx512, backward_avx512, "avx512f", AVX512, Separate);
copies!(forward_avx2, backward_avx2, "avx2", AVX2, Separate);
copies!(forward_avx512_fma, backward_avx512_fma, "avx512f,fma", AVX512, Fused);
copies!(forward_avx2_fma, backward_avx2_fma, "avx2,fma", AVX2, Fused);

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
