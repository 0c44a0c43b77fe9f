#!/usr/bin/env bash
# Lists the functions the tools run, for the linker to place together (Scripts/link-order.txt).
#
# Why: a fault on a file-backed page maps the page-cache pages around it (64 KiB or more), so
# the resident size of a binary is set by how many regions its running code touches, not by how
# much code runs. Linking the functions a tool runs next to each other (lld's
# --symbol-ordering-file) keeps a tool's code in few regions. Scripts/swiftbpf and the
# benchmarks link with this list; a function missing from it is only placed elsewhere.
#
# Usage (root; valgrind is installed if missing): Scripts/generate-link-order.sh
# Regenerate after large changes to the tools or the loader, and commit the result.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/Scripts/link-order.txt"
command -v valgrind >/dev/null || apt-get install -y -qq valgrind >/dev/null
bin="$("$root/Scripts/build-static.sh")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Each tool runs under callgrind while a small workload gives it events to print.
run() {
    local name="$1"; shift
    ( sleep 6; for _ in 1 2 3; do /bin/true "$name"; cat /nonexistent-link-order 2>/dev/null || true
        (exec 3<>/dev/tcp/127.0.0.1/1) 2>/dev/null || true; sleep 0.5; done ) &
    timeout -s INT 30 valgrind --tool=callgrind --demangle=no --dump-instr=no \
        --callgrind-out-file="$work/$name.out" "$bin" "$@" >/dev/null 2>"$work/$name.err" || true
    wait
}
run execsnoop execsnoop -d 8
run execsnoop-json execsnoop -d 8 --json
run opensnoop opensnoop -d 8
run exitsnoop exitsnoop -d 8
run tcpconnect tcpconnect -d 8
run tcplife tcplife -d 8
run runqlat runqlat -d 8 -i 4
run syscount syscount -d 8

# Function names as callgrind defines them ("fn=(id) name" and "cfn=(id) name"), in order of
# first appearance, once each.
cat "$work"/*.out | sed -n 's/^c\{0,1\}fn=([0-9]*) //p' | grep -v '^0x' | awk '!seen[$0]++' > "$out"
echo "wrote $(wc -l < "$out") functions to $out" >&2
