#!/usr/bin/env bash
# A uprobe's cost by the instruction it sits on (root; bpftrace): calls of a function starting
# with `sub $0x18,%rsp` (single-stepped by the kernel) and of one starting with `push %r13`
# (emulated), bare and with a counting uprobe. See TLSShortcut.swift for why it matters.
# Usage: Benchmarks/uprobe-insn.sh [CALLS]
set -euo pipefail
cd "$(dirname "$0")/.."
calls="${1:-200000}"
work=$(mktemp -d)
trap 'kill "$bt" 2>/dev/null || true; rm -rf "$work"' EXIT
gcc -O2 -o "$work/uprobe_insn" Benchmarks/uprobe_insn.c
for insn in sub push; do
    echo -n "bare      "; "$work/uprobe_insn" "$insn" "$calls"
    bpftrace -e "uprobe:$work/uprobe_insn:starts_with_$insn { @calls = count(); }" > "$work/bt.log" 2>&1 &
    bt=$!
    for _ in $(seq 1 100); do grep -q "Attaching" "$work/bt.log" 2>/dev/null && break; sleep 0.1; done
    sleep 1
    echo -n "uprobe    "; "$work/uprobe_insn" "$insn" "$calls"
    kill -INT "$bt"; wait "$bt" || true
    grep "@calls" "$work/bt.log" | sed 's/^/          /'
done
