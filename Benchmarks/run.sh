#!/usr/bin/env bash
# Runs SwiftBPF's benchmarks against their peers in the same run and prints the figures and
# ratios. Root, on a machine prepared by Scripts/setup-host.sh. Installs the peers if missing.
#   Benchmarks/run.sh            all suites
#   Benchmarks/run.sh btf        vmlinux BTF parsing against libbpf
#   Benchmarks/run.sh execsnoop  execsnoop startup and memory against libbpf-tools and bpftrace
#   Benchmarks/run.sh library    object load, ring-buffer consumption, map reads against libbpf
#   Benchmarks/run.sh load       execsnoop under a fork+exec burst and opensnoop under 200,000 opens:
#                                events seen, CPU per 1k events, peak RSS, against libbpf-tools and bpftrace
set -euo pipefail
cd "$(dirname "$0")/.."
suite=${1:-all}
runs=${RUNS:-7}

Scripts/setup-host.sh
need=()
command -v bpftrace >/dev/null || need+=(bpftrace)
[ -x /usr/sbin/execsnoop ] || need+=(libbpf-tools)
if [ ${#need[@]} -gt 0 ]; then DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null; fi

swift build -c release --static-swift-stdlib -Xswiftc -static-executable --scratch-path .build-static --product swiftbpf >/dev/null
swift build -c release --static-swift-stdlib -Xswiftc -static-executable --scratch-path .build-static --product swiftbpf-bench >/dev/null
bin=.build-static/release
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ "$suite" = all ] || [ "$suite" = btf ]; then
    gcc -O2 -o "$work/btf_parse" Benchmarks/btf_parse.c -lbpf
    python3 Benchmarks/btf_parse.py --swiftbpf-bench "$bin/swiftbpf-bench" --libbpf "$work/btf_parse" --rounds "$runs"
    echo
fi
if [ "$suite" = all ] || [ "$suite" = library ]; then
    gcc -O2 -o "$work/library_peers" Benchmarks/library_peers.c -lbpf
    clang -target bpf -g -O2 -idirafter /usr/include/x86_64-linux-gnu -c Benchmarks/bpf/ringbuf_bench.bpf.c -o "$work/ringbuf_bench.bpf.o"
    clang -target bpf -g -O2 -idirafter /usr/include/x86_64-linux-gnu -c Tests/BPFKernelTests/bpf/diff_core.bpf.c -o "$work/diff_core.bpf.o"
    python3 Benchmarks/library.py --bench "$bin/swiftbpf-bench" --peer "$work/library_peers" \
        --load-object "$work/diff_core.bpf.o" --ringbuf-object "$work/ringbuf_bench.bpf.o" --rounds "$runs"
    echo
fi
if [ "$suite" = all ] || [ "$suite" = load ]; then
    python3 Benchmarks/execsnoop_load.py --rounds 3 --swiftbpf "$bin/swiftbpf"
    echo
    python3 Benchmarks/opensnoop_load.py --rounds 3 --swiftbpf "$bin/swiftbpf"
    echo
fi
if [ "$suite" = all ] || [ "$suite" = execsnoop ]; then
    python3 Benchmarks/execsnoop_startup.py --runs "$runs" --swiftbpf "$bin/swiftbpf"
fi
