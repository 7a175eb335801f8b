//! A training step allocates nothing: a counting global allocator watches the
//! forward pass, the loss, backprop and the SGD update of a 3-layer network.

use constnet::prelude::*;
use rand_core::SeedableRng;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// Only allocations made by the measuring thread count (the test harness
    /// allocates on its own threads).
    static WATCHING: Cell<bool> = const { Cell::new(false) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if WATCHING.with(Cell::get) {
            ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        }
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if WATCHING.with(Cell::get) {
            ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        }
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Runs `f` and returns how many allocations it made on this thread.
fn allocations_in(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.load(Ordering::SeqCst);
    WATCHING.with(|w| w.set(true));
    f();
    WATCHING.with(|w| w.set(false));
    ALLOCATIONS.load(Ordering::SeqCst) - before
}

type Net = (Dense<4, 16>, Relu, Dense<16, 16>, Tanh, Dense<16, 3>);

#[test]
fn a_training_step_allocates_nothing() {
    // The counter works: a Vec allocates.
    assert_eq!(allocations_in(|| drop(std::hint::black_box(vec![1u8; 16]))), 1);

    let mut net: Net = Zeros::zeros();
    init(&mut net, Init::He, &mut rand_pcg::Pcg64::seed_from_u64(0));
    let mut sgd = Sgd::new(0.05);
    let x = [[0.1, -0.2, 0.3, 0.4]; 8];
    let labels = [0usize, 1, 2, 0, 1, 2, 0, 1];
    let mut batch_trainer = Trainer::new();
    let mut sample_trainer = Trainer::new();
    let before = net.clone();

    let n = allocations_in(|| {
        for _ in 0..10 {
            batch_trainer.step(&mut net, &mut sgd, &SoftmaxCrossEntropy, &x, &labels).unwrap();
            sample_trainer.step(&mut net, &mut sgd, &Mse::MEAN, &x[0], &[1.0, 0.0, 0.0]).unwrap();
        }
        std::hint::black_box(net.forward(&x));
    });
    assert_eq!(n, 0, "a training step allocated {n} times");
    assert_ne!(net, before, "the steps must have trained the network");
}
