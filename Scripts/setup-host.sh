#!/usr/bin/env bash
# Prepares a fresh Debian machine for building and running SwiftBPF:
# the BPF-side headers (libbpf-dev, build time only), the oracle tools used by tests (bpftool),
# and the tracefs and bpffs mounts. Safe to run again.
set -euo pipefail

need=()
[ -f /usr/include/bpf/bpf_helpers.h ] || need+=(libbpf-dev)
command -v bpftool >/dev/null 2>&1 || need+=(bpftool)
if [ ${#need[@]} -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${need[@]}" >/dev/null
fi

if ! grep -q ' /sys/kernel/tracing tracefs ' /proc/mounts; then
    mount -t tracefs tracefs /sys/kernel/tracing
fi
if ! grep -q ' /sys/fs/bpf bpf ' /proc/mounts; then
    mkdir -p /sys/fs/bpf
    mount -t bpf bpf /sys/fs/bpf
fi
