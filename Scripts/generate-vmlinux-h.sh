#!/usr/bin/env bash
# Regenerates BPFInclude/vmlinux.h with SwiftBPF's own BTF-to-C dumper, holding only the kernel
# types (and the enums of the constants) that the project's BPF programs use. Committed, so that
# the build works on machines without /sys/kernel/btf. Run it after adding a type to TYPES.
set -euo pipefail
cd "$(dirname "$0")/.."
TYPES=(
    # fixed-width integers of the UAPI, used by bpf_helpers.h
    __u8 __u16 __u32 __u64 __s8 __s16 __s32 __s64 __be16 __be32 __wsum
    # map definitions and helper flags
    bpf_map_type BPF_ANY BPF_F_NO_PREALLOC BPF_F_CURRENT_CPU BPF_RB_NO_WAKEUP
    # execsnoop
    trace_event_raw_sys_enter trace_event_raw_sys_exit task_struct
    # tcpconnect, tcpaccept, tcplife, tcpretrans
    trace_event_raw_inet_sock_set_state trace_event_raw_tcp_retransmit_skb
    sock sock_common tcp_sock socket file files_struct fdtable in6_addr
)
joined=$(IFS=,; echo "${TYPES[*]}")
swift build --product swiftbpf >/dev/null
.build/debug/swiftbpf btf dump --types "$joined" > BPFInclude/vmlinux.h.new
mv BPFInclude/vmlinux.h.new BPFInclude/vmlinux.h
echo "BPFInclude/vmlinux.h: $(wc -l < BPFInclude/vmlinux.h) lines, $(wc -c < BPFInclude/vmlinux.h) bytes"
