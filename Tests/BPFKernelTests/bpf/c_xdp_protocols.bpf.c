// SPDX-License-Identifier: GPL-2.0
// The C twin of swift_xdp_protocols.bpf.swift: counts[p] counts IPv4 packets of IP protocol p,
// counts[256] IPv6 packets, counts[257] the rest; `packets` counts every packet.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 258);
    __type(key, __u32);
    __type(value, __u64);
} counts SEC(".maps");

__u64 packets = 0;

static __always_inline void bump(__u32 slot)
{
    __u64 *v = bpf_map_lookup_elem(&counts, &slot);
    if (v)
        __sync_fetch_and_add(v, 1);
}

SEC("xdp")
int xdp_count_protocols(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
    __sync_fetch_and_add(&packets, 1);
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > end) {
        bump(257);
        return XDP_PASS;
    }
    if (eth->h_proto == bpf_htons(ETH_P_IP)) {
        struct iphdr *ip = (void *)(eth + 1);
        if ((void *)(ip + 1) > end)
            bump(257);
        else
            bump(ip->protocol);
    } else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
        bump(256);
    } else {
        bump(257);
    }
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
