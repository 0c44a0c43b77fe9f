#!/usr/bin/env python3
"""Parsing the kernel's BTF: SwiftBPF against libbpf's btf__parse, side by side.

Runs `swiftbpf-bench btf-parse` and the C peer (btf_parse.c, linked with libbpf) in turn,
round after round, each as a fresh process, and prints medians (min-max) and ratios.
Usage: python3 Benchmarks/btf_parse.py --swiftbpf-bench PATH --libbpf PATH [--rounds N]
"""
import argparse
import json
import statistics
import subprocess


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--swiftbpf-bench", required=True)
    ap.add_argument("--libbpf", required=True)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--smoke", action="store_true", help="one round: checks that the harness runs")
    args = ap.parse_args()
    if args.smoke:
        args.rounds = 1
    runs = {"swiftbpf": [], "libbpf": []}
    for _ in range(args.rounds):
        for name, cmd in (("swiftbpf", [args.swiftbpf_bench, "btf-parse"]), ("libbpf", [args.libbpf])):
            out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
            runs[name].append(json.loads(out.strip().splitlines()[-1]))

    # (SwiftBPF's figure, libbpf's figure it compares with)
    keys = [("parse_ms_median", "parse_ms_median"),
            ("parsed_anon_kib", "retained_anon_kib"),          # parsed, as an object load keeps it
            ("prepared_lookup_ms", "first_lookup_ms"),         # first lookup, after one name scan
            ("first_lookup_ms", "first_lookup_ms"),            # first lookup, building the index
            ("lookup_hit_us", "lookup_hit_us"), ("lookup_miss_us", "lookup_miss_us"),
            ("retained_anon_kib", "retained_anon_kib"),        # with the index
            ("retained_file_kib", "retained_file_kib")]
    print(f"vmlinux BTF ({runs['swiftbpf'][0]['types']} types), {args.rounds} rounds; median (min-max) over rounds")
    print(f"{'figure (libbpf figure)':<40} {'swiftbpf':>26} {'libbpf':>26} {'ratio':>7}")
    for k, peer in keys:
        a = [r[k] for r in runs["swiftbpf"]]
        b = [r[peer] for r in runs["libbpf"]]
        ma, mb = statistics.median(a), statistics.median(b)
        ratio = f"{ma / mb:.2f}" if mb else "-"
        label = k if k == peer else f"{k} ({peer})"
        print(f"{label:<40} {ma:>10.3f} ({min(a):.3f}-{max(a):.3f}) {mb:>10.3f} ({min(b):.3f}-{max(b):.3f}) {ratio:>7}")


if __name__ == "__main__":
    main()
