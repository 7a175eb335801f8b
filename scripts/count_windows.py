#!/usr/bin/env python3
"""Instructions in every bench_begin/bench_end window of a QEMU exec log.

A variant of ../shared/tools/count_insns.py (same log format: `-d
exec,nochain` with one instruction per TB) for binaries that bracket several
measured regions: prints one line per window, in order,
    N  window K
counting what executes strictly between the K-th execution of `bench_begin`
(its own body excluded) and the next execution of `bench_end`. Works for
any ELF llvm-nm reads (Arm Thumb, RISC-V).
  count_windows.py ELF LOG"""
import glob, os, re, shutil, subprocess, sys

NM = (glob.glob(os.path.join(subprocess.run(["rustc", "--print", "sysroot"], capture_output=True, text=True).stdout.strip(),
                            "lib/rustlib/*/bin/llvm-nm")) or [shutil.which("nm") or "nm"])[0]
elf, log = sys.argv[1], sys.argv[2]
addr = {}
for line in subprocess.run([NM, "--print-size", "--defined-only", elf],
                           capture_output=True, text=True, check=True).stdout.splitlines():
    p = line.split(None, 3)
    if len(p) == 4 and p[3] in ("bench_begin", "bench_end"):
        a = int(p[0], 16)
        addr[p[3]] = (a, a + int(p[1], 16))
(b0, b1), (e0, _) = addr["bench_begin"], addr["bench_end"]
pc_re = re.compile(r"^Trace \d+: \S+ \[[0-9a-f]+/([0-9a-f]+)/")
k, state, n = 0, "out", 0  # out -> in_begin -> counting -> out
with open(log) as f:
    for line in f:
        m = pc_re.match(line)
        if not m:
            continue
        pc = int(m.group(1), 16) & ~1
        if state == "out":
            if pc == b0:
                state = "in_begin"
        elif state == "in_begin":
            if not (b0 <= pc < b1):
                state, n = "counting", 1
        elif state == "counting":
            if pc == e0:
                k += 1
                print(f"{n:9d}  window {k}")
                state = "out"
            else:
                n += 1
if k == 0:
    sys.exit("no bench_begin/bench_end window in the log")
