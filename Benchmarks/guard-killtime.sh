#!/bin/sh
# Benchmarks/guard-killtime.sh: time to death under a guard kill rule. N children, one after
# another, each make one violating call (an open of a forbidden file, then an exec of a forbidden
# binary; Benchmarks/guard_killtime.c); per child:
#   call -> kill      from just before the call (the child's CLOCK_MONOTONIC) to guard's kill event
#                     (bpf_ktime_get_ns in the BPF program, just before bpf_send_signal(SIGKILL))
#   call -> exit      to the child's sched_process_exit (guard's exit event): the process is dead
#   call -> reaped    to the parent's waitpid returning with SIGKILL
# with `swiftbpf guard run --json` streaming (the kernel-side times come from its events, joined by
# pid), then with the same policy pinned by `swiftbpf guard load` and no guard process at all
# (call -> reaped only), then with no policy (the same call and a normal _exit: call -> reaped).
#   Benchmarks/guard-killtime.sh [SWIFTBPF] [N]
# Needs root, clang (or cc) and python3. SWIFTBPF defaults to .build-guard/debug/swiftbpf.
set -eu
bin=${1:-.build-guard/debug/swiftbpf}
n=${2:-500}
work=$(mktemp -d /tmp/guard-killtime-XXXXXX)
gpid=
# The pin root must be on bpffs: a folder of this run's own under /sys/fs/bpf.
pinroot=/sys/fs/bpf/guard_killtime_$$
cleanup() {
  [ -n "$gpid" ] && kill "$gpid" 2>/dev/null
  "$bin" guard unload --all --pin-root "$pinroot" > /dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
cc=$(command -v clang || command -v cc)
$cc -O2 -o "$work/killtime" "$(dirname "$0")/guard_killtime.c"
echo x > "$work/secret"
cp /bin/true "$work/forbidden"
cat > "$work/kill.yaml" <<EOF
- {name: no-secret, events: [open], paths: [$work/secret], action: kill}
- {name: no-forbidden, events: [exec], binary: $work/forbidden, action: kill}
EOF

summarise() {  # case runs.jsonl [events.json]
  python3 - "$@" <<'EOF'
import json, sys
case, runs = sys.argv[1], [json.loads(l) for l in open(sys.argv[2])]
events = {}
if len(sys.argv) > 3:
    for line in open(sys.argv[3]):
        if not line.startswith('{"'):
            continue
        e = json.loads(line)
        if "event" not in e:
            continue
        pid = e["process"]["pid"]
        if e.get("action") == "kill" and e.get("enforced"):
            events.setdefault(pid, {}).setdefault("kill", e["timestamp_ns"])
        if e["event"] == "exit":
            events.setdefault(pid, {})["exit"] = e["timestamp_ns"]
def stats(values):
    if not values:
        return None
    v = sorted(values)
    pick = lambda q: v[min(len(v) - 1, int(q * len(v)))]
    return {"n": len(v), "mean_us": round(sum(v) / len(v) / 1000, 1), "p50_us": round(pick(0.5) / 1000, 1),
            "p90_us": round(pick(0.9) / 1000, 1), "p99_us": round(pick(0.99) / 1000, 1), "max_us": round(v[-1] / 1000, 1)}
out = {"case": case, "runs": len(runs), "killed": sum(r["killed"] for r in runs),
       "call_to_reaped": stats([r["reaped_ns"] - r["before_ns"] for r in runs])}
if len(sys.argv) > 3:
    out["call_to_kill"] = stats([events[r["pid"]]["kill"] - r["before_ns"] for r in runs if "kill" in events.get(r["pid"], {})])
    out["call_to_exit"] = stats([events[r["pid"]]["exit"] - r["before_ns"] for r in runs if "exit" in events.get(r["pid"], {})])
print(json.dumps(out))
EOF
}

# 1. No policy: the call, then a normal exit (open) or /bin/true to its end (exec).
"$work/killtime" open "$n" "$work/secret" "$work/bare-open.jsonl" > /dev/null
summarise bare-open "$work/bare-open.jsonl"
"$work/killtime" exec "$n" "$work/forbidden" "$work/bare-exec.jsonl" > /dev/null
summarise bare-exec "$work/bare-exec.jsonl"

# 2. guard run streaming its events (exit events are always reported: they keep the lineage).
"$bin" guard run --policy "$work/kill.yaml" --json --report exit > "$work/events.json" 2> "$work/events.err" &
gpid=$!
for _ in $(seq 1 1200); do grep -q 'enforcement:' "$work/events.err" 2>/dev/null && break; sleep 0.1; done
sleep 1
"$work/killtime" open "$n" "$work/secret" "$work/run-open.jsonl" > /dev/null
"$work/killtime" exec "$n" "$work/forbidden" "$work/run-exec.jsonl" > /dev/null
sleep 1
kill -INT "$gpid"; wait "$gpid" || true; gpid=
summarise guard-run-open "$work/run-open.jsonl" "$work/events.json"
summarise guard-run-exec "$work/run-exec.jsonl" "$work/events.json"
lost=$(sed -n 's/.*"summary":{"lost":\([0-9]*\).*/\1/p' "$work/events.json")
echo "{\"case\":\"guard-run\",\"events_lost\":${lost:-unknown}}"

# 3. The same policy pinned: no guard process runs while the children die.
"$bin" guard load --policy "$work/kill.yaml" --name killtime --pin-root "$pinroot" > /dev/null 2> "$work/load.err"
"$work/killtime" open "$n" "$work/secret" "$work/pinned-open.jsonl" > /dev/null
"$work/killtime" exec "$n" "$work/forbidden" "$work/pinned-exec.jsonl" > /dev/null
"$bin" guard status --pin-root "$pinroot" | sed 's/^/# /'
"$bin" guard unload killtime --pin-root "$pinroot" > /dev/null
summarise guard-pinned-open "$work/pinned-open.jsonl"
summarise guard-pinned-exec "$work/pinned-exec.jsonl"
