// SPDX-License-Identifier: GPL-2.0
// Error fixture: a hash of maps with initial values needs a 4-byte key.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct inner {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u32);
} in SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
    __uint(max_entries, 2);
    __type(key, __u64);
    __array(values, struct inner);
} outer SEC(".maps") = { .values = { [0] = &in } };

SEC("tp/syscalls/sys_enter_getpid")
int prog(void *ctx) { return bpf_map_lookup_elem(&outer, &(__u64){0}) != 0; }

char LICENSE[] SEC("license") = "GPL";
