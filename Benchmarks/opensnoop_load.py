#!/usr/bin/env python3
"""opensnoop under a burst of opens: SwiftBPF against libbpf-tools and bpftrace, side by side.

Each round, for each tool in turn: start it with output to a file, wait until it reports a
warm-up open, make N failing opens of unique marker paths as fast as one process can, stop the
tool with SIGINT, and count the distinct markers in its output. CPU is the tool's user+system
time and peak RSS its ru_maxrss (wait4), both including start-up.
Run as root: python3 Benchmarks/opensnoop_load.py [--opens N] [--rounds R] [--swiftbpf PATH]
"""
import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import tempfile
import time
import uuid


def run_once(cmd, opens):
    tag = uuid.uuid4().hex[:8]
    out = tempfile.NamedTemporaryFile(delete=False)
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.DEVNULL)
    warm = f"/tmp/osb-warm-{tag}"
    start = time.monotonic()
    first = None
    while time.monotonic() - start < 20:
        try:
            os.open(warm, os.O_RDONLY)
        except OSError:
            pass
        time.sleep(0.005)
        with open(out.name, "rb") as f:
            if warm.encode() in f.read():
                first = (time.monotonic() - start) * 1000
                break
    t0 = time.monotonic()
    for i in range(opens):
        try:
            os.open(f"/tmp/osb-{tag}-{i}", os.O_RDONLY)
        except OSError:
            pass
    rate = opens / (time.monotonic() - t0)
    time.sleep(1.0)
    proc.send_signal(signal.SIGINT)
    _, _, usage = os.wait4(proc.pid, 0)
    proc.returncode = 0
    with open(out.name, "rb") as f:
        text = f.read().decode(errors="replace")
    os.unlink(out.name)
    seen = set(int(m) for m in re.findall(rf"osb-{tag}-(\d+)", text))
    return len(seen), usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, first, rate


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--opens", type=int, default=200000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--swiftbpf", default=os.path.join(here, "..", ".build-static", "release", "swiftbpf"))
    a = ap.parse_args()
    tools = [("swiftbpf", [a.swiftbpf, "opensnoop"])]
    if os.path.exists("/usr/sbin/opensnoop"):
        tools.append(("libbpf-tools", ["/usr/sbin/opensnoop"]))
    if shutil.which("bpftrace") and os.path.exists("/usr/sbin/opensnoop.bt"):
        tools.append(("bpftrace", ["bpftrace", "/usr/sbin/opensnoop.bt"]))
    res = {n: [] for n, _ in tools}
    for _ in range(a.rounds):
        for name, cmd in tools:
            res[name].append(run_once(cmd, a.opens))
    print(f"opensnoop, {a.opens} failing opens per round, {a.rounds} rounds, alternating; medians")
    print(f"{'tool':<14} {'seen/generated':>18} {'loss':>7} {'CPU ms/1k ev':>13} {'peak RSS MiB':>13} {'first event ms':>15}")
    cpu, rss = {}, {}
    for name, _ in tools:
        seen = statistics.median(r[0] for r in res[name])
        cpu[name] = statistics.median(r[1] * 1e6 / max(r[0], 1) for r in res[name])
        rss[name] = statistics.median(r[2] for r in res[name])
        first = statistics.median(r[3] for r in res[name] if r[3] is not None)
        print(f"{name:<14} {f'{seen:.0f}/{a.opens}':>18} {100 * (1 - seen / a.opens):>6.2f}% {cpu[name]:>13.2f} {rss[name]:>13.1f} {first:>15.0f}")
    for name, _ in tools[1:]:
        print(f"ratio swiftbpf/{name}: CPU per event {cpu['swiftbpf'] / cpu[name]:.2f}, peak RSS {rss['swiftbpf'] / rss[name]:.2f}")


if __name__ == "__main__":
    main()
