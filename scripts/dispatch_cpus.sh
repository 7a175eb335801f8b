#!/usr/bin/env bash
# Runs the kernel, int8-kernel, fused-switch, parallel-training and training tests on
# emulated x86-64 CPUs (QEMU user mode) that lack what this machine may have,
# so the run-time kernel selection and every lesser code path are exercised:
#   Haswell  — AVX2 and FMA, no AVX-512: the AVX2 copies and the AVX2 fast path,
#              the AVX2 int8 kernel;
#   Nehalem  — SSE4.2, no AVX: the portable kernels (f32 and int8), `set_fast` refused.
# CONSTNET_EXPECT_KERNELS makes tests/kernels.rs assert which path was
# detected, so a CPU model QEMU ignored would fail here. Installs qemu-user
# (apt) when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
if ! command -v qemu-x86_64 >/dev/null; then
  echo "installing qemu-user"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq qemu-user >/dev/null
fi
qemu-x86_64 --version | head -1

for cpu_path in Haswell:Avx2 Nehalem:Portable; do
  cpu=${cpu_path%%:*} path=${cpu_path##*:}
  echo "--- emulated $cpu: expecting the $path kernels"
  # QEMU warns about CPUID bits TCG does not model (pcid, x2apic, ...); they
  # do not matter here.
  CONSTNET_EXPECT_KERNELS=$path \
  CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUNNER="qemu-x86_64 -cpu $cpu" \
    cargo test --release --features std --test kernels --test fast_kernels --test int8 --test fused --test parallel --test training \
    2> >(grep -v "TCG doesn't support requested feature" >&2)
done
