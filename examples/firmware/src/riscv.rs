//! RISC-V rv32imc on QEMU's `virt` machine (`-bios none`): start-up code,
//! output on the 16550 UART at `0x1000_0000`, exit through the SiFive test
//! device at `0x10_0000` (`0x5555`: QEMU exits 0; `0x3333 | code << 16`:
//! QEMU exits `code`). A trap
//! (illegal instruction, bad access) exits 2. The link script is
//! `memory/riscv-virt.x`.

use core::fmt;

core::arch::global_asm!(
    r#"
    .section .text.start, "ax"
    .global _start
_start:
    .option push
    .option norelax
    la sp, _stack_start
    .option pop
    la t0, _trap
    csrw mtvec, t0
    /* zero .bss */
    la t0, _sbss
    la t1, _ebss
1:  bgeu t0, t1, 2f
    sw zero, 0(t0)
    addi t0, t0, 4
    j 1b
    /* copy .data from its load address */
2:  la t0, _sidata
    la t1, _sdata
    la t2, _edata
3:  bgeu t1, t2, 4f
    lw t3, 0(t0)
    sw t3, 0(t1)
    addi t0, t0, 4
    addi t1, t1, 4
    j 3b
4:  call main
5:  j 5b

    .balign 4
_trap:
    li t0, 0x100000
    li t1, 0x23333
    sw t1, 0(t0)
6:  j 6b
"#
);

const UART: *mut u8 = 0x1000_0000 as *mut u8;
const TEST_DEVICE: *mut u32 = 0x10_0000 as *mut u32;

/// Start of RAM (`memory/riscv-virt.x`); code and constants are below it.
pub const RAM_START: usize = 0x8040_0000;

/// The 16550 UART of QEMU `virt`; `write!`/`writeln!` into it.
#[derive(Clone, Copy, Debug, Default)]
pub struct Uart;

impl fmt::Write for Uart {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for b in s.bytes() {
            // Wait for "transmit holding register empty" (LSR bit 5); QEMU's
            // is always ready, a real 16550 is not.
            while unsafe { core::ptr::read_volatile(UART.add(5)) } & 0x20 == 0 {}
            unsafe { core::ptr::write_volatile(UART, b) };
        }
        Ok(())
    }
}

/// The UART, as `host()` is semihosting stdout on the Cortex-M.
pub fn host() -> Uart {
    Uart
}

/// Ends the QEMU run with status 0 (`ok`) or 1.
pub fn exit(ok: bool) -> ! {
    let code = if ok { 0x5555 } else { 0x1_3333 };
    unsafe { core::ptr::write_volatile(TEST_DEVICE, code) };
    #[allow(clippy::empty_loop)]
    loop {}
}

/// The current stack pointer.
#[inline(always)]
pub fn stack_pointer() -> usize {
    let sp: usize;
    unsafe { core::arch::asm!("mv {}, sp", out(reg) sp, options(nomem, nostack, preserves_flags)) };
    sp
}
