// SPDX-License-Identifier: GPL-2.0
// The floor of an open monitor at sys_exit_openat: a program that only counts, so that a run
// under it shows what the tracepoint itself costs each open (Benchmarks/guard.sh).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

__u64 opens_seen;

SEC("tracepoint/syscalls/sys_exit_openat")
int open_floor(void *ctx)
{
    __sync_fetch_and_add(&opens_seen, 1);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
