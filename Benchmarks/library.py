#!/usr/bin/env python3
"""SwiftBPF's library against libbpf, side by side: object load, ring-buffer consumption, map reads.

Each case runs `swiftbpf-bench ...` and the C peer (library_peers.c, linked with libbpf) in
turn, round after round, as fresh processes, and prints medians over rounds (min-max) and the
ratio SwiftBPF / libbpf. For times lower is better; for rates higher is better.
Usage: python3 Benchmarks/library.py --bench PATH --peer PATH --load-object OBJ --ringbuf-object OBJ [--rounds N]
"""
import argparse
import json
import statistics
import subprocess


def run(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench", required=True)
    ap.add_argument("--peer", required=True)
    ap.add_argument("--load-object", required=True)
    ap.add_argument("--ringbuf-object", required=True)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--smoke", action="store_true", help="one round, small counts: checks that the harness runs")
    a = ap.parse_args()
    rounds = 1 if a.smoke else a.rounds
    small = a.smoke
    n64, n1k, entries = ("20000", "5000", "4096") if small else ("200000", "50000", "65536")
    # (case, our command, the peer's command, [(our key, the peer's key, label)], higher is better)
    cases = [
        ("object load (CO-RE object)", [a.bench, "load", "--object", a.load_object, "--iterations", "5"],
         [a.peer, "load", a.load_object, "5"],
         [("first_ms", "first_ms", "ms, first load in a process"), ("median_ms", "median_ms", "ms, later loads")], False),
        ("ring buffer, 64 B records", [a.bench, "ringbuf", "--object", a.ringbuf_object, "--size", "64", "--count", n64, "--rounds", "3"],
         [a.peer, "ringbuf", a.ringbuf_object, "64", n64, "3"], [("records_per_s", "records_per_s", "records/s")], True),
        ("ring buffer, 1 KiB records", [a.bench, "ringbuf", "--object", a.ringbuf_object, "--size", "1024", "--count", n1k, "--rounds", "3"],
         [a.peer, "ringbuf", a.ringbuf_object, "1024", n1k, "3"], [("records_per_s", "records_per_s", "records/s")], True),
        (f"hash map, {entries} entries", [a.bench, "map", "--entries", entries, "--rounds", "3"],
         [a.peer, "map", entries, "3"],
         [("batch_entries_per_s", "batch_entries_per_s", "entries/s, batch into [K],[V]"),
          ("batch_buffer_entries_per_s", "batch_entries_per_s", "entries/s, batch into buffers"),
          ("batch_bytes_entries_per_s", "batch_entries_per_s", "entries/s, batch, array per entry"),
          ("lookup_per_s", "lookup_per_s", "lookups/s, one by one")], True),
    ]
    print(f"SwiftBPF / libbpf, {rounds} round(s) each, alternating; median (min-max); "
          "ratio = SwiftBPF / libbpf (times: lower is better; rates: higher is better)")
    print(f"{'case':<30} {'figure':<34} {'swiftbpf':>30} {'libbpf':>30} {'ratio':>6}")
    for name, ours, theirs, keys, _ in cases:
        rs, rl = [], []
        for _ in range(rounds):
            rs.append(run(ours))
            rl.append(run(theirs))
        for key, peer_key, label in keys:
            xs = [r[key] for r in rs]
            ys = [r[peer_key] for r in rl]
            mx, my = statistics.median(xs), statistics.median(ys)
            print(f"{name:<30} {label:<34} {mx:>14.3f} ({min(xs):.3f}-{max(xs):.3f}) {my:>14.3f} ({min(ys):.3f}-{max(ys):.3f}) {mx / my:>6.2f}")
            name = ""
        if "records_per_s_copying" in rs[0]:
            xs = [r["records_per_s_copying"] for r in rs]
            print(f"{'':<30} {'records/s, copying each record':<34} {statistics.median(xs):>14.3f}")


if __name__ == "__main__":
    main()
