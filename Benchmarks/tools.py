#!/usr/bin/env python3
"""The tool suite: execsnoop, opensnoop and tcpconnect, SwiftBPF against its peers, side by side.

Peers (each run only if installed; Benchmarks/run.sh installs them):
  c-ref         Benchmarks/snoop_ref.c: the SAME BPF object as the Swift tool (its .bpf.c compiled
                by clang), loaded through libbpf, reading the same ring buffer, printing the same
                columns. The direct comparison of the two loaders' user-space costs.
  libbpf-tools  Debian's libbpf-tools execsnoop/opensnoop (under `stdbuf -oL`, or its first line
                waits for 4 KiB of output). Its tcpconnect attaches kprobes: no TCP row here.
  bpftrace      the shipped execsnoop.bt and opensnoop.bt; Benchmarks/bpftrace/tcpconnect_tp.bt
                (sock:inet_sock_set_state: BCC's and bpftrace's tcpconnect use kprobes).
  bcc           trace-bpfcc on the same tracepoints (BCC's own tools attach kprobes), with
                PYTHONUNBUFFERED=1 so that its lines are not held back. Its %s reads kernel
                memory, so it prints numbers, not paths: see Case for the markers it shows.

One run of a tool, as a fresh process with stdout to a file:
  1. startup: from process start until its output shows a marker event; a trigger loop makes
     one marker event every 0.5 ms plus the trigger's own time until then (an exec, a failing
     open, a loopback connect), and reads the output between triggers. (It slept 3 ms between
     triggers until 2026-12-07: two runs of the same binaries minutes apart gave medians 2-9 ms
     higher for every peer, the harness's own delay, which pulled the ratios towards 1:
     BENCHMARKS.md, "Startup with a finer trigger loop".)
  2. idle peak RSS: VmHWM 0.2 s after that event;
  3. load: a bounded burst from Benchmarks/loadgen.c (C, a separate process): 200,000 failing
     opens; fork+exec for 10 s at full speed; 150,000 loopback TCP connections;
  4. the burst's events are counted in the output as the tool prints them (lines with the
     burst's marker), until all are seen or none came for 1 s; then the tool is stopped with
     SIGINT and what it prints at the stop counts too: events seen against events generated;
  5. CPU per 1,000 events: the tool's user+system time during the burst and drain (wait4 at the
     end minus /proc/PID/stat before the burst) per 1,000 events seen; peak RSS under load is
     VmHWM just before the stop. (Not wait4's ru_maxrss: that keeps the high-water mark of the
     Python process the tool was forked from, before its exec.)
Tools run in turn within each round (A B C A B C ...), so drift on a shared machine hits all of
them alike. The summary gives medians with min-max over rounds, and ratios SwiftBPF / peer.

Usage (root): python3 Benchmarks/tools.py --tool execsnoop|opensnoop|tcp --swiftbpf BIN \
    --ref BIN --objects DIR --loadgen BIN [--rounds N] [--smoke] [--json FILE] [--peers a,b]
"""
import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
TICK = os.sysconf("SC_CLK_TCK")


def vm_hwm_mib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return None


def cpu_seconds(pid):
    """utime + stime of a live process, from /proc/PID/stat (clock ticks)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK
    except OSError:
        return 0.0


class Listener:
    """A loopback listener that accepts and closes, for the TCP startup trigger."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                c, _ = self.sock.accept()
                c.close()
            except OSError:
                return

    def close(self):
        self.sock.close()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def set_comm(name):
    """Sets the calling thread's comm (children started from it inherit it)."""
    import ctypes
    ctypes.CDLL(None).prctl(15, name.encode()[:15], 0, 0, 0)  # PR_SET_NAME


class Case:
    """What one tool needs: how to trigger a marker event and how to recognise events.

    Markers are strings where every peer prints them (paths, argv), and numbers where BCC's
    trace cannot read user strings from a tracepoint (its %s reads kernel memory): the comm of
    an exec'ing process at sys_enter_execve, the mode argument of openat(2), the TCP port.
    """

    def __init__(self, tool, tag):
        self.tool, self.tag = tool, tag
        self.listener = None
        rnd = int(tag[:6], 16)
        if tool == "execsnoop":
            # The marker is in the executable's path (argv[0]: SwiftBPF, C, libbpf-tools, bpftrace)
            # and in the comm before the exec (BCC's trace of sys_enter_execve prints COMM).
            self.warm_dir = f"/tmp/esw-{tag}"
            os.makedirs(self.warm_dir, exist_ok=True)
            self.warm = f"{self.warm_dir}/true"
            if not os.path.exists(self.warm):
                os.symlink("/bin/true", self.warm)
            self.warm_comm = f"esw{tag[:12]}"
            self.load_markers = [re.escape(f"esb-{tag}"), re.escape(f"esb{tag[:12]}")]
        elif tool == "opensnoop":
            self.warm = f"/tmp/osw-{tag}"
            self.warm_mode = 20000 + rnd % 20000
            self.load_mode = self.warm_mode + 1
            self.load_markers = [re.escape(f"osb-{tag}-"), rf"\bm{self.load_mode}\b"]
        else:
            self.listener = Listener()
            self.port = self.listener.port
            self.load_port = free_port()

    def trigger(self):
        if self.tool == "execsnoop":
            old = open("/proc/thread-self/comm").read().strip()
            set_comm(self.warm_comm)
            try:
                pid = os.posix_spawn(self.warm, [self.warm, "warm"], os.environ)
                os.waitpid(pid, 0)
            finally:
                set_comm(old)
        elif self.tool == "opensnoop":
            # openat(2) directly: libc passes the mode argument only with O_CREAT.
            import ctypes
            fd = ctypes.CDLL(None, use_errno=True).syscall(257, -100, self.warm.encode(), os.O_RDONLY, self.warm_mode)
            if fd >= 0:
                os.close(fd)
        else:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
            except OSError:
                pass

    def startup_seen(self, line):
        if self.tool == "execsnoop":
            return self.warm_dir in line or self.warm_comm in line
        if self.tool == "opensnoop":
            return self.warm in line or re.search(rf"\bm{self.warm_mode}\b", line) is not None
        return re.search(rf"\b{self.port}\s*$", line) is not None

    def load_command(self, loadgen, size):
        if self.tool == "execsnoop":
            return [loadgen, "execs", str(size), self.tag]
        if self.tool == "opensnoop":
            return [loadgen, "opens", str(size), self.tag, str(self.load_mode)]
        return [loadgen, "connects", str(size), str(self.load_port)]

    def count_seen(self, line):
        """1 if the line is an event of the burst (one line per event in every peer's output)."""
        if self.tool == "tcp":
            return 1 if re.search(rf"\b{self.load_port}\s*$", line) else 0
        if not hasattr(self, "load_re"):
            self.load_re = re.compile("|".join(self.load_markers))
        return 1 if self.load_re.search(line) else 0

    def cleanup(self):
        if self.tool == "execsnoop":
            shutil.rmtree(self.warm_dir, ignore_errors=True)
        if self.listener:
            self.listener.close()


class Output:
    """The tool's output file, read incrementally (the machine may print many unrelated events)."""

    def __init__(self, path):
        self.f = open(path, "rb")
        self.rest = b""

    def new_lines(self):
        data = self.rest + self.f.read()
        lines = data.split(b"\n")
        self.rest = lines.pop()
        return [line.decode(errors="replace") for line in lines]

    def close(self):
        self.f.close()


def drain(output, case, already, generated, quiet=1.0, limit=90.0):
    """Counts the burst's events as the tool prints them, until all are seen or none came for
    `quiet` seconds (the tool has drained its backlog; the rest is lost)."""
    seen = already
    end = time.monotonic() + limit
    since = time.monotonic()
    while time.monotonic() < end and seen < generated:
        n = sum(case.count_seen(line) for line in output.new_lines())
        if n:
            seen += n
            since = time.monotonic()
        elif time.monotonic() - since >= quiet:
            break
        time.sleep(0.05)
    return seen


def stop(proc, limit=30.0):
    """SIGINT, then wait4 (SIGKILL after `limit`). Returns the rusage."""
    proc.send_signal(signal.SIGINT)
    end = time.monotonic() + limit
    while True:
        pid, _, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            proc.returncode = 0
            return usage
        if time.monotonic() > end:
            proc.kill()
            _, _, usage = os.wait4(proc.pid, 0)
            proc.returncode = -9
            return usage
        time.sleep(0.05)


def run_once(tool, cmd, env, loadgen, size, startup_limit):
    tag = uuid.uuid4().hex[:10]
    case = Case(tool, tag)
    out = tempfile.NamedTemporaryFile(prefix="bench-", delete=False)
    err = tempfile.NamedTemporaryFile(prefix="bench-err-", delete=False)
    result = {"startup_ms": None}
    output = Output(out.name)
    try:
        t0 = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        while time.monotonic() - t0 < startup_limit and proc.poll() is None:
            case.trigger()
            time.sleep(0.0005)
            if any(case.startup_seen(line) for line in output.new_lines()):
                result["startup_ms"] = (time.monotonic() - t0) * 1000
                break
        if result["startup_ms"] is None:
            if proc.poll() is None:
                stop(proc, 5)
            with open(err.name, "rb") as f:
                result["error"] = f.read().decode(errors="replace").strip()[-300:] or "no marker event seen"
            return result
        time.sleep(0.2)
        result["idle_rss_mib"] = vm_hwm_mib(proc.pid)
        cpu0 = cpu_seconds(proc.pid)
        lg = subprocess.run(case.load_command(loadgen, size), capture_output=True, text=True)
        if lg.returncode != 0:
            stop(proc, 5)
            result["error"] = f"load generator failed: {lg.stderr.strip()[-200:]}"
            return result
        gen = json.loads(lg.stdout.strip().splitlines()[-1])
        seen = drain(output, case, 0, gen["generated"])
        hwm_before_stop = vm_hwm_mib(proc.pid)
        usage = stop(proc)
        # What the tool printed at its stop (queued events it drained on SIGINT) counts too.
        seen += sum(case.count_seen(line) for line in output.new_lines())
        cpu = usage.ru_utime + usage.ru_stime - cpu0
        result.update({
            "generated": gen["generated"], "seen": seen, "load_per_s": gen["per_s"],
            "cpu_ms_per_1k": cpu * 1e6 / max(seen, 1), "peak_rss_mib": hwm_before_stop,
        })
        return result
    finally:
        output.close()
        case.cleanup()
        for f in (out, err):
            f.close()
            os.unlink(f.name)


def peers(tool, a):
    bt = shutil.which("bpftrace")
    bcc = shutil.which("trace-bpfcc")
    unbuffered = dict(os.environ, PYTHONUNBUFFERED="1")
    obj = lambda name: os.path.join(a.objects, f"{name}.bpf.o")
    out = []
    if tool == "execsnoop":
        out.append(("swiftbpf", [a.swiftbpf, "execsnoop"], None))
        out.append(("c-ref", [a.ref, "execsnoop", obj("execsnoop")], None))
        if os.path.exists("/usr/sbin/execsnoop"):
            out.append(("libbpf-tools", ["stdbuf", "-oL", "/usr/sbin/execsnoop"], None))
        if bt and os.path.exists("/usr/sbin/execsnoop.bt"):
            out.append(("bpftrace", [bt, "/usr/sbin/execsnoop.bt"], None))
        if bcc:
            out.append(("bcc", [bcc, "t:syscalls:sys_enter_execve"], unbuffered))
    elif tool == "opensnoop":
        out.append(("swiftbpf", [a.swiftbpf, "opensnoop"], None))
        out.append(("c-ref", [a.ref, "opensnoop", obj("opensnoop")], None))
        if os.path.exists("/usr/sbin/opensnoop"):
            out.append(("libbpf-tools", ["stdbuf", "-oL", "/usr/sbin/opensnoop"], None))
        if bt and os.path.exists("/usr/sbin/opensnoop.bt"):
            out.append(("bpftrace", [bt, "/usr/sbin/opensnoop.bt"], None))
        if bcc:
            out.append(("bcc", [bcc, 't:syscalls:sys_enter_openat "m%d", args->mode'], unbuffered))
    else:
        out.append(("swiftbpf", [a.swiftbpf, "tcpconnect"], None))
        out.append(("c-ref", [a.ref, "tcpconnect", obj("tcpconnect")], None))
        if bt:
            out.append(("bpftrace", [bt, os.path.join(HERE, "bpftrace", "tcpconnect_tp.bt")], None))
        if bcc:
            out.append(("bcc", [bcc, 't:sock:inet_sock_set_state (args->protocol == 6 && args->oldstate == 2 && '
                               'args->newstate == 1) "%d %d", args->sport, args->dport'], unbuffered))
    if a.peers:
        keep = set(a.peers.split(","))
        out = [p for p in out if p[0] in keep]
    return out


LOAD = {  # (full size, smoke size, what)
    "execsnoop": (10, 1, "s of fork+exec"),
    "opensnoop": (200000, 2000, "failing opens"),
    "tcp": (150000, 2000, "loopback TCP connections"),
}


def fmt(xs, digits=1):
    xs = [x for x in xs if x is not None]
    if not xs:
        return "n/a"
    return f"{statistics.median(xs):.{digits}f} ({min(xs):.{digits}f}-{max(xs):.{digits}f})"


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tool", choices=["execsnoop", "opensnoop", "tcp"], required=True)
    ap.add_argument("--swiftbpf", required=True)
    ap.add_argument("--ref", required=True, help="snoop_ref, built from Benchmarks/snoop_ref.c")
    ap.add_argument("--objects", required=True, help="directory of execsnoop.bpf.o, opensnoop.bpf.o, tcpconnect.bpf.o")
    ap.add_argument("--loadgen", required=True)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--smoke", action="store_true", help="one round, small loads: checks that the harness runs")
    ap.add_argument("--peers", help="comma-separated subset of swiftbpf,c-ref,libbpf-tools,bpftrace,bcc")
    ap.add_argument("--json", help="append the raw results to this file (JSON lines)")
    a = ap.parse_args()
    rounds = 1 if a.smoke else a.rounds
    size = LOAD[a.tool][1 if a.smoke else 0]
    tools = peers(a.tool, a)
    res = {name: [] for name, _, _ in tools}
    for _ in range(rounds):
        for name, cmd, env in tools:
            # BCC compiles its program with clang at start: give it time on a busy machine.
            r = run_once(a.tool, cmd, env, a.loadgen, size, 120 if name == "bcc" else 30)
            res[name].append(r)
            if "error" in r:
                print(f"  {name}: {r['error']}", file=sys.stderr)
    if a.json:
        with open(a.json, "a") as f:
            f.write(json.dumps({"suite": "tools", "tool": a.tool, "load": size, "results": res}) + "\n")

    print(f"{a.tool}: {rounds} round(s), tools alternating; load per round: {size:,} {LOAD[a.tool][2]}; median (min-max)")
    print(f"{'tool':<13} {'startup ms':>22} {'idle peak RSS MiB':>20} {'peak RSS load MiB':>20} "
          f"{'seen/generated':>17} {'loss':>7} {'CPU ms/1k ev':>20}")
    summary = {}
    for name, _, _ in tools:
        rs = [r for r in res[name] if "error" not in r]
        if not rs:
            print(f"{name:<13} failed: {res[name][0].get('error', '?')[:100]}")
            continue
        seen = med([r["seen"] for r in rs])
        gen = med([r["generated"] for r in rs])
        loss = 100.0 * (1 - sum(r["seen"] for r in rs) / max(sum(r["generated"] for r in rs), 1))
        summary[name] = {k: med([r[k] for r in rs]) for k in ("startup_ms", "idle_rss_mib", "peak_rss_mib", "cpu_ms_per_1k")}
        print(f"{name:<13} {fmt([r['startup_ms'] for r in rs]):>22} {fmt([r['idle_rss_mib'] for r in rs]):>20} "
              f"{fmt([r['peak_rss_mib'] for r in rs]):>20} {f'{seen:.0f}/{gen:.0f}':>17} {loss:>6.2f}% "
              f"{fmt([r['cpu_ms_per_1k'] for r in rs], 2):>20}")
    ours = summary.get("swiftbpf")
    if ours:
        for name in summary:
            if name == "swiftbpf":
                continue
            peer = summary[name]
            ratio = lambda k: f"{ours[k] / peer[k]:.2f}" if ours[k] and peer[k] else "n/a"
            print(f"ratio swiftbpf/{name}: startup {ratio('startup_ms')}, idle peak RSS {ratio('idle_rss_mib')}, "
                  f"peak RSS under load {ratio('peak_rss_mib')}, CPU per event {ratio('cpu_ms_per_1k')}")
    failed = [n for n in res if all("error" in r for r in res[n])]
    if "swiftbpf" in failed or "c-ref" in failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
