// SPDX-License-Identifier: GPL-2.0
// Error fixture: 'values' is not the last member of a map-in-map definition.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct inner {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u32);
} in SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
    struct inner *values[0]; /* zero-length, so it may sit mid-struct (GNU C) */
    __uint(max_entries, 2);
    __type(key, __u32);
} outer SEC(".maps");

SEC("tp/syscalls/sys_enter_getpid")
int prog(void *ctx) { return bpf_map_lookup_elem(&outer, &(int){0}) != 0; }

char LICENSE[] SEC("license") = "GPL";
