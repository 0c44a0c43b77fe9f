// SPDX-License-Identifier: GPL-2.0
// Error fixture: a legacy "maps" section, which libbpf 1.0+ rejects with -ENOTSUP.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct legacy_map_def {
    unsigned int type, key_size, value_size, max_entries, map_flags;
};

struct legacy_map_def legacy SEC("maps") = {
    .type = BPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = 4, .max_entries = 1,
};

SEC("tp/syscalls/sys_enter_getpid")
int prog(void *ctx) { return bpf_map_lookup_elem(&legacy, &(int){0}) != 0; }

char LICENSE[] SEC("license") = "GPL";
