//! Inference with the desktop-trained quadrants model from flash, then
//! training a network on the device. Exits 0 when the loaded model gets the
//! fixed points right from flash and on-device training reaches 95% on
//! 1,000 fresh points, 1 otherwise.
#![no_std]
#![no_main]

use constnet_firmware::common::{self, QUADRANTS};
use constnet_firmware::{exit, host, in_flash, paint_stack, stack_high_water};
use core::fmt::Write;

#[cfg_attr(target_arch = "arm", cortex_m_rt::entry)]
#[cfg_attr(target_arch = "riscv32", unsafe(export_name = "main"))]
fn main() -> ! {
    paint_stack();
    let out = &mut host();
    let ok = run(out).unwrap_or(false);
    let _ = writeln!(out, "stack high-water mark: {} bytes", stack_high_water().unwrap_or(usize::MAX));
    let _ = writeln!(out, "{}", if ok { "PASS" } else { "FAIL" });
    exit(ok)
}

fn run(out: &mut impl Write) -> Result<bool, core::fmt::Error> {
    use common::{DeviceTrainer, OnDevice, Quadrants};
    use constnet::Params;
    use core::mem::size_of;
    writeln!(
        out,
        "mem: Quadrants model {} bytes in flash ({} params, file {} bytes)",
        size_of::<Quadrants>(),
        Quadrants::PARAMS,
        constnet::io::encoded_len::<Quadrants>()
    )?;
    writeln!(
        out,
        "mem: OnDevice model {} bytes, trainer (cache + gradient) {} bytes, SGD {} bytes, PRNG {} bytes: {} bytes of training state",
        size_of::<OnDevice>(),
        size_of::<constnet::train::Trainer<OnDevice, [f32; 2]>>(),
        size_of::<constnet::optim::Sgd>(),
        size_of::<rand_pcg::Pcg32>(),
        size_of::<DeviceTrainer>()
    )?;
    let fixed = common::quadrants_predictions(&QUADRANTS, out)?;
    let trained = common::train_on_device(out)?;
    writeln!(
        out,
        "fixed points {fixed}/{}, on-device accuracy {trained}/{}",
        common::QUADRANT_POINTS,
        common::TEST_POINTS
    )?;
    let flash = in_flash(&QUADRANTS);
    writeln!(
        out,
        "weights at {:#010x}: {}",
        &QUADRANTS as *const Quadrants as usize,
        if flash { "flash" } else { "RAM" }
    )?;
    Ok(fixed == common::QUADRANT_POINTS && trained * 100 >= 95 * common::TEST_POINTS && flash)
}
