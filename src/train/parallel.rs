//! [`ParallelTrainer`]: one mini-batch split into shards, one core per shard
//! (`std` feature).

use super::{NonFiniteLoss, Trainer};
use crate::loss::Loss;
use crate::optim::Optimizer;
use crate::{Backprop, Params};
use rayon::prelude::*;

/// Data-parallel training: a mini-batch of `N` shards of type `X`, each
/// shard's gradient computed on its own core, then one optimizer step with
/// their mean (`std` feature; threads from rayon's global pool, sized by
/// `RAYON_NUM_THREADS` or the number of CPUs).
///
/// Every loss in [`crate::loss`] averages over the samples of its batch, so
/// the mean of `N` equal shards' gradients is the gradient of the whole
/// batch: a step equals [`Trainer::step`] on the concatenated batch up to
/// float summation order (`tests/parallel.rs` checks this). The returned
/// loss is the mean of the shards' losses. As with [`Trainer`], a step whose
/// loss or gradient is not finite leaves the model untouched.
///
/// Memory: `N` trainers, i.e. `N` caches for a shard and `N` gradients of the
/// model's size.
///
/// Speed: each step hands the shards to the pool and waits for them, sums
/// the gradients across cores (large tensors in parallel) and updates the
/// weights the other cores have just read. That traffic pays off only when a
/// shard has plenty of work: on 2 cores of the Zen 4 test machine a
/// 784-128-10 step is 1.43× faster at batch 128 and no faster (0.95×) at
/// batch 32 (`BENCHMARKS.md`). Run the training loop inside the pool
/// (`rayon::ThreadPool::install`) so the calling thread is one of the
/// workers instead of sleeping while they run.
///
/// ```
/// use constnet::{prelude::*, train::ParallelTrainer};
/// use rand_core::SeedableRng;
///
/// let mut net = (Dense::<2, 8>::zeros(), Tanh, Dense::<8, 1>::zeros());
/// init(&mut net, Init::GlorotUniform, &mut rand_pcg::Pcg64::seed_from_u64(0));
/// // A batch of 4 XOR samples as 2 shards of 2.
/// let mut trainer: ParallelTrainer<_, [[f32; 2]; 2], 2> = ParallelTrainer::new();
/// let mut sgd = Sgd::new(0.1);
/// let xs = [[[0.0, 0.0], [0.0, 1.0]], [[1.0, 0.0], [1.0, 1.0]]];
/// let ts = [[[0.0], [1.0]], [[1.0], [0.0]]];
/// for _ in 0..2000 {
///     trainer.step(&mut net, &mut sgd, &Mse::MEAN, &xs, &ts).unwrap();
/// }
/// for (x, t) in xs.as_flattened().iter().zip(ts.as_flattened()) {
///     assert!((net.forward(x)[0] - t[0]).abs() < 0.2);
/// }
/// ```
pub struct ParallelTrainer<M: Backprop<X>, X, const N: usize> {
    /// One trainer per shard; after a step, `shards[0].grads` holds the mean
    /// gradient that was applied.
    pub shards: [Trainer<M, X>; N],
}

/// Gradient values per task when the shards' gradients are averaged.
const REDUCE_CHUNK: usize = 16 * 1024;

impl<M: Backprop<X> + Params, X, const N: usize> ParallelTrainer<M, X, N> {
    /// Zeroed buffers for `N` shards.
    pub fn new() -> Self {
        Self { shards: core::array::from_fn(|_| Trainer::new()) }
    }
}

impl<M: Backprop<X> + Params, X, const N: usize> Default for ParallelTrainer<M, X, N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<M, X, const N: usize> ParallelTrainer<M, X, N>
where
    M: Backprop<X> + Params + Send + Sync,
    M::Cache: Send + Sync,
    X: Sync,
{
    /// Computes every shard's loss and gradient in parallel, then averages
    /// the gradients into `shards[0].grads`; returns the mean loss. The
    /// model is not updated.
    pub fn gradient<L, T>(&mut self, model: &M, loss: &L, x: &[X; N], target: &[T; N]) -> f32
    where
        L: Loss<M::Output, T> + Sync,
        T: Sync,
    {
        let mut values = [0.0f32; N];
        self.shards
            .par_iter_mut()
            .zip(values.par_iter_mut())
            .zip(x.par_iter().zip(target.par_iter()))
            .for_each(|((trainer, value), (x, t))| *value = trainer.gradient(model, loss, x, t));
        let Some((first, rest)) = self.shards.split_first_mut() else { return f32::NAN };
        let rest: &[Trainer<M, X>] = rest;
        let scale = 1.0 / N as f32;
        // Mean of the shards' gradients, large tensors split across the pool.
        let mean = |g: &mut [f32], i: usize, start: usize| {
            for other in rest {
                g.iter_mut().zip(&other.grads.tensor(i)[start..]).for_each(|(a, b)| *a += b);
            }
            g.iter_mut().for_each(|a| *a *= scale);
        };
        for i in 0..M::TENSORS {
            let g = first.grads.tensor_mut(i);
            if g.len() < 2 * REDUCE_CHUNK {
                mean(g, i, 0);
            } else {
                g.par_chunks_mut(REDUCE_CHUNK).enumerate().for_each(|(c, g)| mean(g, i, c * REDUCE_CHUNK));
            }
        }
        values.iter().sum::<f32>() * scale
    }

    /// One data-parallel step: [`gradient`](Self::gradient), then
    /// `opt.step` with the mean gradient — unless the mean loss or the
    /// gradient is not finite, in which case the model is untouched and the
    /// error returned (with `loss` NaN when only the gradient was bad).
    pub fn step<O, L, T>(
        &mut self,
        model: &mut M,
        opt: &mut O,
        loss: &L,
        x: &[X; N],
        target: &[T; N],
    ) -> Result<f32, NonFiniteLoss>
    where
        O: Optimizer<M>,
        L: Loss<M::Output, T> + Sync,
        T: Sync,
    {
        let value = self.gradient(model, loss, x, target);
        if !value.is_finite() {
            return Err(NonFiniteLoss { loss: value });
        }
        let grads = &self.shards.first().ok_or(NonFiniteLoss { loss: f32::NAN })?.grads;
        if !grads.all_finite() {
            return Err(NonFiniteLoss { loss: f32::NAN });
        }
        opt.step(model, grads);
        Ok(value)
    }
}
