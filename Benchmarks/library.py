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
    a = ap.parse_args()
    cases = [
        ("object load (CO-RE object)", [a.bench, "load", "--object", a.load_object, "--iterations", "5"],
         [a.peer, "load", a.load_object, "5"], [("first_ms", "ms, first load in a process"), ("median_ms", "ms, later loads")]),
        ("ring buffer, 64 B records", [a.bench, "ringbuf", "--object", a.ringbuf_object, "--size", "64", "--count", "200000", "--rounds", "3"],
         [a.peer, "ringbuf", a.ringbuf_object, "64", "200000", "3"], [("records_per_s", "records/s")]),
        ("ring buffer, 1 KiB records", [a.bench, "ringbuf", "--object", a.ringbuf_object, "--size", "1024", "--count", "50000", "--rounds", "3"],
         [a.peer, "ringbuf", a.ringbuf_object, "1024", "50000", "3"], [("records_per_s", "records/s")]),
        ("hash map, 65536 entries", [a.bench, "map", "--entries", "65536", "--rounds", "3"],
         [a.peer, "map", "65536", "3"], [("batch_entries_per_s", "entries/s, batch lookup"), ("lookup_per_s", "lookups/s, one by one")]),
    ]
    print(f"SwiftBPF / libbpf, {a.rounds} rounds each, alternating; median (min-max)")
    print(f"{'case':<30} {'figure':<30} {'swiftbpf':>28} {'libbpf':>28} {'ratio':>6}")
    for name, ours, theirs, keys in cases:
        rs, rl = [], []
        for _ in range(a.rounds):
            rs.append(run(ours))
            rl.append(run(theirs))
        for key, label in keys:
            xs = [r[key] for r in rs]
            ys = [r[key] for r in rl]
            mx, my = statistics.median(xs), statistics.median(ys)
            print(f"{name:<30} {label:<30} {mx:>12.3f} ({min(xs):.3f}-{max(xs):.3f}) {my:>12.3f} ({min(ys):.3f}-{max(ys):.3f}) {mx / my:>6.2f}")
            name = ""
        if "records_per_s_copying" in rs[0]:
            xs = [r["records_per_s_copying"] for r in rs]
            print(f"{'':<30} {'records/s, copying each record':<30} {statistics.median(xs):>12.3f}")


if __name__ == "__main__":
    main()
