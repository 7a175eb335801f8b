//! Compile-time memory figures for training: bytes of the model, its
//! gradient, each optimizer's state and the training cache, for any network
//! type, as `const fn`s.
//!
//! Every value the training loop keeps has a type fixed at compile time, so
//! these are exact `size_of`s — firmware can check that training fits its RAM
//! before it is ever flashed:
//!
//! ```
//! use constnet::{memory, optim::Adam, Dense, Relu};
//! type Net = (Dense<2, 16>, Relu, Dense<16, 3>);
//! type Batch = [[f32; 2]; 8];
//!
//! // Parameters: (2·16 + 16) + (16·3 + 3) floats.
//! assert_eq!(memory::param_bytes::<Net>(), 4 * 99);
//! // Cache for a batch of 8: the inputs of each layer (Dense keeps its input,
//! // Relu its input too).
//! assert_eq!(memory::cache_bytes::<Net, Batch>(), 4 * 8 * (2 + 16 + 16));
//! // Model + cache + gradient + Adam's two moments (+ its hyperparameters).
//! const TOTAL: usize = memory::training_bytes::<Net, Batch, Adam<Net>>();
//! assert_eq!(TOTAL, 4 * 99 * 4 + 4 * 8 * 34 + memory::optimizer_bytes::<Adam<Net>>() - 2 * 4 * 99);
//!
//! // A firmware RAM budget, checked when the crate compiles:
//! const RAM_FOR_TRAINING: usize = 16 * 1024;
//! const { assert!(memory::training_bytes::<Net, Batch, Adam<Net>>() <= RAM_FOR_TRAINING) };
//! ```
//!
//! What is *not* counted: the stack used while a step runs. Layers pass
//! their outputs and input gradients by value, so a step briefly holds a few
//! activation-sized temporaries (for a batch, each is `B ×` the layer width),
//! and the epoch loop gathers each batch into a stack buffer of
//! [`batch_bytes`]. Measure the stack on the target for a tight budget.

use crate::optim::Sgd;
use crate::replay::Replay;
use crate::train::Trainer;
use crate::{Backprop, Params};
use core::mem::size_of;

/// Bytes of a model value (its parameters plus any layer settings such as a
/// leaky ReLU's slope).
pub const fn model_bytes<M: Params>() -> usize {
    size_of::<M>()
}

/// Bytes of trainable parameters alone: `4 · M::PARAMS`.
pub const fn param_bytes<M: Params>() -> usize {
    M::PARAM_BYTES
}

/// Bytes of a gradient: a gradient is a value of the model's type.
pub const fn grad_bytes<M: Params>() -> usize {
    size_of::<M>()
}

/// Bytes of the training cache [`Backprop::Cache`] for input `X` (a sample
/// `[f32; N]` or a batch `[[f32; N]; B]`).
pub const fn cache_bytes<M: Backprop<X>, X>() -> usize {
    size_of::<M::Cache>()
}

/// Bytes of a [`Trainer`] for input `X`: the cache plus a gradient.
pub const fn trainer_bytes<M: Backprop<X> + Params, X>() -> usize {
    size_of::<Trainer<M, X>>()
}

/// Bytes of an optimizer value, state and hyperparameters, e.g.
/// `optimizer_bytes::<Adam<Net>>()`.
pub const fn optimizer_bytes<O>() -> usize {
    size_of::<O>()
}

/// Bytes of per-parameter optimizer state alone (the moments, velocities or
/// sums, without hyperparameters), by optimizer.
pub mod state {
    use crate::Params;
    use crate::optim::{AdaGrad, Adam, RmsProp, SgdMomentum};

    /// [`Sgd`](crate::optim::Sgd) keeps no per-parameter state.
    pub const fn sgd<M: Params>() -> usize {
        0
    }
    /// [`SgdMomentum`]: one velocity.
    pub const fn sgd_momentum<M: Params>() -> usize {
        SgdMomentum::<M>::STATE_BYTES
    }
    /// [`AdaGrad`]: one sum of squares.
    pub const fn adagrad<M: Params>() -> usize {
        AdaGrad::<M>::STATE_BYTES
    }
    /// [`RmsProp`]: one mean square.
    pub const fn rmsprop<M: Params>() -> usize {
        RmsProp::<M>::STATE_BYTES
    }
    /// [`Adam`]: two moments.
    pub const fn adam<M: Params>() -> usize {
        Adam::<M>::STATE_BYTES
    }
}

/// Bytes of the stack buffer the epoch loop gathers a batch of `B` samples
/// `X` with targets `T` into.
pub const fn batch_bytes<X, T, const B: usize>() -> usize {
    size_of::<[X; B]>() + size_of::<[T; B]>()
}

/// Bytes of a [`Replay`] buffer of `CAP` samples `X` with targets `T`.
pub const fn replay_bytes<X, T, const CAP: usize>() -> usize {
    size_of::<Replay<X, T, CAP>>()
}

/// Bytes that live for the whole of training on input `X` with optimizer
/// `O`: the model, a [`Trainer`] (cache and gradient) and the optimizer.
pub const fn training_bytes<M: Backprop<X> + Params, X, O>() -> usize {
    model_bytes::<M>() + trainer_bytes::<M, X>() + optimizer_bytes::<O>()
}

/// [`training_bytes`] with plain [`Sgd`].
pub const fn sgd_training_bytes<M: Backprop<X> + Params, X>() -> usize {
    training_bytes::<M, X, Sgd>()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::Adam;
    use crate::{Dense, Relu, Tanh};

    #[test]
    fn figures_of_a_small_network() {
        type Net = (Dense<3, 5>, Tanh, Dense<5, 2>, Relu);
        assert_eq!(param_bytes::<Net>(), 4 * (15 + 5 + 10 + 2));
        assert_eq!(model_bytes::<Net>(), param_bytes::<Net>());
        assert_eq!(cache_bytes::<Net, [f32; 3]>(), 4 * (3 + 5 + 5 + 2));
        assert_eq!(cache_bytes::<Net, [[f32; 3]; 4]>(), 4 * 4 * (3 + 5 + 5 + 2));
        assert_eq!(trainer_bytes::<Net, [f32; 3]>(), 4 * (15 + 32));
        assert_eq!(state::adam::<Net>(), 2 * 4 * 32);
        assert!(optimizer_bytes::<Adam<Net>>() >= state::adam::<Net>());
        assert_eq!(sgd_training_bytes::<Net, [f32; 3]>(), 4 * (32 + 15 + 32) + 16);
        assert_eq!(batch_bytes::<[f32; 3], usize, 4>(), 4 * 12 + 4 * size_of::<usize>());
        // CAP samples plus the deque's front/back indices and full flag.
        let samples = 16 * size_of::<([f32; 3], usize)>();
        assert!(replay_bytes::<[f32; 3], usize, 16>() >= samples);
        assert!(replay_bytes::<[f32; 3], usize, 16>() <= samples + 3 * size_of::<usize>());
    }
}
