// SPDX-License-Identifier: GPL-2.0
// Map-in-map read through at run time: args[0] picks the inner map of an ARRAY_OF_MAPS (or, with
// args[2] != 0, of a HASH_OF_MAPS), args[1] the element; the program returns the value, or
// 0xffffffff when the slot or the element is missing. Run with BPF_PROG_TEST_RUN (raw_tp ctx).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct inner_values {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 8);
    __type(key, __u32);
    __type(value, __u64);
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
    __uint(max_entries, 4);
    __type(key, __u32);
    __array(values, struct inner_values);
} mim_array SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
    __uint(max_entries, 4);
    __type(key, __u32);
    __array(values, struct inner_values);
} mim_hash SEC(".maps");

SEC("raw_tp")
int mim_read(struct bpf_raw_tracepoint_args *ctx)
{
    __u32 outer_key = ctx->args[0], inner_key = ctx->args[1];
    void *inner;
    __u64 *value;

    inner = ctx->args[2] ? bpf_map_lookup_elem(&mim_hash, &outer_key) : bpf_map_lookup_elem(&mim_array, &outer_key);
    if (!inner)
        return -1;
    value = bpf_map_lookup_elem(inner, &inner_key);
    if (!value)
        return -1;
    return *value;
}

char LICENSE[] SEC("license") = "GPL";
