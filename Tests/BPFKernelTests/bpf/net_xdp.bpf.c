// SPDX-License-Identifier: GPL-2.0
// XDP programs of the network tests. Both look at UDP packets to `port` and read the first
// payload byte, a marker: 'P' passes, 'D' is dropped by both programs, 'B' only by the second.
// counts[0]/[1]: seen/dropped by xdp_first; counts[2]/[3]: seen/dropped by xdp_second.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 4);
    __type(key, __u32);
    __type(value, __u64);
} counts SEC(".maps");

volatile const __u16 port = 0;

static __always_inline int marker(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
        return -1;
    struct iphdr *ip = (void *)(eth + 1);
    if ((void *)(ip + 1) > end || ip->ihl != 5 || ip->protocol != IPPROTO_UDP)
        return -1;
    struct udphdr *udp = (void *)(ip + 1);
    if ((void *)(udp + 1) > end || udp->dest != bpf_htons(port))
        return -1;
    unsigned char *payload = (void *)(udp + 1);
    if ((void *)(payload + 1) > end)
        return -1;
    return *payload;
}

static __always_inline void bump(__u32 slot)
{
    __u64 *v = bpf_map_lookup_elem(&counts, &slot);
    if (v)
        __sync_fetch_and_add(v, 1);
}

SEC("xdp")
int xdp_first(struct xdp_md *ctx)
{
    int m = marker(ctx);
    if (m < 0)
        return XDP_PASS;
    bump(0);
    if (m == 'D') {
        bump(1);
        return XDP_DROP;
    }
    return XDP_PASS;
}

SEC("xdp")
int xdp_second(struct xdp_md *ctx)
{
    int m = marker(ctx);
    if (m < 0)
        return XDP_PASS;
    bump(2);
    if (m == 'D' || m == 'B') {
        bump(3);
        return XDP_DROP;
    }
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
