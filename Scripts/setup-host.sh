#!/usr/bin/env bash
# Prepares a fresh Debian machine for building and running SwiftBPF:
# the BPF-side headers (libbpf-dev, build time only), the oracle tools used by tests (bpftool),
# sys/sdt.h for the USDT tests' probe program (systemtap-sdt-dev), and the tracefs, bpffs and
# securityfs mounts. Safe to run again.
set -euo pipefail

need=()
[ -f /usr/include/bpf/bpf_helpers.h ] || need+=(libbpf-dev)
command -v bpftool >/dev/null 2>&1 || need+=(bpftool)
[ -f /usr/include/x86_64-linux-gnu/sys/sdt.h ] || [ -f /usr/include/sys/sdt.h ] || need+=(systemtap-sdt-dev)
# flows: the resolver of its DNS tests, and iperf3/conntrack for Benchmarks/flows.sh.
command -v dnsmasq >/dev/null 2>&1 || need+=(dnsmasq-base)
command -v iperf3 >/dev/null 2>&1 || need+=(iperf3)
command -v conntrack >/dev/null 2>&1 || need+=(conntrack)
# sslsniff/http tests: certificates (openssl), the client (curl), the server (python3), libssl.a for the static client.
for p in openssl curl python3; do command -v $p >/dev/null 2>&1 || need+=($p); done
[ -f /usr/lib/x86_64-linux-gnu/libssl.a ] || need+=(libssl-dev)
[ -f /usr/include/gnutls/gnutls.h ] || need+=(libgnutls28-dev)
# The agent's tests (Tests/AgentTests) scrape it with a real Prometheus server, fill a loop-mounted
# ext4, and export to the rotel OTLP collector (PyPI, below).
command -v prometheus >/dev/null 2>&1 || need+=(prometheus)
command -v mkfs.ext4 >/dev/null 2>&1 || need+=(e2fsprogs)
# The web UI's browser tests (headless Chromium over the DevTools protocol) and the pprof
# check of profile --pprof (protoc --decode).
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v protoc >/dev/null 2>&1 || need+=(protobuf-compiler)
# guard learn's end-to-end test applies the generated seccomp profile with libseccomp's Python binding.
python3 -c 'import seccomp' >/dev/null 2>&1 || need+=(python3-seccomp)
if [ ${#need[@]} -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${need[@]}" >/dev/null
fi

# Debian 12+ marks its python3 "externally managed": pip then needs --break-system-packages.
python3 -c 'import rotel' >/dev/null 2>&1 || python3 -m pip install -q rotel || python3 -m pip install -q --break-system-packages rotel

if ! grep -q ' /sys/kernel/tracing tracefs ' /proc/mounts; then
    mount -t tracefs tracefs /sys/kernel/tracing
fi
if ! grep -q ' /sys/fs/bpf bpf ' /proc/mounts; then
    mkdir -p /sys/fs/bpf
    mount -t bpf bpf /sys/fs/bpf
fi
if [ -d /sys/kernel/security ] && ! grep -q ' /sys/kernel/security securityfs ' /proc/mounts; then
    mount -t securityfs securityfs /sys/kernel/security || true
fi
