#!/usr/bin/env bash
# Regenerates BPFInclude/vmlinux.h: every type of the running kernel's BTF
# (/sys/kernel/btf/vmlinux) as C, written by SwiftBPF's own BTF-to-C dumper
# (`swiftbpf btf dump --format c`, the same output as `bpftool btf dump ... format c`).
# The header is committed, so builds work on machines without /sys/kernel/btf, and a package
# that depends on SwiftBPF finds every kernel type through the BPFCompiler plugin. CO-RE
# relocates field accesses to the kernel that runs the program, so one header serves every
# kernel; regenerate it when a program needs a type or field that a newer kernel added.
# Usage: Scripts/generate-vmlinux-h.sh [BTF_FILE]   (default: the running kernel's BTF)
# SCRATCH=DIR picks the build folder of swiftbpf (default .build).
set -euo pipefail
cd "$(dirname "$0")/.."
btf=${1:-/sys/kernel/btf/vmlinux}
scratch=${SCRATCH:-.build}
swift build --product swiftbpf --scratch-path "$scratch" >/dev/null
"$(swift build --product swiftbpf --scratch-path "$scratch" --show-bin-path)/swiftbpf" btf dump --file "$btf" --format c > BPFInclude/vmlinux.h.new
mv BPFInclude/vmlinux.h.new BPFInclude/vmlinux.h
echo "BPFInclude/vmlinux.h: $(wc -l < BPFInclude/vmlinux.h) lines, $(wc -c < BPFInclude/vmlinux.h) bytes, from $btf ($(uname -r))"
