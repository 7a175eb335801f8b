#!/usr/bin/env bash
# Regenerates EMBEDDED.md: flash/RAM per firmware binary and core, the
# compile-time memory constants, and executed-instruction counts for one
# inference and one training step, counted under QEMU between the
# `bench_begin`/`bench_end` markers (../shared/tools/count_insns.py).
# Exits 1 if the sine firmware misses a target (≤ 20 kB flash, ≤ 2 kB RAM,
# ≤ 2,000 instructions per inference on the Cortex-M4F).
#
#   bash scripts/footprint.sh               # writes EMBEDDED.md
#   bash scripts/footprint.sh out/x.md      # writes elsewhere (CI)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
REPORT=${1:-EMBEDDED.md}
WORK=$ROOT/out/footprint
mkdir -p "$WORK"
COUNT=${COUNT_INSNS:-$ROOT/../shared/tools/count_insns.py}
[ -f "$COUNT" ] || { echo "count_insns.py not found at $COUNT (set COUNT_INSNS)"; exit 1; }
command -v qemu-system-arm >/dev/null || { echo "qemu-system-arm missing: run scripts/firmware.sh first"; exit 1; }
TARGETS=(thumbv7em-none-eabihf thumbv6m-none-eabi)
rustup target add "${TARGETS[@]}" >/dev/null 2>&1
rustup component add llvm-tools >/dev/null 2>&1
LLVM_BIN="$(rustc --print sysroot)/lib/rustlib/$(rustc -vV | sed -n 's/^host: //p')/bin"

# QEMU 7.2 (Debian 12) needs -singlestep for one instruction per TB; 8.1+ spells it differently.
qv=$(qemu-system-arm --version | sed -n 's/.*version \([0-9]*\)\.\([0-9]*\).*/\1 \2/p;q')
read -r qmaj qmin <<<"$qv"
if [ "$qmaj" -gt 8 ] || { [ "$qmaj" = 8 ] && [ "$qmin" -ge 1 ]; }; then
  ONE_INSN=(-accel tcg,one-insn-per-tb=on)
else
  ONE_INSN=(-singlestep)
fi

machine() {
  case $1 in
    thumbv7em-none-eabihf) echo "-cpu cortex-m4 -machine mps2-an386" ;;
    thumbv6m-none-eabi) echo "-cpu cortex-m0 -machine microbit" ;;
  esac
}
run() { # target elf [extra qemu args] -> stdout of the firmware
  local t=$1 elf=$2
  shift 2
  # shellcheck disable=SC2046
  timeout 120 qemu-system-arm $(machine "$t") -nographic -semihosting-config enable=on,target=native "$@" -kernel "$elf"
}
count() { # target bin -> instructions between the markers (and the breakdown in $WORK)
  local t=$1 b=$2 elf=examples/firmware/target/$1/release/$2 log=$WORK/$1-$2.exec.log
  run "$t" "$elf" -icount shift=0 "${ONE_INSN[@]}" -d exec,nochain -D "$log" >/dev/null
  python3 "$COUNT" "$elf" "$log" >"$WORK/$t-$b.insns"
  rm -f "$log"
  awk 'NR == 1 { print $1 }' "$WORK/$t-$b.insns"
}
section_size() { # elf section -> bytes
  "$LLVM_BIN/llvm-size" -A "$1" | awk -v s="$2" '$1 == s { print $2; found = 1 } END { if (!found) print 0 }'
}

for t in "${TARGETS[@]}"; do
  (cd examples/firmware && CARGO_TARGET_DIR="$ROOT/examples/firmware/target" cargo build -q --release --target "$t" --bins)
done

declare -A FLASH RAM_STATIC STACK TEXT RODATA DATA BSS INSN MEMLINES
for t in "${TARGETS[@]}"; do
  for b in sine quadrants; do
    elf=examples/firmware/target/$t/release/$b
    vt=$(section_size "$elf" .vector_table)
    TEXT[$t.$b]=$(section_size "$elf" .text)
    RODATA[$t.$b]=$(section_size "$elf" .rodata)
    DATA[$t.$b]=$(section_size "$elf" .data)
    BSS[$t.$b]=$(($(section_size "$elf" .bss) + $(section_size "$elf" .uninit)))
    FLASH[$t.$b]=$((vt + TEXT[$t.$b] + RODATA[$t.$b] + DATA[$t.$b]))
    RAM_STATIC[$t.$b]=$((DATA[$t.$b] + BSS[$t.$b]))
    run "$t" "$elf" >"$WORK/$t-$b.txt" || { echo "$t $b failed:"; cat "$WORK/$t-$b.txt"; exit 1; }
    STACK[$t.$b]=$(sed -n 's/^stack high-water mark: \([0-9]*\) bytes/\1/p' "$WORK/$t-$b.txt")
    MEMLINES[$t.$b]=$(sed -n 's/^mem: /- /p' "$WORK/$t-$b.txt")
  done
  INSN[$t.sine]=$(count "$t" sine)
  for b in bench_infer bench_train bench_quadrants; do
    INSN[$t.$b]=$(count "$t" "$b")
  done
done

M4=thumbv7em-none-eabihf
M0=thumbv6m-none-eabi
sine_flash=${FLASH[$M4.sine]}
sine_ram=$((RAM_STATIC[$M4.sine] + STACK[$M4.sine]))
sine_insn=${INSN[$M4.sine]}
verdict() { if [ "$1" -le "$2" ]; then echo "met"; else echo "**missed**"; fi; }
kb() { awk -v b="$1" 'BEGIN { printf "%.1f kB", b / 1024 }'; }
top() { # target bin: the five functions with most instructions in the measured window, demangled
  python3 - "$LLVM_BIN/llvm-nm" "examples/firmware/target/$1/release/$2" "$WORK/$1-$2.insns" <<'PY'
import re, subprocess, sys
nm, elf, insns = sys.argv[1:]
run = lambda *a: subprocess.run([nm, "--defined-only", *a, elf], capture_output=True, text=True).stdout.splitlines()
names = dict(zip((l.split(None, 2)[-1] for l in run()), (l.split(None, 2)[-1] for l in run("-C"))))
for line in open(insns).read().splitlines()[1:6]:
    n, sym = line.split(None, 1)
    if sym.startswith("total executed"):
        continue
    full = next((d for m, d in names.items() if m.startswith(sym)), sym)
    for a, b in [("$LT$", "<"), ("$GT$", ">"), ("$u20$", " "), ("$LP$", "("), ("$RP$", ")"), ("$C$", ","), ("$RF$", "&"), ("..", "::")]:
        full = full.replace(a, b)
    print(f"    {int(n):6d}  {re.sub(r'::h[0-9a-f]{16}$', '', full).replace('::_<', '::<')[:110]}")
PY
}
accuracy() { sed -n 's/^out: train accuracy \([0-9]*\)\/1000.*/\1/p' "$WORK/$1-quadrants.txt"; }

{
  cat <<EOF
# constnet on microcontrollers: footprint

Generated by \`scripts/footprint.sh\` on $(date -u +%Y-%m-%d) from commit \`$(git describe --always --dirty)\`
($(rustc --version), $(qemu-system-arm --version | head -1)). Do not edit by hand.

The firmware is \`examples/firmware\` (its own crate, \`constnet\` with default features off,
\`opt-level = 3\`, LTO, \`panic = "abort"\`, semihosting output, no allocator). It runs under QEMU:
Cortex-M4F = \`thumbv7em-none-eabihf\` on \`mps2-an386\`, Cortex-M0 = \`thumbv6m-none-eabi\` on
\`microbit\` (16 KiB RAM, no FPU: soft-float). \`scripts/firmware.sh\` (run by \`.ci/run\`) checks that
every binary exits 0 and prints predictions bit-identical to the desktop's.

- **sine**: the 1-16-16-1 ReLU MLP of TFLM's "hello world" and microflow-rs, trained on the desktop
  (\`cargo run --release --example sine -- --save examples/firmware/models/sine.bin\`), built into a
  \`static\` in flash by \`load_static!\` at compile time, run on 16 fixed inputs.
- **quadrants**: runs the desktop-trained 2-16-16-2 tanh quadrants classifier
  (\`cargo run --release --example quadrants -- --save …\`) from flash on 24 fixed points, then trains
  a 2-8-2 ReLU network **on the device** (He init from a seeded PCG32, 20,000 SGD steps on random
  points, learning rate 0.05 halved each quarter) and scores it on 1,000 fresh points.

## Sine model on the Cortex-M4F: targets

| | target | measured | |
|---|---|---|---|
| flash (.vector_table + .text + .rodata + .data) | ≤ 20 kB | $(kb "$sine_flash") ($sine_flash B) | $(verdict "$sine_flash" 20480) |
| RAM (.data + .bss + stack high-water mark) | ≤ 2 kB | $sine_ram B (${RAM_STATIC[$M4.sine]} static + ${STACK[$M4.sine]} stack) | $(verdict "$sine_ram" 2048) |
| executed instructions per inference | ≤ 2,000 | $sine_insn | $(verdict "$sine_insn" 2000) |
| allocator linked | none | none (checked by \`scripts/firmware.sh\`) | met |

The weights (1,284 bytes) are a \`static\` in \`.rodata\`: inference reads them from flash and
nothing is copied to RAM (\`.data\` is empty). The stack figure includes everything from reset to
exit — the semihosting formatting of the printed lines is most of it — and is measured by painting
the stack in \`main\` and scanning for the lowest overwritten word (it may over-count by up to 64 bytes:
a margin below \`main\`'s stack pointer is left unpainted).

### Against published figures for the same model

| | flash | RAM | board / core |
|---|---|---|---|
| **constnet** (this report) | $(kb "$sine_flash") | $sine_ram B | Cortex-M4F (QEMU mps2-an386) |
| microflow-rs | 34.3 kB | 5.3 kB | nRF52840 (Cortex-M4F) |
| TensorFlow Lite Micro | 116 kB | 46 kB | nRF52840 (Cortex-M4F) |

The comparison is indicative, not like for like: the published figures (as quoted in issue 6) are
whole firmware images for a real board, with its HAL, clock set-up and serial output; ours is a QEMU
image whose output goes through semihosting. TFLM interprets a model file at run time; microflow-rs
compiles the model into the firmware with a procedural macro, as constnet does with types and
\`load_static!\`, but from a quantised TFLite model, where constnet runs the f32 weights. Speed is not
compared: QEMU gives exact instruction counts, not cycles.

## All binaries

| core | binary | .text | .rodata | .data | .bss | flash | stack high-water | RAM total |
|---|---|---|---|---|---|---|---|---|
EOF
  for t in "$M4" "$M0"; do
    core=$([ "$t" = "$M4" ] && echo "Cortex-M4F" || echo "Cortex-M0")
    for b in sine quadrants; do
      echo "| $core | $b | ${TEXT[$t.$b]} | ${RODATA[$t.$b]} | ${DATA[$t.$b]} | ${BSS[$t.$b]} | ${FLASH[$t.$b]} | ${STACK[$t.$b]} | $((RAM_STATIC[$t.$b] + STACK[$t.$b])) |"
    done
  done
  cat <<EOF

Bytes. flash = .vector_table (1,024 B) + .text + .rodata + .data; RAM total = .data + .bss + stack.

On-device training accuracy on 1,000 fresh points: **$(accuracy "$M4")/1000 on the Cortex-M4F,
$(accuracy "$M0")/1000 on the Cortex-M0** (target ≥ 950), with the same trained weights on both cores
and on the desktop (the parameter hashes printed after every quarter match bit for bit).

## Compile-time memory

Printed by the firmware itself (\`size_of\` on the target):

${MEMLINES[$M4.sine]}
${MEMLINES[$M4.quadrants]}

Every buffer a training step needs (the layers' caches and a gradient of the model's own type) is in
\`Trainer<OnDevice, [f32; 2]>\`; there is no heap, so the numbers above are the whole story.

## Executed instructions

Counted between \`bench_begin\` and \`bench_end\` (QEMU \`-d exec,nochain\` with one instruction per
translation block; \`count_insns.py\`). Exact and repeatable, but instructions, not cycles.

| measured region | Cortex-M4F | Cortex-M0 |
|---|---|---|
| sine 1-16-16-1 ReLU, one inference (288 multiply-adds) | ${INSN[$M4.sine]} | ${INSN[$M0.sine]} |
| quadrants 2-16-16-2 tanh, one inference (320 multiply-adds, 32 tanh) | ${INSN[$M4.bench_quadrants]} | ${INSN[$M0.bench_quadrants]} |
| on-device 2-8-2 ReLU, one inference (32 multiply-adds) | ${INSN[$M4.bench_infer]} | ${INSN[$M0.bench_infer]} |
| on-device 2-8-2 ReLU, one training step (forward, softmax cross-entropy, backward, SGD update) | ${INSN[$M4.bench_train]} | ${INSN[$M0.bench_train]} |

The Cortex-M0 has no FPU: every f32 operation is a soft-float call (\`__aeabi_fmul\`, \`__aeabi_fadd\`), so
an integer (quantised) path is what would make it fast.

Where the sine inference spends its instructions (Cortex-M4F):

$(top "$M4" sine)

Where one training step spends them (Cortex-M4F):

$(top "$M4" bench_train)

Where one training step spends them (Cortex-M0):

$(top "$M0" bench_train)

## Reproduce

\`\`\`sh
bash scripts/firmware.sh     # installs QEMU and targets if missing; runs and compares with the desktop
bash scripts/footprint.sh    # rewrites this file
\`\`\`
EOF
} >"$REPORT"
echo "wrote $REPORT"
echo "sine on Cortex-M4F: flash $sine_flash B, RAM $sine_ram B, $sine_insn instructions per inference"
if [ "$sine_flash" -gt 20480 ] || [ "$sine_ram" -gt 2048 ] || [ "$sine_insn" -gt 2000 ]; then
  echo "a sine footprint target was missed"
  exit 1
fi
