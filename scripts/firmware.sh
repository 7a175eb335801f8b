#!/usr/bin/env bash
# Builds examples/firmware for the Cortex-M4F (thumbv7em-none-eabihf, QEMU
# mps2-an386), the Cortex-M0 (thumbv6m-none-eabi, QEMU microbit) and RISC-V
# (riscv32imc-unknown-none-elf, QEMU virt), runs each binary under QEMU, and
# checks that
#   * every run exits 0 (semihosting exit on the Cortex-M, the SiFive test
#     device on RISC-V; a panic or failed check exits 1, a hang is killed by
#     `timeout`),
#   * the `out:` lines — predictions of the desktop-trained f32 and int8
#     models, of the TFLite-converted sine model (compared with the TFLite
#     interpreter's outputs), and of the seeded anomaly-detection autoencoder (f32 and int8)
#     as bit patterns, and the on-device training run — are identical to the
#     desktop twin's (examples/firmware_twin.rs, same source files),
#   * no binary links an allocator.
# Installs qemu-system-arm and qemu-system-misc (apt, one package per call)
# and the rustup targets when missing. Outputs land in out/firmware/.
# Usage: bash scripts/firmware.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/out/firmware
mkdir -p "$OUT"
TIMEOUT=${FIRMWARE_TIMEOUT:-60}
M4=thumbv7em-none-eabihf
M0=thumbv6m-none-eabi
RV=riscv32imc-unknown-none-elf
TARGETS=("$M4" "$M0" "$RV")
# What runs where (and is compared with the desktop). The autoencoder needs
# the M4F's 4 MB of flash.
declare -A RUN=(
  [$M4]="quadrants sine sine_int8 quadrants_int8 tflite_sine anomaly_f32 anomaly_int8 cnn_f32 cnn_int8 ds_cnn_int8"
  [$M0]="quadrants sine sine_int8 quadrants_int8 tflite_sine"
  [$RV]="quadrants sine sine_int8 quadrants_int8 tflite_sine"
)
# Self-checking binaries without a desktop twin: only their exit status counts.
# (f32_kernel_check's stack does not fit the Cortex-M0's 16 KiB of RAM.)
declare -A CHECKS=([$M4]="" [$M0]="" [$RV]="")
for c in "int8_kernel_check:$M4 $M0 $RV" "f32_kernel_check:$M4 $RV" "bench_conv:$M4"; do
  IFS=: read -r bin where <<<"$c"
  [ -f "examples/firmware/src/bin/$bin.rs" ] || continue
  for t in $where; do CHECKS[$t]+=" $bin"; done
done
# Cargo features per target: the autoencoder binaries only on the M4F.
declare -A FEATURES=([$M4]="--features anomaly,cnn" [$M0]="" [$RV]="")
TWIN_BINS=(quadrants sine sine_int8 quadrants_int8 tflite_sine anomaly_f32 anomaly_int8 cnn_f32 cnn_int8 ds_cnn_int8)

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=0
need() { # command debian-package: install the package when the command is missing
  command -v "$1" >/dev/null && return
  echo "installing $2"
  if [ "$apt_updated" = 0 ]; then
    as_root apt-get update -qq
    apt_updated=1
  fi
  # One package per apt-get call: several qemu packages in one call failed here.
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}
need qemu-system-arm qemu-system-arm
need qemu-system-riscv32 qemu-system-misc
qemu-system-arm --version | head -1
qemu-system-riscv32 --version | head -1
rustup target add "${TARGETS[@]}" >/dev/null 2>&1 || rustup target add "${TARGETS[@]}"
rustup component add llvm-tools >/dev/null 2>&1 || rustup component add llvm-tools
NM="$(rustc --print sysroot)/lib/rustlib/$(rustc -vV | sed -n 's/^host: //p')/bin/llvm-nm"

qemu() { # target elf
  case $1 in
    "$M4") timeout "$TIMEOUT" qemu-system-arm -cpu cortex-m4 -machine mps2-an386 -nographic \
      -semihosting-config enable=on,target=native -kernel "$2" ;;
    "$M0") timeout "$TIMEOUT" qemu-system-arm -cpu cortex-m0 -machine microbit -nographic \
      -semihosting-config enable=on,target=native -kernel "$2" ;;
    "$RV") timeout "$TIMEOUT" qemu-system-riscv32 -machine virt -bios none -nographic -kernel "$2" </dev/null ;;
  esac
}

echo "--- int8 model files are fresh quantizations of the f32 ones"
cargo run -q --release --example firmware_models -- --check ||
  { echo "FAIL: regenerate them: cargo run --release --example firmware_models"; exit 1; }

echo "--- desktop twin"
cargo build -q --release --example firmware_twin
TWIN=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')/release/examples/firmware_twin
for b in "${TWIN_BINS[@]}"; do
  "$TWIN" "$b" >"$OUT/desktop-$b.txt"
done

fw() { # target subcommand args...: cargo in the firmware crate, release, its own target dir
  local t=$1 sub=$2
  shift 2
  # shellcheck disable=SC2086
  (cd examples/firmware &&
    CARGO_TARGET_DIR="$ROOT/examples/firmware/target" cargo "$sub" --release --target "$t" ${FEATURES[$t]} "$@")
}

echo "--- firmware crate: rustfmt and clippy"
(cd examples/firmware && cargo fmt --check)
fw "$M4" clippy -q --lib --bins -- -D warnings
rv_bins=()
for b in ${RUN[$RV]} ${CHECKS[$RV]} bench_infer bench_train bench_quadrants bench_quadrants_int8 bench_int8_layer; do
  [ -f "examples/firmware/src/bin/$b.rs" ] && rv_bins+=(--bin "$b")
done
fw "$RV" clippy -q --lib "${rv_bins[@]}" -- -D warnings

fail=0
for t in "${TARGETS[@]}"; do
  echo "--- $t: build"
  if [ "$t" = "$M4" ]; then
    fw "$t" build -q --bins
  else
    # Only what runs here, by name: a binary added for the M4F alone (its
    # 4 MB of flash) must not break the smaller cores' builds.
    names=()
    for b in ${RUN[$t]} ${CHECKS[$t]} bench_infer bench_train bench_quadrants bench_quadrants_int8 bench_int8_layer; do
      [ -f "examples/firmware/src/bin/$b.rs" ] && names+=(--bin "$b")
    done
    fw "$t" build -q "${names[@]}"
  fi
  for elf in $(find "examples/firmware/target/$t/release" -maxdepth 1 -type f -executable | sort); do
    # No allocator may be linked: the library must not need a heap.
    if "$NM" "$elf" | grep -Eq '__rust_alloc|__rdl_alloc|__rg_alloc'; then
      echo "FAIL: $t $(basename "$elf") links an allocator"
      fail=1
    fi
  done
  for b in ${RUN[$t]} ${CHECKS[$t]}; do
    elf=examples/firmware/target/$t/release/$b
    [ -f "$elf" ] || { echo "FAIL: $t $b was not built"; fail=1; continue; }
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
    if [[ " ${CHECKS[$t]} " == *" $b "* ]]; then
      echo "ok: $t $b: exit 0 in $ms ms"
      continue
    fi
    if ! grep -q '^out:' "$OUT/$t-$b.txt"; then
      echo "FAIL: $t $b printed no out: lines"
      fail=1
      continue
    fi
    if ! diff <(grep '^out:' "$OUT/desktop-$b.txt") <(grep '^out:' "$OUT/$t-$b.txt" | tr -d '\r') >"$OUT/$t-$b.diff"; then
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
