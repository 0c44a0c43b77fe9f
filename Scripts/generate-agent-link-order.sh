#!/usr/bin/env bash
# Lists the functions swiftbpf-agent runs, for the linker to place together
# (Scripts/link-order-swiftbpf-agent.txt, read by Scripts/build-static.sh swiftbpf-agent).
#
# Why: as for the tools (Scripts/generate-link-order.sh), a fault on a file-backed page maps the
# page cache around it, so the agent's resident code is set by how many regions its running
# functions are spread over. Its code is 30 MB of NIO, Hummingbird, GRDB, SQLite, swift-otel and
# Foundation, of which it runs a small part.
#
# The agent runs under callgrind with its built-in collectors and a store, while execs, opens
# and TCP connections give the collectors events, and the API, /metrics and the event stream are
# asked what an operator and Prometheus ask. SIGTERM then makes it shut down (that path runs too).
#
# Usage (root; valgrind is installed if missing): Scripts/generate-agent-link-order.sh
# Regenerate after large changes to the agent, and commit the result.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/Scripts/link-order-swiftbpf-agent.txt"
command -v valgrind >/dev/null || apt-get install -y -qq valgrind >/dev/null
bin="$("$root/Scripts/build-static.sh" swiftbpf-agent)"
work="$(mktemp -d)"
pid=""
# Valgrind cannot read the DWARF of some of the C++ the agent links (BoringSSL), and only needs
# the symbol table: it runs a copy without debug information.
objcopy --strip-debug "$bin" "$work/swiftbpf-agent"
bin="$work/swiftbpf-agent"
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
sed -e "s/127.0.0.1:9464/127.0.0.1:$port/" -e "s|path: null .*|path: $work/events.db|" \
    <("$bin" --print-default-config) > "$work/agent.yaml"
valgrind --tool=callgrind --demangle=no --dump-instr=no --callgrind-out-file="$work/agent.out" \
    "$bin" --config "$work/agent.yaml" > /dev/null 2> "$work/agent.err" &
pid=$!
# Under callgrind the start takes tens of seconds.
for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$port/healthz" > /dev/null && break; sleep 0.5; done
curl -sf "http://127.0.0.1:$port/healthz" > /dev/null || { cat "$work/agent.err" >&2; exit 1; }

( timeout 20 curl -sN "http://127.0.0.1:$port/api/v1/events/stream" > /dev/null || true ) &
stream=$!
for round in 1 2 3 4 5; do
    for _ in $(seq 1 20); do /bin/true "link-order-$round"; cat /nonexistent-link-order 2> /dev/null || true
        (exec 3<>/dev/tcp/127.0.0.1/"$port"; exec 3>&-) 2> /dev/null || true
        (exec 3<>/dev/tcp/127.0.0.1/1) 2> /dev/null || true; done
    dd if=/dev/zero of="$work/io" bs=64k count=16 oflag=direct status=none 2> /dev/null || true
    for path in /metrics /api/v1/status /api/v1/collectors /api/v1/governor /api/v1/openapi.json \
                "/api/v1/events?limit=50" "/api/v1/events?kind=exec&limit=10" /api/v1/flows /api/v1/alerts; do
        curl -sf "http://127.0.0.1:$port$path" > /dev/null || true
    done
    sleep 2
done
wait "$stream" || true
kill -TERM "$pid"
wait "$pid" || true
pid=""

# Function names as callgrind defines them, in order of first appearance, once each.
sed -n 's/^c\{0,1\}fn=([0-9]*) //p' "$work/agent.out" | grep -v '^0x' | awk '!seen[$0]++' > "$out"
echo "wrote $(wc -l < "$out") functions to $out" >&2
