//! Cortex-M: semihosting output and exit (QEMU `-semihosting-config`).

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

/// Start of RAM on both QEMU machines (mps2-an386, microbit); flash is below it.
pub const RAM_START: usize = 0x2000_0000;

/// The current (main) stack pointer.
#[inline(always)]
pub fn stack_pointer() -> usize {
    cortex_m::register::msp::read() as usize
}
