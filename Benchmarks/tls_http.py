#!/usr/bin/env python3
"""TLS keep-alive load with no tracer, with `swiftbpf sslsniff`, `swiftbpf http`, BCC's
sslsniff-bpfcc and a bpftrace uprobe on SSL_write: requests per second (and the ratio to the
untraced rate), events seen against requests made, startup to the first captured request, the
tracer's peak RSS and CPU per 1,000 requests. Run by Benchmarks/tls-http.sh (root)."""
import os, shutil, signal, subprocess, sys, tempfile, time

BIN = os.environ.get("SWIFTBPF", ".build-tls/debug/swiftbpf")
N = int(os.environ.get("REQUESTS", "4000"))
ROUNDS = int(os.environ.get("ROUNDS", "3"))
LIBSSL = "/usr/lib/x86_64-linux-gnu/libssl.so.3"
SERVER = "Tests/BPFKernelTests/TLSHelpers/http_test_server.py"
HZ = os.sysconf("SC_CLK_TCK")

work = tempfile.mkdtemp(prefix="swiftbpf-tlsbench-")
subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-days", "1", "-subj", "/CN=127.0.0.1", "-keyout", work + "/key.pem", "-out", work + "/cert.pem"],
               check=True, capture_output=True)
server = subprocess.Popen(["/usr/bin/python3", SERVER, "--cert", work + "/cert.pem", "--key", work + "/key.pem",
                           "--outdir", work], stdout=subprocess.PIPE)
port = int(server.stdout.readline())


def load(n):
    """n requests on one keep-alive connection (curl's URL range); returns seconds."""
    t = time.monotonic()
    subprocess.run(["curl", "-sk", "--http1.1", "-o", "/dev/null", f"https://127.0.0.1:{port}/r/[1-{n}]"],
                   stdout=subprocess.DEVNULL, check=True)
    return time.monotonic() - t


def cpu_seconds(pid):
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / HZ


def peak_rss_kib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


# The probes' own cost: libbpf holding an entry and a return probe on libssl's four read and write
# functions, each only counting (Benchmarks/bpf/tls_floor.bpf.c). Built here when clang and libbpf
# are present; it prints "attached" once its probes are in place.
FLOOR = None
if shutil.which("clang") and shutil.which("cc"):
    try:
        subprocess.run(["clang", "-O2", "-g", "-target", "bpf", "-D__TARGET_ARCH_x86", "-I", "BPFInclude", "-c",
                        "Benchmarks/bpf/tls_floor.bpf.c", "-o", work + "/tls_floor.o"], check=True, capture_output=True)
        subprocess.run(["cc", "-O2", "-o", work + "/attach_object", "Benchmarks/attach_object.c", "-lbpf"],
                       check=True, capture_output=True)
        FLOOR = [work + "/attach_object", work + "/tls_floor.o"]
    except subprocess.CalledProcessError as e:
        print(f"# probe floor not built: {e.stderr.decode(errors='replace').strip()[:200]}")

TRACERS = {
    "probe floor (libbpf)": (FLOOR, None),
    "swiftbpf sslsniff": ([BIN, "sslsniff"], lambda l: l.startswith("WRITE/SEND") and " curl " in l),
    "swiftbpf http": ([BIN, "http", "--no-plain"], lambda l: l.startswith("curl ")),
    "bcc sslsniff-bpfcc": (["sslsniff-bpfcc"], lambda l: l.startswith("WRITE/SEND") and " curl " in l),
    "bpftrace SSL_write": (["bpftrace", "-e", f'uprobe:{LIBSSL}:SSL_write {{ printf("%s %d\\n", comm, arg2); }}'],
                           lambda l: l.startswith("curl ")),
}


def run_tracer(name, argv, match):
    # The untraced rate right before this tracer: the ratio compares neighbours in time.
    base = min(load(N) for _ in range(ROUNDS))
    out = open(f"{work}/out", "w+")
    t0 = time.monotonic()
    p = subprocess.Popen(argv, stdout=out, stderr=subprocess.DEVNULL)
    # Startup: one request every 20 ms until the tracer has printed one of curl's.
    startup = None
    while time.monotonic() - t0 < 60:
        subprocess.run(["curl", "-sk", "--http1.1", "-o", "/dev/null", f"https://127.0.0.1:{port}/warm"], check=True)
        out.flush()
        if any((match(l) if match else l.startswith("attached")) for l in open(f"{work}/out")):
            startup = time.monotonic() - t0
            break
        time.sleep(0.02)
    count = (lambda: sum(1 for l in open(f"{work}/out") if match(l))) if match else (lambda: None)
    before = count()
    cpu0 = cpu_seconds(p.pid)
    seconds = [load(N) for _ in range(ROUNDS)]
    time.sleep(1.0)  # let the tracer print what is queued
    cpu = cpu_seconds(p.pid) - cpu0
    rss = peak_rss_kib(p.pid)
    p.send_signal(signal.SIGINT)
    try:
        p.wait(timeout=20)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
    out.close()
    seen = count() - before if match else None
    return dict(name=name, base=base, seconds=min(seconds), startup=startup, seen=seen, made=N * ROUNDS, rss=rss,
                cpu_per_1000=cpu * 1000 / (N * ROUNDS))


try:
    load(200)  # warm-up
    base = min(load(N) for _ in range(ROUNDS))
    rows = [dict(name="no tracer", seconds=base)]
    only = os.environ.get("PEERS")
    for name, (argv, match) in TRACERS.items():
        if only and not any(o in name for o in only.split(",")):
            continue
        if argv is None:
            print(f"# {name}: not built, skipped")
            continue
        if not shutil.which(argv[0]) and not os.path.exists(argv[0]):
            print(f"# {name}: {argv[0]} not found, skipped")
            continue
        rows.append(run_tracer(name, argv, match))
    print(f"# {N} requests x {ROUNDS} rounds on one TLS keep-alive connection (curl -> Python ssl server), best round;")
    print(f"# each tracer's ratio is against the untraced rate measured just before it (untraced_req/s)")
    print(f"{'tracer':22} {'req/s':>8} {'ratio':>6} {'untraced_req/s':>14} {'seen/made':>12} {'startup_s':>9} {'peak_rss_MiB':>12} {'cpu_ms/1k_req':>13}")
    for r in rows:
        rate = N / r["seconds"]
        b = r.get("base", base)
        line = f"{r['name']:22} {rate:8.0f} {rate / (N / b):6.3f} {N / b:14.0f}"
        if "made" in r:
            st = f"{r['startup']:.2f}" if r["startup"] is not None else "-"
            seen = "-" if r["seen"] is None else f"{r['seen']}/{r['made']}"
            line += f" {seen:>12} {st:>9} {r['rss'] / 1024:12.1f} {r['cpu_per_1000'] * 1000:13.1f}"
        print(line)
finally:
    server.send_signal(signal.SIGTERM)
    server.wait()
    shutil.rmtree(work, ignore_errors=True)
