#![doc = include_str!("../README.md")]
#![no_std]
#![deny(unsafe_code)]
// audited exceptions, each tested against a safe reference: src/math/x86.rs and x86/ (run-time CPU dispatch, SIMD intrinsics), src/math/arm_f32.rs (Cortex-M4F f32 kernel), src/math/int8/{dsp,thumbv6m,x86}.rs (int8 kernels for the Cortex-M4/M7, Cortex-M0, AVX2)
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(any(test, feature = "std"))]
extern crate std;

pub mod data;
pub mod gradcheck;
#[cfg(feature = "std")]
pub mod import;
pub mod init;
pub mod io;
mod layer;
pub mod layers;
pub mod loss;
pub mod math;
pub mod memory;
pub mod metrics;
pub mod network;
pub mod optim;
pub mod params;
pub mod quant;
pub mod random;
pub mod replay;
pub mod scalar;
mod tensor;
pub mod train;

pub use layer::{Backprop, Layer};
pub use layers::{Dense, Identity, LeakyRelu, Relu, Sigmoid, Softmax, Tanh};
pub use params::{Params, TensorKind, TensorShape};
pub use tensor::{Tensor, Zeros};

/// Everything needed to build and train a network: `use constnet::prelude::*;`.
pub mod prelude {
    pub use crate::init::{Init, init};
    pub use crate::loss::{BinaryCrossEntropy, CrossEntropy, Loss, Mse, SoftmaxCrossEntropy};
    pub use crate::optim::{AdaGrad, Adam, Optimizer, RmsProp, Sgd, SgdMomentum};
    pub use crate::train::Trainer;
    pub use crate::{
        Backprop, Dense, Identity, Layer, LeakyRelu, Params, Relu, Sigmoid, Softmax, Tanh, Tensor, Zeros,
        network,
    };
}
