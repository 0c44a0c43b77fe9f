// SPDX-License-Identifier: GPL-2.0
// Loads into the verifier and is rejected: a map value is used without a NULL check.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u64);
} values SEC(".maps");

SEC("tp/syscalls/sys_enter_getpid")
int unchecked_lookup(void *ctx)
{
    __u32 key = 0;
    __u64 *value = bpf_map_lookup_elem(&values, &key);
    return *value + 1; /* the verifier rejects this line */
}

char LICENSE[] SEC("license") = "GPL";
