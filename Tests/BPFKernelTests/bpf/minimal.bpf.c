// SPDX-License-Identifier: GPL-2.0
// The smallest useful object: one map, one global, one tracepoint program.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u64);
} counts SEC(".maps");

volatile const __u32 target_pid = 0;

SEC("tp/syscalls/sys_enter_getpid")
int count_getpid(void *ctx)
{
    __u32 key = 0;
    __u32 pid = bpf_get_current_pid_tgid() >> 32;
    if (target_pid && pid != target_pid)
        return 0;
    __u64 *v = bpf_map_lookup_elem(&counts, &key);
    if (v)
        __sync_fetch_and_add(v, 1);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
