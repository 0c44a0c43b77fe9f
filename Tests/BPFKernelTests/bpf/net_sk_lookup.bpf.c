// SPDX-License-Identifier: GPL-2.0
// sk_lookup: TCP connections to `steer_port` (which has no listener) are handed to the
// listening socket in target[0] with bpf_sk_assign. counts[0]: lookups for the port,
// counts[1]: successful assignments.
#include <linux/bpf.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_SOCKMAP);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u64);
} target SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 2);
    __type(key, __u32);
    __type(value, __u64);
} counts SEC(".maps");

volatile const __u16 steer_port = 0;

static __always_inline void bump(__u32 slot)
{
    __u64 *v = bpf_map_lookup_elem(&counts, &slot);
    if (v)
        __sync_fetch_and_add(v, 1);
}

SEC("sk_lookup")
int steer_to_listener(struct bpf_sk_lookup *ctx)
{
    if (ctx->protocol != IPPROTO_TCP || ctx->local_port != steer_port)
        return SK_PASS;
    bump(0);
    __u32 key = 0;
    struct bpf_sock *sk = bpf_map_lookup_elem(&target, &key);
    if (!sk)
        return SK_PASS;
    long err = bpf_sk_assign(ctx, sk, 0);
    bpf_sk_release(sk);
    if (err == 0)
        bump(1);
    return SK_PASS;
}

char LICENSE[] SEC("license") = "GPL";
