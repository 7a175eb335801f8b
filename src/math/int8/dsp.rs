//! Cortex-M4/M7 DSP kernel (SMLAD). Placeholder during development: calls the portable kernel.
use super::Requant;

#[inline]
pub(super) fn dense_forward(
    w: &[i8],
    bias: &[i32],
    x: &[i8],
    y: &mut [i8],
    ins: usize,
    outs: usize,
    rq: &Requant,
) {
    super::dense_forward_portable(w, bias, x, y, ins, outs, rq)
}
