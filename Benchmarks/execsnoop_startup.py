#!/usr/bin/env python3
"""Startup and memory of execsnoop: SwiftBPF against libbpf-tools (C) and bpftrace, side by side.

For each run: start the tool with stdout on a pipe, run /bin/true with a unique marker argument
every few milliseconds until the tool prints a line with that marker, and record
  - startup: time from process start to that line (ms),
  - peak RSS: VmHWM of the tool's process once it has printed the event (MiB).
Tools run in turn, round after round (A B C A B C ...), so drift on a noisy machine hits all of
them alike. The summary gives medians with min-max, and the ratios SwiftBPF / peer.

Run as root:  python3 Benchmarks/execsnoop_startup.py [--runs N] [--swiftbpf PATH]
libbpf-tools' execsnoop flushes stdout only every 4 KiB when it is not a terminal, so it runs
under `stdbuf -oL` here; otherwise its first line arrives hundreds of ms late.
"""
import argparse
import os
import shutil
import signal
import statistics
import subprocess
import threading
import time
import uuid


def peak_rss_mib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except FileNotFoundError:
        pass
    return float("nan")


def trigger(marker, stop):
    deadline = time.monotonic() + 15
    while not stop.is_set() and time.monotonic() < deadline:
        pid = os.posix_spawn("/bin/true", ["/bin/true", marker], os.environ)
        os.waitpid(pid, 0)
        time.sleep(0.002)


def run_once(cmd):
    marker = "bench-" + uuid.uuid4().hex[:12]
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=0)
    stop = threading.Event()
    t = threading.Thread(target=trigger, args=(marker, stop), daemon=True)
    t.start()
    startup = None
    buf = b""
    try:
        while startup is None:
            chunk = proc.stdout.read1(65536) if hasattr(proc.stdout, "read1") else os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                break
            buf += chunk
            if marker.encode() in buf:
                startup = (time.monotonic() - start) * 1000.0
        time.sleep(0.2)  # let it settle, then read its high-water mark
        rss = peak_rss_mib(proc.pid)
    finally:
        stop.set()
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        t.join()
    return startup, rss


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--swiftbpf", default=os.path.join(here, "..", ".build", "release", "swiftbpf"))
    args = ap.parse_args()

    tools = [("swiftbpf", [args.swiftbpf, "execsnoop"])]
    if os.path.exists("/usr/sbin/execsnoop"):
        tools.append(("libbpf-tools", ["stdbuf", "-oL", "/usr/sbin/execsnoop"]))
    if shutil.which("bpftrace") and os.path.exists("/usr/sbin/execsnoop.bt"):
        tools.append(("bpftrace", ["bpftrace", "/usr/sbin/execsnoop.bt"]))

    results = {name: {"startup": [], "rss": []} for name, _ in tools}
    for _ in range(args.runs):
        for name, cmd in tools:
            s, r = run_once(cmd)
            if s is not None:
                results[name]["startup"].append(s)
                results[name]["rss"].append(r)

    def fmt(xs):
        if not xs:
            return "n/a"
        return f"{statistics.median(xs):8.1f} ({min(xs):.1f}-{max(xs):.1f})"

    print(f"execsnoop, {args.runs} runs each, alternating; median (min-max)")
    print(f"{'tool':<14} {'startup ms':>24} {'peak RSS MiB':>24}")
    for name, _ in tools:
        print(f"{name:<14} {fmt(results[name]['startup']):>24} {fmt(results[name]['rss']):>24}")
    ours = results["swiftbpf"]
    for name, _ in tools[1:]:
        peer = results[name]
        if ours["startup"] and peer["startup"]:
            print(f"ratio swiftbpf/{name}: startup {statistics.median(ours['startup']) / statistics.median(peer['startup']):.2f}, "
                  f"peak RSS {statistics.median(ours['rss']) / statistics.median(peer['rss']):.2f}")


if __name__ == "__main__":
    main()
