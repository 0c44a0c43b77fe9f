#!/usr/bin/env bash
# Drops per second and CPU per dropped packet on a veth pair, in one run, for 1, 1,000, 10,000
# and 100,000 deny prefixes (the one matching the flood last in the list), of:
#   - `swiftbpf firewall` (XDP, native mode on veth; the prefixes in its LPM blocklist);
#   - nftables with the prefixes in an interval set, at the netdev ingress hook and at inet input;
#   - iptables with one rule per prefix in INPUT (the linear chain; iptables-legacy if present);
#   - xdp-filter (Debian's xdp-tools, native mode) where its exact-match model can express the
#     case: the prefixes are /32 addresses and its IPv4 map holds 10,000, so 1 to 10,000.
# Then the ratios the issue asks for. Root. Installs nftables, iptables and xdp-tools if missing.
#
#   Benchmarks/firewall.sh [SECONDS_PER_CASE] [SIZES]      (defaults: 5, "1 1000 10000 100000")
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
sizes=${2:-"1 1000 10000 100000"}
bin=${BIN:-}
if [[ -z "$bin" ]]; then
    swift build -c release --scratch-path .build-firewall --product swiftbpf >&2
    bin=.build-firewall/release/swiftbpf
fi
need=()
command -v nft >/dev/null || need+=(nftables)
command -v iptables-restore >/dev/null || need+=(iptables)
command -v xdp-filter >/dev/null || need+=(xdp-tools)
[ ${#need[@]} -eq 0 ] || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >&2
ipt=iptables-restore
command -v iptables-legacy-restore >/dev/null && ipt=iptables-legacy-restore
work=$(mktemp -d)
S=fwbench-s$$ R=fwbench-r$$
inR() { nsenter --net=/run/netns/$R "$@"; }
cleanup() {
    inR "$bin" firewall unload fwr >/dev/null 2>&1 || true
    inR xdp-filter unload fwr >/dev/null 2>&1 || true
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

# Lists: N-1 addresses of 100.64.0.0/10 that never match, then the flood's source.
for n in $sizes; do
    awk -v n="$n" 'BEGIN { for (i = 0; i < n - 1; i++) printf "100.%d.%d.%d/32\n", 64 + int(i / 65536), int(i / 256) % 256, i % 256 }' > "$work/$n.txt"
    echo "10.99.0.1/32" >> "$work/$n.txt"
done

softirq() { awk '/^cpu / { print $8 }' /proc/stat; }
hz=$(getconf CLK_TCK)
declare -A rate cost

# measure KEY LABEL: one flood; prints drops/s and CPU per packet, and keeps them under KEY.
measure() {
    local before after sent pps cpu ns
    before=$(softirq)
    read -r sent pps cpu < <(ip netns exec $S "$work/udpflood" 10.99.0.1 10.99.0.2 9 "$secs")
    after=$(softirq)
    ns=$(echo "($cpu + ($after - $before) / $hz) * 1000000000 / $sent" | bc -l)
    rate[$1]=$pps
    cost[$1]=$ns
    printf '%-52s %9s drops/s  %6.0f ns CPU per drop\n' "$2" "$pps" "$ns"
}
elapsed() { echo "$(date +%s.%N) - $1" | bc; }

echo "firewall benchmark: $secs s per case, $(nproc) CPUs, $(uname -r), $(date -u +%H:%M) UTC, load $(cut -d' ' -f1-3 /proc/loadavg)"
measure none "no filter (UDP stack, closed port)"

inR "$bin" firewall load fwr --mode native >/dev/null
for n in $sizes; do
    echo "  swiftbpf blocklist load ($n): $(inR "$bin" firewall blocklist load "$work/$n.txt")"
    measure "swiftbpf-$n" "swiftbpf XDP native, $n deny prefixes"
done
inR "$bin" firewall unload fwr >/dev/null

if inR xdp-filter load fwr --mode native >/dev/null 2>&1; then
    for n in $sizes; do
        [ "$n" -le 10000 ] || { echo "  xdp-filter: $n addresses do not fit its 10,000-entry IPv4 map"; continue; }
        start=$(date +%s.%N)
        inR xdp-filter ip 10.99.0.1 --mode src >/dev/null
        # The rest straight into its pinned map (one xdp-filter call per address would take minutes).
        awk -v n="$n" 'BEGIN { for (i = 0; i < n - 1; i++) printf "map update pinned /sys/fs/bpf/xdp-filter/filter_ipv4 key 100 %d %d %d value 1 0 0 0 0 0 0 0\n", 64 + int(i / 65536), int(i / 256) % 256, i % 256 }' > "$work/xdpf.batch"
        [ "$n" -le 1 ] || bpftool batch file "$work/xdpf.batch" >/dev/null
        echo "  xdp-filter load ($n addresses): $(elapsed "$start") s"
        measure "xdpfilter-$n" "xdp-filter native, $n addresses"
        bpftool map show pinned /sys/fs/bpf/xdp-filter/filter_ipv4 >/dev/null
        inR xdp-filter unload fwr >/dev/null
        inR xdp-filter load fwr --mode native >/dev/null
    done
    inR xdp-filter unload fwr >/dev/null
else
    echo "  xdp-filter: cannot load in native mode here; skipped"
fi

for hook in ingress input; do
    for n in $sizes; do
        {
            if [[ $hook == ingress ]]; then echo "table netdev fwbench {"; else echo "table inet fwbench {"; fi
            echo "  set block { type ipv4_addr; flags interval; auto-merge; elements = {"
            paste -sd, "$work/$n.txt"
            echo "  } }"
            if [[ $hook == ingress ]]; then
                echo "  chain c { type filter hook ingress device fwr priority 0; ip saddr @block counter drop; }"
            else
                echo "  chain c { type filter hook input priority 0; ip saddr @block counter drop; }"
            fi
            echo "}"
        } > "$work/nft.conf"
        start=$(date +%s.%N)
        inR nft -f "$work/nft.conf"
        echo "  nft -f ($n prefixes in a set): $(elapsed "$start") s"
        measure "nft$hook-$n" "nftables set at $hook, $n prefixes"
        inR nft delete table $([[ $hook == ingress ]] && echo netdev || echo inet) fwbench
    done
done

for n in $sizes; do
    { echo "*filter"; echo ":INPUT ACCEPT [0:0]"; awk '{ print "-A INPUT -s " $1 " -j DROP" }' "$work/$n.txt"; echo "COMMIT"; } > "$work/ipt.rules"
    start=$(date +%s.%N)
    inR $ipt "$work/ipt.rules"
    echo "  $ipt ($n rules): $(elapsed "$start") s"
    measure "iptables-$n" "iptables linear chain (${ipt%-restore}), $n rules"
    { echo "*filter"; echo ":INPUT ACCEPT [0:0]"; echo "COMMIT"; } | inR $ipt
done

ratio() { echo "scale=3; ${rate[$1]} / ${rate[$2]}" | bc; }
echo "ratios of drops/s (CPU per drop in the table above):"
for n in $sizes; do
    line="  $n prefixes: swiftbpf/own-1-rule $(ratio "swiftbpf-$n" swiftbpf-1), /nft-ingress-set $(ratio "swiftbpf-$n" "nftingress-$n"), /nft-input-set $(ratio "swiftbpf-$n" "nftinput-$n"), /iptables-linear $(ratio "swiftbpf-$n" "iptables-$n")"
    [ -n "${rate[xdpfilter-$n]:-}" ] && line+=", /xdp-filter $(ratio "swiftbpf-$n" "xdpfilter-$n")"
    echo "$line"
done
