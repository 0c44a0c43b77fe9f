#!/usr/bin/env bash
# Benchmarks of the agent's web UI (issue 18), as root with chromium installed:
#   1. the size of the embedded assets (what the agent serves under /ui/);
#   2. time to first contentful paint, and until each page drew its data, against an agent
#      whose store holds EVENTS events (default 1,000,000, written by --bench-store);
#   3. the agent's CPU under EXECS exec/s (default 500: with their exits about 1,000 events/s),
#      without and with one browser on the live Events page.
# Usage: Benchmarks/ui.sh [--scratch-path DIR] [--events N | --store FILE] [--execs N] [--seconds N] [--no-profile]
#   --store FILE: a copy of FILE (written earlier by swiftbpf-agent --bench-store FILE N) is
#   used instead of writing N events now (the debug build writes about 5,000 events/s).
#   --no-profile: without the profile collector (which samples and symbolises the browser too).
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=.build
events=1000000
seconds=20
execs=500
store=""
profile="  profile: {priority: 20, interval_seconds: 10}"
while [ $# -gt 0 ]; do
    case "$1" in
        --scratch-path) scratch="$2"; shift 2 ;;
        --events) events="$2"; shift 2 ;;
        --seconds) seconds="$2"; shift 2 ;;
        --execs) execs="$2"; shift 2 ;;
        --store) store="$2"; shift 2 ;;
        --no-profile) profile=""; shift ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done
agent="$scratch/debug/swiftbpf-agent"
[ -x "$agent" ] || { echo "no $agent: swift build --build-tests --scratch-path $scratch" >&2; exit 1; }
work=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT

total=0
for f in Sources/SwiftBPFAgent/UI/assets/*; do total=$((total + $(wc -c < "$f"))); done
echo "{\"embedded_assets_bytes\":$total,\"files\":$(ls Sources/SwiftBPFAgent/UI/assets | wc -l),\"gzip_bytes\":$(cat Sources/SwiftBPFAgent/UI/assets/* | gzip -9 | wc -c)}"

if [ -n "$store" ]; then
    for suffix in "" -wal -shm; do [ ! -e "$store$suffix" ] || cp "$store$suffix" "$work/events.db$suffix"; done
else
    "$agent" --bench-store "$work/events.db" "$events" >/dev/null
fi
# The rows the agent starts with (its status counts only what it writes itself).
echo "{\"stored_rows\":$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from events").fetchone()[0])' "$work/events.db")}"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$work/agent.yaml" <<YAML
listen: "127.0.0.1:$port"
collectors:
  exec: {priority: 90}
  exit: {priority: 80}
  tcp: {priority: 70}
$profile
store:
  path: $work/events.db
  retention_hours: 48
  max_size_mb: 4096
YAML
"$agent" --config "$work/agent.yaml" 2> "$work/agent.log" &
pid=$!
for _ in $(seq 1 150); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
sleep 3

gcc -O2 -Wall -o "$work/agent_load" Benchmarks/agent_load.c -lpthread
SWIFTBPF_UI_BENCH_URL="http://127.0.0.1:$port" SWIFTBPF_UI_BENCH_PID="$pid" \
SWIFTBPF_UI_BENCH_LOAD="$work/agent_load $seconds $execs 0" \
    swift test --skip-build --scratch-path "$scratch" --filter UIBenchmarks 2>&1 | grep '^{'
