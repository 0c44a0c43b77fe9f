#!/bin/sh
# Benchmarks/guard-learn.sh: guard replay speed over a recording of EVENTS events, and the size
# of the artifacts guard generate makes for a scripted workload and for a real service (python3's
# http.server on loopback, driven by curl), with the seccomp profile's allowed-call count.
#   Benchmarks/guard-learn.sh [SWIFTBPF] [EVENTS]
# Replay needs no root; learning does (BPF, cgroups).
set -eu
bin=${1:-.build-guard/debug/swiftbpf}
events=${2:-1000000}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/guard-learn-bench-XXXXXX)
cg=
spid=
cleanup() {
  [ -n "$spid" ] && kill "$spid" 2>/dev/null || true
  [ -n "$cg" ] && rmdir "$cg"/a "$cg"/b "$cg" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "== replay: $events events"
python3 "$here/guard_replay_gen.py" "$events" "$work/rec.jsonl"
ls -l "$work/rec.jsonl" | awk '{print "recording bytes:", $5}'
b1=$(ls /usr/bin | head -40 | sed -n 5p); b2=$(ls /usr/bin | head -40 | sed -n 9p)
cat > "$work/policy.yaml" <<P
- {name: exec-$b1, events: [exec], binary: /usr/bin/$b1, action: kill}
- {name: exec-not-these, events: [exec], except_binary: [/usr/bin/$b1, /usr/bin/$b2], parent: /usr/bin/$b2, action: alert}
- {name: etc-writes, events: [open], paths: [/etc], access: write, action: alert}
- {name: passwd, events: [open], paths: [/etc/passwd, /etc/hosts], action: kill, mode: monitor}
- {name: no-ssh, events: [connect], ports: [22], addresses: [10.0.0.0/16], action: deny}
- {name: out-not-learned, events: [connect], except_ports: [53, 443], action: deny, mode: monitor}
- {name: peers-not-learned, events: [connect], except_peers: ["10.0.0.0/8:443", "127.0.0.1:53", "[::1]:53", "192.168.0.0/16"], action: alert, mode: monitor}
P
/usr/bin/time -f "replay wall %e s, peak RSS %M KB" "$bin" guard replay --stats --policy "$work/policy.yaml" "$work/rec.jsonl" > "$work/replay.txt"
tail -1 "$work/replay.txt"

[ "$(id -u)" = 0 ] || { echo "not root: learning skipped"; exit 0; }
root=$(awk '$3 == "cgroup2" {print $2; exit}' /proc/mounts)
cg="$root/guard-learn-bench-$$"
mkdir -p "$cg/a" "$cg/b"
port=$((30000 + $$ % 1000))
# Waits until FILE says WORD (the learner is attached: a debug build takes seconds to load).
ready() { i=0; while [ $i -lt 200 ] && ! grep -q "$2" "$1" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done; }

echo "== scripted workload (file, exec, loopback connect, one error path)"
cat > "$work/workload.sh" <<W
echo \$\$ > $cg/a/cgroup.procs
echo hello > $work/data.txt
cat $work/data.txt > /dev/null
cat $work/missing.txt 2>/dev/null || true
ls $work > /dev/null
python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", $port)); s.listen(1); c=socket.socket(); c.connect(("127.0.0.1", $port)); s.accept()'
W
"$bin" guard learn --cgroup "$cg/a" --duration 8 --out "$work/workload.yaml" --replace 2> "$work/learn-a.err" &
lpid=$!
ready "$work/learn-a.err" learning; sh "$work/workload.sh"; wait $lpid; cat "$work/learn-a.err"

echo "== real service: python3 -m http.server on 127.0.0.1:$((port + 1)), 50 curl requests"
"$bin" guard learn --cgroup "$cg/b" --duration 10 --out "$work/service.yaml" --replace 2> "$work/learn-b.err" &
lpid=$!
ready "$work/learn-b.err" learning
sh -c "echo \$\$ > $cg/b/cgroup.procs; exec python3 -m http.server --bind 127.0.0.1 --directory /usr/share/doc $((port + 1))" > /dev/null 2>&1 &
spid=$!
i=0; while [ $i -lt 100 ] && ! curl -s -o /dev/null "http://127.0.0.1:$((port + 1))/"; do sleep 0.1; i=$((i + 1)); done
i=0; while [ $i -lt 50 ]; do curl -s -o /dev/null "http://127.0.0.1:$((port + 1))/"; curl -s -o /dev/null "http://127.0.0.1:$((port + 1))/nothing-here"; i=$((i + 1)); done
wait $lpid; kill $spid; spid=; cat "$work/learn-b.err"

for w in workload service; do
  for mode in strict lenient; do
    "$bin" guard generate "$work/$w.yaml" --guard --$mode --out "$work/$w-$mode-guard.yaml"
    "$bin" guard generate "$work/$w.yaml" --seccomp --$mode --out "$work/$w-$mode-seccomp.json" 2> "$work/$w-$mode-seccomp.err"
    "$bin" guard generate "$work/$w.yaml" --network --$mode --out "$work/$w-$mode-network.yaml"
    "$bin" guard generate "$work/$w.yaml" --network --kubernetes $w --$mode --out "$work/$w-$mode-k8s.yaml"
    printf '%s %s: profile %s B; guard %s B, seccomp %s B (%s), network %s B, NetworkPolicy %s B\n' "$w" "$mode" \
      "$(wc -c < "$work/$w.yaml")" "$(wc -c < "$work/$w-$mode-guard.yaml")" "$(wc -c < "$work/$w-$mode-seccomp.json")" \
      "$(sed -n '1s/guard generate: //p' "$work/$w-$mode-seccomp.err")" "$(wc -c < "$work/$w-$mode-network.yaml")" "$(wc -c < "$work/$w-$mode-k8s.yaml")"
  done
done
