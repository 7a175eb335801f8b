#!/usr/bin/env bash
# Fuzz every parser target in fuzz/ (libFuzzer via cargo-fuzz, nightly) for a
# bounded time each; fails on the first crash, leak, timeout or OOM.
#
#   bash scripts/fuzz.sh                      # every target, 60 s each
#   FUZZ_SECONDS=600 bash scripts/fuzz.sh     # longer
#   FUZZ_RUNS=10000000 bash scripts/fuzz.sh   # stop each target after N executions
#   bash scripts/fuzz.sh int8_body check      # only these targets
#
# A target's corpus grows in fuzz/corpus/<target>/ (only the seed-* files are
# committed); a crash is saved in fuzz/artifacts/<target>/ and its input
# printed. Add it to tests/fuzz_regressions.rs. Runs one target at a time
# (one process) and prints each target's last libFuzzer stats line
# (executions, coverage `cov:` and features `ft:`).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

SECONDS_EACH=${FUZZ_SECONDS:-60}
RUNS=${FUZZ_RUNS:-}
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
  TARGETS=(f32_from_bytes f32_body check int8_from_bytes int8_body idx_parse tflite_import torch_safetensors)
fi

# Installs nightly only when it is missing (rustup would otherwise update it on every run).
rustup run nightly rustc --version >/dev/null 2>&1 || rustup toolchain install nightly --profile minimal
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi

# Release build with debug assertions and overflow checks (cargo-fuzz's
# default), AddressSanitizer on: an integer overflow is a crash too.
cargo +nightly fuzz build

mkdir -p out/fuzz
summary=out/fuzz/summary.txt
: > "$summary"
for t in "${TARGETS[@]}"; do
  log=out/fuzz/$t.log
  # A scratch copy of the committed seeds plus whatever this machine grew.
  mkdir -p "fuzz/corpus/$t"
  args=(-max_total_time="$SECONDS_EACH" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048)
  if [ -n "$RUNS" ]; then args+=(-runs="$RUNS"); fi
  start=$(date +%s)
  set +e
  cargo +nightly fuzz run "$t" "fuzz/corpus/$t" -- "${args[@]}" >"$log" 2>&1
  rc=$?
  set -e
  took=$(( $(date +%s) - start ))
  stats=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  runs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}' || true)
  printf '%-16s rc=%d %4ds runs=%s | %s\n' "$t" "$rc" "$took" "${runs:-?}" "$stats" | tee -a "$summary"
  if [ "$rc" -ne 0 ]; then
    echo "fuzz target $t failed (exit $rc); the end of its log ($log):" >&2
    tail -40 "$log" >&2
    exit 1
  fi
done
echo "fuzzing passed: ${TARGETS[*]} (summary in $summary)"
