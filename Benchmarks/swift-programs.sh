#!/bin/bash
# Swift BPF programs against their C twins (issue 19): for each pair, the build time of the
# object, the instructions the kernel keeps after verification (bytes_xlated / 8), the
# instructions the verifier processed (verified_insns), the JIT size, and for the XDP pair the
# run time per packet from BPF_PROG_TEST_RUN (median of ROUNDS runs of 1,000,000 repeats).
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
WORK=$(mktemp -d /tmp/swiftbpf-swiftprog-bench.XXXXXX)
PINS=/sys/fs/bpf/swiftbpf_swiftprog_bench_$$
trap 'rm -rf "$WORK" "$PINS"' EXIT
MULTIARCH=/usr/include/$(uname -m)-linux-gnu

# The pairs: Swift source, C twin.
PAIRS="swift_xdp_protocols:c_xdp_protocols swift_socket_filter:net_socket_filter swift_exec_events:c_exec_events swift_sleep_histogram:c_sleep_histogram"

now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

build_swift() {  # the whole pipeline, BPFKernel included
    "$BIN/BPFSwiftCompiler" --swiftc "$TOOLCHAIN/swiftc" --clang "$TOOLCHAIN/clang" \
        --input "$BPF/$1.bpf.swift" --object "$WORK/$1.o" --work-dir "$WORK/$1.work" 2>/dev/null
}
build_swift_prebuilt() {  # as the plugin runs it: BPFKernel built once per target
    "$BIN/BPFSwiftCompiler" --swiftc "$TOOLCHAIN/swiftc" --clang "$TOOLCHAIN/clang" --kernel-build "$WORK/kernel" \
        --input "$BPF/$1.bpf.swift" --object "$WORK/$1.o" --work-dir "$WORK/$1.work" 2>/dev/null
}
build_kernel() {
    "$BIN/BPFSwiftCompiler" --swiftc "$TOOLCHAIN/swiftc" --clang "$TOOLCHAIN/clang" --emit-kernel-module "$WORK/kernel"
}
build_c() {
    # BPFGen's flags.
    "$TOOLCHAIN/clang" -target bpf -g -O2 -D__TARGET_ARCH_x86 -I "$BPF" -I "$ROOT/BPFInclude" \
        -idirafter "$MULTIARCH" -c "$BPF/$1.bpf.c" -o "$WORK/$1.o"
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
printf '%-22s %-6s %9s %9s %7s %9s %7s %10s\n' program lang build_ms prebuilt insns verified jited ns/packet
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
            run=""
            if [[ $name == *xdp* ]]; then
                run=$(for _ in $(seq "$ROUNDS"); do
                    bpftool prog run pinned "$prog" data_in "$WORK/udp.bin" repeat 1000000 2>&1 | grep -o 'duration (average): [0-9]*ns' | grep -o '[0-9]*'
                done | median)
            fi
            printf '%-22s %-6s %9s %9s %7s %9s %7s %10s\n' "$(basename "$prog")" $lang "$ms" "$pre" "$xlated" \
                "$(echo "$info" | field verified_insns)" "$(echo "$info" | field bytes_jited)" "$run"
        done
        rm -rf "$PINS/$name"
    done
done
