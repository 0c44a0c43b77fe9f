// SPDX-License-Identifier: GPL-2.0
// Object-parsing fixture: BTF-defined maps of many kinds, a map-in-map with an inner map and an
// initial slot, a prog array with initial slots, pinning, map_extra and flags.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct inner_map {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 4);
    __type(key, __u32);
    __type(value, __u64);
} inner_a SEC(".maps"), inner_b SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
    __uint(max_entries, 3);
    __type(key, __u32);
    __array(values, struct inner_map);
} outer SEC(".maps") = {
    .values = { [1] = &inner_b },
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 128);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
    __type(key, __u64);
    __type(value, struct { __u32 a; __u16 b; });
} pinned_hash SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 5000);
} events SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_BLOOM_FILTER);
    __uint(max_entries, 16);
    __uint(map_extra, 3);
    __type(value, __u32);
} bloom SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
    __uint(key_size, sizeof(__u32));
    __uint(value_size, sizeof(__u32));
} perf_events SEC(".maps");

int tail_target(void *ctx);

struct {
    __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
    __uint(max_entries, 4);
    __uint(key_size, sizeof(__u32));
    __array(values, int (void *));
} jump_table SEC(".maps") = {
    .values = { [0] = (void *)&tail_target, [2] = (void *)&tail_target },
};

SEC("tp/syscalls/sys_enter_getpid")
int main_prog(void *ctx)
{
    __u32 key = 1;
    void *inner = bpf_map_lookup_elem(&outer, &key);
    if (inner) {
        __u64 *v = bpf_map_lookup_elem(inner, &key);
        if (v)
            (*v)++;
    }
    __u64 k = 3;
    bpf_map_lookup_elem(&pinned_hash, &k);
    bpf_map_lookup_elem(&inner_a, &key);
    bpf_tail_call(ctx, &jump_table, 0);
    return 0;
}

SEC("tp/syscalls/sys_enter_getppid")
int tail_target(void *ctx)
{
    __u32 *r = bpf_ringbuf_reserve(&events, 4, 0);
    if (r) {
        *r = 1;
        bpf_ringbuf_submit(r, 0);
    }
    __u32 v = 3;
    bpf_map_push_elem(&bloom, &v, 0);
    bpf_perf_event_output(ctx, &perf_events, BPF_F_CURRENT_CPU, &v, sizeof(v));
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
