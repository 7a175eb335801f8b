//! Structure-aware: a valid header for `F32B`, a body made of the input,
//! the CRC-32 re-sealed, so every check passes and the loader, inference
//! and a training step meet arbitrary parameter values (NaN, ±∞,
//! subnormals). The input's first byte picks a header field to corrupt
//! (after which the CRC is re-sealed too), checking that each field's own
//! error is reported.
#![no_main]

use constnet::loss::SoftmaxCrossEntropy;
use constnet::optim::Sgd;
use constnet::train::Trainer;
use constnet::{Layer, Params, io};
use constnet_fuzz::{F32B, f32_bytes};
use libfuzzer_sys::fuzz_target;

const LEN: usize = io::encoded_len::<F32B>();

fn seal(buf: &mut [u8]) {
    let n = buf.len() - io::CHECKSUM_LEN;
    let crc = io::crc32(&buf[..n]);
    buf[n..].copy_from_slice(&crc.to_le_bytes());
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, body)) = data.split_first() else { return };
    let mut buf = vec![0u8; LEN];
    buf[..4].copy_from_slice(&io::MAGIC);
    buf[4..8].copy_from_slice(&io::VERSION.to_le_bytes());
    buf[8..16].copy_from_slice(&<F32B as Params>::FINGERPRINT.to_le_bytes());
    buf[16..20].copy_from_slice(&(<F32B as Params>::PARAMS as u32).to_le_bytes());
    let n = body.len().min(LEN - io::HEADER_LEN - io::CHECKSUM_LEN);
    buf[io::HEADER_LEN..io::HEADER_LEN + n].copy_from_slice(&body[..n]);
    let delta = (mode >> 3).max(1);
    match mode & 7 {
        1 => buf[(mode as usize >> 3) % 4] ^= delta,
        2 => buf[4] = buf[4].wrapping_add(delta),
        3 => buf[8 + (mode as usize >> 3) % 8] ^= delta,
        4 => buf[16] = buf[16].wrapping_add(delta),
        5 => buf.truncate(LEN - 1 - (mode as usize >> 3)),
        6 => buf.extend(std::iter::repeat_n(0, 1 + (mode as usize >> 3))),
        _ => {}
    }
    if buf.len() >= io::CHECKSUM_LEN {
        seal(&mut buf);
    }
    let got = io::from_bytes::<F32B>(&buf);
    let net = match (mode & 7, got) {
        (0 | 7, Ok(net)) => net,
        (0 | 7, Err(e)) => panic!("a valid header and sealed body was refused: {e}"),
        (1, Err(io::Error::Magic { .. }))
        | (2, Err(io::Error::Version { .. }))
        | (3, Err(io::Error::Fingerprint { .. }))
        | (4, Err(io::Error::ParamCount { .. }))
        | (5 | 6, Err(io::Error::Length { .. })) => return,
        (m, r) => panic!("header corruption {m}: got {r:?}"),
    };
    assert_eq!(f32_bytes(&net), buf);
    // Inference with hostile weights: no panic (NaN out is fine).
    let x = [0.25, -1.0, 3.0, 0.0];
    let _ = net.forward(&x);
    let _ = net.forward(&[[1e30; 4], [-0.0; 4]]);
    // A training step either trains or refuses; when it refuses the model is untouched.
    let mut model = net.clone();
    let mut trainer = Trainer::<F32B, [[f32; 4]; 2]>::new();
    let r = trainer.step(&mut model, &mut Sgd::new(0.1), &SoftmaxCrossEntropy, &[x, [1.0; 4]], &[0usize, 2]);
    if r.is_err() {
        assert_eq!(f32_bytes(&model), buf, "a refused step changed the model");
    }
});
