#!/usr/bin/env bash
# Runs the portable core's tests under Miri (nightly), which checks every
# executed operation for undefined behaviour: out-of-bounds or misaligned
# accesses, uninitialised reads, invalid values, aliasing (Stacked Borrows),
# leaks.
#
#   bash scripts/miri.sh            # the subset below
#   MIRI_ALL=1 bash scripts/miri.sh # also the slow tests skipped below (hours)
#   bash scripts/miri.sh io lib     # only these test binaries (`lib`: the unit tests)
#
# Default features (no `std`), on a non-x86 target (below): the x86 SIMD
# kernels (src/math/x86*) are only compiled with `std` on x86_64, so this
# exercises the portable kernels, the only ones a bare-metal target has. Covered: every unit test in src/ (model
# format and CRC, losses, kernels, metrics, memory figures, requantization,
# shuffling, replay buffer, scalar maths, initialisers), layer and network
# gradients (tests/gradcheck.rs), every optimizer (tests/optim.rs), the f32
# and int8 model formats (tests/io.rs, tests/io_int8.rs), the training loop,
# epochs, held-out sets and online learning (tests/training.rs), bad data in
# training (tests/bad_data.rs) and the no-allocation check of a step. Skipped, each
# for its run time (thousands of training steps, or tens of thousands of
# corrupted files — the fuzz targets cover those inputs): listed in SKIP.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

rustup run nightly rustc --version >/dev/null 2>&1 || rustup toolchain install nightly --profile minimal
rustup +nightly component add miri rust-src
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target/miri}
export MIRIFLAGS=${MIRIFLAGS:-"-Zmiri-strict-provenance"}
# Miri interprets a target other than the host's: on x86-64, libm computes
# `sqrt` with inline assembly (its `arch` feature), which Miri cannot run.
# riscv64gc is 64-bit little-endian like the host and has no such assembly
# (and no x86 kernels). MIRI_TARGET=s390x-unknown-linux-gnu runs big-endian.
MIRI_TARGET=${MIRI_TARGET:-riscv64gc-unknown-linux-gnu}
cargo +nightly miri setup --target "$MIRI_TARGET"

# Test binaries and, per binary, the tests skipped for time.
declare -A SKIP=(
  [lib]="random::tests::moments_are_right init::tests::schemes_have_their_spread"
  [gradcheck]=""
  [optim]=""
  [io]="random_bytes_never_panic every_single_bit_flip_is_caught_by_the_right_check every_truncation_is_a_length_error"
  [io_int8]="random_bytes_never_panic every_single_bit_flip_is_refused truncation_at_every_length_is_refused"
  [training]="sgd_trains_quadrants sgd_momentum_trains_quadrants adagrad_trains_quadrants rmsprop_trains_quadrants adam_trains_quadrants adam_trains_the_nnfs_spiral online_learning_with_replay_learns_the_stream fit_reports_batches_and_epochs_and_stops_on_break per_sample_training_is_batch_one full_batch_metrics_are_the_pre_update_loss_and_accuracy"
  [bad_data]="soak"
  [no_alloc]=""
)
ORDER=(lib gradcheck optim io io_int8 training bad_data no_alloc)
# Not run: no_alloc_training_loop (a whole epoch of a 2-32-16-2 network: over
# 15 minutes under Miri; no_alloc covers the allocation check of one step).
if [ $# -gt 0 ]; then ORDER=("$@"); fi # e.g. `bash scripts/miri.sh io training`

for t in "${ORDER[@]}"; do
  if [ "$t" = lib ]; then sel=(--lib); else sel=(--test "$t"); fi
  skips=()
  if [ -z "${MIRI_ALL:-}" ]; then
    for s in ${SKIP[$t]}; do skips+=(--skip "$s"); done
  fi
  start=$(date +%s)
  echo "=== miri: ${sel[*]} ${skips[*]}"
  cargo +nightly miri test --target "$MIRI_TARGET" "${sel[@]}" -- "${skips[@]}"
  echo "=== miri: ${sel[*]}: $(( $(date +%s) - start )) s"
done
