//! Inference-only firmware with no panic path, proven at link time.
//!
//! The `#[panic_handler]` below calls `constnet_inference_has_a_panic_path`,
//! an `extern "C"` function that is defined nowhere. After LTO, the linker
//! only needs it if some code that survived optimization can still panic (a
//! bounds check, an overflow check, an `unwrap`, an `unreachable!`...): then
//! linking fails with "undefined symbol: constnet_inference_has_a_panic_path"
//! and names nothing else, which is the point — a panic path cannot ship.
//! `src/bin/control.rs` keeps one on purpose and must fail to link
//! (`scripts/panic_free.sh` checks both).
//!
//! Output is semihosting bytes written without `core::fmt` (whose formatting
//! machinery has panic paths of its own) and the exit status is the
//! firmware's verdict, so QEMU shows that the proven code also runs and
//! agrees with the desktop.
#![no_std]

pub mod models;

include!(concat!(env!("OUT_DIR"), "/expected.rs"));

use core::panic::PanicInfo;
use cortex_m_semihosting::{debug, hio};

unsafe extern "C" {
    /// Defined nowhere: referenced only by the panic handler.
    fn constnet_inference_has_a_panic_path() -> !;
}

#[panic_handler]
fn panic(_: &PanicInfo) -> ! {
    // SAFETY: never runs — a binary that can reach this does not link.
    unsafe { constnet_inference_has_a_panic_path() }
}

/// Ends the QEMU run with status 0 (`ok`) or 1.
pub fn exit(ok: bool) -> ! {
    debug::exit(if ok { debug::EXIT_SUCCESS } else { debug::EXIT_FAILURE });
    #[allow(clippy::empty_loop)]
    loop {}
}

/// Semihosting stdout, or `None`.
pub struct Out(Option<hio::HostStream>);

impl Out {
    pub fn new() -> Self {
        Self(hio::hstdout().ok())
    }

    pub fn str(&mut self, s: &str) -> &mut Self {
        if let Some(h) = self.0.as_mut() {
            let _ = h.write_all(s.as_bytes());
        }
        self
    }

    /// A `u32` in decimal, without `core::fmt`.
    pub fn u32(&mut self, mut v: u32) -> &mut Self {
        let mut digits = [0u8; 10];
        let mut n = 0;
        loop {
            digits[9 - n] = b'0' + (v % 10) as u8;
            v /= 10;
            n += 1;
            if v == 0 || n == 10 {
                break;
            }
        }
        if let (Some(h), Some(d)) = (self.0.as_mut(), digits.get(10 - n..)) {
            let _ = h.write_all(d);
        }
        self
    }

    /// An `f32` as a sign and micro-units, e.g. `-0.123456`.
    pub fn f32(&mut self, v: f32) -> &mut Self {
        if !v.is_finite() {
            return self.str("non-finite");
        }
        let micro = (v as f64 * 1e6) as i64; // `as` saturates, never panics
        if micro < 0 {
            self.str("-");
        }
        let m = micro.unsigned_abs();
        self.u32((m / 1_000_000).min(u32::MAX as u64) as u32).str(".");
        let frac = (m % 1_000_000) as u32;
        let mut scale = 100_000;
        while scale > 1 && frac < scale {
            self.str("0");
            scale /= 10;
        }
        self.u32(frac)
    }
}

impl Default for Out {
    fn default() -> Self {
        Self::new()
    }
}

/// `|a − b| ≤ tol · max(1, |b|)`, element-wise.
pub fn close(a: &[f32; 3], b: &[f32; 3], tol: f32) -> bool {
    a.iter().zip(b).all(|(x, y)| (x - y).abs() <= tol * y.abs().max(1.0))
}
