#!/bin/bash
# Swift BPF programs against their C twins (issue 19): for each pair, the build time of the
# object, the instructions the kernel keeps after verification (bytes_xlated / 8), the
# instructions the verifier processed (verified_insns), the JIT size, and for the XDP and
# socket filter pairs the run time per packet from BPF_PROG_TEST_RUN (median of ROUNDS runs of
# 1,000,000 repeats) and the kernel's own figure over one more such run with
# kernel.bpf_stats_enabled=1 (run_time_ns / run_cnt; the sysctl is restored after). The pairs are the test programs of Tests/BPFKernelTests/bpf and the
# tools' twins (runqlat.bpf.c and runqlat_swift.bpf.swift; the firewall's XDP program,
# firewall.bpf.c and firewall_swift.bpf.swift, whose maps libbpf pins by name in /sys/fs/bpf:
# the script refuses to run over existing pins of those names and removes the ones it made).
# Then swift-programs-runtime.sh
# gives the tracing programs' run time per event under a common load (RUNTIME=0 skips it).
#
#   sudo Benchmarks/swift-programs.sh            # after `swift build --build-tests`
#   SCRATCH=.build-x ROUNDS=5 sudo Benchmarks/swift-programs.sh
#
# Needs root (loading), bpftool (libbpf's loader pins the programs) and the debug build's
# BPFSwiftCompiler and swiftbpf (`swift build --build-tests --scratch-path $SCRATCH`).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SCRATCH=${SCRATCH:-.build}
ROUNDS=${ROUNDS:-5}
BIN="$ROOT/$SCRATCH/debug"
TOOLCHAIN=$(dirname "$(command -v swiftc)")
BPF="$ROOT/Tests/BPFKernelTests/bpf"
RUNQLAT="$ROOT/Sources/SwiftBPFTools/RunQLat/bpf"
FIREWALL="$ROOT/Sources/SwiftBPFNet/Firewall/bpf"
# The firewall's maps (LIBBPF_PIN_BY_NAME): libbpf pins them as /sys/fs/bpf/NAME.
FIREWALL_MAPS="rules counters config src4 src6 dst4 dst6 limit4 limit6 tuples ports icmp_types protocols buckets dropped_sources events event_bucket blocklist4 blocklist6"
for m in $FIREWALL_MAPS; do
    if [ -e "/sys/fs/bpf/$m" ]; then echo "/sys/fs/bpf/$m exists (a firewall loaded by libbpf?): remove it first" >&2; exit 1; fi
done
unpin_firewall_maps() { for m in $FIREWALL_MAPS; do rm -f "/sys/fs/bpf/$m"; done; }
WORK=$(mktemp -d /tmp/swiftbpf-swiftprog-bench.XXXXXX)
PINS=/sys/fs/bpf/swiftbpf_swiftprog_bench_$$
STATS=$(sysctl -n kernel.bpf_stats_enabled)
trap 'sysctl -q -w kernel.bpf_stats_enabled="$STATS"; rm -rf "$WORK" "$PINS"; unpin_firewall_maps' EXIT
MULTIARCH=/usr/include/$(uname -m)-linux-gnu

# The pairs: Swift source, C twin.
PAIRS="swift_xdp_protocols:c_xdp_protocols swift_socket_filter:net_socket_filter swift_exec_events:c_exec_events swift_sleep_histogram:c_sleep_histogram runqlat_swift:runqlat firewall_swift:firewall"
dir_of() {  # the folder of program NAME (.bpf.swift or .bpf.c)
    for d in "$BPF" "$RUNQLAT" "$FIREWALL"; do
        if [ -e "$d/$1.bpf.swift" ] || [ -e "$d/$1.bpf.c" ]; then echo "$d"; return; fi
    done
}

now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

build_swift() {  # the whole pipeline, BPFKernel included
    "$BIN/BPFSwiftCompiler" --swiftc "$TOOLCHAIN/swiftc" --clang "$TOOLCHAIN/clang" \
        --input "$(dir_of "$1")/$1.bpf.swift" --object "$WORK/$1.o" --work-dir "$WORK/$1.work" 2>/dev/null
}
build_swift_prebuilt() {  # as the plugin runs it: BPFKernel built once per target
    "$BIN/BPFSwiftCompiler" --swiftc "$TOOLCHAIN/swiftc" --clang "$TOOLCHAIN/clang" --kernel-build "$WORK/kernel" \
        --input "$(dir_of "$1")/$1.bpf.swift" --object "$WORK/$1.o" --work-dir "$WORK/$1.work" 2>/dev/null
}
build_kernel() {
    "$BIN/BPFSwiftCompiler" --swiftc "$TOOLCHAIN/swiftc" --clang "$TOOLCHAIN/clang" --emit-kernel-module "$WORK/kernel"
}
build_c() {
    # BPFGen's flags.
    local dir; dir=$(dir_of "$1")
    "$TOOLCHAIN/clang" -target bpf -g -O2 -D__TARGET_ARCH_x86 -I "$dir" -I "$ROOT/BPFInclude" \
        -idirafter "$MULTIARCH" -c "$dir/$1.bpf.c" -o "$WORK/$1.o"
}
time_ms() {  # time_ms FUNCTION NAME: median wall time of ROUNDS builds, in ms
    for _ in $(seq "$ROUNDS"); do
        local t0; t0=$(now); "$1" "$2"; echo $(( ($(now) - t0) / 1000000 ))
    done | median
}
field() { grep -o "\"$1\":[0-9]*" | head -1 | cut -d: -f2; }

# An IPv4/UDP frame for the XDP test runs.
printf '\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00\x45\x00\x00\x1c\x00\x00\x40\x00\x40\x11\x00\x00\x0a\x00\x00\x01\x0a\x00\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00' > "$WORK/udp.bin"

echo "toolchain: $("$TOOLCHAIN/swiftc" --version 2>&1 | head -1); rounds: $ROUNDS; kernel $(uname -r)"
echo "BPFKernel module alone: $(time_ms build_kernel x) ms (built once per target by the plugin)"
echo "build_ms: median wall time of one object's build; for Swift, 'prebuilt' is with BPFKernel already built"
echo "ns/packet: BPF_PROG_TEST_RUN's average; stats_ns: run_time_ns / run_cnt over 1,000,000 test runs with kernel.bpf_stats_enabled=1"
printf '%-22s %-6s %9s %9s %7s %9s %7s %10s %9s\n' program lang build_ms prebuilt insns verified jited ns/packet stats_ns
for pair in $PAIRS; do
    swift=${pair%%:*}; c=${pair##*:}
    for lang in Swift C; do
        if [ $lang = Swift ]; then
            name=$swift; pre=$(time_ms build_swift_prebuilt "$swift"); ms=$(time_ms build_swift "$swift")
        else
            name=$c; pre="-"; ms=$(time_ms build_c "$c")
        fi
        mkdir -p "$PINS"
        bpftool prog loadall "$WORK/$name.o" "$PINS/$name" >/dev/null 2>&1
        for prog in "$PINS/$name"/*; do
            info=$("$BIN/swiftbpf" prog show pinned "$prog" --json)
            xlated=$(( $(echo "$info" | field bytes_xlated) / 8 ))
            run=""; stats=""
            if [[ $name == *xdp* || $name == firewall* || $name == *socket_filter* ]]; then
                run=$(for _ in $(seq "$ROUNDS"); do
                    bpftool prog run pinned "$prog" data_in "$WORK/udp.bin" repeat 1000000 2>&1 | grep -o 'duration (average): [0-9]*ns' | grep -o '[0-9]*'
                done | median)
                # The kernel's figure: its clock reads around each run make runs slower, so
                # these runs are separate from the ones timed above.
                sysctl -q -w kernel.bpf_stats_enabled=1
                bpftool prog run pinned "$prog" data_in "$WORK/udp.bin" repeat 1000000 >/dev/null 2>&1
                sysctl -q -w kernel.bpf_stats_enabled="$STATS"
                after=$("$BIN/swiftbpf" prog show pinned "$prog" --json)
                stats=$(awk -v t="$(echo "$after" | field run_time_ns)" -v n="$(echo "$after" | field run_cnt)" \
                    'BEGIN { if (n > 0) printf "%.1f", t / n }')
            fi
            printf '%-22s %-6s %9s %9s %7s %9s %7s %10s %9s\n' "$(basename "$prog")" $lang "$ms" "$pre" "$xlated" \
                "$(echo "$info" | field verified_insns)" "$(echo "$info" | field bytes_jited)" "$run" "$stats"
        done
        rm -rf "$PINS/$name"
        unpin_firewall_maps
    done
done

if [ "${RUNTIME:-1}" != 0 ]; then
    echo
    echo "Run time per event of the tracing programs (Benchmarks/swift-programs-runtime.sh):"
    SCRATCH="$SCRATCH" ROUNDS="$ROUNDS" "$ROOT/Benchmarks/swift-programs-runtime.sh"
fi
