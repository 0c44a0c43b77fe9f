// SPDX-License-Identifier: GPL-2.0
// Error fixture: 'values' on a map that is neither a map of maps nor a prog array.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct inner {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u32);
} in SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 2);
    __type(key, __u32);
    __array(values, struct inner);
} plain SEC(".maps");

SEC("tp/syscalls/sys_enter_getpid")
int prog(void *ctx) { return bpf_map_lookup_elem(&plain, &(__u32){0}) != 0; }

char LICENSE[] SEC("license") = "GPL";
