#!/usr/bin/env python3
"""execsnoop under load: events seen against execs generated, and the tool's CPU per 1,000 events.

For each tool in turn (SwiftBPF, libbpf-tools, bpftrace), round after round: start the tool with
its output to a file, wait until it reports a warm-up exec, run N execs of /bin/true with
numbered marker arguments as fast as one process can fork+exec, stop the tool with SIGINT, and
count the distinct markers in its output. CPU is the tool's user+system time (wait4 rusage),
minus nothing: it includes start-up, so it is an upper bound per event.

Run as root: python3 Benchmarks/execsnoop_load.py [--execs N] [--rounds R] [--swiftbpf PATH]
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


def run_once(cmd, execs):
    tag = uuid.uuid4().hex[:8]
    out = tempfile.NamedTemporaryFile(delete=False)
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        pid = os.posix_spawn("/bin/true", ["/bin/true", "warm" + tag], os.environ)
        os.waitpid(pid, 0)
        time.sleep(0.02)
        with open(out.name, "rb") as f:
            if ("warm" + tag).encode() in f.read():
                break
    t0 = time.monotonic()
    for i in range(execs):
        pid = os.posix_spawn("/bin/true", ["/bin/true", f"m{tag}", str(i)], os.environ)
        os.waitpid(pid, 0)
    rate = execs / (time.monotonic() - t0)
    time.sleep(1.0)
    proc.send_signal(signal.SIGINT)
    _, _, usage = os.wait4(proc.pid, 0)
    proc.returncode = 0
    with open(out.name, "rb") as f:
        text = f.read().decode(errors="replace")
    os.unlink(out.name)
    seen = set(int(m) for m in re.findall(rf"m{tag}\"?,?\s*\"?(\d+)", text))
    return len(seen), (usage.ru_utime + usage.ru_stime), rate


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--execs", type=int, default=5000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--swiftbpf", default=os.path.join(here, "..", ".build-static", "release", "swiftbpf"))
    a = ap.parse_args()
    tools = [("swiftbpf", [a.swiftbpf, "execsnoop"])]
    if os.path.exists("/usr/sbin/execsnoop"):
        tools.append(("libbpf-tools", ["/usr/sbin/execsnoop"]))
    if shutil.which("bpftrace") and os.path.exists("/usr/sbin/execsnoop.bt"):
        tools.append(("bpftrace", ["bpftrace", "/usr/sbin/execsnoop.bt"]))
    res = {n: [] for n, _ in tools}
    for _ in range(a.rounds):
        for name, cmd in tools:
            res[name].append(run_once(cmd, a.execs))
    print(f"execsnoop, {a.execs} execs per round, {a.rounds} rounds, alternating; medians")
    print(f"{'tool':<14} {'seen/generated':>16} {'CPU ms per 1k events':>22} {'exec/s driven':>14}")
    cpu = {}
    for name, _ in tools:
        seen = statistics.median(r[0] for r in res[name])
        per = statistics.median(r[1] * 1000 / max(r[0], 1) * 1000 for r in res[name])
        cpu[name] = per
        rate = statistics.median(r[2] for r in res[name])
        print(f"{name:<14} {f'{seen:.0f}/{a.execs}':>16} {per:>22.2f} {rate:>14.0f}")
    for name, _ in tools[1:]:
        print(f"ratio CPU per event swiftbpf/{name}: {cpu['swiftbpf'] / cpu[name]:.2f}")


if __name__ == "__main__":
    main()
