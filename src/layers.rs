//! The layers: [`Dense`], the activations, and the convolutional layers of
//! [`conv`] (re-exported here).
//!
//! Every layer implements [`Layer`](crate::Layer) (inference),
//! [`Backprop`](crate::Backprop) (training) and [`Params`](crate::Params)
//! (parameter visiting) for single samples and for batches.

mod activation;
pub mod conv;
mod dense;
mod dropout;
mod softmax;

pub use activation::{Identity, LeakyRelu, Relu, Sigmoid, Tanh};
pub use conv::{
    AvgPool2d, Conv1d, Conv2d, DepthwiseConv2d, Flatten, Flatten1d, GlobalAvgPool1d, GlobalAvgPool2d,
    MaxPool1d, MaxPool2d, Unflatten, shape,
};
pub use dense::Dense;
pub use dropout::{Dropout, DropoutCache};
pub use softmax::Softmax;

/// `Params` for a layer without parameters.
macro_rules! no_params {
    ($name:ident) => {
        impl $crate::Params for $name {
            const TENSORS: usize = 0;
            const PARAMS: usize = 0;
            const FINGERPRINT: u64 = $crate::params::fingerprint::str(stringify!($name));
            fn shape(_: usize) -> $crate::TensorShape {
                $crate::TensorShape { kind: $crate::TensorKind::Bias, rows: 0, cols: 0 }
            }
            fn tensor(&self, _: usize) -> &[f32] {
                &[]
            }
            fn tensor_mut(&mut self, _: usize) -> &mut [f32] {
                &mut []
            }
        }
    };
}
pub(crate) use no_params;
