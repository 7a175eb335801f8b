#!/usr/bin/env bash
# Builds examples/firmware for the Cortex-M4F (thumbv7em-none-eabihf, QEMU
# mps2-an386) and the Cortex-M0 (thumbv6m-none-eabi, QEMU microbit), runs
# each binary under QEMU, and checks that
#   * every run exits 0 (semihosting exit; a panic or failed check exits 1,
#     a hang is killed by `timeout`),
#   * the `out:` lines — predictions of the desktop-trained models as f32 bit
#     patterns, and the on-device training run — are identical to the desktop
#     twin's (examples/firmware_twin.rs, same source file).
# Installs qemu-system-arm (apt) and the rustup targets when missing.
# Outputs land in out/firmware/. Usage: bash scripts/firmware.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/out/firmware
mkdir -p "$OUT"
TIMEOUT=${FIRMWARE_TIMEOUT:-60}
TARGETS=(thumbv7em-none-eabihf thumbv6m-none-eabi)
BINS=(quadrants sine)

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
if ! command -v qemu-system-arm >/dev/null; then
  echo "installing qemu-system-arm"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq qemu-system-arm >/dev/null
fi
qemu-system-arm --version | head -1
rustup target add "${TARGETS[@]}" >/dev/null 2>&1 || rustup target add "${TARGETS[@]}"
rustup component add llvm-tools >/dev/null 2>&1 || rustup component add llvm-tools
NM="$(rustc --print sysroot)/lib/rustlib/$(rustc -vV | sed -n 's/^host: //p')/bin/llvm-nm"

qemu() { # target elf
  case $1 in
    thumbv7em-none-eabihf) set -- -cpu cortex-m4 -machine mps2-an386 -kernel "$2" ;;
    thumbv6m-none-eabi) set -- -cpu cortex-m0 -machine microbit -kernel "$2" ;;
  esac
  timeout "$TIMEOUT" qemu-system-arm -nographic -semihosting-config enable=on,target=native "$@"
}

echo "--- desktop twin"
for b in "${BINS[@]}"; do
  cargo run -q --release --example firmware_twin -- "$b" >"$OUT/desktop-$b.txt"
done

echo "--- firmware crate: rustfmt and clippy"
(cd examples/firmware && cargo fmt --check &&
  CARGO_TARGET_DIR="$ROOT/examples/firmware/target" cargo clippy -q --release --bins -- -D warnings)

fail=0
for t in "${TARGETS[@]}"; do
  echo "--- $t: build"
  (cd examples/firmware && CARGO_TARGET_DIR="$ROOT/examples/firmware/target" cargo build -q --release --target "$t" --bins)
  for b in "${BINS[@]}" bench_infer bench_train bench_quadrants; do
    # No allocator may be linked: the library must not need a heap.
    if "$NM" examples/firmware/target/$t/release/$b | grep -Eq '__rust_alloc|__rdl_alloc|__rg_alloc'; then
      echo "FAIL: $t $b links an allocator"
      fail=1
    fi
  done
  for b in "${BINS[@]}"; do
    elf=examples/firmware/target/$t/release/$b
    start=$(date +%s%N)
    set +e
    qemu "$t" "$elf" >"$OUT/$t-$b.txt" 2>&1
    status=$?
    set -e
    ms=$((($(date +%s%N) - start) / 1000000))
    grep -v '^out:' "$OUT/$t-$b.txt" | sed "s/^/    /" || true
    if [ "$status" != 0 ]; then
      echo "FAIL: $t $b exited with status $status (124 = timeout)"
      tail -20 "$OUT/$t-$b.txt"
      fail=1
      continue
    fi
    if ! diff <(grep '^out:' "$OUT/desktop-$b.txt") <(grep '^out:' "$OUT/$t-$b.txt") >"$OUT/$t-$b.diff"; then
      echo "FAIL: $t $b output differs from the desktop's:"
      head -20 "$OUT/$t-$b.diff"
      fail=1
      continue
    fi
    n=$(grep -c '^out:' "$OUT/$t-$b.txt")
    echo "ok: $t $b: exit 0 in $ms ms, $n lines bit-identical to the desktop"
  done
done
if [ "$fail" != 0 ]; then
  echo "firmware checks FAILED"
  exit 1
fi
echo "firmware checks passed"
