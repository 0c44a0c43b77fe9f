#!/usr/bin/env bash
# Benchmarks of swiftbpf-agent (issue 17), as root on the running kernel:
#   1. idle: the default collectors, no load, for SECONDS: CPU (% of one core) and RSS;
#   2. loaded: the same under 1,000 exec/s + 10,000 opens/s (Benchmarks/agent_load.c, paced);
#   3. store ingest: 200,000 events in batches of 1,000 into SQLite (WAL), and a 24-hour query;
#   4. /metrics rendering with 10,000 series.
# Usage: Benchmarks/agent.sh [--bin DIR] [--seconds N] [--store-events N] [--smoke]
#   --bin DIR   where swiftbpf-agent is (default .build/release, else .build/debug)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=""
seconds=30
store_events=200000
while [ $# -gt 0 ]; do
    case "$1" in
        --bin) bin="$2"; shift 2 ;;
        --seconds) seconds="$2"; shift 2 ;;
        --store-events) store_events="$2"; shift 2 ;;
        --smoke) seconds=3; store_events=5000; shift ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done
if [ -z "$bin" ]; then
    if [ -x .build/release/swiftbpf-agent ]; then bin=.build/release; else bin=.build/debug; fi
fi
agent="$bin/swiftbpf-agent"
[ -x "$agent" ] || { echo "no $agent: swift build -c release --product swiftbpf-agent" >&2; exit 1; }
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
gcc -O2 -Wall -o "$work/agent_load" Benchmarks/agent_load.c -lpthread

ticks=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
# RssAnon (heap, stacks, BPF ring pages) and RssFile (code of the binary and libraries, which
# other Swift processes share) in KiB, as "anon file".
rss_split() { awk '/^RssAnon/ {a=$2} /^RssFile/ {f=$2} END {print a, f}' "/proc/$1/status"; }
# Events the agent's collectors read so far (the sum of swiftbpf_agent_events_total).
events_seen() { curl -sf "http://127.0.0.1:$port/metrics" | awk '/^swiftbpf_agent_events_total/ {s += $2} END {print s + 0}'; }

# The default collectors on an ephemeral port, with a store (as a host would run it).
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
sed -e "s/127.0.0.1:9464/127.0.0.1:$port/" -e "s|path: null .*|path: $work/events.db|" \
    <("$agent" --print-default-config) > "$work/agent.yaml"
"$agent" --config "$work/agent.yaml" 2> "$work/agent.log" &
pid=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
sleep 5   # first histogram reads, cgroup walk

measure() {  # measure LABEL SECONDS [load command...]
    local label=$1 secs=$2; shift 2
    local t0 c0 t1 c1 e0 e1 load=""
    e0=$(events_seen); c0=$(cpu_ticks "$pid"); t0=$(date +%s.%N)
    if [ $# -gt 0 ]; then load=$("$@"); else sleep "$secs"; fi
    c1=$(cpu_ticks "$pid"); t1=$(date +%s.%N); e1=$(events_seen)
    python3 - "$label" "$c0" "$c1" "$t0" "$t1" "$ticks" "$(rss_kib "$pid")" "$load" "$e0" "$e1" "$(rss_split "$pid")" <<'PY'
import json, sys
label, c0, c1, t0, t1, ticks, rss, load, e0, e1, split = sys.argv[1:]
elapsed = float(t1) - float(t0)
cpu = (int(c1) - int(c0)) / int(ticks) / elapsed * 100
anon, file = split.split()
out = {"phase": label, "cpu_percent_of_one_core": round(cpu, 2), "rss_mib": round(int(rss) / 1024, 1),
       "rss_anon_mib": round(int(anon) / 1024, 1), "rss_file_mib": round(int(file) / 1024, 1),
       # On a shared machine "idle" still sees the other processes' execs and opens.
       "events_seen_per_second": round((float(e1) - float(e0)) / elapsed)}
if load: out["load"] = json.loads(load)
print(json.dumps(out))
PY
}
measure idle "$seconds"
measure loaded "$seconds" "$work/agent_load" "$seconds" 1000 10000
metrics_ms=$(python3 - "$port" <<'PY'
import sys, time, urllib.request
port = sys.argv[1]
times = []
for _ in range(11):
    t = time.perf_counter(); body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics").read(); times.append(time.perf_counter() - t)
times.sort()
print(f'{{"live_metrics_bytes":{len(body)},"live_metrics_median_ms":{times[5]*1000:.2f}}}')
PY
)
echo "$metrics_ms"
kill -TERM "$pid"; wait "$pid" || true
"$agent" --bench-store "$work/bench.db" "$store_events"
"$agent" --bench-metrics 10000
