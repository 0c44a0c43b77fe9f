#!/usr/bin/env bash
# TLS keep-alive load (curl against a Python ssl server on loopback) with no tracer, with
# `swiftbpf sslsniff`, `swiftbpf http --no-plain`, BCC's sslsniff-bpfcc and a bpftrace uprobe on
# SSL_write, in one run: req/s and its ratio to the untraced rate, events seen / requests made,
# startup to the first captured request, peak RSS and CPU per 1,000 requests of the tracer. Root.
#
#   Benchmarks/tls-http.sh            (SWIFTBPF=path/to/swiftbpf REQUESTS=4000 ROUNDS=3 PEERS=floor,swiftbpf,bcc,bpftrace)
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in openssl curl python3; do command -v $tool >/dev/null || { echo "tls-http: needs $tool" >&2; exit 2; }; done
exec python3 Benchmarks/tls_http.py
