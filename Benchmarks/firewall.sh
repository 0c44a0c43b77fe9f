#!/usr/bin/env bash
# Drops per second and CPU per dropped packet of `swiftbpf firewall` (XDP, native mode on a veth
# pair) against nftables with the prefixes in an interval set, at the ingress hook and at input,
# for 1 and 100,000 deny prefixes (the one matching the flood is the last in the file).
# Root. Installs nftables if missing. Prints one line per case; BENCHMARKS.md has a run.
#
#   Benchmarks/firewall.sh [SECONDS_PER_CASE]       (default 5)
#
# Method: two private namespaces joined by a veth pair; Benchmarks/firewall/udpflood.c sends
# 18-byte UDP datagrams from one source as fast as one core can; every one of them is dropped.
# drops/s is the sender's rate (the sending core is the limit: veth runs the receiver's XDP or
# netfilter hook in the sender's system call or softirq); CPU/drop is the flood's own CPU time
# plus the machine's softirq time (/proc/stat) over the packets sent: the sender's cost is in
# every row alike, and other processes' work on a shared machine is not.
# Environment: BIN (the swiftbpf binary; default: a release build in .build-firewall).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-5}
bin=${BIN:-}
if [[ -z "$bin" ]]; then
    swift build -c release --scratch-path .build-firewall --product swiftbpf >&2
    bin=.build-firewall/release/swiftbpf
fi
command -v nft >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y nftables >&2
work=$(mktemp -d)
S=fwbench-s$$ R=fwbench-r$$
cleanup() {
    nsenter --net=/run/netns/$R "$bin" firewall unload fwr >/dev/null 2>&1 || true
    ip netns del $S 2>/dev/null || true
    ip netns del $R 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

cc -O2 -o "$work/udpflood" Benchmarks/firewall/udpflood.c
ip netns add $S
ip netns add $R
ip link add fws address 02:00:00:00:99:01 netns $S type veth peer name fwr address 02:00:00:00:99:02 netns $R
ip -n $S addr add 10.99.0.1/24 dev fws
ip -n $R addr add 10.99.0.2/24 dev fwr
ip -n $S neigh add 10.99.0.2 lladdr 02:00:00:00:99:02 dev fws nud permanent
ip -n $S link set fws up
ip -n $R link set fwr up
ip -n $S link set lo up
ip -n $R link set lo up
sleep 1

# Blocklists: 99,999 addresses of 100.64.0.0/10 that never match, then the flood's source.
echo "10.99.0.1/32" > "$work/one.txt"
awk 'BEGIN { for (i = 0; i < 99999; i++) printf "100.%d.%d.%d/32\n", 64 + int(i / 65536), int(i / 256) % 256, i % 256 }' > "$work/many.txt"
echo "10.99.0.1/32" >> "$work/many.txt"

softirq() { awk '/^cpu / { print $8 }' /proc/stat; }
hz=$(getconf CLK_TCK)

# measure LABEL: one flood; prints drops/s and CPU per packet.
measure() {
    local before after sent pps cpu
    before=$(softirq)
    read -r sent pps cpu < <(ip netns exec $S "$work/udpflood" 10.99.0.1 10.99.0.2 9 "$secs")
    after=$(softirq)
    printf '%-44s %9s drops/s  %6.0f ns CPU per drop\n' "$1" "$pps" \
        "$(echo "($cpu + ($after - $before) / $hz) * 1000000000 / $sent" | bc -l)"
}

echo "firewall benchmark: $secs s per case, $(nproc) CPUs, $(uname -r)"
measure "no filter (UDP stack, closed port)"

fw() { nsenter --net=/run/netns/$R "$bin" firewall "$@"; }
fw load fwr --mode native >/dev/null
for list in one many; do
    n=$(wc -l < "$work/$list.txt")
    echo "  swiftbpf blocklist load ($n prefixes): $(fw blocklist load "$work/$list.txt")"
    measure "swiftbpf XDP native, $n deny prefixes"
done
echo "  swiftbpf status: $(fw status --json | grep -o '"blocklist":{[^}]*}')"
fw unload fwr >/dev/null

for hook in ingress input; do
    for list in one many; do
        n=$(wc -l < "$work/$list.txt")
        {
            if [[ $hook == ingress ]]; then
                echo "table netdev fwbench {"
            else
                echo "table inet fwbench {"
            fi
            echo "  set block { type ipv4_addr; flags interval; auto-merge; elements = {"
            paste -sd, "$work/$list.txt"
            echo "  } }"
            if [[ $hook == ingress ]]; then
                echo "  chain c { type filter hook ingress device fwr priority 0; ip saddr @block counter drop; }"
            else
                echo "  chain c { type filter hook input priority 0; ip saddr @block counter drop; }"
            fi
            echo "}"
        } > "$work/nft.conf"
        local_start=$(date +%s.%N)
        ip netns exec $R nft -f "$work/nft.conf"
        echo "  nft -f ($n prefixes): $(echo "$(date +%s.%N) - $local_start" | bc) s"
        measure "nftables set at $hook, $n prefixes"
        ip netns exec $R nft delete table $([[ $hook == ingress ]] && echo netdev || echo inet) fwbench
    done
done
