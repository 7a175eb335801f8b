//! Mean squared error.

use super::{RowLoss, dense_target_impls};

/// How [`Mse`] reduces one sample's squared errors.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MseReduction {
    /// `Σ (y − t)² / n` over the `n` outputs; gradient `2·(y − t)/n`
    /// (the mathspp tutorial, PyTorch's `MSELoss`).
    #[default]
    Mean,
    /// `½ · Σ (y − t)²`; gradient `y − t` (the Cretan MNIST tutorial).
    HalfSum,
}

/// Mean squared error. A batch's loss is the mean of its samples' losses.
///
/// ```
/// use constnet::loss::{Loss, Mse};
/// let (l, g) = Mse::MEAN.loss_grad(&[1.0, 3.0], &[0.0, 1.0]);
/// assert_eq!((l, g), (2.5, [1.0, 2.0]));
/// let (l, g) = Mse::HALF_SUM.loss_grad(&[1.0, 3.0], &[0.0, 1.0]);
/// assert_eq!((l, g), (2.5, [1.0, 2.0]));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Mse {
    /// The per-sample reduction.
    pub reduction: MseReduction,
}

impl Mse {
    /// Mean over outputs (the default).
    pub const MEAN: Mse = Mse { reduction: MseReduction::Mean };
    /// Half the sum over outputs.
    pub const HALF_SUM: Mse = Mse { reduction: MseReduction::HalfSum };
}

impl RowLoss for Mse {
    #[inline]
    fn row_dense(&self, y: &[f32], t: &[f32], grad: Option<&mut [f32]>, scale: f32) -> f32 {
        let (value_k, grad_k) = match self.reduction {
            MseReduction::Mean => (1.0 / y.len().max(1) as f32, 2.0 / y.len().max(1) as f32),
            MseReduction::HalfSum => (0.5, 1.0),
        };
        let mut sum = 0.0;
        for (yi, ti) in y.iter().zip(t) {
            let e = yi - ti;
            sum += e * e;
        }
        if let Some(g) = grad {
            for ((gi, yi), ti) in g.iter_mut().zip(y).zip(t) {
                *gi = scale * grad_k * (yi - ti);
            }
        }
        sum * value_k
    }
}

dense_target_impls!(Mse);
