#!/usr/bin/env python3
"""Where a tool's start goes, from its system calls: SwiftBPF's execsnoop against the C/libbpf
reference loading the same object.

Each run is traced with `strace --seccomp-bpf` (only execve, bpf and ioctl stop the tool) and
the time from execve to the last PERF_EVENT_IOC_ENABLE (attached) is split into the time in
BPF_PROG_LOAD (the kernel's verifier, timed with -T; for libbpf this includes its feature
probes, small programs it loads first) and everything else: process start, argument parsing,
ELF and BTF parsing, CO-RE, map creation and attaching. Tracing adds a little
to every traced call, alike for both. Medians over runs.
Usage (root): python3 Benchmarks/startup_phases.py --swiftbpf BIN --ref snoop_ref --object execsnoop.bpf.o [--runs N]
"""
import argparse
import re
import statistics
import subprocess
import tempfile


def phases(cmd):
    with tempfile.NamedTemporaryFile(mode="r", suffix=".strace") as log:
        subprocess.run(["timeout", "-s", "INT", "1", "strace", "--seccomp-bpf", "-f", "-ttt", "-T",
                        "-e", "trace=execve,bpf,ioctl", "-o", log.name] + cmd,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        lines = log.read().splitlines()
    start = attached = None
    verifier = 0.0
    for line in lines:
        m = re.match(r"\d+\s+(\d+\.\d+) (\w+)\((.*)", line)
        if not m:
            continue
        t, call, rest = float(m.group(1)), m.group(2), m.group(3)
        if call == "execve" and start is None:
            start = t
        elif call == "bpf" and rest.startswith("BPF_PROG_LOAD"):
            took = float(re.search(r"<(\d+\.\d+)>$", line).group(1))
            verifier += took
        elif call == "ioctl" and "PERF_EVENT_IOC_ENABLE" in rest:
            attached = t
    total = (attached - start) * 1000
    return {"start to attached": total,
            "in BPF_PROG_LOAD (verifier; libbpf's probes too)": verifier * 1000,
            "everything else": total - verifier * 1000}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--swiftbpf", required=True)
    ap.add_argument("--ref", required=True)
    ap.add_argument("--object", required=True, help="execsnoop.bpf.o, as run.sh builds it")
    ap.add_argument("--runs", type=int, default=7)
    a = ap.parse_args()
    cmds = {"swiftbpf": [a.swiftbpf, "execsnoop"], "c-ref": [a.ref, "execsnoop", a.object]}
    res = {k: [] for k in cmds}
    for _ in range(a.runs):
        for k, cmd in cmds.items():
            res[k].append(phases(cmd))
    print(f"execsnoop start, {a.runs} runs each, alternating; median ms (min-max)")
    print(f"{'phase':<42} {'swiftbpf':>20} {'c-ref':>20}")
    for phase in res["swiftbpf"][0]:
        cells = []
        for k in cmds:
            xs = [r[phase] for r in res[k]]
            cells.append(f"{statistics.median(xs):6.2f} ({min(xs):.1f}-{max(xs):.1f})")
        print(f"{phase:<42} {cells[0]:>20} {cells[1]:>20}")


if __name__ == "__main__":
    main()
