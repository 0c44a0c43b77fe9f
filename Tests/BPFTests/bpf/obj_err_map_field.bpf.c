// SPDX-License-Identifier: GPL-2.0
// Error fixture: a .maps definition with a field libbpf does not know.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __uint(colour, 3);
    __type(key, __u32);
    __type(value, __u32);
} odd SEC(".maps");

SEC("tp/syscalls/sys_enter_getpid")
int prog(void *ctx) { return bpf_map_lookup_elem(&odd, &(int){0}) != 0; }

char LICENSE[] SEC("license") = "GPL";
