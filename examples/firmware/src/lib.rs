//! Firmware support: the shared computations ([`common`]), output and exit,
//! stack painting, and the instruction-count markers, for both families:
//!
//! * Cortex-M (thumbv6m, thumbv7em): cortex-m-rt start-up, semihosting
//!   output and exit;
//! * RISC-V rv32imc on QEMU `virt`: the start-up code, the 16550 UART
//!   writer and the SiFive test device exit of [`riscv`](crate::riscv) (no
//!   runtime crate needed);
//! * on both, a panic handler that prints the location and exits 1.
//!
//! A binary is the same source on every core: its `main` carries
//! `#[cfg_attr(target_arch = "arm", cortex_m_rt::entry)]` and
//! `#[cfg_attr(target_arch = "riscv32", unsafe(export_name = "main"))]`.
#![no_std]

pub mod common;

#[cfg(target_arch = "arm")]
mod arm;
#[cfg(target_arch = "arm")]
pub use arm::{RAM_START, exit, host, stack_pointer};

#[cfg(target_arch = "riscv32")]
pub mod riscv;
#[cfg(target_arch = "riscv32")]
pub use riscv::{RAM_START, exit, host, stack_pointer};

/// Prints `panicked at FILE:LINE[: MESSAGE]` and exits 1, on every core.
/// Without `core::fmt` (a formatted message, `panic!("{x}")`, shows as its
/// location only): a panic handler that formats would put the formatting
/// machinery into every binary, however small.
#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    let mut out = host();
    let mut line = common::Line::new(&mut out);
    line.str("panicked");
    if let Some(loc) = info.location() {
        line.str(" at ").str(loc.file()).str(":").dec(loc.line() as i32, 0);
    }
    if let Some(msg) = info.message().as_str() {
        line.str(": ").str(msg);
    }
    let _ = line.end();
    exit(false)
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

/// True when `value` lives in flash (below [`RAM_START`]), i.e. was not
/// copied to RAM.
pub fn in_flash<T: ?Sized>(value: &T) -> bool {
    (value as *const T as *const u8 as usize) < RAM_START
}

const PAINT: u32 = 0x5afe_c0de;
/// At most this much stack below `main`'s frame is painted and scanned
/// (less where RAM is smaller: never below the end of `.bss`).
const PAINT_BYTES: usize = 1024 * 1024;
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
    let sp = stack_pointer() - PAINT_MARGIN;
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
