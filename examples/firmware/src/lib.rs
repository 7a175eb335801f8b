//! Firmware support: the shared computations ([`common`]), semihosting
//! output and exit, stack painting, and the instruction-count markers.
#![no_std]

pub mod common;

use cortex_m_semihosting::{debug, hio};

/// Semihosting stdout; `write!`/`writeln!` into it.
pub fn host() -> hio::HostStream {
    match hio::hstdout() {
        Ok(h) => h,
        Err(()) => exit(false),
    }
}

/// Ends the QEMU run with status 0 (`ok`) or 1.
pub fn exit(ok: bool) -> ! {
    debug::exit(if ok { debug::EXIT_SUCCESS } else { debug::EXIT_FAILURE });
    #[allow(clippy::empty_loop)]
    loop {}
}

/// Marks the start of a measured region: `scripts/footprint.sh` counts the
/// instructions QEMU executes between `bench_begin` and `bench_end`.
#[unsafe(no_mangle)]
#[inline(never)]
pub extern "C" fn bench_begin() {
    // A non-pure asm body, different from `bench_end`'s: LTO must neither
    // delete nor merge the markers.
    unsafe { core::arch::asm!("nop", options(nomem, nostack, preserves_flags)) }
}

/// Marks the end of a measured region.
#[unsafe(no_mangle)]
#[inline(never)]
pub extern "C" fn bench_end() {
    unsafe { core::arch::asm!("nop", "nop", options(nomem, nostack, preserves_flags)) }
}

/// Start of RAM on both QEMU machines; flash is below it.
pub const RAM_START: usize = 0x2000_0000;

/// True when `value` lives in flash (below [`RAM_START`]), i.e. was not
/// copied to RAM.
pub fn in_flash<T>(value: &T) -> bool {
    (value as *const T as usize) < RAM_START
}

const PAINT: u32 = 0x5afe_c0de;
/// At most this much stack below `main`'s frame is painted and scanned.
const PAINT_BYTES: usize = 8 * 1024;
/// Bytes right below the stack pointer left unpainted.
const PAINT_MARGIN: usize = 64;

unsafe extern "C" {
    static _stack_start: u32;
    static _stack_end: u32;
}

fn paint_range() -> (usize, usize) {
    let top = core::ptr::addr_of!(_stack_start) as usize;
    let end = core::ptr::addr_of!(_stack_end) as usize;
    let bottom = top.saturating_sub(PAINT_BYTES).max(end);
    (bottom, top)
}

/// Fills the unused stack below the caller's frame with a pattern; call it
/// first thing in `main`, then [`stack_high_water`] at the end.
#[inline(never)]
pub fn paint_stack() {
    let (bottom, _) = paint_range();
    // Stop short of the stack pointer: the compiler may push this function's
    // own registers after reading it (shrink-wrapping). The margin can only
    // make the measured high-water mark larger, never smaller.
    let sp = cortex_m::register::msp::read() as usize - PAINT_MARGIN;
    let mut p = bottom;
    while p + 4 <= sp {
        unsafe { core::ptr::write_volatile(p as *mut u32, PAINT) };
        p += 4;
    }
}

/// Peak stack use in bytes since boot: from the top of RAM down to the
/// lowest word no longer holding the paint. `None` if the painted region
/// was exhausted (the peak may be larger).
#[inline(never)]
pub fn stack_high_water() -> Option<usize> {
    let (bottom, top) = paint_range();
    let mut p = bottom;
    while p < top && unsafe { core::ptr::read_volatile(p as *const u32) } == PAINT {
        p += 4;
    }
    (p > bottom).then_some(top - p)
}
