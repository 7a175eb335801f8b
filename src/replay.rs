//! A fixed-capacity replay buffer of recent samples, for online learning
//! without a heap.
//!
//! A device that learns from a stream sees each sample once; training on it
//! alone makes every step chase the latest sample (and forget the rest).
//! [`Replay`] keeps the last `CAP` samples in a [`heapless::Deque`] and
//! [`Trainer::online_step`](crate::train::Trainer::online_step) trains on a
//! batch made of the new sample plus samples replayed from the buffer. The
//! buffer's size is fixed at compile time (`CAP · size_of::<(X, T)>()` plus
//! two indices and a flag: [`memory::replay_bytes`](crate::memory::replay_bytes))
//! and [`Replay::new`] is a `const fn`, so it can live in a `static`:
//!
//! ```
//! use constnet::replay::Replay;
//! use rand_core::SeedableRng;
//! static EMPTY: Replay<[f32; 2], usize, 64> = Replay::new();
//! let mut replay = EMPTY.clone();
//! for k in 0..100 {
//!     replay.push([k as f32, 0.0], k % 3);
//! }
//! assert_eq!(replay.len(), 64);              // the oldest 36 were dropped
//! assert_eq!(replay.get(0), Some(&([36.0, 0.0], 0)));
//! let mut rng = rand_pcg::Pcg32::seed_from_u64(0);
//! let (x, t) = replay.sample(&mut rng).unwrap();
//! assert!(x[0] >= 36.0 && *t == x[0] as usize % 3);
//! ```

use crate::random;
use heapless::Deque;
use rand_core::RngCore;

/// The last `CAP` samples `(X, T)` seen; pushing into a full buffer drops the
/// oldest.
#[derive(Clone, Debug)]
pub struct Replay<X, T, const CAP: usize> {
    items: Deque<(X, T), CAP>,
}

impl<X, T, const CAP: usize> Replay<X, T, CAP> {
    /// An empty buffer (usable in `const` and `static` items).
    pub const fn new() -> Self {
        const { assert!(CAP > 0, "a replay buffer needs a capacity of at least one sample") };
        Self { items: Deque::new() }
    }

    /// Adds a sample, returning the oldest one if it had to make room.
    pub fn push(&mut self, x: X, target: T) -> Option<(X, T)> {
        let evicted = if self.items.is_full() { self.items.pop_front() } else { None };
        // Cannot fail: there is room now.
        let _ = self.items.push_back((x, target));
        evicted
    }

    /// Samples held.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when no sample is held.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// True when the next push will drop the oldest sample.
    pub fn is_full(&self) -> bool {
        self.items.is_full()
    }

    /// `CAP`.
    pub const fn capacity(&self) -> usize {
        CAP
    }

    /// Sample `i`, counting from the oldest (0) to the newest (`len() − 1`).
    pub fn get(&self, i: usize) -> Option<&(X, T)> {
        let (a, b) = self.items.as_slices();
        if i < a.len() { a.get(i) } else { b.get(i - a.len()) }
    }

    /// The most recent sample.
    pub fn newest(&self) -> Option<&(X, T)> {
        self.items.back()
    }

    /// A sample drawn uniformly (`None` when empty).
    pub fn sample<R: RngCore + ?Sized>(&self, rng: &mut R) -> Option<&(X, T)> {
        if self.is_empty() { None } else { self.get(random::index(rng, self.len())) }
    }

    /// The samples from oldest to newest.
    pub fn iter(&self) -> impl Iterator<Item = &(X, T)> {
        self.items.iter()
    }

    /// Drops every sample.
    pub fn clear(&mut self) {
        self.items.clear();
    }
}

impl<X, T, const CAP: usize> Default for Replay<X, T, CAP> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_core::SeedableRng;

    #[test]
    fn keeps_the_most_recent_in_order() {
        let mut r = Replay::<u8, u8, 3>::new();
        assert!(r.is_empty() && r.sample(&mut rand_pcg::Pcg32::seed_from_u64(0)).is_none());
        assert_eq!(r.push(1, 10), None);
        assert_eq!(r.push(2, 20), None);
        assert_eq!(r.push(3, 30), None);
        assert!(r.is_full());
        assert_eq!(r.push(4, 40), Some((1, 10)));
        assert_eq!(r.push(5, 50), Some((2, 20)));
        let got: [u8; 3] = core::array::from_fn(|i| r.get(i).unwrap().0);
        assert_eq!(got, [3, 4, 5]);
        assert_eq!(r.get(3), None);
        assert_eq!(r.newest(), Some(&(5, 50)));
        assert_eq!(r.iter().map(|s| s.1 as u32).sum::<u32>(), 120);
        let mut seen = [false; 3];
        let mut rng = rand_pcg::Pcg32::seed_from_u64(1);
        for _ in 0..100 {
            seen[(r.sample(&mut rng).unwrap().0 - 3) as usize] = true;
        }
        assert_eq!(seen, [true; 3]);
        r.clear();
        assert_eq!((r.len(), r.capacity()), (0, 3));
    }
}
