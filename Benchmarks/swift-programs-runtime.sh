#!/bin/bash
# Run time per event of Swift BPF programs against their C twins (issue 19), as the kernel
# measures it with kernel.bpf_stats_enabled (run_time_ns / run_cnt), under the same load:
# execsnoop (the tool's execsnoop.bpf.c against execsnoop_swift.bpf.swift) and the exec-events
# pair on execs of /bin/true, the sleep histogram pair on 3 us clock_nanosleep calls, runqlat
# (runqlat.bpf.c against runqlat_swift.bpf.swift, no filters, one log2 histogram) on context
# switches between two threads pinned to CPU 0 (its wakeup and switch programs also run for
# every other task on the machine: the same mix for both, as long as the machine's load is).
# Prints one JSON line per program and round set (median over ROUNDS rounds of COUNT events).
#
#   sudo Benchmarks/swift-programs-runtime.sh           # after `swift build --build-tests`
#   SCRATCH=.build-x ROUNDS=5 COUNT=2000 sudo Benchmarks/swift-programs-runtime.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SCRATCH=${SCRATCH:-.build}
ROUNDS=${ROUNDS:-5}
COUNT=${COUNT:-2000}
BIN="$ROOT/$SCRATCH/debug"
TOOLCHAIN=$(dirname "$(command -v swiftc)")
TESTS="$ROOT/Tests/BPFKernelTests/bpf"
EXECSNOOP="$ROOT/Sources/SwiftBPFTools/ExecSnoop/bpf"
RUNQLAT="$ROOT/Sources/SwiftBPFTools/RunQLat/bpf"
WORK=$(mktemp -d /tmp/swiftbpf-runtime-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
MULTIARCH=/usr/include/$(uname -m)-linux-gnu

swift_object() {  # DIR NAME
    "$BIN/BPFSwiftCompiler" --swiftc "$TOOLCHAIN/swiftc" --clang "$TOOLCHAIN/clang" \
        --input "$1/$2.bpf.swift" --object "$WORK/$2.o" --work-dir "$WORK/$2.work" --strip-dwarf yes 2>/dev/null
}
c_object() {  # DIR NAME, BPFGen's flags
    "$TOOLCHAIN/clang" -target bpf -g -O2 -D__TARGET_ARCH_x86 -I "$1" -I "$ROOT/BPFInclude" \
        -idirafter "$MULTIARCH" -c "$1/$2.bpf.c" -o "$WORK/$2.o"
}
bench() {  # NAME WORKLOAD [--self-thread CONSTANT]
    local name=$1 workload=$2; shift 2
    "$BIN/swiftbpf-bench" run-time --object "$WORK/$name.o" --workload "$workload" --count "$COUNT" --rounds "$ROUNDS" "$@"
}

echo "kernel $(uname -r); rounds: $ROUNDS; events per round: $COUNT"
swift_object "$EXECSNOOP" execsnoop_swift; c_object "$EXECSNOOP" execsnoop
swift_object "$TESTS" swift_exec_events; c_object "$TESTS" c_exec_events
swift_object "$TESTS" swift_sleep_histogram; c_object "$TESTS" c_sleep_histogram
swift_object "$RUNQLAT" runqlat_swift; c_object "$RUNQLAT" runqlat
# Alternate C and Swift so that drift in the machine's load hits both alike.
for pass in 1 2; do
    bench execsnoop exec; bench execsnoop_swift exec
    bench c_exec_events exec; bench swift_exec_events exec
    bench c_sleep_histogram nanosleep --self-thread target_thread; bench swift_sleep_histogram nanosleep --self-thread targetThread
    bench runqlat switch; bench runqlat_swift switch
done
