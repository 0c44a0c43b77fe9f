#!/usr/bin/env bash
# Runs SwiftBPF's benchmarks against their peers in the same run and prints the figures and
# ratios (BENCHMARKS.md says how to read them). Root, on a machine prepared by
# Scripts/setup-host.sh (run here). Installs the peers it needs if they are missing.
#
#   Benchmarks/run.sh [--smoke] [SUITE ...]
#
# Suites (default: all):
#   btf        vmlinux BTF: parse time, memory kept, name lookups; against libbpf's btf__parse
#   library    object load, ring-buffer consumption (64 B, 1 KiB), map batch and single lookups;
#              against the same calls through libbpf (Benchmarks/library_peers.c)
#   tools      execsnoop, opensnoop and tcp below
#   execsnoop  startup to first event, idle and loaded peak RSS, events seen under 10 s of
#   opensnoop  fork+exec / 200,000 opens / 150,000 loopback connections, CPU per 1,000 events;
#   tcp        against the C/libbpf reference (Benchmarks/snoop_ref.c, the same BPF object),
#              libbpf-tools, bpftrace and BCC's trace (Benchmarks/tools.py); execsnoop also
#              splits its start into verifier time and the rest (Benchmarks/startup_phases.py)
#   load       the old name of `tools`
#
# --smoke: one round of every suite with small counts and no peer installation, against a debug
# build (unless BIN_DIR is set): checks that the harness runs, in under 2 minutes on a warm build.
# Its figures mean nothing.
#
# Environment: RUNS (rounds of the btf/library suites, default 7), TOOL_ROUNDS (rounds of the tool
# suites, default 3), SCRATCH (the SwiftPM scratch path; default .build-static, or .build with
# --smoke), BIN_DIR (use the swiftbpf and swiftbpf-bench binaries there; build nothing),
# PEERS (comma-separated subset of swiftbpf,c-ref,libbpf-tools,bpftrace,bcc for the tool suites),
# JSON (append every raw result to this file).
set -euo pipefail
cd "$(dirname "$0")/.."

smoke=0
suites=()
for arg in "$@"; do
    case "$arg" in
        --smoke) smoke=1 ;;
        btf|library|tools|execsnoop|opensnoop|tcp|load|all) suites+=("$arg") ;;
        *) echo "usage: Benchmarks/run.sh [--smoke] [btf|library|tools|execsnoop|opensnoop|tcp|all ...]" >&2; exit 2 ;;
    esac
done
[ ${#suites[@]} -gt 0 ] || suites=(all)
want() {
    local s
    for s in "${suites[@]}"; do
        [ "$s" = all ] || [ "$s" = "$1" ] && return 0
        { [ "$s" = tools ] || [ "$s" = load ]; } && [[ "$1" =~ ^(execsnoop|opensnoop|tcp)$ ]] && return 0
    done
    return 1
}
runs=${RUNS:-7}
tool_rounds=${TOOL_ROUNDS:-3}
smoke_flag=()
[ $smoke = 1 ] && smoke_flag=(--smoke)

Scripts/setup-host.sh

# BCC compiles its programs against kernel headers. This kernel ships none (no
# /lib/modules/$(uname -r)/build, no CONFIG_IKHEADERS), so BCC gets Debian's newest packaged
# headers (6.1). Its tracepoint programs read the records' layout from tracefs, not the headers.
bcc_headers() {
    local k=/lib/modules/$(uname -r) h
    [ -e "$k/build/include" ] || [ -e /sys/kernel/kheaders.tar.xz ] && return 0
    ls -d /usr/src/linux-headers-*-amd64 >/dev/null 2>&1 || apt-get install -y -qq linux-headers-amd64 >/dev/null
    h=$(ls -d /usr/src/linux-headers-*-amd64 | grep -v -e cloud -e rt | sort -V | tail -1)
    mkdir -p "$k"
    ln -sfn "$h" "$k/build"
    ln -sfn "${h%-amd64}-common" "$k/source"
}

if [ $smoke = 0 ] && [ -z "${NO_INSTALL:-}" ]; then
    need=()
    command -v bpftrace >/dev/null || need+=(bpftrace)
    [ -x /usr/sbin/execsnoop ] || need+=(libbpf-tools)
    command -v trace-bpfcc >/dev/null || need+=(bpfcc-tools)
    [ -f /usr/include/bpf/libbpf.h ] || need+=(libbpf-dev)
    if [ ${#need[@]} -gt 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
    fi
    export DEBIAN_FRONTEND=noninteractive
    bcc_headers
fi

if [ -n "${BIN_DIR:-}" ]; then
    bin=$BIN_DIR
elif [ $smoke = 1 ]; then
    scratch=${SCRATCH:-.build}
    swift build --scratch-path "$scratch" --product swiftbpf >/dev/null
    swift build --scratch-path "$scratch" --product swiftbpf-bench >/dev/null
    bin=$scratch/debug
else
    # The figures are for the static release binaries: what a user installs.
    # Scripts/build-static.sh links them as Scripts/swiftbpf does (lld, hot functions together).
    for product in swiftbpf swiftbpf-bench; do
        path=$(Scripts/build-static.sh $product)
    done
    bin=$(dirname "$path")
fi

# Measured binaries are read as from disk: their page cache as the linker wrote it is dropped
# once (posix_fadvise DONTNEED), so file-backed RSS does not depend on how they were built.
evict() { python3 -c 'import os, sys
for p in sys.argv[1:]:
    fd = os.open(p, os.O_RDONLY); os.fsync(fd); os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED); os.close(fd)' "$@"; }
evict "$bin/swiftbpf" "$bin/swiftbpf-bench"
# One untimed start of each reads it back through its own page faults, as a user's first run
# does; the timed rounds then measure a warm start, not the disk (the peers' binaries and
# libraries are warm already).
"$bin/swiftbpf" execsnoop -d 0.1 >/dev/null
"$bin/swiftbpf-bench" --help >/dev/null 2>&1 || true

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
json=()
[ -n "${JSON:-}" ] && json=(--json "$JSON")

# The BPF objects of the tools, compiled and stripped as the build plugin does, for the C reference.
bpf_object() { # tool-folder name
    local dir=Sources/SwiftBPFTools/$1/bpf
    clang -target bpf -g -O2 -D__TARGET_ARCH_x86 -I BPFInclude -I "$dir" -idirafter /usr/include/x86_64-linux-gnu \
        -c "$dir/$2.bpf.c" -o "$work/$2.bpf.o"
    llvm-objcopy --strip-debug "$work/$2.bpf.o"  # as the plugin embeds it
}

if want btf; then
    gcc -O2 -o "$work/btf_parse" Benchmarks/btf_parse.c -lbpf
    python3 Benchmarks/btf_parse.py --swiftbpf-bench "$bin/swiftbpf-bench" --libbpf "$work/btf_parse" --rounds "$runs" "${smoke_flag[@]}"
    echo
fi
if want library; then
    gcc -O2 -o "$work/library_peers" Benchmarks/library_peers.c -lbpf
    clang -target bpf -g -O2 -idirafter /usr/include/x86_64-linux-gnu -c Benchmarks/bpf/ringbuf_bench.bpf.c -o "$work/ringbuf_bench.bpf.o"
    clang -target bpf -g -O2 -idirafter /usr/include/x86_64-linux-gnu -c Tests/BPFKernelTests/bpf/diff_core.bpf.c -o "$work/diff_core.bpf.o"
    python3 Benchmarks/library.py --bench "$bin/swiftbpf-bench" --peer "$work/library_peers" \
        --load-object "$work/diff_core.bpf.o" --ringbuf-object "$work/ringbuf_bench.bpf.o" --rounds "$runs" "${smoke_flag[@]}"
    echo
fi
if want execsnoop || want opensnoop || want tcp; then
    gcc -O2 -Wall -o "$work/snoop_ref" Benchmarks/snoop_ref.c -lbpf
    gcc -O2 -Wall -o "$work/loadgen" Benchmarks/loadgen.c -lpthread
    bpf_object ExecSnoop execsnoop
    bpf_object OpenSnoop opensnoop
    bpf_object TCP tcpconnect
    evict "$work/snoop_ref"
    "$work/snoop_ref" >/dev/null 2>&1 || true  # warm, as above (it prints its usage)
    peers=${PEERS:-}
    # BCC compiles with clang at every start (tens of seconds here): not in the smoke run.
    [ $smoke = 1 ] && [ -z "$peers" ] && peers=swiftbpf,c-ref,libbpf-tools,bpftrace
    for tool in execsnoop opensnoop tcp; do
        want $tool || continue
        python3 Benchmarks/tools.py --tool $tool --swiftbpf "$bin/swiftbpf" --ref "$work/snoop_ref" --objects "$work" \
            --loadgen "$work/loadgen" --rounds "$tool_rounds" ${peers:+--peers "$peers"} "${json[@]}" "${smoke_flag[@]}"
        echo
    done
    if want execsnoop; then
        # Where execsnoop's start goes (system-call timeline), against the C reference.
        command -v strace >/dev/null || apt-get install -y -qq strace >/dev/null
        python3 Benchmarks/startup_phases.py --swiftbpf "$bin/swiftbpf" --ref "$work/snoop_ref" \
            --object "$work/execsnoop.bpf.o" --runs "$([ $smoke = 1 ] && echo 1 || echo 9)"
        echo
    fi
fi
