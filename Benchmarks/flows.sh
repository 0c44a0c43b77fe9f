#!/usr/bin/env bash
# The cost of `swiftbpf flows` on the traffic it watches, in one run, each case measured with
# and without the tool (alternating, ROUNDS times, medians), and against conntrack accounting
# (nf_conntrack_acct read with `conntrack -L`, the usual non-eBPF way to get per-flow bytes):
#   - iperf3 TCP throughput on loopback and over a veth pair between two namespaces;
#   - loopback connections per second (Benchmarks/loadgen.c: connect, RST-close, N times);
#   - the tool's CPU per 1,000 connections (utime+stime of the swiftbpf process);
#   - its peak RSS (VmHWM) while 10,000 concurrent connections are tracked, and the time of
#     `conntrack -L` over the same 10,000.
# Root; installs iperf3 and conntrack if missing. Prints one line per figure.
#
#   Benchmarks/flows.sh [SECONDS_PER_IPERF_RUN]     (default 5)
#
# Environment: BIN (the swiftbpf binary; default: a release build in .build-flows-release),
# ROUNDS (default 3), CONNECTIONS (for the connect rate, default 20000).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-5}
rounds=${ROUNDS:-3}
conns=${CONNECTIONS:-20000}
bin=${BIN:-}
if [[ -z "$bin" ]]; then
    swift build -c release --scratch-path .build-flows-release --product swiftbpf >&2
    bin=.build-flows-release/release/swiftbpf
fi
need=()
command -v iperf3 >/dev/null || need+=(iperf3)
command -v conntrack >/dev/null || need+=(conntrack)
command -v nft >/dev/null || need+=(nftables)
[[ ${#need[@]} -eq 0 ]] || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >&2
work=$(mktemp -d)
S=flbench-s$$ R=flbench-r$$
tool_pid=
cleanup() {
    [[ -n "$tool_pid" ]] && kill "$tool_pid" 2>/dev/null && wait "$tool_pid" 2>/dev/null || true
    [[ -n "${srv1:-}" ]] && kill "$srv1" 2>/dev/null || true
    [[ -n "${srv2:-}" ]] && kill "$srv2" 2>/dev/null || true
    nft delete table inet flbench 2>/dev/null || true
    ip netns del $S 2>/dev/null || true
    ip netns del $R 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

cc -O2 -pthread -o "$work/loadgen" Benchmarks/loadgen.c
ip netns add $S
ip netns add $R
ip link add fls netns $S type veth peer name flr netns $R
ip -n $S addr add 10.98.0.1/24 dev fls
ip -n $R addr add 10.98.0.2/24 dev flr
for ns in $S $R; do ip -n $ns link set lo up; done
ip -n $S link set fls up
ip -n $R link set flr up
sleep 1
iperf3 -s -p 5301 >/dev/null 2>&1 & srv1=$!
ip netns exec $R iperf3 -s -p 5302 >/dev/null 2>&1 & srv2=$!
sleep 1

start_tool() {
    "$bin" flows --interval 1 "$@" >/dev/null 2>"$work/tool.err" &
    tool_pid=$!
    sleep 2
    kill -0 "$tool_pid" || { cat "$work/tool.err" >&2; exit 1; }
}
stop_tool() { kill "$tool_pid"; wait "$tool_pid" || true; tool_pid=; }
tool_cpu() { awk '{ print $14 + $15 }' "/proc/$tool_pid/stat"; }
median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
gbps() { python3 -c 'import json,sys; print(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e9)'; }

iperf_loop() { iperf3 -c 127.0.0.1 -p 5301 -t "$secs" -J | gbps; }
iperf_veth() { ip netns exec $S iperf3 -c 10.98.0.2 -p 5302 -t "$secs" -J | gbps; }
connect_rate() { "$work/loadgen" connects "$conns" 5303 | python3 -c 'import json,sys; print(json.load(sys.stdin)["per_s"])'; }

# cases: one figure per case and mode (off: nothing; flows: swiftbpf flows running;
# conntrack: an nftables rule that makes conntrack track every flow, with accounting on).
declare -A results
enable_conntrack() {
    sysctl -qw net.netfilter.nf_conntrack_acct=1
    nft -f - <<'NFT'
table inet flbench {
    chain in { type filter hook input priority 0; ct state established,related counter accept; }
    chain out { type filter hook output priority 0; ct state established,related counter accept; }
}
NFT
    ip netns exec $R nft -f - <<'NFT'
table inet flbench {
    chain in { type filter hook input priority 0; ct state established counter accept; }
}
NFT
}
disable_conntrack() {
    nft delete table inet flbench 2>/dev/null || true
    ip netns exec $R nft delete table inet flbench 2>/dev/null || true
}

for ((r = 0; r < rounds; r++)); do
    for mode in off flows conntrack; do
        case $mode in
            flows) start_tool ;;
            conntrack) enable_conntrack ;;
        esac
        results[loop_$mode]+="$(iperf_loop) "
        results[veth_$mode]+="$(iperf_veth) "
        if [[ $mode == flows ]]; then c0=$(tool_cpu); fi
        results[conn_$mode]+="$(connect_rate) "
        if [[ $mode == flows ]]; then
            c1=$(tool_cpu)
            hz=$(getconf CLK_TCK)
            results[cpu_flows]+="$(awk -v a="$c0" -v b="$c1" -v hz="$hz" -v n="$conns" 'BEGIN { print (b - a) / hz * 1000 / n * 1000 }') "
            stop_tool
        fi
        [[ $mode == conntrack ]] && disable_conntrack
    done
done

report() {
    local name=$1 unit=$2
    local off flows ct
    off=$(echo ${results[${name}_off]} | tr ' ' '\n' | median)
    flows=$(echo ${results[${name}_flows]} | tr ' ' '\n' | median)
    ct=$(echo ${results[${name}_conntrack]} | tr ' ' '\n' | median)
    awk -v n="$name" -v u="$unit" -v o="$off" -v f="$flows" -v c="$ct" \
        'BEGIN { printf "%-6s off %.3f %s | flows %.3f (%.3f of off) | conntrack %.3f (%.3f of off)\n", n, o, u, f, f / o, c, c / o }'
}
echo "iperf3 ${secs}s x $rounds rounds (medians); connect/close: $conns connections"
report loop "Gbit/s (iperf3 loopback)"
report veth "Gbit/s (iperf3 veth)"
report conn "conn/s (loopback connect+RST)"
echo "tool CPU per 1,000 connections: $(echo ${results[cpu_flows]} | tr ' ' '\n' | median) ms (median)"

# 10,000 concurrent connections (made with conntrack accounting on, so it tracks them too):
# conntrack -L over them, then the tool's peak RSS while it tracks them.
enable_conntrack
holders=()
# Two holders of 5,000 connections each (20,000 descriptors per process would pass the usual
# hard limit of open files).
for half in 0 1; do
python3 - "$work/hold.ready$half" $((5304 + half)) <<'PY' &
import socket, sys, time, resource
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", int(sys.argv[2]))); srv.listen(4096)
held = []
for i in range(5000):
    c = socket.create_connection(("127.0.0.1", int(sys.argv[2]))); a, _ = srv.accept(); held += [c, a]
open(sys.argv[1], "w").close()
time.sleep(30)
PY
holders+=($!)
done
while [[ ! -e "$work/hold.ready0" || ! -e "$work/hold.ready1" ]]; do sleep 0.2; done
t0=$(date +%s.%N); n=$(conntrack -L 2>/dev/null | wc -l); t1=$(date +%s.%N)
echo "conntrack -L: $n entries in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }') s"
disable_conntrack
start_tool
sleep 3
echo "peak RSS of swiftbpf flows with 10,000 concurrent connections (20,000 sockets, found by iter/tcp): $(awk '/VmHWM/ { print $2, $3 }' /proc/$tool_pid/status)"
stop_tool
kill "${holders[@]}" 2>/dev/null || true
